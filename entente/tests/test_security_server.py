"""The real server, `entente serve`, in a subprocess on a migrated SQLite database of its
own: slow clients cannot stall it, and several servers share one API rate limit."""

import concurrent.futures
import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import entente

REPO = Path(entente.__file__).resolve().parent.parent
SLOW_CLIENTS = 50


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTENTE_")}
    # SQLite in a folder of its own, whatever database the suite itself runs on.
    env.update(ENTENTE_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO), **extra)
    env["DJANGO_SETTINGS_MODULE"] = "entente.settings"
    return env


def _entente(*args: str, env: dict[str, str], **kwargs):
    return [sys.executable, "-m", "entente.cli", *args], {"env": env, "cwd": REPO, **kwargs}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    command, options = _entente("migrate", "--noinput", env=_environment(folder))
    subprocess.run(command, check=True, capture_output=True, timeout=300, **options)
    return folder


class Server:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        command, options = _entente(
            "serve", "--bind", f"127.0.0.1:{self.port}", env=_environment(data_dir, **env)
        )
        self.output = ""
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **options
        )
        assert self.process.stdout is not None  # piped above
        self.stdout = self.process.stdout
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"entente serve did not start:\n{self.output}")
                time.sleep(0.1)
        self.output = ""

    def get(self, path: str, timeout: float = 60) -> tuple[int, float]:
        """Status and seconds taken of a complete GET on a fresh connection."""
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
            )
            status_line = sock.makefile("rb").readline()
        return int(status_line.split()[1]), time.monotonic() - started

    def stop(self) -> None:
        if self.stdout.closed:
            return
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM, as systemd stops it
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output = self.stdout.read().decode(errors="replace")
        self.stdout.close()


def _clear_rate_counters(data_dir: Path) -> None:
    with contextlib.closing(sqlite3.connect(data_dir / "entente.sqlite3")) as db, db:
        db.execute("DELETE FROM entente_cache")


def _clear_of_a_minutes_turn(margin: float) -> None:
    # Counters are per minute: a test that counts must not straddle two.
    if time.time() % 60 > 60 - margin:
        time.sleep(60.5 - time.time() % 60)


@pytest.fixture
def serve(data_dir):
    _clear_rate_counters(data_dir)
    servers: list[Server] = []

    def start(**env: str) -> Server:
        servers.append(Server(data_dir, **env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_slow_clients_do_not_delay_a_normal_request(serve):
    server = serve()
    assert server.get("/accounts/login/")[0] == 200  # the first request loads the URLs
    slow = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: localhost\r\n")
        slow.append(sock)
    stop = threading.Event()

    def trickle():
        # One more header line on each slow connection, over and over, never the end.
        while not stop.wait(0.2):
            for sock in slow:
                # Closed by the server? Then the assertions below tell.
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Trickle: 1\r\n")

    trickler = threading.Thread(target=trickle)
    trickler.start()
    try:
        time.sleep(0.5)
        answers = [server.get("/accounts/login/", timeout=10) for _ in range(3)]
    finally:
        stop.set()
        trickler.join()
        for sock in slow:
            sock.close()
    assert [status for status, _ in answers] == [200, 200, 200]
    assert max(seconds for _, seconds in answers) < 1.0, answers
    # The slow ones were never answered: they still hold their half requests.
    server.stop()
    assert "Traceback" not in server.output


def test_servers_share_one_api_rate_limit(serve):
    first = serve(ENTENTE_API_RATE_LIMIT="3")
    second = serve(ENTENTE_API_RATE_LIMIT="3")
    _clear_of_a_minutes_turn(10)
    # Anonymous requests count against the client's address: one budget for both.
    statuses = [
        first.get("/api/v1/me")[0],
        second.get("/api/v1/me")[0],
        first.get("/api/v1/me")[0],
        second.get("/api/v1/me")[0],
        first.get("/api/v1/me")[0],
    ]
    assert statuses == [401, 401, 401, 429, 429]


def test_concurrent_requests_to_two_servers_never_exceed_the_budget(serve):
    servers = [serve(ENTENTE_API_RATE_LIMIT="10"), serve(ENTENTE_API_RATE_LIMIT="10")]
    for server in servers:
        server.get("/accounts/login/")  # loaded, so that the requests below do overlap
    _clear_rate_counters(servers[0].data_dir)
    _clear_of_a_minutes_turn(20)
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda n: servers[n % 2].get("/api/v1/me")[0], range(40)))
    # Counted one at a time across both servers: none lost to a race, none over.
    assert sorted(answers) == [401] * 10 + [429] * 30
