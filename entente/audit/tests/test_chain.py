import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from entente.agreements.services.commitments import commitment_create, commitment_update
from entente.audit import triggers
from entente.audit.models import GENESIS_HASH, AuditEvent
from entente.audit.selectors import audit_chain_head, audit_chain_verify
from entente.core.errors import PermissionDenied


def record_events(cast, count: int):
    """`count` audit events: one commitment created, then progress updates (10, 20, ...)."""
    commitment = commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Exchange liaison officers"},
        responsible_party=cast.a,
        due_date=dt.date(2023, 1, 1),
    )
    for version in range(1, count):
        commitment_update(
            actor=cast.a_officer,
            commitment=commitment,
            expected_version=version,
            progress=10 * version,
        )
    return commitment


@pytest.fixture
def chain(cast):
    """Five events: one commitment created, then four progress updates."""
    commitment = record_events(cast, 5)
    assert AuditEvent.objects.count() == 5
    return commitment


def tamper(sql, params=()):
    """Change the table behind the application's back, as an attacker with DB access would."""
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    triggers.install(connection)


def test_chain_links_every_event_to_the_previous(chain):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    report = audit_chain_verify()
    assert (report.ok, report.checked, report.head_seq, report.head_hash) == (
        True,
        5,
        5,
        events[-1].hash,
    )
    assert audit_chain_head() == (5, events[-1].hash)


def test_verify_detects_altered_event(chain):
    tamper("UPDATE audit_auditevent SET actor_name = %s WHERE seq = 3", ["someone_else"])
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq, report.reason) == (
        False,
        3,
        "content does not match its hash",
    )


def test_verify_detects_altered_payload(chain):
    tamper("UPDATE audit_auditevent SET after = %s WHERE seq = 4", ['{"progress": 99}'])
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq) == (False, 4)


def test_verify_detects_deleted_event(chain):
    tamper("DELETE FROM audit_auditevent WHERE seq = 2")
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq, report.reason) == (
        False,
        2,
        "missing or renumbered event",
    )


def test_verify_detects_deleted_and_renumbered_events(chain):
    tamper("DELETE FROM audit_auditevent WHERE seq = 2")
    tamper("UPDATE audit_auditevent SET seq = seq - 1 WHERE seq > 2")
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq, report.reason) == (
        False,
        2,
        "does not follow the previous event",
    )


def test_verify_detects_inserted_event(chain):
    third = AuditEvent.objects.get(seq=3)
    tamper("UPDATE audit_auditevent SET seq = seq + 100 WHERE seq >= 3")
    tamper("UPDATE audit_auditevent SET seq = seq - 99 WHERE seq >= 103")
    forged = AuditEvent(
        seq=3,
        at=third.at,
        actor_name="intruder",
        action="update",
        target_type=third.target_type,
        target_id=third.target_id,
        after={"progress": 100},
        prev_hash=third.prev_hash,
    )
    forged.hash = forged.compute_hash()
    forged.save()
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq, report.reason) == (
        False,
        4,
        "does not follow the previous event",
    )


def test_verify_detects_reordered_events(chain):
    tamper("UPDATE audit_auditevent SET seq = 100 WHERE seq = 2")
    tamper("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3")
    tamper("UPDATE audit_auditevent SET seq = 3 WHERE seq = 100")
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq) == (False, 2)


def test_verify_detects_truncated_tail_against_handed_over_head(chain):
    head = audit_chain_head()
    tamper("DELETE FROM audit_auditevent WHERE seq = 5")
    assert audit_chain_verify().ok is True  # the chain alone cannot see a cut tail
    report = audit_chain_verify(expect_head=head)
    assert (report.ok, report.first_bad_seq, report.reason) == (
        False,
        5,
        "does not match the head handed over",
    )


def test_application_refuses_update_and_delete(chain):
    event = AuditEvent.objects.get(seq=1)
    event.action = "forged"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()


def test_database_trigger_refuses_update_and_delete(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()
    assert AuditEvent.objects.get(seq=1).action == "create"
    assert AuditEvent.objects.count() == 5


def test_audit_verify_command_exit_codes(chain, capsys):
    call_command("audit", "verify")
    assert capsys.readouterr().out.startswith("audit chain intact: 5 events, head 5:")
    tamper("UPDATE audit_auditevent SET action = 'forged' WHERE seq = 4")
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert str(exc.value) == (
        "audit chain broken at sequence 4: content does not match its hash "
        "(3 events verified before it)"
    )


def test_audit_head_command_prints_seq_and_hash(chain, capsys):
    call_command("audit", "head")
    assert capsys.readouterr().out.strip() == f"5:{AuditEvent.objects.get(seq=5).hash}"


def test_audit_verify_expect_head_is_checked(chain):
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--expect-head", "nonsense")
    assert "SEQ:HASH" in str(exc.value)
    head = ":".join(map(str, audit_chain_head()))
    call_command("audit", "verify", "--expect-head", head)
