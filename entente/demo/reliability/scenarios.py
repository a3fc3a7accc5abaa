"""The scenarios of `entente reliability`, each ending in one `Outcome`: PASS or FAIL
with its numbers, or "not run" with the reason."""

import hashlib
import io
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from entente.agreements.selectors import agreement_visible_to
from entente.demo.bench.server import Client, Server, running_server
from entente.demo.reliability import stores
from entente.demo.reliability.load import (
    NO_ANSWER,
    Tally,
    Targets,
    find_targets,
    for_seconds,
    missing,
    run_clients,
)
from entente.exports.agreement_json import agreement_document, as_json

NAMES = {
    "a": "a. Concurrent writes",
    "b": "b. kill -9 during writes",
    "c": "c. PostgreSQL restart under load",
    "d": "d. Full disk under the SQLite data directory",
    "e": "e. Migrations backward and forward",
    "f": "f. Mixed load, memory",
}
# Whose exports are compared across migrations: each party's coordinator sees all its party may.
EXPORTERS = ("ma.coordinator", "nl.coordinator")


@dataclass
class Outcome:
    name: str
    verdict: str  # PASS, FAIL or "not run"
    details: str

    def line(self) -> str:
        separator = ":" if self.verdict == "not run" else " —"
        # One line, whatever the messages quoted (PostgreSQL's run over several).
        details = " ".join(self.details.split())
        return f"{self.name}: {self.verdict}{separator} {details}"


@dataclass
class Options:
    clients: int = 8
    seconds: float = 60  # (a)
    kill_rounds: int = 3  # (b)
    restart_seconds: float = 30  # (c)
    disk_megabytes: int = 64  # (d)
    disk_seconds: float = 10  # (d)
    minutes: float = 30  # (f)
    sample_seconds: float = 5  # (f)
    # The main instance: its token and, on SQLite, its file.
    token: str = ""
    sqlite_file: str = ""
    targets: Targets | None = field(default=None)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _integrity(path: str | Path) -> str:
    return stores.sqlite_integrity(path) if path else "n/a (PostgreSQL)"


def _audit(environment: dict[str, str]) -> tuple[bool, str]:
    try:
        return True, stores.audit_verify(environment)
    except RuntimeError as exc:
        return False, str(exc)


def _targets(port: int, options: Options) -> Targets:
    if options.targets is None:
        options.targets = find_targets(port, options.token)
    return options.targets


def concurrent_writes(options: Options) -> Outcome:
    """(a) `clients` writers for `seconds`: every answer a 2xx, none lost."""
    tally = Tally()
    with running_server() as server:
        port = server.port
        targets = _targets(port, options)
        until = for_seconds(options.seconds)
        ran = run_clients(port, targets, writers=options.clients, until=until, tally=tally)
        lost = missing(port, options.token, targets, tally.acknowledged)
        logged = _logged(server, tally)
    writes = sum(tally.statuses.values())
    ok = writes > 0 and len(tally.acknowledged) == writes and not lost
    details = (
        f"{writes} writes by {options.clients} clients in {ran:.0f} s "
        f"({len(tally.acknowledged) / ran:.1f} acknowledged/s); statuses {tally.describe()}; "
        f"5xx {tally.server_errors()}, 'database is locked' {tally.locked()}; latency p50 "
        f"{tally.percentile(0.5):.0f} ms, p95 {tally.percentile(0.95):.0f} ms, p99 "
        f"{tally.percentile(0.99):.0f} ms; acknowledged but missing: {len(lost)}"
    )
    return Outcome(NAMES["a"], verdict(ok), details + _sample(tally, ok) + logged)


def _sample(tally: Tally, ok: bool) -> str:
    if ok or not tally.samples:
        return ""
    status, body = next(iter(tally.samples.items()))
    return f"; first failure ({status}): {body[:200]}"


def _logged(server: Server, tally: Tally) -> str:
    """For a 500, what the server logged: each kind of exception, most frequent first."""
    if not tally.statuses.get(500):
        return ""
    kinds = Counter(line[:120] for line in server.errors())
    return "; server log: " + "; ".join(f"{n} × {line}" for line, n in kinds.most_common(4))


def killed_server(options: Options) -> Outcome:
    """(b) kill -9 of the server at a random moment of the writes, `kill_rounds` times."""
    tally = Tally()
    server = Server()
    server.start()
    targets = _targets(server.port, options)
    moments = []
    try:
        for _round in range(options.kill_rounds):
            stop = threading.Event()
            # A random moment once writes are acknowledged again (a restarted server's
            # first answers are slow).
            moment = random.uniform(0.0, 2.0)
            moments.append(moment)
            killer = threading.Thread(target=_kill, args=(server, tally, moment, stop))
            killer.start()
            run_clients(
                server.port, targets, writers=options.clients, until=stop.is_set, tally=tally
            )
            server.start()
        lost = missing(server.port, options.token, targets, tally.acknowledged)
        logged = _logged(server, tally)
    finally:
        server.stop()
    integrity = _integrity(options.sqlite_file)
    audit_ok, audit = _audit({})
    ok = (
        bool(tally.acknowledged)
        and not lost
        and tally.server_errors() == 0
        and integrity in ("ok", "n/a (PostgreSQL)")
        and audit_ok
    )
    details = (
        f"{options.kill_rounds} kill -9 of the server under {options.clients} writers, "
        + ", ".join(f"{m:.1f} s" for m in moments)
        + f" after a round's first acknowledged write; statuses {tally.describe()}; "
        f"{len(tally.acknowledged)} acknowledged, missing afterwards: {len(lost)}; "
        f"integrity_check: {integrity}; {audit}"
    )
    return Outcome(NAMES["b"], verdict(ok), details + _sample(tally, ok) + logged)


