"""Writing (and reading) clients of the API, and what they saw: every answer by status,
each write's latency, and the public id of every write acknowledged with a 2xx."""

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPException

from entente.demo.bench.server import Client

# What a failed exchange is counted as, in place of a status.
NO_ANSWER = "no answer"
API = "/api/v1"


@dataclass(frozen=True)
class Targets:
    """Where the writes go: an agreement to add commitments to (responsible: its owning
    party) and a liaison request whose thread takes notes."""

    token: str
    agreement: str
    party: str
    request: str


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    # Acknowledged writes: (kind, public id).
    acknowledged: list[tuple[str, str]] = field(default_factory=list)
    # The first body of each failing status (or exception), to quote in the report.
    samples: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int | str, seconds: float, body: bytes, ack: tuple[str, str] | None):
        with self.lock:
            self.statuses[status] += 1
            if ack:
                self.acknowledged.append(ack)
                self.latencies.append(seconds)
            elif not (isinstance(status, int) and status < 400):
                self.samples.setdefault(str(status), body.decode(errors="replace")[:300])

    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if isinstance(s, int) and s >= 500)

    def locked(self) -> int:
        return sum("database is locked" in text for text in self.samples.values())

    def percentile(self, share: float) -> float:
        """In milliseconds, nearest rank; 0 with nothing measured."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000

    def describe(self) -> str:
        counts = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items(), key=str))
        return counts or "no requests"


def find_targets(port: int, token: str) -> Targets:
    """A request whose thread the token's user may write to (a first note tells), and
    its agreement."""
    client = Client(port, token=token)
    try:
        _status, body = client.request("GET", f"{API}/requests?limit=20")
        for liaison in json.loads(body)["items"]:
            path = f"{API}/requests/{liaison['id']}/messages"
            status, _body = client.request("POST", path, json={"body": "ready", "kind": "note"})
            if status == 201:
                _status, body = client.request("GET", f"{API}/agreements/{liaison['agreement']}")
                party = json.loads(body)["owning_party"]
                return Targets(token, liaison["agreement"], party, liaison["id"])
    finally:
        client.close()
    raise RuntimeError("No liaison request takes a note from this token's user.")


def write_once(client: Client, targets: Targets, tally: Tally, n: int) -> None:
    """One write, a commitment or a note by turns, counted in `tally`."""
    if n % 2:
        kind, path = "message", f"{API}/requests/{targets.request}/messages"
        payload: dict = {"body": f"Reliability note {n}", "kind": "note"}
    else:
        kind, path = "commitment", f"{API}/agreements/{targets.agreement}/commitments"
        payload = {"title": {"en": f"Reliability {n}"}, "responsible_party": targets.party}
    started = time.perf_counter()
    try:
        status, body = client.request("POST", path, json=payload)
    except (OSError, HTTPException) as exc:
        # The server is gone (killed, restarting): the next request opens a new connection.
        client.close()
        tally.count(NO_ANSWER, 0, repr(exc).encode(), None)
        return
    seconds = time.perf_counter() - started
    ack = (kind, json.loads(body)["id"]) if 200 <= status < 300 else None
    tally.count(status, seconds, body, ack)


def read_once(client: Client, targets: Targets, tally: Tally, n: int) -> None:
    """One read of a list or a record, by turns."""
    paths = [
        f"{API}/commitments?limit=25",
        f"{API}/requests?limit=25",
        f"{API}/agreements/{targets.agreement}",
        f"{API}/requests/{targets.request}/messages?limit=25",
    ]
    try:
        status, body = client.request("GET", paths[n % len(paths)])
    except (OSError, HTTPException) as exc:
        client.close()
        tally.count(NO_ANSWER, 0, repr(exc).encode(), None)
        return
    tally.count(status, 0, body if status >= 400 else b"", None)


def run_clients(
    port: int,
    targets: Targets,
    *,
    writers: int,
    readers: int = 0,
    until: Callable[[], bool],
    tally: Tally,
    pause: float = 0.0,
) -> float:
    """`writers` + `readers` clients on their own connections until `until()` is true;
    returns the seconds they ran. `pause` is slept between requests (a client that
    retries after a refusal does not hammer)."""

    def client_loop(work, seed: int) -> None:
        client = Client(port, token=targets.token)
        n = seed
        while not until():
            work(client, targets, tally, n)
            n += 1
            if pause:
                time.sleep(pause * random.random())
        client.close()

    jobs = [(write_once, i * 1_000_000) for i in range(writers)]
    jobs += [(read_once, i) for i in range(readers)]
    threads = [threading.Thread(target=client_loop, args=job) for job in jobs]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def for_seconds(seconds: float) -> Callable[[], bool]:
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() >= deadline


def missing(port: int, token: str, targets: Targets, acknowledged) -> list[tuple[str, str]]:
    """The acknowledged writes the server does not have (asked through the API)."""
    client = Client(port, token=token)
    thread = set()
    cursor = ""
    while True:
        path = f"{API}/requests/{targets.request}/messages?limit=100{cursor}"
        _status, body = client.request("GET", path)
        page = json.loads(body)
        thread |= {item["id"] for item in page["items"]}
        if not page.get("next_cursor"):
            break
        cursor = f"&cursor={page['next_cursor']}"
    lost = []
    for kind, public_id in acknowledged:
        if kind == "message":
            found = public_id in thread
        else:
            found = client.request("GET", f"{API}/commitments/{public_id}")[0] == 200
        if not found:
            lost.append((kind, public_id))
    client.close()
    return lost
