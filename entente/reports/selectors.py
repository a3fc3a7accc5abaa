"""Dashboard figures and calendar entries, composed from the other apps' selectors.

Nothing here queries a party-owned model directly: every read starts from a
`<entity>_visible_to(user)` selector, so a user's dashboard and calendar show (and
count) only what that user may see.
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import get_language

from entente.accounts.preferences import preferred_zone
from entente.accounts.selectors import token_hash
from entente.agreements.enums import OPEN_COMMITMENT_STATUSES, CommitmentStatus
from entente.agreements.models import Agreement, Commitment, CooperationArea
from entente.agreements.selectors import (
    agreement_visible_to,
    area_visible_to,
    commitment_visible_to,
)
from entente.core.access import party_id_of
from entente.core.enums import Language
from entente.liaison import clock
from entente.liaison.enums import RequestStatus
from entente.liaison.models import LiaisonRequest
from entente.liaison.selectors import inbox_for, liaison_request_visible_to
from entente.meetings.enums import MeetingStatus
from entente.meetings.models import Meeting
from entente.meetings.selectors import meeting_visible_to
from entente.reports.models import CalendarFeed
from entente.training.enums import TrainingStatus
from entente.training.models import TrainingActivity
from entente.training.selectors import reciprocity_balance, training_visible_to

DUE_SOON_DAYS = 30
UPCOMING_LIMIT = 10
# The dashboard shows the top of each list, linking to the rest: a portfolio of a
# thousand agreements must not make it a page of thousands of rows.
TOP_LIMIT = 10
AREA_LIMIT = 12
# A calendar file or feed holds what ends from this long ago on, not ten years of a
# portfolio's history (hundreds of thousands of events): calendar apps show what is near.
FEED_PAST = dt.timedelta(days=366)


def _translated(row: dict, prefix: str) -> str:
    """The text of a translated column in the active language, else the first one set."""
    order = [get_language() or "en", *settings.MODELTRANSLATION_FALLBACK_LANGUAGES]
    for lang in dict.fromkeys(order):
        text = row.get(f"{prefix}_{lang}")
        if text:
            return text
    return ""


# --- dashboard ------------------------------------------------------------------------


@dataclass
class WaitingRequest:
    request: LiaisonRequest
    remaining: dt.timedelta
    paused: bool
    overdue: bool


@dataclass
class Top:
    """The first rows of a list and how many the whole list has."""

    rows: list
    total: int

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def top_of(queryset: QuerySet, limit: int = TOP_LIMIT) -> Top:
    """The first `limit` rows of `queryset`, and the count of all, made by the database."""
    return Top(list(queryset[:limit]), queryset.count())


@dataclass
class Dashboard:
    today: dt.date  # in the user's time zone
    overdue: Top
    due_soon: Top
    waiting: Top
    meetings: list[Meeting]
    trainings: list[TrainingActivity]
    areas: Top
    balance: list[dict]

    @property
    def due_soon_query(self) -> str:
        """The commitment list's query string for the commitments due soon."""
        until = self.today + dt.timedelta(days=DUE_SOON_DAYS)
        return urlencode(
            {"status": "open", "due_from": self.today.isoformat(), "due_to": until.isoformat()}
        )


