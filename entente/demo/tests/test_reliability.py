"""`entente reliability`, tiny: two writers for two seconds, then a kill -9 of
the real server; every acknowledged write is there afterwards and no client saw a 5xx."""

import io
import re

from django.core.management import call_command
from django.db import connection

NUMBER = r"(\d+)"


def test_concurrent_writes_and_kill_9_lose_nothing(served_test_database, tmp_path):
    report = tmp_path / "RELIABILITY.md"

    call_command(
        "reliability",
        scale=0.00001,
        only="ab",
        clients=2,
        seconds=2,
        kill_rounds=1,
        output=report,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    text = report.read_text()
    writes = re.search(
        rf"- a\. Concurrent writes: PASS — {NUMBER} writes by 2 clients in \d+ s .*?; "
        rf"statuses 201: {NUMBER}; 5xx 0, 'database is locked' 0; .*; acknowledged but "
        r"missing: 0 \[",
        text,
    )
    assert writes, text
    assert writes[1] == writes[2] and int(writes[1]) > 0
    kills = re.search(
        r"- b\. kill -9 during writes: PASS — 1 kill -9 of the server under 2 writers, .*; "
        rf"statuses (?P<statuses>[^;]+); {NUMBER} acknowledged, missing afterwards: 0; "
        r"integrity_check: (ok|n/a \(PostgreSQL\)); audit chain intact: ",
        text,
    )
    assert kills, text
    assert int(kills[2]) > 0
    assert set(re.findall(r"(\w[\w ]*): \d+", kills["statuses"])) <= {"201", "no answer"}
    assert "(a short run" in text
    assert text.count(f"<!-- reliability: {connection.vendor} -->") == 2
