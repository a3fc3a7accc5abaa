"""A backup taken while another client keeps writing is one consistent moment: restored
into a new instance, its audit chain verifies and is this instance's chain up to some
event, exactly the records written by then are there, and an agreement nobody wrote to
meanwhile exports byte for byte as before."""

import datetime as dt
import json
import threading

from django.core.management import call_command
from django.db import connection

from entente.agreements.models import Commitment
from entente.agreements.services.commitments import commitment_create
from entente.audit.models import AuditEvent
from entente.core.models import Handling
from entente.exports.tests.instance import entente
from entente.testing import agreement_between
from entente.tests.access_world import build

WRITES_BEFORE_BACKUP = 5


def _keep_writing(cast, agreement, stop: threading.Event, written: threading.Semaphore) -> None:
    try:
        n = 0
        while not stop.is_set():
            commitment_create(
                actor=cast.a_officer,
                agreement=agreement,
                title={"en": f"Written during the backup {n}"},
                responsible_party=cast.a,
                due_date=dt.date(2031, 6, 30),
                handling=Handling(),
            )
            n += 1
            written.release()
    finally:
        connection.close()


def _export(env_or_none, agreement, path):
    args = ("export", str(agreement.public_id), "--format", "json", "-o", str(path))
    if env_or_none is None:
        call_command(*args, "--user", "a_coordinator")
    else:
        done = entente(env_or_none, *args, "--user", "a_coordinator")
        assert done.returncode == 0, done.stderr
    return json.loads(path.read_text())


def test_a_backup_taken_during_writes_restores_one_consistent_moment(
    transactional_db,
    cast,
    tmp_path,
    empty_instance,
):
    build(cast)
    quiet = cast.agreement
    busy = agreement_between(cast.a, cast.b, title_en="Busy agreement")
    _export(None, quiet, tmp_path / "before.json")
    before = (tmp_path / "before.json").read_bytes()

    stop, written = threading.Event(), threading.Semaphore(0)
    writer = threading.Thread(target=_keep_writing, args=(cast, busy, stop, written))
    writer.start()
    try:
        for _ in range(WRITES_BEFORE_BACKUP):
            assert written.acquire(timeout=60)
        call_command("backup", str(tmp_path / "backup"))
        # And it goes on after the backup: writes counted before it ended are dropped, and
        # one more is awaited, because one write may have committed before the backup's
        # snapshot and be counted only now.
        while written.acquire(blocking=False):
            pass
        for _ in range(WRITES_BEFORE_BACKUP + 1):
            assert written.acquire(timeout=60)
    finally:
        stop.set()
        writer.join()

    restored = entente(empty_instance, "restore", str(tmp_path / "backup"))
    assert (restored.returncode, restored.stderr) == (0, "")
    verified = entente(empty_instance, "audit", "verify")
    assert (verified.returncode, verified.stdout.startswith("audit chain intact")) == (0, True)
    head = entente(empty_instance, "audit", "head")
    seq, digest = head.stdout.strip().split(":")
    # The restored chain is this one up to some event, written while the writer wrote.
    assert AuditEvent.objects.get(seq=int(seq)).hash == digest
    assert AuditEvent.objects.filter(seq__gt=int(seq)).count() >= WRITES_BEFORE_BACKUP
    # Exactly the commitments created up to that event are in the restored instance.
    created_by_then = sorted(
        e.after["public_id"]
        for e in AuditEvent.objects.filter(
            seq__lte=int(seq), action="create", target_type="agreements.commitment"
        )
        if e.after["agreement_id"] == busy.pk
    )
    assert len(created_by_then) >= WRITES_BEFORE_BACKUP
    restored_busy = _export(empty_instance, busy, tmp_path / "busy.json")
    assert sorted(c["id"] for c in restored_busy["commitments"]) == created_by_then
    assert Commitment.objects.filter(agreement=busy).count() > len(created_by_then)
    _export(empty_instance, quiet, tmp_path / "after.json")
    assert (tmp_path / "after.json").read_bytes() == before
