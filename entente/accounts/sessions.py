"""Signing a user out everywhere: when they are deactivated or their role changes, every
session they hold ends at once, not at its next idle timeout.

Sessions live in the database (settings.SESSION_ENGINE), which does not index them by
user; the live ones are few (they lapse after settings.SESSION_IDLE_MINUTES), so they
are read and the user's deleted. A deleted session cannot come back: its cookie now
names nothing, and a request already under way fails to save it.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
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
        session_ended_remember(keys, user.pk)
        audit_record(
            actor=actor,
            action="sessions_end",
            target=user,
            after={"reason": reason, "sessions": len(keys)},
        )
    return len(keys)


# --- cookies that name no live session (entente.accounts.middleware.SessionRefusalMiddleware)


def session_key_digest(key: str) -> str:
    """What the cache may hold of a session key: the key itself would open the session."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def remembered_for() -> int:
    """Seconds: no session outlives settings.SESSION_MAX_HOURS, so neither does its cookie."""
    return settings.SESSION_MAX_HOURS * 3600


def _ended_key(key: str) -> str:
    return f"entente:session-ended:{session_key_digest(key)}"


def session_ended_remember(keys, user_pk) -> None:
    """Remember that the sessions `keys` of user `user_pk` were ended on purpose (signed
    out, signed out everywhere, the key cycled by a password change), so that a replay
    of one is refused as "ended", naming the user, where it would otherwise be unknown."""
    cache.set_many({_ended_key(key): str(user_pk) for key in keys}, timeout=remembered_for())


def session_cookie_fate(key: str) -> tuple[str, object]:
    """Why the session cookie `key` names no live session, and whose it was if known:
    ("ended", user) for one ended on purpose, ("expired", user or None) for one that
    lapsed, ("unknown", None) for any other (cleared long ago, or made up)."""
    users = get_user_model().objects
    ended_for = cache.get(_ended_key(key))
    if ended_for is not None:
        return "ended", users.filter(pk=ended_for).first()
    stored = Session.objects.filter(session_key=key).first()
    if stored is not None:  # still stored, so it lapsed: a live one would have loaded
        user_pk = stored.get_decoded().get(SESSION_KEY)
        return "expired", users.filter(pk=user_pk).first() if user_pk else None
    return "unknown", None
