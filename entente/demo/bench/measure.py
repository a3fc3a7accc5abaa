"""Timing pages through HTTP with concurrent clients, and each page's SQL floor."""

import statistics
import threading
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext, override_settings

from entente.demo.bench.instance import Credentials
from entente.demo.bench.pages import Page
from entente.demo.bench.server import HOST, Client


@dataclass
class Result:
    page: Page
    status: int
    p50_ms: float
    p95_ms: float
    per_second: float
    size: int
    queries: int
    floor_ms: float

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.floor_ms if self.floor_ms else 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_page(page: Page, clients: list[Client], each: int) -> tuple[int, list[float], float, int]:
    """(worst status, latencies in ms, requests per second, size in bytes) of `page`
    asked `each` times by every client at once."""
    latencies: list[float] = []
    statuses: list[int] = []
    sizes: list[int] = []
    lock = threading.Lock()

    def run(client: Client) -> None:
        for _ in range(each):
            started = time.perf_counter()
            status, body = client.request("GET", page.path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses.append(status)
                sizes.append(len(body))

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return max(statuses), latencies, len(latencies) / wall, max(sizes)


def page_queries(page: Page, credentials: Credentials) -> list[str]:
    """The SQL the page runs, captured once through Django's test client in this process
    (same code, same database)."""
    client = TestClient(HTTP_HOST=HOST)
    headers = {}
    if page.api:
        headers["Authorization"] = f"Bearer {credentials.token}"
    else:
        client.force_login(get_user_model().objects.get(username=credentials.username))
    unlimited = override_settings(REQUIRE_MFA=False, API_RATE_LIMIT=10**9)
    with unlimited, CaptureQueriesContext(connection) as captured:
        client.get(page.path, headers=headers)
    return [query["sql"] for query in captured.captured_queries]


def floor_ms(queries: list[str], repeat: int) -> float:
    """The median time of running `queries` one after the other on a raw connection of
    the same database, results fetched: what the page cannot be faster than. Reads
    only: a page's writes (a session touched, a notice read) are not repeated."""
    queries = [sql for sql in queries if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            for sql in queries:
                cursor = raw.cursor()
                cursor.execute(sql)
                cursor.fetchall()
                cursor.close()
            runs.append((time.perf_counter() - started) * 1000)
        return statistics.median(runs)
    finally:
        raw.close()


def measure(page: Page, clients: list[Client], each: int, credentials: Credentials) -> Result:
    # Once untimed, so that each page is measured warm, as the server keeps it.
    clients[0].request("GET", page.path)
    status, latencies, per_second, size = timed_page(page, clients, each)
    queries = page_queries(page, credentials)
    return Result(
        page=page,
        status=status,
        p50_ms=statistics.median(latencies),
        p95_ms=percentile(latencies, 0.95),
        per_second=per_second,
        size=size,
        queries=len(queries),
        floor_ms=floor_ms(queries, repeat=max(3, min(each, 10))),
    )
