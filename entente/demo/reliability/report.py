"""RELIABILITY.md: one section per database, rewritten by each run on that database."""

import datetime as dt

from entente.demo.bench.report import database, machine
from entente.demo.reliability.scenarios import Options, Outcome

HEADER = """# Reliability

Written by `entente reliability` (`make reliability`): the real server (`entente serve`)
on an instance of the demo and a small generated portfolio, driven through its API by
concurrent clients with tokens (each write adds a commitment or a note to a request's
thread). It checks that no client sees a "database is locked" or any 5xx under
concurrent writes; that every write acknowledged with a 2xx survives a kill -9 of the
server (with SQLite's integrity check and the audit chain intact); that a restart of
PostgreSQL (a private cluster) gives clear 503s and the server recovers by itself; that
a full disk under SQLite gives a clear refusal and no corruption; that every migration
goes backward and forward keeping the full exports identical; and that the server's
memory stays flat under mixed load. Each run replaces its database's section.
"""


def section(outcomes: list[Outcome], *, options: Options, scale: float) -> str:
    short = options.seconds < 300 or options.minutes < 30
    lines = [
        f"## {database()}",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Instance: the demo and `entente generate` at scale {scale:g} of the issue's sizes",
        f"- Durations: writes {options.seconds:g} s with {options.clients} clients, "
        f"{options.kill_rounds} kill rounds, PostgreSQL restart load "
        f"{options.restart_seconds:g} s, full disk {options.disk_seconds:g} s, mixed load "
        f"{options.minutes:g} min"
        + (" (a short run: the issue asks for several minutes and 30 minutes)" if short else ""),
        "",
        *[
            f"- **{outcome.line()}**" if outcome.verdict == "FAIL" else f"- {outcome.line()}"
            for outcome in sorted(outcomes, key=lambda outcome: outcome.name)
        ],
    ]
    return "\n".join(lines) + "\n"
