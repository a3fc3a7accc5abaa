"""Writes of notices: creating what is due, mailing it, marking it read.

Notices are their recipient's own bookkeeping, not party records, so these writes are
not entered in the audit chain (as sessions are not). Safety between several `remind`
runs comes from the database: the unique (recipient, key) constraint for creation, and
a conditional update that claims a notice before it is mailed.
"""

import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.preferences import preferred_zone
from entente.audit.models import AuditEvent
from entente.core.errors import NotFound, ValidationError
from entente.notices.due import Due, due_for
from entente.notices.enums import Channel, EmailState, NoticeKind
from entente.notices.events import concerns_anyone, follows_of_event, notices_of, record_of
from entente.notices.mail import digest_email, notice_email
from entente.notices.models import DigestSent, EventCursor, Follow, Notice, NoticePreference
from entente.notices.selectors import FOLLOWABLE, follows_of, notice_target

# A claim older than this is taken to belong to a run that died while mailing.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
# Audit events older than this when read are history, not news: a run after `remind`
# stood still for long passes them over (their follows are still made).
EVENT_WINDOW = dt.timedelta(days=7)
# Audit events read per transaction: the cursor's lock is held for one batch at a time.
BATCH = 200


@dataclass
class RemindResult:
    created: int = 0
    sent: int = 0
    failed: int = 0


def remind(now: dt.datetime | None = None, report: Callable[[str], None] = print) -> RemindResult:
    """Create every notice due at `now` or following from what happened since the last
    run, then mail the pending ones; `report` is told of each failed e-mail in one line."""
    now = now or timezone.now()
    result = RemindResult(created=notices_from_events(now) + notices_create_due(now))
    result.sent, result.failed = notices_send_pending(now, report)
    return result


def notices_create_due(now: dt.datetime) -> int:
    created = 0
    users = get_user_model().objects.filter(is_active=True, membership__isnull=False)
    for user in users.select_related("membership__party", "profile"):
        channels = _channels(user)
        for due in due_for(user, now):
            created += _create_once(user, due, now, channels)
    return created


def notices_from_events(now: dt.datetime) -> int:
    """The notices and follows that follow from the audit events after the cursor, read
    a batch at a time with the cursor's row locked and moved in the same transaction: a
    second run (on another server) waits, then starts after the events this one read."""
    created = 0
    while True:
        with transaction.atomic():
            cursor = _locked_cursor()
            batch = list(AuditEvent.objects.filter(seq__gt=cursor.seq).order_by("seq")[:BATCH])
            if not batch:
                return created
            for event in batch:
                created += _from_event(event, now)
            cursor.seq = batch[-1].seq
            cursor.save(update_fields=["seq"])


def _locked_cursor() -> EventCursor:
    # The migration makes the row at the chain's head of the day it ran (so no history is
    # told); it is made here at 0 only in a database emptied since, as tests do.
    return EventCursor.objects.select_for_update(no_key=True).get_or_create(pk=1)[0]


def _from_event(event: AuditEvent, now: dt.datetime) -> int:
    if not concerns_anyone(event) or (record := record_of(event)) is None:
        return 0
    for user, followed in follows_of_event(event, record):
        record_follow(actor=user, record=followed)
    if event.at < now - EVENT_WINDOW:
        return 0  # history, not news (`remind` stood still for long)
    return sum(
        _create_once(user, due, now, _channels(user)) for user, due in notices_of(event, record)
    )


def _channels(user) -> dict[str, str]:
    """How the user is told of each kind they chose; without an e-mail address, in the
    application only."""
    if not user.email:
        return dict.fromkeys(NoticeKind.values, Channel.NONE)
    return dict(NoticePreference.objects.filter(user=user).values_list("kind", "channel"))


def _create_once(user, due: Due, now: dt.datetime, channels: dict[str, str]) -> int:
    """1 when this run created the notice; 0 when it existed (made by this or another
    run: the unique constraint decides, whichever run commits first)."""
    channel = channels.get(due.kind, Channel.IMMEDIATE)
    try:
        with transaction.atomic():
            _notice, created = Notice.objects.get_or_create(
                recipient=user,
                key=due.key,
                defaults={
                    "kind": due.kind,
                    "target_type": ContentType.objects.get_for_model(due.record),
                    "target_id": due.record.public_id,  # type: ignore[attr-defined]
                    "created_at": now,
                    "email_state": (
                        EmailState.SKIPPED if channel == Channel.NONE else EmailState.PENDING
                    ),
                    "digest": channel == Channel.DIGEST,
                },
            )
    except IntegrityError:
        return 0
    return int(created)


