"""The audit log as a Merkle tree: heads and proofs read from the events, a rewritten
history caught against an old head, and the signed tree head."""

import dataclasses
import datetime as dt
import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from entente.audit import merkle
from entente.audit.models import AuditEvent
from entente.audit.selectors import (
    TreeHead,
    audit_consistency_proof,
    audit_inclusion_proof,
    audit_tree_head,
    signed_tree_head,
    verify_tree_head,
)
from entente.audit.tests.test_chain import record_events, tamper
from entente.core import instance_key


def leaves() -> list[bytes]:
    return [
        bytes.fromhex(h) for h in AuditEvent.objects.order_by("seq").values_list("hash", flat=True)
    ]


@pytest.fixture
def log(cast):
    record_events(cast, 7)
    assert AuditEvent.objects.count() == 7
    return leaves()


def test_tree_of_an_empty_log(db):
    assert audit_tree_head() == (0, merkle.EMPTY_ROOT.hex())
    assert audit_consistency_proof(0) == []


def test_tree_head_is_the_mth_of_the_chain_hashes(log):
    assert audit_tree_head() == (7, merkle.mth(log).hex())
    assert [audit_tree_head(n) for n in range(8)] == [
        (n, merkle.mth(log[:n]).hex()) for n in range(8)
    ]


def test_inclusion_proof_of_every_event_verifies(log):
    root = merkle.mth(log)
    for seq in range(1, 8):
        proof = audit_inclusion_proof(seq)
        assert proof == [digest.hex() for digest in merkle.inclusion_proof(seq - 1, log)]
        assert (
            merkle.verify_inclusion(
                log[seq - 1], seq - 1, 7, [bytes.fromhex(h) for h in proof], root
            )
            is True
        )
    older = [bytes.fromhex(h) for h in audit_inclusion_proof(2, 5)]
    assert merkle.verify_inclusion(log[1], 1, 5, older, merkle.mth(log[:5])) is True


def test_consistency_proof_from_every_older_size_verifies(log):
    root = merkle.mth(log)
    for old in range(8):
        proof = [bytes.fromhex(h) for h in audit_consistency_proof(old)]
        assert merkle.verify_consistency(old, 7, merkle.mth(log[:old]), root, proof) is True


def test_proofs_refuse_sizes_the_log_does_not_have(log):
    with pytest.raises(ValueError, match=r"^the audit log has 7 events, not 8$"):
        audit_tree_head(8)
    with pytest.raises(ValueError, match=r"^event 8 is not in a tree of 7 events$"):
        audit_inclusion_proof(8)
    with pytest.raises(ValueError, match=r"^event 0 is not in a tree of 7 events$"):
        audit_inclusion_proof(0)
    with pytest.raises(ValueError, match=r"^a tree of 6 events is not the start of one of 5$"):
        audit_consistency_proof(6, 5)


def test_rewritten_event_is_caught_against_an_old_head(cast):
    record_events(cast, 5)
    old_size, old_root = audit_tree_head()
    record_events(cast, 3)
    new_size, new_root = audit_tree_head()
    proof = [bytes.fromhex(h) for h in audit_consistency_proof(old_size)]
    assert (old_size, new_size) == (5, 8)
    assert (
        merkle.verify_consistency(5, 8, bytes.fromhex(old_root), bytes.fromhex(new_root), proof)
        is True
    )

    # Event 3 rewritten with a hash that is not its own, as by someone with database
    # access (the model refuses to save an event twice).
    tamper("UPDATE audit_auditevent SET hash = %s WHERE seq = 3", ["ab" * 32])
    size, root = audit_tree_head()
    proof = [bytes.fromhex(h) for h in audit_consistency_proof(old_size)]
    assert size == 8
    assert root != new_root
    assert (
        merkle.verify_consistency(5, 8, bytes.fromhex(old_root), bytes.fromhex(root), proof)
        is False
    )


def test_a_missing_event_stops_the_tree(log):
    tamper("DELETE FROM audit_auditevent WHERE seq = 4")
    with pytest.raises(
        ValueError, match=r"^the audit log has no event 4; run 'entente audit verify'$"
    ):
        audit_tree_head()
    with pytest.raises(
        ValueError, match=r"^the audit log has no event 4; run 'entente audit verify'$"
    ):
        audit_inclusion_proof(2)


def test_a_cut_tail_cannot_prove_the_old_head(log):
    tamper("DELETE FROM audit_auditevent WHERE seq >= 6")
    with pytest.raises(ValueError, match=r"^a tree of 7 events is not the start of one of 5$"):
        audit_consistency_proof(7)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def noon(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 3, 12, 0, 30, 500, tzinfo=dt.UTC), tick=False)


def test_tree_head_unsigned_without_a_key(log, data_dir, noon):
    assert signed_tree_head() == TreeHead(
        size=7, root=merkle.mth(log).hex(), timestamp="2026-12-03T12:00:30Z"
    )
    out, err = StringIO(), StringIO()
    call_command("audit", "head", "--tree", stdout=out, stderr=err)
    assert json.loads(out.getvalue()) == {
        "size": 7,
        "root": merkle.mth(log).hex(),
        "timestamp": "2026-12-03T12:00:30Z",
    }
    assert err.getvalue() == (
        "unsigned: this instance has no key yet; create one with 'entente keys init'\n"
    )


def test_signed_tree_head_verifies_with_the_instance_key_only(log, data_dir, noon):
    instance_key.generate()
    public = instance_key.public_key()
    head = signed_tree_head()
    assert (head.size, head.root, head.timestamp, head.instance) == (
        7,
        merkle.mth(log).hex(),
        "2026-12-03T12:00:30Z",
        instance_key.fingerprint(public),
    )
    assert (
        head.canonical()
        == (
            f'{{"instance":"{head.instance}","root":"{head.root}","size":7,'
            '"timestamp":"2026-12-03T12:00:30Z","type":"entente-tree-head/1"}'
        ).encode()
    )
    assert verify_tree_head(public, head) is True
    changed = {
        "size": dataclasses.replace(head, size=6),
        "root": dataclasses.replace(head, root=merkle.mth(log[:6]).hex()),
        "timestamp": dataclasses.replace(head, timestamp="2026-12-03T12:00:31Z"),
        "instance": dataclasses.replace(head, instance="0000 0000 0000 0000 0000 0000 0000 0000"),
        "signature": dataclasses.replace(head, signature=""),
    }
    assert [name for name, forged in changed.items() if verify_tree_head(public, forged)] == []
    other = Ed25519PrivateKey.generate().public_key()
    assert verify_tree_head(other, head) is False
    assert (
        verify_tree_head(other, dataclasses.replace(head, instance=instance_key.fingerprint(other)))
        is False
    )


def test_audit_head_tree_prints_the_signed_head(log, data_dir, noon):
    instance_key.generate()
    out, err = StringIO(), StringIO()
    call_command("audit", "head", "--tree", stdout=out, stderr=err)
    printed = json.loads(out.getvalue())
    assert printed == dataclasses.asdict(signed_tree_head())
    assert verify_tree_head(instance_key.public_key(), TreeHead(**printed)) is True
    assert err.getvalue() == ""
    out = StringIO()
    call_command("audit", "head", stdout=out)
    assert out.getvalue() == f"7:{log[-1].hex()}\n"
