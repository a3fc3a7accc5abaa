"""An agreement's scorecard: commitments by status per cooperation area and per clause,
indicator values against baseline and target, request timeliness, and trainings per
direction, as far as the reader may see.

Every figure starts from a `<entity>_visible_to(user)` selector and is counted in the
database (grouped queries), so a hidden record never counts anywhere.
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.agreements.enums import OPEN_COMMITMENT_STATUSES, CommitmentStatus
from entente.agreements.models import Agreement, Commitment, IndicatorValue
from entente.agreements.selectors import (
    area_visible_to,
    clause_visible_to,
    commitment_visible_to,
)
from entente.liaison.enums import WAITING_STATUSES, Priority
from entente.liaison.selectors import liaison_request_visible_to
from entente.training.selectors import reciprocity_balance

STATUSES = list(CommitmentStatus)


@dataclass
class StatusRow:
    """Commitments of one area or clause: how many in each status, how many overdue,
    and their average progress (cancelled ones left out of the average)."""

    label: str
    counts: dict[str, int]
    overdue: int
    progress: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Indicator:
    commitment: Commitment
    baseline: Decimal | None
    target: Decimal | None
    values: list[IndicatorValue]

    @property
    def maximum(self) -> Decimal:
        """The largest figure of the indicator: its chart's full scale."""
        figures = [self.baseline, self.target, *(v.actual for v in self.values)]
        return max((f for f in figures if f is not None), default=Decimal(0))


@dataclass
class Timeliness:
    """Requests of one direction and priority sent in the period."""

    sender: str
    receiver: str
    priority: str
    sent: int
    answered: int
    on_time: int
    # Requests whose outcome against the deadline is known: answered, or still owed
    # once the deadline has passed. The share on time is counted among these.
    decided: int
    median: dt.timedelta | None

    @property
    def share_on_time(self) -> int | None:
        return round(100 * self.on_time / self.decided) if self.decided else None

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label)


@dataclass
class Scorecard:
    areas: list[StatusRow]
    clauses: list[StatusRow]
    indicators: list[Indicator]
    timeliness: list[Timeliness]
    trainings: list[dict]
    year: int | None = None
    totals: StatusRow | None = field(default=None)


def _in_year(year: int | None, lookup: str) -> Q:
    return Q(**{f"{lookup}__year": year}) if year else Q()


def _status_aggregates(today: dt.date) -> dict:
    """The per-status counts, overdue count and average progress of a group of
    commitments, as aggregate expressions."""
    counts = {
        status.value: Count("pk", filter=Q(status=status), distinct=True) for status in STATUSES
    }
    return {
        **counts,
        "overdue": Count(
            "pk",
            filter=Q(status__in=OPEN_COMMITMENT_STATUSES, due_date__lt=today),
            distinct=True,
        ),
        "average": Avg("progress", filter=~Q(status=CommitmentStatus.CANCELLED)),
    }


def _status_row(label: str, row: dict) -> StatusRow:
    return StatusRow(
        label=label,
        counts={status.value: row[status.value] for status in STATUSES},
        overdue=row["overdue"],
        progress=round(row["average"] or 0),
    )


def _commitments(user, agreement: Agreement) -> QuerySet[Commitment]:
    return commitment_visible_to(user).filter(agreement=agreement).order_by()


def status_by_area(user, agreement: Agreement, today: dt.date) -> list[StatusRow]:
    """One row per visible cooperation area of the agreement (in code order), then one
    for commitments without an area when there are any."""
    grouped = {
        row["area_id"]: row
        for row in _commitments(user, agreement)
        .values("area_id")
        .annotate(**_status_aggregates(today))
    }
    rows = [
        _status_row(area.name, grouped[area.pk])
        for area in area_visible_to(user).filter(agreement=agreement).order_by("code")
        if area.pk in grouped
    ]
    if None in grouped:
        rows.append(_status_row(_("No area"), grouped[None]))
    return rows


