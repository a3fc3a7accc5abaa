"""Instances of their own for the scenarios that break things: a private PostgreSQL
cluster to restart, a small filesystem to fill. Each is prepared and checked through
`entente` subprocesses with the instance's environment."""

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from entente.demo.bench.instance import OFFICER
from entente.demo.bench.server import environment_of, free_port

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


class NotRun(Exception):
    """The scenario cannot run here; its message says why."""


def entente(environment: dict[str, str], *args: str) -> str:
    """`entente ARGS` with `environment`; its output, or RuntimeError with its error."""
    command = [sys.executable, "-c", "from entente.cli import main; main()", *args]
    done = subprocess.run(  # noqa: S603 (our interpreter, our arguments)
        command, env=environment_of(environment), capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"entente {' '.join(args)}: {done.stderr.strip()[-500:]}")
    return done.stdout


def prepare(environment: dict[str, str]) -> str:
    """Migrate, load the demo and return a new API token of the demo's officer."""
    entente(environment, "migrate", "--verbosity", "0")
    entente(environment, "demo")
    output = entente(environment, "token", "create", "--user", OFFICER, "--name", "reliability")
    return output.strip().splitlines()[-1]


def audit_verify(environment: dict[str, str]) -> str:
    """`entente audit verify`'s one line (RuntimeError when the chain is broken)."""
    return entente(environment, "audit", "verify").strip()


def sqlite_integrity(path: str | Path) -> str:
    """PRAGMA integrity_check's answer: "ok", or the first problems found."""
    with closing(sqlite3.connect(path)) as database:
        rows = database.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(row[0] for row in rows[:5])


def _as_postgres(*command: str | Path, **kwargs: Any) -> subprocess.CompletedProcess:
    # initdb refuses to run as root.
    return subprocess.run(  # noqa: S603
        ["runuser", "-u", "postgres", "--", *map(str, command)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        **kwargs,
    )


class PrivateCluster:
    """A PostgreSQL 15 cluster of our own on a free port, never the shared one."""

    def __init__(self, directory: Path):
        self.data = directory / "data"
        self.socket = directory
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/entente_reliability"

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.socket}"
        log = self.socket / "log"
        _as_postgres(POSTGRES_BIN / "pg_ctl", "-D", self.data, "-l", log, "-o", options, *args)

    def create(self) -> None:
        _as_postgres(POSTGRES_BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust")
        self.pg_ctl("-w", "start")
        _as_postgres(
            POSTGRES_BIN / "createdb",
            "-h",
            self.socket,
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "entente_reliability",
        )


@contextmanager
def private_postgres():
    """A private cluster with an empty database, removed on leaving."""
    if not (POSTGRES_BIN / "initdb").exists():
        raise NotRun(f"no PostgreSQL 15 binaries in {POSTGRES_BIN}")
    directory = Path(tempfile.mkdtemp(prefix="entente-pg-"))
    shutil.chown(directory, "postgres", "postgres")
    cluster = PrivateCluster(directory)
    try:
        try:
            cluster.create()
        except (subprocess.CalledProcessError, LookupError) as exc:
            raise NotRun(f"cannot start a private PostgreSQL cluster: {exc}") from None
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def small_disk(megabytes: int):
    """A tmpfs of `megabytes` mounted on a new directory, unmounted on leaving."""
    directory = Path(tempfile.mkdtemp(prefix="entente-disk-"))
    size = f"size={megabytes}m"
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(directory)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        directory.rmdir()
        raise NotRun(f"cannot mount a small filesystem: {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        # Lazily: a file still open (a failing run's) must not leave the mount behind.
        subprocess.run(["umount", "--lazy", str(directory)], check=False)  # noqa: S603, S607
        directory.rmdir()


def fill(directory: Path) -> Path:
    """Write a file in `directory` until its filesystem has no room left."""
    filler = directory / "filler"
    block = b"\0" * (1 << 20)
    with filler.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(block)
        except OSError:
            pass
    # The last bytes of a partly written block.
    with filler.open("ab", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 512)
        except OSError:
            pass
    return filler
