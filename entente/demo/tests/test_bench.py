"""`entente bench` end to end, tiny: a generated instance of one record of each kind,
the real server, one client asking each page once; the report has a row per page."""

import io
import re

from django.core.management import call_command
from django.db import connection

PAGES = [
    "dashboard",
    "portfolio",
    "agreement page",
    *[
        f"{name} list, {edge} page"
        for name in ("commitments", "requests", "meetings", "trainings", "agreements")
        for edge in ("first", "last")
    ],
    "commitment page",
    "request page",
    "meeting page",
    "training page",
    "search",
    "calendar",
    "calendar feed",
    *[f"API {name}" for name in ("commitments", "requests", "meetings", "trainings", "agreements")],
    "PDF report",
    "commitment export (CSV)",
]
NUMBER = r"\d+(?:\.\d+)?"
ROW = re.compile(
    rf"^\| (?P<page>[^|]+) \| (?P<status>\d+) \| {NUMBER} \| {NUMBER} \| {NUMBER} \| {NUMBER}"
    rf" \| (?P<queries>\d+) \| {NUMBER} \| {NUMBER} \|$",
    re.M,
)


def test_bench_measures_every_page_into_the_report(served_test_database, tmp_path):
    report = tmp_path / "BENCHMARKS.md"

    call_command(
        "bench",
        scale=0.00001,
        clients=1,
        requests=1,
        import_rows=10,
        output=report,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    text = report.read_text()
    rows = list(ROW.finditer(text))
    assert [row["page"] for row in rows] == PAGES
    assert {row["status"] for row in rows} == {"200"}
    assert all(int(row["queries"]) > 0 for row in rows)
    assert "- Sizes asked: scale 1e-05 of the issue's (agreements 1, commitments 1," in text
    assert re.search(r"- Import: 10 commitment rows \(CSV\) by the import command in ", text)
    assert text.count(f"<!-- bench: {connection.vendor} -->") == 2
