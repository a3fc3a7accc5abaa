import datetime as dt

import pytest

from entente.agreements.models import Agreement
from entente.liaison import clock
from entente.liaison.enums import Priority, RequestStatus
from entente.liaison.models import LiaisonRequest

T = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def request_at(status=RequestStatus.SENT, due_at=T + 10 * DAY, **fields) -> LiaisonRequest:
    return LiaisonRequest(status=status, sent_at=T, due_at=due_at, **fields)


def test_compute_due_at_urgent_uses_agreement_hours():
    agreement = Agreement(urgent_response_hours=6, normal_response_days=10)
    assert clock.compute_due_at(agreement, Priority.URGENT, T) == T + 6 * HOUR


def test_compute_due_at_normal_uses_agreement_days():
    agreement = Agreement(urgent_response_hours=6, normal_response_days=10)
    assert clock.compute_due_at(agreement, Priority.NORMAL, T) == T + 10 * DAY


def test_remaining_runs_down_with_time():
    request = request_at()
    assert clock.remaining(request, T + DAY) == 9 * DAY
    assert clock.remaining(request, T + 3 * DAY) == 7 * DAY


def test_remaining_is_negative_after_the_deadline():
    assert clock.remaining(request_at(), T + 12 * DAY) == -2 * DAY


def test_remaining_is_frozen_while_paused():
    request = request_at(RequestStatus.CLARIFICATION, paused_at=T + 4 * DAY)
    assert clock.remaining(request, T + 5 * DAY) == 6 * DAY
    assert clock.remaining(request, T + 40 * DAY) == 6 * DAY


def test_remaining_stops_when_answered():
    request = request_at(RequestStatus.ANSWERED, answered_at=T + 8 * DAY)
    assert clock.remaining(request, T + 20 * DAY) == 2 * DAY


def test_resumed_due_at_moves_by_the_pause_exactly():
    request = request_at(RequestStatus.CLARIFICATION, paused_at=T + 4 * DAY)
    assert clock.resumed_due_at(request, T + 6 * DAY + 3 * HOUR) == T + 12 * DAY + 3 * HOUR


def test_resumed_due_at_never_moves_back_when_the_clock_is_behind():
    request = request_at(RequestStatus.CLARIFICATION, paused_at=T + 4 * DAY)
    assert clock.resumed_due_at(request, T + 3 * DAY) == T + 10 * DAY


def test_resumed_due_at_without_a_pause_is_the_deadline():
    assert clock.resumed_due_at(request_at(), T + 3 * DAY) == T + 10 * DAY


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (RequestStatus.SENT, T + 10 * DAY, False),
        (RequestStatus.SENT, T + 10 * DAY + dt.timedelta(seconds=1), True),
        (RequestStatus.ACKNOWLEDGED, T + 11 * DAY, True),
        (RequestStatus.ACKNOWLEDGED, T + 9 * DAY, False),
        (RequestStatus.CLARIFICATION, T + 11 * DAY, False),
        (RequestStatus.ANSWERED, T + 11 * DAY, False),
        (RequestStatus.REFUSED, T + 11 * DAY, False),
        (RequestStatus.CLOSED, T + 11 * DAY, False),
    ],
)
def test_is_overdue_only_while_an_answer_is_owed(status, now, expected):
    paused_at = T + 9 * DAY if status == RequestStatus.CLARIFICATION else None
    assert clock.is_overdue(request_at(status, paused_at=paused_at), now) is expected