def notices_send_pending(now: dt.datetime, report: Callable[[str], None]) -> tuple[int, int]:
    sent = failed = 0
    claimable = Q(digest=False) & (
        Q(email_state=EmailState.PENDING)
        | Q(email_state=EmailState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    )
    for pk in Notice.objects.filter(claimable).order_by("pk").values_list("pk", flat=True):
        if not Notice.objects.filter(claimable, pk=pk).update(
            email_state=EmailState.SENDING, claimed_at=now
        ):
            continue  # another run claimed it first
        notice = Notice.objects.select_related("recipient", "target_type").get(pk=pk)
        outcome = _send(notice, now)
        if outcome:
            failed += 1
            report(f"entente: notice {notice.public_id} to {notice.recipient}: {outcome}")
        elif notice.email_state == EmailState.SENT:
            sent += 1
    digests_sent, digests_failed = _send_digests(now, report)
    return sent + digests_sent, failed + digests_failed


def _send_digests(now: dt.datetime, report: Callable[[str], None]) -> tuple[int, int]:
    """Each user's digest, once a day in their time zone: (e-mails sent, failed)."""
    sent = failed = 0
    waiting = Notice.objects.filter(digest=True, email_state=EmailState.PENDING)
    for user in get_user_model().objects.filter(pk__in=waiting.values("recipient")):
        day = now.astimezone(preferred_zone(user)).date()
        try:
            with transaction.atomic():
                today = DigestSent.objects.create(user=user, day=day)
        except IntegrityError:
            continue  # today's digest is sent, or another run is sending it
        outcome = _send_digest(user, list(waiting.filter(recipient=user)), now)
        if outcome:
            today.delete()  # so that the next run tries again
            failed += 1
            report(f"entente: digest to {user}: {outcome}")
        else:
            sent += 1
    return sent, failed


def _send_digest(user, notices: list[Notice], now: dt.datetime) -> str:
    """Mail one digest; the error text when the mail server failed ("" else)."""
    items = []
    for notice in notices:
        try:
            items.append((notice, notice_target(notice)))
        except NotFound:
            _finish(notice, EmailState.SKIPPED)
    error = ""
    if items:
        try:
            digest_email(user, items).send()
        except (smtplib.SMTPException, OSError) as exc:
            error = str(exc) or type(exc).__name__
    for notice, _record in items:
        notice.attempts += 1
        notice.last_error = error
        notice.emailed_at = None if error else now
        _finish(notice, EmailState.PENDING if error else EmailState.SENT)
    return error


def _send(notice: Notice, now: dt.datetime) -> str:
    """Mail one claimed notice; the error text when the mail server failed ("" else)."""
    try:
        record = notice_target(notice)
    except NotFound:
        # The recipient may no longer see the record: nothing about it is sent.
        _finish(notice, EmailState.SKIPPED)
        return ""
    try:
        notice_email(notice, record).send()
    except (smtplib.SMTPException, OSError) as exc:
        notice.attempts += 1
        notice.last_error = str(exc) or type(exc).__name__
        _finish(notice, EmailState.PENDING)
        return notice.last_error
    notice.attempts += 1
    notice.emailed_at = now
    notice.last_error = ""
    _finish(notice, EmailState.SENT)
    return ""


def _finish(notice: Notice, state: str) -> None:
    notice.email_state = state
    notice.claimed_at = None
    notice.save(update_fields=["email_state", "claimed_at", "attempts", "last_error", "emailed_at"])


def notice_dismiss(*, actor, notice: Notice, now: dt.datetime | None = None) -> None:
    Notice.objects.filter(pk=notice.pk, recipient=actor, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def notices_mark_all_read(*, actor, now: dt.datetime | None = None, **which) -> int:
    """Mark the actor's unread notices read (those of `which`, e.g. target_id=...)."""
    return Notice.objects.filter(recipient=actor, read_at__isnull=True, **which).update(
        read_at=now or timezone.now()
    )


def notices_mark_read_on(*, actor, target_id) -> int:
    """Mark read the actor's notices about the record of that public id (opened). Read
    first: most pages opened have no notice, and a write, even of no row, would take
    SQLite's write lock on every page."""
    unread = Notice.objects.filter(recipient=actor, read_at__isnull=True, target_id=target_id)
    if not unread.exists():
        return 0
    return notices_mark_all_read(actor=actor, target_id=target_id)


def notice_preferences_set(*, actor, channels: dict[str, str]) -> None:
    """How the actor is told of each kind of notice. Not audited: their own choice."""
    with transaction.atomic():
        for kind, channel in channels.items():
            NoticePreference.objects.update_or_create(
                user=actor, kind=NoticeKind(kind), defaults={"channel": Channel(channel)}
            )


def record_follow(*, actor, record: Model) -> bool:
    """`actor` follows `record` (which they have read through its door): True when they
    did not already. Not audited: like a notice, a follow is the user's own bookkeeping,
    changes no party's record and shows nobody anything."""
    if record._meta.label_lower not in FOLLOWABLE:
        raise ValidationError({"record": _("This kind of record cannot be followed.")})
    _follow, created = Follow.objects.get_or_create(
        user=actor,
        target_type=ContentType.objects.get_for_model(record),
        target_id=record.public_id,  # type: ignore[attr-defined]
    )
    return created


def record_unfollow(*, actor, record: Model) -> None:
    follows_of(record).filter(user=actor).delete()
