"""BENCHMARKS.md: one section per database, rewritten by each run on that database."""

import datetime as dt
import os
import platform
import re
from pathlib import Path

from django.db import connection

from entente.audit.models import AuditEvent
from entente.demo.bench.measure import Result
from entente.demo.generator import GENERATED, Sizes

# What the instance holds, by the names of the report.
HELD = GENERATED | {"audit events": AuditEvent}

IMPORT_PENDING = "(not measured)"
HEADER = """# Benchmarks

Written by `entente bench` (`make bench`): the real server (`entente serve`) on a
generated instance (`entente generate`), measured through HTTP by concurrent clients
signed in as an officer (the API with the officer's token). For each page: the median
(p50) and 95th percentile (p95) latency, requests per second with all clients at once,
the response's size, the number of SQL queries the page runs and its *floor*: those
queries run directly on a raw connection to the same database in the same run, so that
p50 ÷ floor says how much the page adds to the SQL it cannot avoid.
"""


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = f"{names[0]} × {len(names)}" if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists() and (found := re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())):
        memory = f", {int(found.group(1)) / 1024 / 1024:.1f} GiB of memory"
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the end of the run"
    return f"{cpu}{memory}, {platform.system()} {platform.release()}{load}"


def database() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def section(results: list[Result], *, sizes: Sizes, scale: float, clients: int, each: int) -> str:
    """The section of this run; the import's line is IMPORT_PENDING until it is done
    (the import adds rows, which the counts above it should not include)."""
    counts = ", ".join(f"{name} {getattr(sizes, name):,}" for name in vars(sizes))
    lines = [
        f"## {database()}",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Sizes asked: scale {scale:g} of the issue's ({counts}), on top of the demo",
        "- Held before the import: "
        + ", ".join(f"{name} {model._default_manager.count():,}" for name, model in HELD.items()),
        f"- Load: {clients} concurrent client(s), {each} request(s) each per page, after one "
        "untimed request",
        f"- Import: {IMPORT_PENDING}",
        "",
        "| Page | Status | p50 ms | p95 ms | req/s | Size kB | Queries | Floor ms | p50 ÷ floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.page.name} | {r.status} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.per_second:.1f}"
            f" | {r.size / 1024:.1f} | {r.queries} | {r.floor_ms:.2f} | {r.ratio:.1f} |"
        )
    return "\n".join(lines) + "\n"


def write(path: Path, text: str, *, marker: str = "bench", header: str = HEADER) -> None:
    """Put `text` in `path` in place of the section of the same database, if any (a new
    file starts with `header`)."""
    key = f"<!-- {marker}: {connection.vendor} -->"
    block = f"{key}\n{text}{key}\n"
    current = path.read_text() if path.exists() else header
    pattern = re.compile(re.escape(key) + r".*?" + re.escape(key) + r"\n", re.S)
    updated = pattern.sub(lambda _m: block, current) if key in current else f"{current}\n{block}"
    path.write_text(updated)
