"""Appending to the audit chain, and the audited writes every service builds on."""

import copy
import dataclasses
import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from entente.audit.models import GENESIS_HASH, AuditEvent
from entente.core.access import check_marking_change, require_owner_writer, visibility_remembered
from entente.core.errors import ConflictError
from entente.core.models import Handling, PartyOwned
from entente.core.registry import records_written
from entente.core.transitions import Workflow
from entente.core.validation import validate_instance, validation_remembered

M = TypeVar("M", bound=models.Model)
P = TypeVar("P", bound=PartyOwned)

# Any constant will do: it only has to be the same for every writer of the chain.
_CHAIN_LOCK_ID = 0x656E74656E7465


def snapshot(instance: models.Model, red_recipients: Iterable | None = None) -> dict[str, Any]:
    """The record's concrete field values as plain JSON values; for a party-owned record
    also `red_recipients`, the sorted ids of its TLP:RED recipients, so that every change
    of who may read it is in the chain (read from the database unless the caller, who
    just set them, hands them over)."""
    values = {
        field.attname: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if not isinstance(field, models.FileField)
    }
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            values[field.attname] = field.value_from_object(instance).name or ""
    if isinstance(instance, PartyOwned) and instance.pk is not None:
        if red_recipients is None:
            red_recipients = instance.red_recipients.values_list("pk", flat=True)
        values["red_recipients"] = sorted(getattr(user, "pk", user) for user in red_recipients)
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def target_label(instance: models.Model) -> str:
    return instance._meta.label_lower


def _lock_chain() -> None:
    # SQLite transactions are IMMEDIATE, so the writer already holds the database lock;
    # PostgreSQL writers queue here, at their append, so that each reads the head the
    # previous one wrote. The lock is held until the transaction ends.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def _chain_head() -> tuple[int, str]:
    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


@dataclass
class _Pending:
    """The audit events of a write transaction not yet in the chain, and the writes not
    yet told to the hooks (the search index); `head` is the chain's last event once this
    transaction has appended to it (and so holds the chain's lock)."""

    head: tuple[int, str] | None = None  # (seq, hash)
    events: list[AuditEvent] = dataclasses.field(default_factory=list)
    writes: list[tuple[models.Model, bool]] = dataclasses.field(default_factory=list)
    depth: int = 0  # write transactions open inside the outermost one
    savepoints: int = 0  # the connection's open savepoints where the outermost one began

    def mark(self) -> tuple:
        return len(self.events), len(self.writes)

    def undo_to(self, mark: tuple) -> None:
        """Forget what a write rolled back to its savepoint had added."""
        events, writes = mark
        del self.events[events:], self.writes[writes:]

    def flush(self) -> None:
        """Append the pending events to the chain and tell the hooks of the pending
        writes; a transaction marked for rollback (a dry run) runs no more queries and
        keeps nothing."""
        if not transaction.get_rollback() and self.events:
            if self.head is None:
                _lock_chain()
                self.head = _chain_head()
            seq, digest = self.head
            for event in self.events:
                seq += 1
                event.seq, event.prev_hash = seq, digest
                event.hash = digest = event.compute_hash()
            self.head = (seq, digest)
            AuditEvent.objects.bulk_create(self.events, batch_size=500)
            records_written(self.writes)
        self.events, self.writes = [], []


_pending: ContextVar[_Pending | None] = ContextVar("entente_audit_pending", default=None)

# A long write (an import, the data generator: hundreds of thousands of records in one
# transaction) appends its pending events once it holds this many, between two writes.
BATCH_FLUSH_EVERY = 1000


