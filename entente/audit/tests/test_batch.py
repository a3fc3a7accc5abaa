"""A batch of audited writes: its events chained in memory, inserted together, and all
or nothing; its validation asking the database each question once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from entente.agreements.models import Commitment
from entente.agreements.services.commitments import commitment_create, commitment_update
from entente.audit import services
from entente.audit.models import AuditEvent
from entente.audit.selectors import audit_chain_verify
from entente.audit.services import audit_record, batched_writes, write_transaction
from entente.core.errors import ConflictError
from entente.core.validation import validate_instance
from entente.records.models import SearchEntry

pytestmark = pytest.mark.django_db


def _create(cast, title: str, **fields) -> Commitment:
    return commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": title},
        responsible_party=cast.a,
        due_date=dt.date(2031, 1, 1),
        **fields,
    )


def _seqs() -> list[int]:
    return list(AuditEvent.objects.values_list("seq", flat=True))


def test_a_batch_chains_its_events_after_the_head_and_the_chain_verifies(cast):
    _create(cast, "Before the batch")

    with batched_writes():
        made = [_create(cast, f"In the batch {n}") for n in range(5)]
        assert _seqs() == [1]  # pending until the batch ends

    assert _seqs() == [1, 2, 3, 4, 5, 6]
    assert [e.target_id for e in AuditEvent.objects.filter(seq__gt=1)] == [str(c.pk) for c in made]
    report = audit_chain_verify()
    assert (report.ok, report.checked) == (True, 6)
    assert SearchEntry.objects.filter(target_id__in=[c.pk for c in made]).count() == 5


def test_a_batch_inserts_its_pending_events_every_so_many_and_at_its_end(cast, monkeypatch):
    monkeypatch.setattr(services, "BATCH_FLUSH_EVERY", 3)

    with CaptureQueriesContext(connection) as queries, batched_writes():
        for n in range(7):
            _create(cast, f"Commitment {n}")
        assert _seqs() == [1, 2, 3, 4, 5, 6]

    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 3
    assert _seqs() == list(range(1, 8))
    assert audit_chain_verify().ok


def test_a_batch_inserts_nothing_inside_a_savepoint_its_caller_opened(cast, monkeypatch):
    monkeypatch.setattr(services, "BATCH_FLUSH_EVERY", 2)

    with batched_writes():
        with transaction.atomic():
            for n in range(3):
                _create(cast, f"Grouped {n}")
            assert _seqs() == []  # had they gone in, this block's rollback would take them
        _create(cast, "After the group")
        assert _seqs() == [1, 2, 3, 4]

    assert audit_chain_verify().ok


def test_a_write_rolled_back_inside_a_batch_takes_its_event_along(cast):
    with batched_writes():
        kept = _create(cast, "Kept")
        with pytest.raises(RuntimeError), write_transaction():
            audit_record(actor=cast.a_officer, action="create", target=kept, after={})
            raise RuntimeError("the write fails after its event")
        _create(cast, "Kept too")

    assert list(AuditEvent.objects.values_list("seq", "action")) == [(1, "create"), (2, "create")]
    assert audit_chain_verify().ok


def test_a_batch_marked_for_rollback_writes_no_event_and_no_index_row(cast):
    with batched_writes():
        _create(cast, "Dry")
        transaction.set_rollback(True)

    assert (Commitment.objects.count(), AuditEvent.objects.count()) == (0, 0)
    assert SearchEntry.objects.count() == 0


def test_a_failed_batch_leaves_nothing(cast):
    with pytest.raises(KeyboardInterrupt), batched_writes():
        _create(cast, "Lost")
        raise KeyboardInterrupt

    assert (Commitment.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_a_batch_inside_a_batch_is_part_of_it(cast):
    with batched_writes():
        _create(cast, "Outer")
        with batched_writes():
            _create(cast, "Inner")
        assert _seqs() == []

    assert _seqs() == [1, 2]
    assert audit_chain_verify().ok


def test_a_conflict_inside_a_batch_names_the_fields_changed_by_its_pending_events(cast):
    with batched_writes():
        commitment = _create(cast, "Edited twice")
        commitment_update(
            actor=cast.a_officer, commitment=commitment, expected_version=1, progress=30
        )
        with pytest.raises(ConflictError) as conflict:
            commitment_update(
                actor=cast.a_officer, commitment=commitment, expected_version=1, progress=50
            )

    assert (conflict.value.current_version, conflict.value.changed) == (2, {"progress": 30})


def test_a_new_records_snapshot_takes_its_recipients_without_a_query(cast):
    with CaptureQueriesContext(connection) as queries:
        commitment = _create(cast, "No recipients")

    assert not [q for q in queries if q["sql"].startswith('SELECT "auth_user"."id" AS "pk"')]
    assert AuditEvent.objects.get().after["red_recipients"] == []
    assert commitment.pk is not None


def _probe(cast, **fields) -> Commitment:
    return Commitment(
        agreement=cast.agreement,
        owning_party=cast.a,
        responsible_party=cast.a,
        title_en="Probe",
        due_date=dt.date(2031, 1, 1),
        **fields,
    )


def test_a_batch_asks_a_check_or_a_foreign_key_once_for_the_same_values(cast):
    with batched_writes():
        validate_instance(_probe(cast))
        with CaptureQueriesContext(connection) as again:
            validate_instance(_probe(cast))
        with CaptureQueriesContext(connection) as other_values:
            validate_instance(_probe(cast, progress=40))

    # Only the public id's uniqueness is asked again; a new progress, its one check.
    assert _selects(again) == ['SELECT 1 AS "a" FROM "agreements_commitment" WH']
    assert _selects(other_values) == [
        'SELECT 1 AS "a" FROM "agreements_commitment" WH',
        'SELECT 1 AS "_check" WHERE COALESCE((40 <= 100)',
    ]


def _selects(queries) -> list[str]:
    return [q["sql"][:47] for q in queries if q["sql"].startswith("SELECT")]


def test_a_batch_still_refuses_a_check_or_a_foreign_key_with_djangos_message(cast):
    with batched_writes():
        validate_instance(_probe(cast, progress=40))
        with pytest.raises(ValidationError) as check:
            validate_instance(_probe(cast, progress=140))
        with pytest.raises(ValidationError) as foreign_key:
            validate_instance(_probe(cast, responsible_party_id=987654))

    with pytest.raises(ValidationError) as outside:
        validate_instance(_probe(cast, progress=140))
    assert check.value.message_dict == outside.value.message_dict
    assert list(check.value.message_dict) == ["__all__"]
    assert foreign_key.value.message_dict == {
        "responsible_party": ["party instance with id 987654 is not a valid choice."]
    }
