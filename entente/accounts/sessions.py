"""Signing a user out everywhere: when they are deactivated or their role changes, every
session they hold ends at once, not at its next idle timeout.

Sessions live in the database (settings.SESSION_ENGINE), which does not index them by
user; the live ones are few (they lapse after settings.SESSION_IDLE_MINUTES), so they
are read and the user's deleted. A deleted session cannot come back: its cookie now
names nothing, and a request already under way fails to save it.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from entente.audit.services import audit_record, write_transaction


def sessions_end(*, actor, user, reason: str) -> int:
    """End every session of `user`; audited as "sessions_end" with `reason` and how many
    ended, when any did. Runs in the caller's transaction when there is one (the change that is its
    reason), so that both happen or neither."""
    with write_transaction():
        live = Session.objects.filter(expire_date__gt=timezone.now())
        keys = [s.session_key for s in live if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
        if not keys:
            return 0  # nothing ended: no event
        Session.objects.filter(session_key__in=keys).delete()
        audit_record(
            actor=actor,
            action="sessions_end",
            target=user,
            after={"reason": reason, "sessions": len(keys)},
        )
    return len(keys)
