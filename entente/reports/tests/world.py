"""A small, fixed world on top of the cast for the dashboard and calendar tests.

Every record is written through the services. Dates are relative to today in
Casablanca (party A's time zone) so the dashboard's overdue / due-soon split is exact;
meetings and trainings to come are in July 2031, when Casablanca is at UTC+1 and
Amsterdam at UTC+2.
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone

from entente.agreements.models import CooperationArea
from entente.agreements.services.commitments import commitment_change_status, commitment_create
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.liaison.services import clarification_ask, request_send
from entente.meetings.services.meetings import meeting_change_status, meeting_create
from entente.training.services import (
    participation_set,
    training_change_status,
    training_create,
)

CASABLANCA = ZoneInfo("Africa/Casablanca")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def today_in_casablanca() -> dt.date:
    return timezone.localtime(timezone.now(), CASABLANCA).date()


def commitment(cast, actor, title, responsible, days, *, scope=Scope.SHARED, area=None, **extra):
    """A commitment due `days` from today, or on the date given as `days`."""
    due = days if isinstance(days, dt.date) else today_in_casablanca() + dt.timedelta(days=days)
    return commitment_create(
        actor=actor,
        agreement=cast.agreement,
        title={"en": title},
        responsible_party=responsible,
        due_date=due,
        area=area,
        handling=Handling.pop_from(extra, scope=scope, marking=Marking.GREEN),
        **extra,
    )


def meeting(cast, actor, title, day, *, scope=Scope.SHARED, hour=10, zone="Africa/Casablanca"):
    return meeting_create(
        actor=actor,
        agreement=cast.agreement,
        kind="expert_meeting",
        title={"en": title},
        starts_at=dt.datetime.combine(day, dt.time(hour)),
        ends_at=dt.datetime.combine(day, dt.time(hour + 2)),
        time_zone=zone,
        host_party=cast.a,
        place="Rabat",
        handling=Handling(scope=scope, marking=Marking.GREEN),
    )


def training(cast, actor, title, starts_on, days=4, *, host=None, sender=None, scope=Scope.SHARED):
    return training_create(
        actor=actor,
        agreement=cast.agreement,
        kind="course",
        title={"en": title},
        host_party=host or cast.a,
        sending_party=sender or cast.b,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days),
        handling=Handling(scope=scope, marking=Marking.GREEN),
    )


def held(training_activity, actor):
    for status in ("confirmed", "held"):
        training_activity = training_change_status(
            actor=actor,
            training=training_activity,
            status=status,
            expected_version=training_activity.version,
        )
    return training_activity


def build(cast) -> SimpleNamespace:
    a, b = cast.a, cast.b
    cyber = CooperationArea.objects.create(
        agreement=cast.agreement, code="cyber", name_en="Cybercrime", name_fr="Cybercriminalité"
    )
    drugs = CooperationArea.objects.create(
        agreement=cast.agreement, code="drugs", name_en="Drug-related crime"
    )
    ao, bo = cast.a_officer, cast.b_officer
    w = SimpleNamespace(cyber=cyber, drugs=drugs)

    # Commitments: overdue, due soon, later and done, on both sides and in both scopes.
    w.a_overdue = commitment(cast, ao, "A shared overdue", a, -5, area=cyber)
    w.a_internal_overdue = commitment(
        cast, ao, "A internal overdue", a, -2, scope=Scope.INTERNAL, area=cyber
    )
    w.b_overdue = commitment(cast, bo, "B shared overdue", b, -3, area=drugs)
    w.b_asks_a = commitment(cast, bo, "B asks A", a, 10, area=drugs)
    w.a_asks_b = commitment(cast, ao, "A asks B", b, 5)
    w.a_internal_soon = commitment(cast, ao, "A internal soon", a, 20, scope=Scope.INTERNAL)
    w.later = commitment(cast, ao, "A later", a, 40, area=cyber, progress=50)
    w.done = commitment(cast, ao, "A done", a, -10, area=cyber)
    commitment_change_status(actor=ao, commitment=w.done, status="done", expected_version=1)
    w.cancelled = commitment(cast, ao, "A cancelled", a, -1, area=cyber)
    commitment_change_status(
        actor=ao, commitment=w.cancelled, status="cancelled", expected_version=1
    )

    # Requests: three from B to A (waiting, overdue, paused) and one from A to B.
    now = timezone.now()
    w.waiting = request_send(
        actor=bo, agreement=cast.agreement, from_unit=cast.b_cell, to_unit=cast.a_cell,
        subject="Waiting normal", body="?", priority="normal", reference="NL-1",
        now=now - dt.timedelta(days=2, minutes=30),
    )  # fmt: skip
    w.late = request_send(
        actor=bo, agreement=cast.agreement, from_unit=cast.b_cell, to_unit=cast.a_cell,
        subject="Late urgent", body="?", priority="urgent", reference="NL-2",
        now=now - dt.timedelta(days=3, minutes=30),
    )  # fmt: skip
    w.paused = request_send(
        actor=bo, agreement=cast.agreement, from_unit=cast.b_cell, to_unit=cast.a_cell,
        subject="Paused normal", body="?", priority="normal", reference="NL-3",
        now=now - dt.timedelta(days=1, minutes=30),
    )  # fmt: skip
    w.paused = clarification_ask(
        actor=ao, request=w.paused, body="Which one?", expected_version=1,
        now=now - dt.timedelta(days=1),
    )  # fmt: skip
    w.to_b = request_send(
        actor=ao, agreement=cast.agreement, from_unit=cast.a_cell, to_unit=cast.b_cell,
        subject="To B", body="?", priority="normal", reference="MA-1",
        now=now - dt.timedelta(hours=1, minutes=30),
    )  # fmt: skip

    # Meetings in July 2031; one internal to A, one cancelled, one in Amsterdam's zone.
    w.meeting = meeting(cast, ao, "Joint committee", dt.date(2031, 7, 15))
    w.internal_meeting = meeting(
        cast, ao, "A preparation", dt.date(2031, 7, 14), scope=Scope.INTERNAL, hour=9
    )
    w.cancelled_meeting = meeting(cast, ao, "Cancelled meeting", dt.date(2031, 7, 16))
    meeting_change_status(
        actor=ao, meeting=w.cancelled_meeting, status="cancelled", expected_version=1
    )
    w.b_meeting = meeting(
        cast, bo, "Expert call", dt.date(2031, 7, 17), hour=14, zone="Europe/Amsterdam"
    )

    # Trainings: two held in 2023 (one internal to A), one planned in July 2031.
    w.held = held(training(cast, ao, "Forensics course", dt.date(2023, 3, 6)), ao)
    participation_set(actor=ao, training=w.held, party=b, count=6)
    participation_set(actor=ao, training=w.held, party=a, count=2)  # trainers: no exchange
    w.internal_held = held(
        training(cast, ao, "A internal course", dt.date(2023, 5, 8), scope=Scope.INTERNAL), ao
    )
    participation_set(actor=ao, training=w.internal_held, party=b, count=3)
    w.planned = training(cast, bo, "Cyber study visit", dt.date(2031, 7, 20), host=b, sender=a)
    participation_set(actor=bo, training=w.planned, party=a, count=4)
    w.internal_planned = training(
        cast, ao, "A internal workshop", dt.date(2031, 7, 28), days=6, scope=Scope.INTERNAL
    )
    return w