def _kill(server: Server, tally: Tally, moment: float, stop: threading.Event) -> None:
    acknowledged, deadline = len(tally.acknowledged), time.monotonic() + 60
    while len(tally.acknowledged) == acknowledged and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(moment)
    server.kill()
    stop.set()


def postgres_restart(options: Options) -> Outcome:
    """(c) a private PostgreSQL cluster restarted under load: clear 503s meanwhile, the
    server recovers by itself, nothing acknowledged lost."""
    name = NAMES["c"]
    try:
        with stores.private_postgres() as cluster:
            environment = {"ENTENTE_DATABASE_URL": cluster.url}
            token = stores.prepare(environment)
            tally = Tally()
            down = max(2.0, options.restart_seconds / 6)
            with running_server(environment=environment) as server:
                port = server.port
                targets = find_targets(port, token)

                def restart():
                    time.sleep(options.restart_seconds / 3)
                    cluster.pg_ctl("-m", "fast", "-w", "stop")
                    time.sleep(down)
                    cluster.pg_ctl("-w", "start")

                restarter = threading.Thread(target=restart)
                restarter.start()
                until = for_seconds(options.restart_seconds)
                # Clients that wait a little between tries, as a refused one would.
                run_clients(
                    port, targets, writers=options.clients, until=until, tally=tally, pause=0.05
                )
                restarter.join()
                after, _body = _one_write(port, targets)
                lost = missing(port, token, targets, tally.acknowledged)
                logged = _logged(server, tally)
            audit_ok, audit = _audit(environment)
    except stores.NotRun as exc:
        return Outcome(name, "not run", str(exc))
    refused = tally.statuses.get(503, 0)
    others = set(tally.statuses) - {201, 503}
    ok = refused > 0 and not others and after == 201 and not lost and audit_ok
    message = tally.samples.get("503", "")[:200]
    details = (
        f"database down {down:.0f} s within {options.restart_seconds:.0f} s of "
        f"{options.clients} writers; statuses {tally.describe()}; first 503: {message}; "
        f"a write afterwards: {after}; acknowledged {len(tally.acknowledged)}, missing "
        f"{len(lost)}; {audit}"
    )
    return Outcome(name, verdict(ok), details + _sample(tally, ok and not others) + logged)


def _one_write(port: int, targets: Targets) -> tuple[int | str, bytes]:
    from entente.demo.reliability.load import write_once

    tally = Tally()
    client = Client(port, token=targets.token)
    write_once(client, targets, tally, 0)
    client.close()
    (status,) = tally.statuses
    return status, tally.samples.get(str(status), "").encode()


def full_disk(options: Options) -> Outcome:
    """(d) SQLite on a small filesystem, filled: clear refusals, no corruption, writes
    again once there is room."""
    name = NAMES["d"]
    try:
        with stores.small_disk(options.disk_megabytes) as directory:
            environment = {"ENTENTE_DATA_DIR": str(directory), "ENTENTE_DATABASE_URL": ""}
            token = stores.prepare(environment)
            before, full, after = Tally(), Tally(), Tally()
            with running_server(environment=environment) as server:
                port = server.port
                targets = find_targets(port, token)
                run_clients(port, targets, writers=2, until=for_seconds(2), tally=before)
                filler = stores.fill(directory)
                until = for_seconds(options.disk_seconds)
                run_clients(port, targets, writers=options.clients, until=until, tally=full)
                filler.unlink()
                run_clients(port, targets, writers=2, until=for_seconds(3), tally=after)
                acknowledged = before.acknowledged + full.acknowledged + after.acknowledged
                lost = missing(port, token, targets, acknowledged)
                logged = _logged(server, full)
            integrity = stores.sqlite_integrity(directory / "entente.sqlite3")
            audit_ok, audit = _audit(environment)
    except stores.NotRun as exc:
        return Outcome(name, "not run", str(exc))
    refusals = {s: n for s, n in full.statuses.items() if s != 201}
    clear = bool(refusals) and set(refusals) <= {503, 507}
    recovered = bool(after.statuses) and set(after.statuses) == {201}
    ok = clear and recovered and not lost and integrity == "ok" and audit_ok
    message = next((full.samples[str(s)] for s in refusals if str(s) in full.samples), "")
    details = (
        f"{options.disk_megabytes} MB tmpfs filled; {options.disk_seconds:.0f} s of "
        f"{options.clients} writers while full: {full.describe()}; first refusal: "
        f"{message[:200]}; after freeing the space: {after.describe()}; acknowledged "
        f"{len(acknowledged)}, missing {len(lost)}; integrity_check: {integrity}; {audit}"
    )
    return Outcome(name, verdict(ok), details + logged)