def status_by_clause(user, agreement: Agreement, today: dt.date) -> list[StatusRow]:
    """One row per visible clause implemented by at least one visible commitment."""
    clauses = clause_visible_to(user).filter(agreement=agreement)
    grouped = {
        row["clauses"]: row
        for row in _commitments(user, agreement)
        .filter(clauses__in=clauses.values("pk"))
        .values("clauses")
        .annotate(**_status_aggregates(today))
    }
    return [
        _status_row(_("Article %(number)s") % {"number": clause.number}, grouped[clause.pk])
        for clause in clauses.order_by("number", "pk")
        if clause.pk in grouped
    ]


def status_totals(user, agreement: Agreement, today: dt.date) -> StatusRow:
    row = _commitments(user, agreement).aggregate(**_status_aggregates(today))
    return _status_row(_("All commitments"), row)


def indicators(user, agreement: Agreement, year: int | None) -> list[Indicator]:
    """Visible commitments with an indicator, each with its values measured in the
    period (all periods without a year)."""
    values = IndicatorValue.objects.filter(_in_year(year, "period_start")).order_by("period_start")
    commitments = (
        commitment_visible_to(user)
        .filter(agreement=agreement)
        .exclude(indicator="")
        .prefetch_related(Prefetch("indicator_values", queryset=values, to_attr="period_values"))
        .order_by("due_date", "pk")
    )
    return [
        Indicator(commitment=c, baseline=c.baseline, target=c.target, values=c.period_values)
        for c in commitments
    ]


def timeliness(user, agreement: Agreement, year: int | None, now: dt.datetime) -> list[Timeliness]:
    """Per direction (sending party to receiving party) and priority: requests sent in
    the period, how many were answered (or refused: the cell's response), how many by
    their deadline, and the median time from sending to response."""
    requests = (
        liaison_request_visible_to(user)
        .filter(_in_year(year, "sent_at"), agreement=agreement)
        .order_by()
    )
    key = {
        "sender": F("from_unit__party__code"),
        "receiver": F("to_unit__party__code"),
    }
    answered = Q(answered_at__isnull=False)
    late_and_owed = Q(answered_at__isnull=True, status__in=WAITING_STATUSES, due_at__lt=now)
    groups = (
        requests.values(**key, prio=F("priority"))
        .annotate(
            sent=Count("pk"),
            answered=Count("pk", filter=answered),
            on_time=Count("pk", filter=answered & Q(answered_at__lte=F("due_at"))),
            decided=Count("pk", filter=answered | late_and_owed),
        )
        .order_by("sender", "receiver", "prio")
    )
    # The median is no portable SQL aggregate: fetch only the answered requests' times.
    times: dict[tuple, list[dt.timedelta]] = {}
    took = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    answer_times = (
        requests.filter(answered)
        .annotate(took=took)
        .values_list("from_unit__party__code", "to_unit__party__code", "priority", "took")
    )
    for sender, receiver, priority, answer_time in answer_times:
        times.setdefault((sender, receiver, priority), []).append(answer_time)
    return [
        Timeliness(
            sender=g["sender"],
            receiver=g["receiver"],
            priority=g["prio"],
            sent=g["sent"],
            answered=g["answered"],
            on_time=g["on_time"],
            decided=g["decided"],
            median=_median(times.get((g["sender"], g["receiver"], g["prio"]), [])),
        )
        for g in groups
    ]


def _median(durations: list[dt.timedelta]) -> dt.timedelta | None:
    if not durations:
        return None
    seconds = statistics.median(d.total_seconds() for d in durations)
    return dt.timedelta(seconds=round(seconds))


def trainings(user, agreement: Agreement, year: int | None) -> list[dict]:
    rows = reciprocity_balance(user, agreement=agreement)
    return [row for row in rows if year is None or row["year"] == year]


def scorecard_for(
    user, agreement: Agreement, *, year: int | None = None, now: dt.datetime | None = None
) -> Scorecard:
    """The scorecard of an agreement the caller loaded through its door."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return Scorecard(
        areas=status_by_area(user, agreement, today),
        clauses=status_by_clause(user, agreement, today),
        indicators=indicators(user, agreement, year),
        timeliness=timeliness(user, agreement, year, now),
        trainings=trainings(user, agreement, year),
        year=year,
        totals=status_totals(user, agreement, today),
    )
