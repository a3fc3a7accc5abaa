"""An import is one batch of audited writes: its queries do not grow with its rows
beyond the record's own, its events verify, and search finds what it made."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.agreements.models import Commitment
from entente.audit.models import AuditEvent
from entente.audit.selectors import audit_chain_verify
from entente.imports.mapping import load_mapping
from entente.imports.reading import read_table
from entente.imports.services import import_table
from entente.records.models import query_words
from entente.records.selectors import search_hits, search_results

pytestmark = pytest.mark.django_db

MAPPING = (
    '{"kind": "commitments", "columns": {"Titre": "title", "Échéance": "due_date",'
    ' "Statut": "status"}, "values": {"status": {"Prévu": "planned"}}}'
)

# What each row still asks: the record's INSERT and its public id's uniqueness, and the
# savepoint (and its release) of the service's write inside the batch. (The agreement's
# parties are asked once a batch.)
QUERIES_PER_ROW = 4


def _import(cast, tmp_path: Path, rows: int, *, dry_run: bool = False):
    file = tmp_path / f"{rows}.csv"
    lines = [f"Engagement {n};{n % 28 + 1:02d}/03/2026;Prévu" for n in range(1, rows + 1)]
    file.write_text("Titre;Échéance;Statut\n" + "\n".join(lines) + "\n", encoding="utf-8-sig")
    (mapping_file := tmp_path / "mapping.json").write_text(MAPPING)
    mapping = load_mapping(mapping_file)
    with CaptureQueriesContext(connection) as queries:
        outcome = import_table(
            actor=cast.a_officer,
            agreement=cast.agreement,
            table=read_table(file),
            mapping=mapping,
            dry_run=dry_run,
        )
    assert outcome.problems == []
    return [q["sql"] for q in queries]


def test_an_imports_queries_are_a_constant_and_a_few_per_row(cast, tmp_path):
    ten = _import(cast, tmp_path, 10)
    Commitment.objects.all().delete()
    two_hundred = _import(cast, tmp_path, 200)

    per_row = (len(two_hundred) - _batch_inserts(two_hundred)) - (len(ten) - _batch_inserts(ten))
    assert per_row == 190 * QUERIES_PER_ROW
    # The events and the index rows of a batch go in together: one INSERT of each for
    # ten rows; for 200, a few (SQLite takes at most 999 values in one statement).
    assert (_batch_inserts(ten), _batch_inserts(two_hundred) <= 6) == (2, True)
    # Each of Commitment's six check constraints is asked once, for the first row.
    for queries in (ten, two_hundred):
        assert sum(sql.startswith('SELECT 1 AS "_check"') for sql in queries) == 6


def _batch_inserts(queries: list[str]) -> int:
    return sum(
        sql.startswith(f'INSERT INTO "{table}"')
        for sql in queries
        for table in ("audit_auditevent", "records_searchentry")
    )


def test_an_imports_events_follow_the_chain_and_verify(cast, tmp_path):
    _import(cast, tmp_path, 30)

    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, 31))
    assert {str(c.pk) for c in Commitment.objects.all()} == {e.target_id for e in events}
    report = audit_chain_verify()
    assert (report.ok, report.checked, report.head_seq) == (True, 30, 30)


def test_search_finds_the_imported_records(cast, tmp_path):
    _import(cast, tmp_path, 30)

    hits = search_hits(cast.a_officer, query_words("Engagement 17"))
    assert [r.record.title_en for r in search_results(cast.a_officer, hits)] == ["Engagement 17"]


def test_a_dry_run_leaves_no_event_and_no_index_row(cast, tmp_path):
    queries = _import(cast, tmp_path, 20, dry_run=True)

    assert (Commitment.objects.count(), AuditEvent.objects.count()) == (0, 0)
    assert _batch_inserts(queries) == 0