def migrations(options: Options) -> Outcome:
    """(e) every migration that is not an app's first, backward and forward again on the
    populated instance: the full exports must not change. (An app's first migration
    creates its tables, whose data going back would drop.)"""
    before = _exports()
    loader = MigrationLoader(connection)
    steps = []
    for app, name in reversed(_plan(loader)):
        parents = [p for p in loader.graph.node_map[(app, name)].parents if p.key[0] == app]
        if parents:
            steps.append((app, name, parents[0].key[1]))
    changed, started = [], time.monotonic()
    for app, name, previous in steps:
        try:
            call_command("migrate", app, previous, verbosity=0)
        except Exception as exc:
            changed.append(f"{app}.{name} cannot go backward: {exc}")
        call_command("migrate", verbosity=0)
        now = _exports()
        differing = [key for key in before if now.get(key) != before[key]]
        if differing:
            changed.append(f"{app}.{name} changed {', '.join(differing[:3])}")
            before = now
    details = (
        f"{len(steps)} migrations backward and forward in {time.monotonic() - started:.0f} s "
        f"on {before['records']}, compared by {len(before) - 1} full exports "
        f"(dumpdata of every table, and each agreement's JSON export as "
        f"{' and '.join(EXPORTERS)}); "
        + ("; ".join(changed) if changed else "every export identical after each round trip")
    )
    return Outcome(NAMES["e"], verdict(not changed), details)


def _plan(loader: MigrationLoader) -> list[tuple[str, str]]:
    """Every migration of the project, in the order `migrate` applies them."""
    plan = loader.graph.forwards_plan
    ordered: list[tuple[str, str]] = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        ordered += [key for key in plan(leaf) if key not in ordered]
    return [key for key in ordered if key[0] in _own_apps()]


def _own_apps() -> set[str]:
    from django.apps import apps

    return {config.label for config in apps.get_app_configs() if config.name.startswith("entente")}


def _exports() -> dict[str, str]:
    """Digests of the full exports, and how many records they hold (under "records")."""
    dump = io.StringIO()
    call_command("dumpdata", format="json", indent=0, stdout=dump)
    text = dump.getvalue()
    digests = {"dumpdata": hashlib.sha256(text.encode()).hexdigest()}
    users = get_user_model().objects.filter(username__in=EXPORTERS)
    for user in users:
        for agreement in agreement_visible_to(user):
            document = as_json(agreement_document(user, agreement))
            digests[f"{agreement.public_id} as {user}"] = hashlib.sha256(document).hexdigest()
    records = text.count('"model": ')
    digests["records"] = f"{records:,} records"
    return digests


def mixed_load(options: Options) -> Outcome:
    """(f) readers and writers for `minutes`, the server's resident memory sampled."""
    tally = Tally()
    server = Server()
    server.start()
    samples: list[int] = []
    done = threading.Event()

    def sample():
        while not done.wait(options.sample_seconds):
            samples.append(_rss(server.process.pid))

    try:
        targets = _targets(server.port, options)
        sampler = threading.Thread(target=sample)
        sampler.start()
        writers = options.clients // 2
        until = for_seconds(options.minutes * 60)
        ran = run_clients(
            server.port,
            targets,
            writers=writers,
            readers=options.clients - writers,
            until=until,
            tally=tally,
        )
        done.set()
        sampler.join()
        logged = _logged(server, tally)
    finally:
        server.stop()
    if len(samples) < 4:
        return Outcome(NAMES["f"], "FAIL", f"only {len(samples)} RSS samples")
    quarter = len(samples) // 4
    # The first quarter is warm-up (imports, caches); a leak shows as later growth.
    second = sum(samples[quarter : 2 * quarter]) / quarter
    last = sum(samples[-quarter:]) / quarter
    growth = (last - second) / second
    flat = growth < 0.05
    requests = sum(tally.statuses.values())
    ok = flat and tally.server_errors() == 0 and tally.statuses.get(NO_ANSWER, 0) == 0
    mib = 1024 * 1024
    details = (
        f"{ran / 60:.1f} min, {writers} writers + {options.clients - writers} readers, "
        f"{requests} requests ({requests / ran:.1f}/s), statuses {tally.describe()}; RSS "
        f"sampled every {options.sample_seconds:g} s ({len(samples)} samples): first "
        f"{samples[0] / mib:.0f} MiB, last {samples[-1] / mib:.0f} MiB, max "
        f"{max(samples) / mib:.0f} MiB; mean of the last quarter vs the second: "
        f"{growth:+.1%} ({'flat' if flat else 'growing'})"
    )
    return Outcome(NAMES["f"], verdict(ok), details + _sample(tally, ok) + logged)


def _rss(pid: int) -> int:
    """The process's resident memory in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
