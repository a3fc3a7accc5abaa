"""What is due now for one user: pure reads through the domain apps' selectors.

Every record comes from `<entity>_visible_to(user)`, so a user is never told of a record
they may not see. Each item carries the key that makes its notice unique for the user:
the same situation found by a later run (or by a run on another server) has the same key.
"""

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model, Q

from entente.accounts.preferences import preferred_zone
from entente.agreements.enums import OPEN_COMMITMENT_STATUSES, AgreementStatus
from entente.agreements.selectors import agreement_visible_to, commitment_visible_to
from entente.comments.selectors import comment_visible_to
from entente.core.access import membership_of
from entente.liaison.enums import WAITING_STATUSES
from entente.liaison.selectors import liaison_request_visible_to
from entente.meetings.enums import MeetingStatus
from entente.meetings.models import Meeting
from entente.meetings.selectors import meeting_visible_to
from entente.notices.enums import NoticeKind
from entente.notices.selectors import followed_ids
from entente.training.enums import TrainingStatus
from entente.training.models import TrainingActivity
from entente.training.selectors import training_visible_to

# Comments this recent are read for @mentions: every run rereads them, and the notice's
# unique key keeps a mention from being told twice, so no watermark is needed.
MENTION_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class Due:
    kind: str
    record: Model
    key: str


def due_for(user, now: dt.datetime) -> Iterator[Due]:
    membership = membership_of(user)
    if membership is None:
        return
    today = now.astimezone(preferred_zone(user)).date()
    yield from _requests(user, membership, now)
    yield from _commitments(user, membership, today)
    yield from _agreements(user, membership, today)
    yield from _mentions(user, now)
    yield from _coming_up(user, now, today)


def _requests(user, membership, now: dt.datetime) -> Iterator[Due]:
    """Open requests waiting on the user's contact cell: new, nearing the deadline (at
    the configured share of the time given), overdue."""
    if membership.unit_id is None:
        return
    share = settings.NOTICE_REQUEST_SHARE
    waiting = liaison_request_visible_to(user).filter(
        to_unit_id=membership.unit_id, status__in=WAITING_STATUSES
    )
    for request in waiting:
        pid = request.public_id
        if now > request.due_at:
            yield Due(NoticeKind.REQUEST_OVERDUE, request, f"request_overdue:{pid}")
            continue
        given = request.due_at - request.sent_at
        if request.due_at - now <= given * share:
            percent = math.floor(share * 100)
            yield Due(NoticeKind.REQUEST_DUE, request, f"request_due:{pid}:{percent}")
        else:
            yield Due(NoticeKind.REQUEST_NEW, request, f"request_new:{pid}")


def _commitments(user, membership, today: dt.date) -> Iterator[Due]:
    """Open commitments of the user's party (of their unit, when one is named) due within
    the configured days, or overdue; each threshold is told once."""
    thresholds = sorted(settings.NOTICE_COMMITMENT_DAYS)
    mine = commitment_visible_to(user).filter(
        Q(responsible_unit__isnull=True) | Q(responsible_unit_id=membership.unit_id),
        responsible_party_id=membership.party_id,
        status__in=OPEN_COMMITMENT_STATUSES,
        due_date__isnull=False,
        due_date__lte=today + dt.timedelta(days=thresholds[-1]),
    )
    for commitment in mine:
        pid, due = commitment.public_id, commitment.due_date
        assert due is not None  # filtered above
        left = (due - today).days
        if left < 0:
            yield Due(NoticeKind.COMMITMENT_OVERDUE, commitment, f"commitment_overdue:{pid}:{due}")
            continue
        threshold = next(days for days in thresholds if left <= days)
        key = f"commitment_due:{pid}:{due}:{threshold}"
        yield Due(NoticeKind.COMMITMENT_DUE, commitment, key)


def _agreements(user, membership, today: dt.date) -> Iterator[Due]:
    """Agreements the user's party is party to: in their renewal notice window, or
    within the configured days of expiry."""
    expiring = agreement_visible_to(user).filter(
        parties=membership.party_id,
        status=AgreementStatus.IN_FORCE,
        expires_on__gte=today,
    )
    for agreement in expiring:
        pid, ends = agreement.public_id, agreement.expires_on
        assert ends is not None  # filtered above
        left = (ends - today).days
        if agreement.notice_period_days and left <= agreement.notice_period_days:
            yield Due(NoticeKind.AGREEMENT_NOTICE, agreement, f"agreement_notice:{pid}:{ends}")
        if left <= settings.NOTICE_AGREEMENT_DAYS:
            yield Due(NoticeKind.AGREEMENT_EXPIRY, agreement, f"agreement_expiry:{pid}:{ends}")


def _mentions(user, now: dt.datetime) -> Iterator[Due]:
    """Comments the user may see that name them as @username (not their own)."""
    name = user.get_username()
    mention = re.compile(rf"(?<![\w.@+-])@{re.escape(name)}(?![\w@+-]|\.\w)", re.IGNORECASE)
    recent = comment_visible_to(user).filter(
        created_at__gt=now - MENTION_WINDOW, created_at__lte=now, text__icontains=f"@{name}"
    )
    for comment in recent.exclude(author=user):
        if mention.search(comment.text):
            yield Due(NoticeKind.MENTION, comment, f"mention:{comment.public_id}")


def _coming_up(user, now: dt.datetime, today: dt.date) -> Iterator[Due]:
    """Meetings and trainings the user follows that start within the configured days;
    told again if moved to another start."""
    days = dt.timedelta(days=settings.NOTICE_EVENT_DAYS)
    meetings = meeting_visible_to(user).filter(
        public_id__in=followed_ids(user, Meeting),
        status=MeetingStatus.PLANNED,
        starts_at__gt=now,
        starts_at__lte=now + days,
    )
    for meeting in meetings:
        key = f"meeting_soon:{meeting.public_id}:{meeting.starts_at:%Y%m%dT%H%M}"
        yield Due(NoticeKind.MEETING_SOON, meeting, key)
    trainings = training_visible_to(user).filter(
        public_id__in=followed_ids(user, TrainingActivity),
        status__in=[TrainingStatus.PLANNED, TrainingStatus.CONFIRMED],
        starts_on__gte=today,
        starts_on__lte=today + days,
    )
    for training in trainings:
        key = f"training_soon:{training.public_id}:{training.starts_on}"
        yield Due(NoticeKind.TRAINING_SOON, training, key)
