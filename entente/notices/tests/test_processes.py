"""Two `entente remind` processes (the real command, as cron or two servers start it) at
the same moment, on one database, send each notice exactly once: on a SQLite file, and
on PostgreSQL when the suite runs there (ENTENTE_DATABASE_URL)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

import entente
from entente.comments.services import comment_add
from entente.notices.tests.test_events import commitment
from entente.notices.tests.test_remind import send
from entente.notices.tests.test_smtp import Inbox, free_port
from entente.testing import postgres_url


@pytest.fixture
def inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def database_for_commands(tmp_path: Path) -> dict[str, str]:
    """The environment that points `entente` at the data this test wrote: a copy of the
    SQLite test database in a data directory of its own (so the command's own SQLite
    settings apply), or the PostgreSQL test database itself."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        with (
            sqlite3.connect(settings["NAME"]) as source,
            sqlite3.connect(tmp_path / "entente.sqlite3") as copy,
        ):
            source.backup(copy)
        return {}
    return {"ENTENTE_DATABASE_URL": postgres_url()}


def test_two_remind_processes_send_each_notice_once(transactional_db, cast, inbox, tmp_path):
    for user in (cast.a_coordinator, cast.b_officer, cast.b_coordinator):
        user.email = f"{user.username}@example.org"
        user.save()
    for number in range(3):
        send(cast, f"Check {number}", now=timezone.now())
    # Told from the audit chain: the commitment's author follows it.
    followed = commitment(cast)
    comment_add(actor=cast.b_officer, record=followed, text="We are ready.")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ENTENTE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env |= {
        "ENTENTE_DATA_DIR": str(tmp_path),
        "ENTENTE_SECRET_KEY": "two-processes",
        "ENTENTE_EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}",
        "PYTHONPATH": str(Path(entente.__file__).parent.parent),
        **database_for_commands(tmp_path),
    }
    command = [sys.executable, "-c", "from entente.cli import main; main()", "remind"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = sorted((str(message["To"]), str(message["Subject"])) for message in inbox.messages)
    # Three new requests to each of the two in the receiving cell, and the comment to the
    # commitment's author: seven, none twice.
    assert len(sent) == len(set(sent)) == 7, sent
    assert [to for to, _subject in sent].count("a_coordinator@example.org") == 1
    totals = [line for out, _err in outputs for line in out.decode().splitlines()]
    created = sum(int(line.split()[1]) for line in totals if line.startswith("Notices:"))
    assert created == 7, totals