def commitments_due(user, *, today: dt.date) -> tuple[Top, Top]:
    """Open commitments past due, and those due within DUE_SOON_DAYS; the user's own
    party's first (it is responsible for them), then by due date."""
    own = party_id_of(user)
    open_ = (
        commitment_visible_to(user)
        .filter(status__in=OPEN_COMMITMENT_STATUSES)
        .annotate(
            other_side=Case(
                When(responsible_party_id=own, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("other_side", "due_date", "pk")
    )
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    return (
        top_of(open_.filter(due_date__lt=today)),
        top_of(open_.filter(due_date__gte=today, due_date__lte=soon)),
    )


def requests_waiting_on(user, *, now: dt.datetime) -> Top:
    """Open requests sent to the user's party, nearest deadline first, with their clock."""
    top = top_of(inbox_for(user).filter(status__in=clock.OPEN_STATUSES))
    top.rows = [
        WaitingRequest(
            request=r,
            remaining=clock.remaining(r, now),
            paused=r.status == RequestStatus.CLARIFICATION,
            overdue=clock.is_overdue(r, now),
        )
        for r in top.rows
    ]
    return top


def upcoming_meetings(user, *, now: dt.datetime, limit: int = UPCOMING_LIMIT) -> list[Meeting]:
    return list(
        meeting_visible_to(user)
        .filter(ends_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at", "pk")[:limit]
    )


def upcoming_trainings(
    user, *, today: dt.date, limit: int = UPCOMING_LIMIT
) -> list[TrainingActivity]:
    return list(
        training_visible_to(user)
        .filter(ends_on__gte=today)
        .exclude(status=TrainingStatus.CANCELLED)
        .order_by("starts_on", "pk")[:limit]
    )


def area_progress(user, *, limit: int = AREA_LIMIT) -> Top:
    """Visible commitments per agreement and cooperation area, in one grouped query:
    the `limit` areas with the most open commitments (every area is on its agreement's
    scorecard).

    Cancelled commitments are no longer work to do, so they count nowhere. Each row:
    {"agreement": title, "agreement_id", "area": name or "", "area_id", "total",
    "done", "progress": average percentage (int)}.
    """
    # Grouped by ids alone, which the covering index agreements_commit_areas
    # answers without reading the table; the names are fetched for the top rows only.
    rows = (
        commitment_visible_to(user)
        .exclude(status=CommitmentStatus.CANCELLED)
        .values("agreement_id", "area_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=CommitmentStatus.DONE)),
            average=Avg("progress"),
            open=Count("pk", filter=Q(status__in=OPEN_COMMITMENT_STATUSES)),
        )
        .order_by("-open", "agreement_id", "area_id")
    )
    top = top_of(rows, limit)
    agreement_ids = {row["agreement_id"] for row in top.rows}
    titles = _names(agreement_visible_to(user), "title", agreement_ids)
    areas = _names(area_visible_to(user), "name", {row["area_id"] for row in top.rows} - {None})
    result = [
        {
            "agreement_id": row["agreement_id"],
            "agreement": titles[row["agreement_id"]][1],
            "area_id": row["area_id"],
            "area": areas.get(row["area_id"], ("", ""))[1],
            "total": row["total"],
            "done": row["done"],
            "progress": round(row["average"] or 0),
        }
        for row in top.rows
    ]
    # Areas in their agreement's order of codes; commitments without an area last.
    top.rows = sorted(
        result,
        key=lambda r: (
            r["agreement"],
            r["agreement_id"],
            r["area_id"] is None,
            areas.get(r["area_id"], ("", ""))[0],
        ),
    )
    return top


def _names(visible: QuerySet, field: str, ids: set) -> dict:
    """id -> (code, the translated `field` in the active language) of the records `ids`
    among `visible` (an `<entity>_visible_to` queryset)."""
    code = ["code"] if visible.model is CooperationArea else []
    fields = [f"{field}_{lang}" for lang in Language.values]
    return {
        row["id"]: (row.get("code", ""), _translated(row, field))
        for row in visible.prefetch_related(None).filter(pk__in=ids).values("id", *code, *fields)
    }


def dashboard_for(user, *, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    today = timezone.localtime(now, preferred_zone(user)).date()
    overdue, due_soon = commitments_due(user, today=today)
    return Dashboard(
        today=today,
        overdue=overdue,
        due_soon=due_soon,
        waiting=requests_waiting_on(user, now=now),
        meetings=upcoming_meetings(user, now=now),
        trainings=upcoming_trainings(user, today=today),
        areas=area_progress(user),
        balance=reciprocity_balance(user),
    )


# --- calendar -------------------------------------------------------------------------


@dataclass
class CalendarEntry:
    """One thing on one day of the calendar.

    `kind` is meeting, training, commitment or request; `part` says, for a record that
    spans days, whether this is its start, its end or its continuation from before the
    period shown. `at` and `ends_at` are aware datetimes for timed entries.
    """

    kind: str
    day: dt.date
    record: object
    part: str = "start"
    at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    own_zone: str = ""
    sort_key: tuple = field(default=(), repr=False)


def _days(start: dt.date, end: dt.date, first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """The days a span from `start` to `end` is shown on within [first, last]."""
    days: list[tuple[dt.date, str]] = []
    if first <= start <= last:
        days.append((start, "start"))
    elif start < first <= end:
        days.append((first, "continues"))
    if end != start and first <= end <= last and (not days or days[0][0] != end):
        days.append((end, "end"))
    return days


def calendar_meetings(user) -> QuerySet[Meeting]:
    """The meetings the user may see that belong on a calendar (not cancelled)."""
    return meeting_visible_to(user).exclude(status=MeetingStatus.CANCELLED)


def calendar_trainings(user) -> QuerySet[TrainingActivity]:
    return training_visible_to(user).exclude(status=TrainingStatus.CANCELLED)


def calendar_commitments(user) -> QuerySet[Commitment]:
    return (
        commitment_visible_to(user)
        .exclude(status=CommitmentStatus.CANCELLED)
        .filter(due_date__isnull=False)
    )


def calendar_requests(user) -> QuerySet[LiaisonRequest]:
    """Requests whose deadline still runs: only open ones have a deadline to meet."""
    return liaison_request_visible_to(user).filter(status__in=clock.OPEN_STATUSES)


def _meeting_entries(user, first, last, zone, start_at, end_at) -> list[CalendarEntry]:
    meetings = calendar_meetings(user).filter(starts_at__lt=end_at, ends_at__gt=start_at)
    entries = []
    for meeting in meetings:
        local_start = timezone.localtime(meeting.starts_at, zone)
        local_end = timezone.localtime(meeting.ends_at, zone)
        for day, part in _days(local_start.date(), local_end.date(), first, last):
            entries.append(
                CalendarEntry(
                    kind="meeting",
                    day=day,
                    record=meeting,
                    part=part,
                    at=meeting.starts_at,
                    ends_at=meeting.ends_at,
                    own_zone=meeting.time_zone,
                    sort_key=(
                        (0, local_start.time(), 0, meeting.pk)
                        if part == "start"
                        else (1, dt.time.min, 0, meeting.pk)
                    ),
                )
            )
    return entries


def _training_entries(user, first, last) -> list[CalendarEntry]:
    trainings = calendar_trainings(user).filter(starts_on__lte=last, ends_on__gte=first)
    return [
        CalendarEntry(
            kind="training",
            day=day,
            record=training,
            part=part,
            sort_key=(1, dt.time.min, 1, training.pk),
        )
        for training in trainings
        for day, part in _days(training.starts_on, training.ends_on, first, last)
    ]


def _commitment_entries(user, first, last) -> list[CalendarEntry]:
    commitments = calendar_commitments(user).filter(due_date__range=(first, last))
    return [
        CalendarEntry(
            kind="commitment", day=c.due_date, record=c, sort_key=(2, dt.time.min, 2, c.pk)
        )
        for c in commitments
        if c.due_date is not None  # always, by calendar_commitments: for the type checker
    ]


def _request_entries(user, zone, start_at, end_at) -> list[CalendarEntry]:
    requests = calendar_requests(user).filter(due_at__gte=start_at, due_at__lt=end_at)
    entries = []
    for request in requests:
        local = timezone.localtime(request.due_at, zone)
        entries.append(
            CalendarEntry(
                kind="request",
                day=local.date(),
                record=request,
                at=request.due_at,
                sort_key=(0, local.time(), 1, request.pk),
            )
        )
    return entries


def calendar_entries(
    user, *, first: dt.date, last: dt.date, zone: ZoneInfo
) -> dict[dt.date, list[CalendarEntry]]:
    """Meetings, trainings, commitment due dates and open requests' deadlines the user
    may see, by day (in `zone`) from `first` to `last` inclusive; days without entries
    are left out. Within a day: timed entries by time, then trainings, then due dates."""
    start_at = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end_at = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    entries = [
        *_meeting_entries(user, first, last, zone, start_at, end_at),
        *_training_entries(user, first, last),
        *_commitment_entries(user, first, last),
        *_request_entries(user, zone, start_at, end_at),
    ]
    by_day: dict[dt.date, list[CalendarEntry]] = {}
    for entry in sorted(entries, key=lambda e: (e.day, e.sort_key)):
        by_day.setdefault(entry.day, []).append(entry)
    return by_day


# --- calendar files and feeds ---------------------------------------------------------


@dataclass
class CalendarRecords:
    """Everything dated that the user may see, for an iCalendar file or feed."""

    meetings: list[Meeting]
    trainings: list[TrainingActivity]
    commitments: list[Commitment]
    requests: list[LiaisonRequest]
    agreements: list[Agreement]


def calendar_records(
    user, *, agreement: Agreement | None = None, now: dt.datetime | None = None
) -> CalendarRecords:
    """Every meeting, training, due date, open request's deadline and agreement notice
    or expiry date the user may see that ends no earlier than FEED_PAST before `now`;
    those of one `agreement` (already loaded through its door) when given."""
    since = (now or timezone.now()) - FEED_PAST
    under = {"agreement": agreement} if agreement is not None else {}
    if agreement is None:
        agreements = list(agreement_visible_to(user).filter(expires_on__isnull=False))
    else:
        agreements = [agreement] if agreement.expires_on is not None else []
    meetings = calendar_meetings(user).filter(ends_at__gte=since, **under)
    trainings = calendar_trainings(user).filter(ends_on__gte=since.date(), **under)
    commitments = calendar_commitments(user).filter(due_date__gte=since.date(), **under)
    requests = calendar_requests(user).filter(due_at__gte=since, **under)
    return CalendarRecords(
        meetings=list(meetings.order_by("starts_at", "pk")),
        trainings=list(trainings.order_by("starts_on", "pk")),
        commitments=list(commitments.order_by("due_date", "pk")),
        requests=list(requests.order_by("due_at", "pk")),
        agreements=agreements,
    )


def calendar_feed_of(user) -> CalendarFeed | None:
    """The user's personal calendar feed that still works, if they have one."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_feed_owner(secret: str):
    """The active user whose working feed `secret` opens; None for any other secret."""
    feed = (
        CalendarFeed.objects.filter(
            key_hash=token_hash(secret), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    return feed.user if feed else None