@contextmanager
def write_transaction():
    """The transaction of a write; its audit events are appended to the chain when it
    ends, all together.

    Every writer appends to the one chain, so on PostgreSQL every writer takes the
    chain's lock, but only for that final append, so writers of different records run
    side by side until then. The chain's lock is the last one a writer takes, and its
    holder then only inserts events and search rows, for which it waits on no row lock a
    queued writer can hold (row locks are taken FOR NO KEY UPDATE, which the foreign keys
    of those inserts do not wait for): no two writers wait on each other (a deadlock).
    A write transaction inside another is part of it; rolled back to its savepoint, it
    takes its pending events along.
    """
    pending = _pending.get()
    if pending is None:
        pending = _Pending()
        token = _pending.set(pending)
        try:
            with transaction.atomic():
                pending.savepoints = len(connection.savepoint_ids)
                yield
                pending.flush()
        finally:
            _pending.reset(token)
        return
    mark = pending.mark()
    pending.depth += 1
    try:
        with transaction.atomic():
            yield
    except BaseException:
        pending.undo_to(mark)
        raise
    finally:
        pending.depth -= 1
    # Only between two writes, and outside any savepoint the outermost write opened:
    # events inserted inside a savepoint would go if it were rolled back, and with them
    # the earlier writes' events, while the head in memory stayed.
    at_outer_level = len(connection.savepoint_ids) == pending.savepoints
    if pending.depth == 0 and at_outer_level and len(pending.events) >= BATCH_FLUSH_EVERY:
        pending.flush()


@contextmanager
def batched_writes():
    """Many audited writes in one transaction: an import, the data generator.

    All or nothing, like one write, and faster: a record once found visible is not asked
    about again (`visibility_remembered`), nor a check or a foreign key the same question
    (`validation_remembered`). Like every write transaction, its events are chained in
    memory and appended, with the search index's rows, every `BATCH_FLUSH_EVERY` events
    and when it ends. Writes its caller groups go in a `write_transaction()`, never a bare
    `transaction.atomic()`: only the former, rolled back, takes its pending events along.
    """
    with visibility_remembered(), validation_remembered(), write_transaction():
        yield


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Add one event to the chain. Must run inside the service's transaction; inside a
    `write_transaction()`, the event is appended when it ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    membership = getattr(actor, "membership", None) if actor is not None else None
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        party_id=membership.party_id if membership else None,
        action=action,
        target_type=target_label(target),
        target_id=str(target.pk),
        before=before,
        after=after,
    )
    # A delete is recorded before the row goes: only its "before" is known, and a copy
    # is kept, as Django empties the pk of a record once it is gone.
    deleted = before is not None and after is None
    pending = _pending.get() or _Pending()
    pending.events.append(event)
    pending.writes.append((copy.copy(target) if deleted else target, deleted))
    if _pending.get() is None:  # a bare transaction: appended now
        pending.flush()
    return event


def audited_create(*, actor, instance: M, action: str = "create", m2m: dict | None = None) -> M:
    """Validate and insert `instance`, then record it in the chain (same transaction)."""
    m2m = {name: list(values) for name, values in (m2m or {}).items()}
    with write_transaction():
        validate_instance(instance)
        instance.save()
        for name, values in m2m.items():
            # A new record links to nothing yet: adding is setting, and nothing to add
            # costs no query (an import makes thousands of records in a row).
            if values:
                getattr(instance, name).add(*values)
        after = snapshot(instance, m2m.get("red_recipients"))
        audit_record(actor=actor, action=action, target=instance, after=after)
    return instance


def audited_create_owned(
    *,
    actor,
    instance: P,
    party_id: int,
    handling: Handling,
    action: str = "create",
    m2m: dict | None = None,
    parties: Iterable | None = None,
) -> P:
    """Insert a new party-owned record of `party_id`, handled as `handling` says: its
    marking and TLP:RED recipients checked (`check_marking_change`; `parties` for a record
    with no agreement yet), then created and audited in one transaction."""
    handling.applied_to(instance, party_id)
    recipients = check_marking_change(
        actor, instance, instance.marking, handling.red_recipients, parties=parties
    )
    return audited_create(
        actor=actor,
        instance=instance,
        action=action,
        m2m={**(m2m or {}), "red_recipients": recipients},
    )


