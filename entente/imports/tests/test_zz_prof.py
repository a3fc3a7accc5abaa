import time, cProfile, pstats
import pytest
from entente.imports.mapping import Mapping
from entente.imports.reading import Table
from entente.imports.services import import_table

@pytest.mark.django_db
@pytest.mark.parametrize("n", [2000])
def test_prof(cast, n):
    table = Table(columns=["title", "due"], rows=[(k + 2, [f"C {k}", "2026-03-03"]) for k in range(n)])
    mapping = Mapping(kind="commitments", columns={"title": "title", "due": "due_date"})
    t = time.perf_counter()

    out = import_table(actor=cast.a_officer, agreement=cast.agreement, table=table, mapping=mapping, dry_run=False)

    print("rows", n, "seconds", time.perf_counter() - t, out.imported)

