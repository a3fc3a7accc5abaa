import base64
from collections.abc import Iterator
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import models

from entente.audit import merkle
from entente.audit.models import GENESIS_HASH, AuditEvent
from entente.core import instance_key


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str = ""


def audit_chain_head() -> tuple[int, str]:
    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def audit_chain_verify(*, expect_head: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole chain; report the first sequence number where it breaks.

    `expect_head` is a (seq, hash) pair handed over earlier: it catches events removed
    from the end, which the chain alone cannot show.
    """
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    # Only the one hash asked about is kept: memory stays flat however long the chain.
    hash_at_expected_head = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return _broken(checked, prev_hash, expected_seq, "missing or renumbered event")
        if event.prev_hash != prev_hash:
            return _broken(checked, prev_hash, event.seq, "does not follow the previous event")
        if event.compute_hash() != event.hash:
            return _broken(checked, prev_hash, event.seq, "content does not match its hash")
        if expect_head is not None and event.seq == expect_head[0]:
            hash_at_expected_head = event.hash
        expected_seq, prev_hash, checked = event.seq + 1, event.hash, checked + 1
    if expect_head is not None:
        seq, digest = expect_head
        if hash_at_expected_head != digest:
            return _broken(checked, prev_hash, seq, "does not match the head handed over")
    return ChainReport(ok=True, checked=checked, head_seq=expected_seq - 1, head_hash=prev_hash)


def _broken(checked: int, prev_hash: str, seq: int, reason: str) -> ChainReport:
    return ChainReport(
        ok=False,
        checked=checked,
        head_seq=seq - 1,
        head_hash=prev_hash,
        first_bad_seq=seq,
        reason=reason,
    )


# The Merkle tree of the log (RFC 9162): one leaf per event, its chain hash as 32 bytes,
# in sequence order, so leaf index = seq - 1. It adds to the chain without changing a
# stored byte; the chain shows a log is intact, the tree lets another instance check
# that it only ever grew, and that an event is in it, from a few hashes.


def audit_tree_head(size: int | None = None) -> tuple[int, str]:
    """(size, root) of the tree of the first `size` events (all of them by default).
    Streams the events, keeping O(log n) hashes."""
    size = _tree_size(size)
    (root,) = merkle.range_roots(_tree_leaves(size), [(0, size)])
    return size, root.hex()


def audit_inclusion_proof(seq: int, size: int | None = None) -> list[str]:
    """PATH(seq - 1, D[size]): the hashes that show event `seq` in the tree of `size`."""
    size = _tree_size(size)
    if not 1 <= seq <= size:
        raise ValueError(f"event {seq} is not in a tree of {size} events")
    ranges = merkle.inclusion_ranges(seq - 1, size)
    return [digest.hex() for digest in merkle.range_roots(_tree_leaves(size), ranges)]


def audit_consistency_proof(old_size: int, new_size: int | None = None) -> list[str]:
    """PROOF(old_size, D[new_size]): the hashes that show the tree of `old_size` events
    to be the start of the tree of `new_size`."""
    new_size = _tree_size(new_size)
    if not 0 <= old_size <= new_size:
        raise ValueError(f"a tree of {old_size} events is not the start of one of {new_size}")
    ranges = merkle.consistency_ranges(old_size, new_size)
    return [digest.hex() for digest in merkle.range_roots(_tree_leaves(new_size), ranges)]


def _tree_size(size: int | None) -> int:
    head = audit_chain_head()[0]
    if size is None:
        return head
    if not 0 <= size <= head:
        raise ValueError(f"the audit log has {head} events, not {size}")
    return size


def _tree_leaves(size: int) -> Iterator[bytes]:
    events = (
        AuditEvent.objects.filter(seq__lte=size)
        .order_by("seq")
        .values_list("seq", "hash")
        .iterator(chunk_size=2000)
    )
    expected = 1
    for seq, digest in events:
        if seq != expected:
            raise ValueError(f"the audit log has no event {expected}; run 'entente audit verify'")
        yield bytes.fromhex(digest)
        expected += 1
    if expected <= size:
        raise ValueError(f"the audit log has no event {expected}; run 'entente audit verify'")


TREE_HEAD_TYPE = "entente-tree-head/1"


@dataclass(frozen=True)
class TreeHead:
    """The size and root of the audit tree at `timestamp`, signed by the instance key
    named by its fingerprint (both empty when the instance has no key)."""

    size: int
    root: str  # hex
    timestamp: str  # ISO 8601, UTC, to the second
    instance: str = ""  # fingerprint of the signing key
    signature: str = ""  # base64 Ed25519 signature of canonical()

    def canonical(self) -> bytes:
        """The exact bytes the signature covers."""
        return instance_key.canonical_json(
            {
                "type": TREE_HEAD_TYPE,
                "instance": self.instance,
                "size": self.size,
                "root": self.root,
                "timestamp": self.timestamp,
            }
        )


def signed_tree_head() -> TreeHead:
    """The current tree head, signed when the instance has a key."""
    size, root = audit_tree_head()
    head = TreeHead(size=size, root=root, timestamp=instance_key.utc_timestamp())
    if not instance_key.exists():
        return head
    key = instance_key.load()
    head = replace(head, instance=instance_key.fingerprint(key.public_key()))
    return replace(head, signature=base64.b64encode(key.sign(head.canonical())).decode())


def verify_tree_head(public_key: Ed25519PublicKey, head: TreeHead) -> bool:
    """Whether `head` was signed by `public_key` and names it."""
    if head.instance != instance_key.fingerprint(public_key):
        return False
    try:
        signature = base64.b64decode(head.signature, validate=True)
    except ValueError:
        return False
    return instance_key.verify(public_key, head.canonical(), signature)


def audit_events_for(target: models.Model):
    """The whole history of one record, drafts and all. Readers never get it as such:
    pages and the API go through `entente.records.selectors.history_for`, which keeps
    only what the reader may see."""
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor", "party")


def stale_translations(record: models.Model, field: str) -> set[str]:
    """The languages whose text of the translated `field` was last written before the
    latest change to the text in the record's reference language: translations that
    may no longer say what the reference says. Read from the chain, which holds every
    text each write set."""
    reference = f"{field}_{record.reference_language}"  # type: ignore[attr-defined]
    written: dict[str, int] = {}
    for event in audit_events_for(record).select_related(None).only("seq", "before", "after"):
        after, before = event.after or {}, event.before or {}
        for name, value in after.items():
            if name.startswith(f"{field}_") and value and before.get(name) != value:
                written[name] = event.seq
    changed = written.get(reference, 0)
    return {
        name.removeprefix(f"{field}_")
        for name, seq in written.items()
        if name != reference and seq < changed
    }