def audited_update(
    *,
    actor,
    instance: M,
    changes: dict[str, Any],
    expected_version: int | None = None,
    action: str = "update",
    m2m: dict[str, Iterable] | None = None,
    check: Callable[[M], None] | None = None,
) -> M:
    """Apply `changes` to the current row if it is still at `expected_version`.

    The row is re-read under lock, so a concurrent writer either finished before us
    (and we see its version) or waits for us. `check` validates against that current
    row (a state transition, say), never against the caller's older copy. On success
    the version goes up by one.
    """
    model = type(instance)
    with write_transaction():
        current = model._default_manager.select_for_update(no_key=True).get(pk=instance.pk)
        version = getattr(current, "version", None)
        if expected_version is not None and version != expected_version:
            raise ConflictError(
                expected_version=expected_version,
                current_version=int(version or 0),
                changed=changes_since(current, expected_version),
            )
        if check is not None:
            check(current)
        before = snapshot(current)
        for name, value in changes.items():
            setattr(current, name, value)
        if version is not None:
            current.version = version + 1  # type: ignore[attr-defined]  # PartyOwned
        validate_instance(current)
        current.save()
        for name, values in (m2m or {}).items():
            getattr(current, name).set(values)
        # Who may read it changes only with the recipients set just above.
        kept = None if "red_recipients" in (m2m or {}) else before.get("red_recipients")
        after = snapshot(current, kept)
        audit_record(
            actor=actor,
            action=action,
            target=current,
            before={k: v for k, v in before.items() if after.get(k) != v},
            after={k: v for k, v in after.items() if before.get(k) != v},
        )
    return current


def audited_transition(
    *,
    actor,
    instance: M,
    workflow: Workflow,
    status: str,
    expected_version: int | None = None,
    changes: dict[str, Any] | None = None,
    check: Callable[[M], None] | None = None,
    action: str = "status",
) -> M:
    """Move `instance` to `status` (with any `changes` that go with it) if `workflow`
    allows it from the status of the locked current row; `check` adds the record's own
    conditions (a meeting is held only once it has started, say)."""

    def allowed(current: M) -> None:
        workflow.check_record(current, status)
        if check is not None:
            check(current)

    return audited_update(
        actor=actor,
        instance=instance,
        changes={workflow.field: status, **(changes or {})},
        expected_version=expected_version,
        action=action,
        check=allowed,
    )


def owner_transition(
    actor, instance: M, workflow: Workflow, status: str, expected_version: int, *, coordinator=False
) -> M:
    """The status change of a record that only its owning party's writers (coordinators,
    with `coordinator`) may make: most records' `<entity>_change_status`."""
    require_owner_writer(actor, instance, coordinator=coordinator)
    return audited_transition(
        actor=actor,
        instance=instance,
        workflow=workflow,
        status=status,
        expected_version=expected_version,
    )


def audited_upsert(
    *, actor, model: type[M], key: dict[str, Any], values: dict[str, Any], action: str, target
) -> M:
    """Set `values` on the row of `model` found by `key`, made when there is none, locked
    meanwhile; recorded as `action` on `target`, the record the row belongs to, with the
    row before and after."""
    with write_transaction():
        row = model._default_manager.select_for_update(no_key=True).filter(**key).first()
        before = snapshot(row) if row else None
        if row is None:
            row = model(**key)
        for name, value in values.items():
            setattr(row, name, value)
        validate_instance(row)
        row.save()
        audit_record(actor=actor, action=action, target=target, before=before, after=snapshot(row))
    return row


def audited_delete(*, actor, instance: models.Model, action: str = "delete") -> None:
    with write_transaction():
        before = snapshot(instance)
        audit_record(actor=actor, action=action, target=instance, before=before)
        instance.delete()


def changes_since(instance: models.Model, version: int) -> dict[str, Any]:
    """Field -> current value for every field changed after `version` of the record."""
    changed: dict[str, Any] = {}
    key = (target_label(instance), str(instance.pk))
    events = list(AuditEvent.objects.filter(target_type=key[0], target_id=key[1]).order_by("seq"))
    if (batch := _pending.get()) is not None:  # and those the batch has yet to insert
        events += [e for e in batch.events if (e.target_type, e.target_id) == key]
    current = snapshot(instance)
    for event in events:
        after = event.after or {}
        if after.get("version", 0) > version:
            changed.update({k: current.get(k) for k in after if k not in ("version", "updated_at")})
    return changed
