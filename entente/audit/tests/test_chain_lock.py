"""On PostgreSQL, a writer takes the chain's lock only for its final append: another
writer, of another record, runs to its end while the first is still at work, and neither
waits on the other for a row the first has locked."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from entente.audit.models import AuditEvent
from entente.audit.selectors import audit_chain_verify
from entente.audit.services import write_transaction
from entente.audit.tests.test_batch import _create
from entente.liaison.tests.test_services import send

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time: its transactions take the database's lock",
)

WAIT = 10  # seconds: far longer than either write takes


def _second_write_ends_while_first_is_open(first: Callable[[], object], second) -> bool:
    """Run `first` inside an open write, then `second` in another connection; whether
    `second` ended before the first write did."""
    first_wrote, second_done = threading.Event(), threading.Event()
    ended_in_time: list[bool] = []
    errors: list[BaseException] = []

    def in_thread(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as error:  # reported by the test, not lost in the thread
                errors.append(error)
            finally:
                connection.close()

        return run

    def one() -> None:
        with write_transaction():
            first()
            first_wrote.set()
            ended_in_time.append(second_done.wait(WAIT))

    def two() -> None:
        assert first_wrote.wait(WAIT)
        second()
        second_done.set()

    threads = [threading.Thread(target=in_thread(work)) for work in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return ended_in_time == [True]


def test_another_writer_appends_while_a_write_is_still_open(transactional_db, cast):
    made: dict[str, object] = {}
    assert _second_write_ends_while_first_is_open(
        lambda: made.setdefault("first", _create(cast, "First, still open")),
        lambda: made.setdefault("second", _create(cast, "Second")),
    )

    appended = AuditEvent.objects.order_by("seq").values_list("target_id", flat=True)
    assert list(appended) == [str(made["second"].pk), str(made["first"].pk)]  # type: ignore[attr-defined]
    assert audit_chain_verify().ok


def test_a_locked_party_row_does_not_hold_up_another_writer_of_that_party(transactional_db, cast):
    # Sending a request locks the sender's party row (its reference numbers); the other
    # writer's events name that party, and inserting them must not wait for that lock.
    assert _second_write_ends_while_first_is_open(
        lambda: send(cast), lambda: _create(cast, "Same party")
    )

    assert AuditEvent.objects.filter(party=cast.a).count() == 2
    assert audit_chain_verify().ok
