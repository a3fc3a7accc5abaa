"""A small world for the scorecard and the implementation report, on top of the cast.

Time stands at NOW (15 June 2026, noon UTC): commitments due before it are overdue.
Party A keeps an internal commitment and agenda item (hidden from B) and a TLP:RED
commitment for one recipient, a_officer (hidden from a_reader, seen by a_coordinator as
its party's coordinator). Every record is written through the services.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
)
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_record_indicator,
)
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.liaison.services import request_answer, request_send
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.decisions import decision_record
from entente.meetings.services.meetings import (
    meeting_change_status,
    meeting_create,
    minutes_record,
)
from entente.training.services import participation_set, training_change_status, training_create

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
UTC = dt.UTC


def _commitment(cast, actor, title, party, due, **extra):
    extra.setdefault("scope", Scope.SHARED)
    extra.setdefault("marking", Marking.GREEN)
    return commitment_create(
        actor=actor,
        agreement=cast.agreement,
        title={"en": title},
        responsible_party=party,
        due_date=due,
        handling=Handling.pop_from(extra),
        **extra,
    )


def _status(actor, commitment, status):
    return commitment_change_status(
        actor=actor, commitment=commitment, status=status, expected_version=commitment.version
    )


def _request(cast, actor, sent_at, subject, *, to_b=False, priority="normal", answered_after=None):
    sender, receiver = (cast.a_cell, cast.b_cell) if to_b else (cast.b_cell, cast.a_cell)
    request = request_send(
        actor=actor,
        agreement=cast.agreement,
        from_unit=sender,
        to_unit=receiver,
        subject=subject,
        body="?",
        priority=priority,
        now=sent_at,
        handling=Handling(marking=Marking.GREEN),
    )
    if answered_after is not None:
        answerer = cast.b_officer if to_b else cast.a_officer
        at = sent_at + answered_after
        request = request_answer(
            actor=answerer,
            request=request,
            body="Here.",
            expected_version=request.version,
            delay_reason="Late." if at > request.due_at else "",
            now=at,
        )
    return request


def _commitments(cast, w):
    ao, bo = cast.a_officer, cast.b_officer
    w.article1 = clause_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        number="1",
        heading={"en": "Areas"},
        handling=Handling(scope=Scope.SHARED, marking=Marking.GREEN),
    )
    w.cyber = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cybercrime"}
    )
    day = dt.date
    w.a_late = _commitment(
        cast,
        ao,
        "Cyber overdue",
        cast.a,
        day(2026, 6, 1),
        area=w.cyber,
        clauses=[w.article1],
        progress=40,
    )
    w.a_done = _status(
        ao,
        _commitment(
            cast, ao, "Cyber done", cast.a, day(2026, 5, 1), area=w.cyber, clauses=[w.article1]
        ),
        "done",
    )
    w.b_open = _commitment(
        cast, bo, "B open", cast.b, day(2026, 9, 1), area=w.cyber, clauses=[w.article1], progress=20
    )
    w.a_internal = _commitment(
        cast, ao, "A internal secret", cast.a, day(2026, 6, 10), area=w.cyber, scope=Scope.INTERNAL
    )
    w.red = _commitment(
        cast,
        cast.a_coordinator,
        "Red eyes only",
        cast.a,
        day(2026, 6, 2),
        marking=Marking.RED,
        red_recipients=[ao],
    )
    w.measured = _commitment(
        cast,
        ao,
        "Seizures reported",
        cast.a,
        day(2026, 12, 31),
        indicator="Seizures",
        indicator_unit="kg",
        baseline=Decimal("10"),
        target=Decimal("50"),
    )
    for start, actual in ((day(2025, 1, 1), "12"), (day(2026, 1, 1), "20.5")):
        commitment_record_indicator(
            actor=ao,
            commitment=w.measured,
            period_start=start,
            period_end=day(start.year, 12, 31),
            actual=Decimal(actual),
        )


def _requests(cast, w):
    ao, bo = cast.a_officer, cast.b_officer
    hours, days = dt.timedelta(hours=1), dt.timedelta(days=1)
    # B to A, normal (30 days): answered in 2 and in 10 days, one late (40 days), one
    # still owed past its deadline; one sent in 2025, outside the period.
    w.r1 = _request(cast, bo, dt.datetime(2026, 1, 5, 9, tzinfo=UTC), "R1", answered_after=2 * days)
    w.r2 = _request(
        cast, bo, dt.datetime(2026, 2, 2, 9, tzinfo=UTC), "R2", answered_after=10 * days
    )
    w.r3 = _request(
        cast, bo, dt.datetime(2026, 3, 2, 9, tzinfo=UTC), "R3", answered_after=40 * days
    )
    w.r4 = _request(cast, bo, dt.datetime(2026, 4, 1, 9, tzinfo=UTC), "Owed past deadline")
    w.old = _request(cast, bo, dt.datetime(2025, 3, 2, 9, tzinfo=UTC), "R0", answered_after=days)
    # A to B, urgent (48 hours): answered in 5 hours; one still within its deadline.
    w.u1 = _request(
        cast,
        ao,
        dt.datetime(2026, 5, 4, 9, tzinfo=UTC),
        "U1",
        to_b=True,
        priority="urgent",
        answered_after=5 * hours,
    )
    w.u2 = _request(cast, ao, NOW - hours, "U2", to_b=True, priority="urgent")


def _meeting(cast, w):
    ao = cast.a_officer
    w.meeting = meeting_create(
        actor=ao,
        agreement=cast.agreement,
        kind="joint_committee",
        title={"en": "Joint committee"},
        starts_at=dt.datetime(2026, 3, 10, 10),
        ends_at=dt.datetime(2026, 3, 10, 12),
        time_zone="Africa/Casablanca",
        host_party=cast.a,
        place="Rabat",
        handling=Handling(scope=Scope.SHARED, marking=Marking.GREEN),
    )
    agenda_item_add(actor=ao, meeting=w.meeting, title="Shared point", marking=Marking.GREEN)
    agenda_item_add(
        actor=ao,
        meeting=w.meeting,
        title="A internal point",
        scope=Scope.INTERNAL,
        marking=Marking.AMBER,
    )
    w.meeting = meeting_change_status(
        actor=ao, meeting=w.meeting, status="held", expected_version=w.meeting.version
    )
    w.decision = decision_record(actor=ao, meeting=w.meeting, text="Test the channel monthly")
    w.meeting = minutes_record(
        actor=ao,
        meeting=w.meeting,
        minutes={"en": "The parties met."},
        expected_version=w.meeting.version,
    )


def _trainings(cast, w):
    ao = cast.a_officer
    course = training_create(
        actor=ao,
        agreement=cast.agreement,
        kind="course",
        title={"en": "Forensics course"},
        host_party=cast.a,
        sending_party=cast.b,
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 6),
        handling=Handling(scope=Scope.SHARED, marking=Marking.GREEN),
    )
    for status in ("confirmed", "held"):
        course = training_change_status(
            actor=ao, training=course, status=status, expected_version=course.version
        )
    participation_set(actor=ao, training=course, party=cast.b, count=6)


def build(cast) -> SimpleNamespace:
    w = SimpleNamespace()
    agreement_event_record(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        kind="signed",
        date=dt.date(2022, 5, 10),
        handling=Handling(scope=Scope.SHARED, marking=Marking.GREEN),
    )
    _commitments(cast, w)
    _requests(cast, w)
    _meeting(cast, w)
    _trainings(cast, w)
    return w
