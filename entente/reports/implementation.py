"""What an implementation report and a meeting's agenda and minutes hold, as far as
the reader may see: the same content for the web page, the PDF and the command.

Records come only through the selectors; the marking of the whole is the highest of
every record whose content or count the report shows.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from entente.agreements.enums import OPEN_COMMITMENT_STATUSES
from entente.agreements.models import Agreement, Clause, Commitment
from entente.agreements.selectors import (
    agreement_event_visible_to,
    agreement_visible_to,
    clause_visible_to,
    clauses_with_commitments,
    commitment_visible_to,
)
from entente.core.enums import Marking
from entente.liaison.enums import WAITING_STATUSES
from entente.liaison.models import LiaisonRequest
from entente.liaison.selectors import liaison_request_visible_to
from entente.meetings.enums import DecisionStatus, MeetingStatus
from entente.meetings.models import Decision, Meeting
from entente.meetings.selectors import (
    MeetingParts,
    decision_visible_to,
    meeting_parts,
    meeting_visible_to,
)
from entente.reports.pdf import highest_marking, markings_in
from entente.reports.scorecard import Scorecard, scorecard_for
from entente.training.selectors import training_visible_to


@dataclass
class ImplementationReport:
    agreement: Agreement
    year: int
    events: list
    clauses: list[Clause]
    scorecard: Scorecard
    meetings: list[Meeting]
    open_decisions: list[Decision]
    overdue_commitments: list[Commitment]
    overdue_requests: list[LiaisonRequest]
    marking: Marking
    generated_at: dt.datetime


def implementation_report(
    user, agreement: Agreement, *, year: int, now: dt.datetime | None = None
) -> ImplementationReport:
    """The report on `agreement` (loaded through its door) for the calendar `year`:
    its lifecycle and clauses as they stand, the scorecard of the year, the meetings
    held that year, the decisions still open and what is overdue now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    events = agreement_event_visible_to(user).filter(agreement=agreement)
    clauses = clauses_with_commitments(user, agreement).order_by("number", "pk")
    commitments = commitment_visible_to(user).filter(agreement=agreement)
    meetings = (
        meeting_visible_to(user)
        .filter(agreement=agreement, status=MeetingStatus.HELD, starts_at__year=year)
        .order_by("starts_at", "pk")
    )
    decisions = (
        decision_visible_to(user)
        .filter(meeting__agreement=agreement, status=DecisionStatus.OPEN)
        .order_by("meeting__starts_at", "number")
    )
    overdue = commitments.filter(
        status__in=OPEN_COMMITMENT_STATUSES, due_date__lt=today
    ).select_related("responsible_party", "responsible_unit", "responsible_contact")
    requests = liaison_request_visible_to(user).filter(agreement=agreement)
    late = requests.filter(status__in=WAITING_STATUSES, due_at__lt=now).select_related(
        "to_unit__party"
    )
    counted: list[QuerySet] = [
        *scorecard_sources(user, agreement, year),
        events,
        clause_visible_to(user).filter(agreement=agreement),
        meetings,
        meeting_visible_to(user).filter(pk__in=decisions.values("meeting")),
        late,
    ]
    return ImplementationReport(
        agreement=agreement,
        year=year,
        events=list(events.order_by("date", "pk")),
        clauses=list(clauses),
        scorecard=scorecard_for(user, agreement, year=year, now=now),
        meetings=list(meetings),
        open_decisions=list(decisions),
        overdue_commitments=list(overdue.order_by("due_date", "pk")),
        overdue_requests=list(late.order_by("due_at", "pk")),
        marking=highest_marking(markings_in(*counted)),
        generated_at=now,
    )


def scorecard_sources(user, agreement: Agreement, year: int | None) -> list[QuerySet]:
    """The records a scorecard counts: the agreement, its commitments, and its trainings
    and requests of the period."""
    trainings = training_visible_to(user).filter(agreement=agreement)
    requests = liaison_request_visible_to(user).filter(agreement=agreement)
    if year is not None:
        trainings = trainings.filter(starts_on__year=year)
        requests = requests.filter(sent_at__year=year)
    return [
        agreement_visible_to(user).filter(pk=agreement.pk),
        commitment_visible_to(user).filter(agreement=agreement),
        trainings,
        requests,
    ]


def scorecard_marking(user, agreement: Agreement, year: int | None) -> Marking:
    """The highest marking of what the scorecard counts: its figures are that data too."""
    return highest_marking(markings_in(*scorecard_sources(user, agreement, year)))


@dataclass
class MeetingMinutes:
    meeting: Meeting
    parts: MeetingParts
    marking: Marking


def meeting_minutes(user, meeting: Meeting) -> MeetingMinutes:
    """A meeting's agenda, attendance, decisions and minutes (loaded through its door),
    marked with the highest marking of the meeting, its visible agenda items and the
    visible records they carry or name."""
    parts = meeting_parts(user, meeting)
    records = [
        meeting,
        *parts.agenda,
        *(item.carried_commitment for item in parts.agenda if item.carried_commitment),
        *(
            commitment
            for decision in parts.decisions
            # set by the selector: only the commitments the reader may see
            for commitment in decision.visible_commitments  # type: ignore[attr-defined]
        ),
        *(attendance.contact for attendance in parts.attendance),
    ]
    marking = highest_marking(record.marking for record in records)
    return MeetingMinutes(meeting=meeting, parts=parts, marking=marking)
