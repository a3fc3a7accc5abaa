"""Writes of the reports app: a user's personal calendar feed, made and revoked."""

import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.selectors import token_hash
from entente.audit.services import audit_record, write_transaction
from entente.core.errors import PermissionDenied
from entente.reports.models import CalendarFeed


def _revoke(actor, feed: CalendarFeed) -> None:
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    # The hash opens the feed as well as the secret does: never in the audit chain.
    audit_record(
        actor=actor,
        action="revoke",
        target=feed,
        before={"revoked_at": None},
        after={"revoked_at": feed.revoked_at.isoformat()},
    )


def calendar_feed_create(*, actor) -> tuple[CalendarFeed, str]:
    """A new personal calendar feed for `actor`, replacing (revoking) the one they had;
    returns it with its secret, which is never stored and shown only now."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Only an active user may have a calendar feed."))
    secret = secrets.token_urlsafe(32)
    with write_transaction():
        for old in CalendarFeed.objects.select_for_update(no_key=True).filter(
            user=actor, revoked_at__isnull=True
        ):
            _revoke(actor, old)
        feed = CalendarFeed.objects.create(user=actor, key_hash=token_hash(secret))
        audit_record(
            actor=actor,
            action="create",
            target=feed,
            after={"user": actor.pk, "created_at": feed.created_at.isoformat()},
        )
    return feed, secret


def calendar_feed_revoke(*, actor) -> CalendarFeed | None:
    """Stop `actor`'s calendar feed: its URL answers 404 from now on. None when they
    had no working feed (nothing to revoke)."""
    with write_transaction():
        feed = (
            CalendarFeed.objects.select_for_update(no_key=True)
            .filter(user=actor, revoked_at__isnull=True)
            .first()
        )
        if feed is not None:
            _revoke(actor, feed)
    return feed
