from dataclasses import dataclass

from django.db import models

from entente.audit.models import GENESIS_HASH, AuditEvent


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
