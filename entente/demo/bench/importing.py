"""The import measured: a CSV of commitments through the `import` command, timed."""

import io
import tempfile
import time
from pathlib import Path

from django.core.management import call_command

MAPPING = (
    '{"kind": "commitments", "columns": {"Title": "title", "Due date": "due_date",'
    ' "Status": "status"}, "values": {"status": {"Planned": "planned"}}}'
)


def timed_import(agreement_id: str, username: str, rows: int) -> str:
    """Import `rows` commitments into the agreement as `username`; says how fast."""
    with tempfile.TemporaryDirectory() as folder:
        file, mapping = Path(folder, "bench.csv"), Path(folder, "mapping.json")
        lines = [f"Bench import {n};{n % 28 + 1:02d}/03/2027;Planned" for n in range(rows)]
        file.write_text("Title;Due date;Status\n" + "\n".join(lines) + "\n", encoding="utf-8")
        mapping.write_text(MAPPING)
        started = time.perf_counter()
        call_command(
            "import",
            str(file),
            "--agreement",
            agreement_id,
            "--user",
            username,
            "--mapping",
            str(mapping),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
        seconds = time.perf_counter() - started
    return f"{rows:,} commitment rows (CSV) by the import command in {seconds:.1f} s, {rows / seconds:,.0f} rows/s"
