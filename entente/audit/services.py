"""Appending to the audit chain, and the audited writes every service builds on."""

import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from entente.audit.models import GENESIS_HASH, AuditEvent
from entente.core.access import check_marking_change, require_owner_writer, visibility_remembered
from entente.core.errors import ConflictError
from entente.core.models import Handling, PartyOwned
from entente.core.registry import record_written
from entente.core.transitions import Workflow
from entente.core.validation import validate_instance

M = TypeVar("M", bound=models.Model)
P = TypeVar("P", bound=PartyOwned)

# Any constant will do: it only has to be the same for every writer of the chain.
_CHAIN_LOCK_ID = 0x656E74656E7465


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The record's concrete field values as plain JSON values; for a party-owned record
    also `red_recipients`, the sorted ids of its TLP:RED recipients, so that every change
    of who may read it is in the chain."""
    values = {
        field.attname: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if not isinstance(field, models.FileField)
    }
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            values[field.attname] = field.value_from_object(instance).name or ""
    if isinstance(instance, PartyOwned) and instance.pk is not None:
        values["red_recipients"] = sorted(instance.red_recipients.values_list("pk", flat=True))
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def target_label(instance: models.Model) -> str:
    return instance._meta.label_lower


def _lock_chain() -> None:
    # SQLite transactions are IMMEDIATE, so the writer already holds the database lock;
    # PostgreSQL writers queue here so that each reads the head the previous one wrote.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


@contextmanager
def write_transaction():
    """The transaction of a write: the chain's lock is taken first, before any row lock.

    Every writer appends to the one chain, so on PostgreSQL every writer takes the
    chain's lock; taking it before anything else gives all writers one lock order, and
    two of them can never wait on each other (a deadlock) for a row and the chain.
    """
    with transaction.atomic():
        _lock_chain()
        yield


@contextmanager
def batched_writes():
    """Many audited writes in one transaction: an import, the data generator.

    All or nothing, like one write; a record once found visible is not asked about again
    (`visibility_remembered`), since a batch changes no one's sight of what it hands on.
    """
    with write_transaction(), visibility_remembered():
        yield


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the service's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    _lock_chain()
    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    membership = getattr(actor, "membership", None) if actor is not None else None
    event = AuditEvent(
        seq=(head.seq + 1) if head else 1,
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        party_id=membership.party_id if membership else None,
        action=action,
        target_type=target_label(target),
        target_id=str(target.pk),
        before=before,
        after=after,
        prev_hash=head.hash if head else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save()
    # A delete is recorded before the row goes: only its "before" is known.
    record_written(target, deleted=before is not None and after is None)
    return event


def audited_create(*, actor, instance: M, action: str = "create", m2m: dict | None = None) -> M:
    """Validate and insert `instance`, then record it in the chain (same transaction)."""
    with write_transaction():
        validate_instance(instance)
        instance.save()
        for name, values in (m2m or {}).items():
            # A new record links to nothing yet: adding is setting, and nothing to add
            # costs no query (an import makes thousands of records in a row).
            if values := list(values):
                getattr(instance, name).add(*values)
        audit_record(actor=actor, action=action, target=instance, after=snapshot(instance))
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
        current = model._default_manager.select_for_update().get(pk=instance.pk)
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
        after = snapshot(current)
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
        row = model._default_manager.select_for_update().filter(**key).first()
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
    events = AuditEvent.objects.filter(
        target_type=target_label(instance), target_id=str(instance.pk)
    ).order_by("seq")
    current = snapshot(instance)
    for event in events:
        after = event.after or {}
        if after.get("version", 0) > version:
            changed.update({k: current.get(k) for k in after if k not in ("version", "updated_at")})
    return changed
