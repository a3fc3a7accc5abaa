"""Two `remind` runs at the same moment against one database create and send each
notice exactly once: the unique key decides creation, a conditional update the mailing."""

import datetime as dt
import threading

from django.core import mail
from django.db import connection

from entente.notices.enums import EmailState
from entente.notices.models import Notice
from entente.notices.services import RemindResult, remind
from entente.notices.tests.test_remind import send

T = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)


def test_two_runs_at_once_send_each_notice_once(transactional_db, cast):
    for user in (cast.b_officer, cast.b_coordinator):
        user.email = f"{user.username}@example.nl"
        user.save()
    for number in range(3):
        send(cast, f"Check {number}")
    start = threading.Barrier(2)
    results: list[RemindResult] = []
    failures: list[str] = []

    def run() -> None:
        try:
            start.wait()
            results.append(remind(T, failures.append))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sum(result.created for result in results) == 6
    assert sum(result.sent for result in results) == 6
    assert Notice.objects.filter(email_state=EmailState.SENT, attempts=1).count() == 6
    sent = sorted((message.to[0], message.subject) for message in mail.outbox)
    assert len(sent) == len(set(sent)) == 6
