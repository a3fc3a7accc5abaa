"""Deadline arithmetic for liaison requests: pure functions of a request and a moment.

The agreement sets the deadlines. The clock runs from `sent_at` and stops while a
clarification is pending (`paused_at`); when the clarification arrives the services move
`due_at` forward by the time spent waiting, so `due_at` is always the deadline that
applies and these functions never need the pause history.
"""

import datetime as dt

from entente.liaison.enums import WAITING_STATUSES, Priority, RequestStatus

# Statuses in which the request is still in the receiving cell's or the sender's hands.
OPEN_STATUSES = frozenset({*WAITING_STATUSES, RequestStatus.CLARIFICATION})


def response_time(agreement, priority: str) -> dt.timedelta:
    """How long the agreement gives the receiving cell to answer a request."""
    if priority == Priority.URGENT:
        return dt.timedelta(hours=agreement.urgent_response_hours)
    return dt.timedelta(days=agreement.normal_response_days)


def compute_due_at(agreement, priority: str, sent_at: dt.datetime) -> dt.datetime:
    return sent_at + response_time(agreement, priority)


def resumed_due_at(request, now: dt.datetime) -> dt.datetime:
    """The deadline once a pending clarification arrives at `now`; the deadline as it is
    when no clarification is pending."""
    if request.paused_at is None:
        return request.due_at
    # A clock set back on a server must not pull the deadline earlier.
    return request.due_at + max(now - request.paused_at, dt.timedelta(0))


def remaining(request, now: dt.datetime) -> dt.timedelta:
    """Time left before the deadline; negative once it has passed.

    The clock stands still while a clarification is pending and stops for good when
    the receiving cell has responded (answer or refusal).
    """
    stopped_at = request.paused_at or request.answered_at or now
    return request.due_at - stopped_at


def is_overdue(request, now: dt.datetime) -> bool:
    """Past the deadline with the answer still owed; never while the clock is paused."""
    return request.status in WAITING_STATUSES and now > request.due_at
