"""The API keeps its OpenAPI contract: schemathesis against the live server, per role.

For each role (coordinator, officer, reader, party admin, auditor; the officer is the
other party's, so both sides of the demo agreement are in the run), schemathesis reads
/api/v1/openapi.json from a live test server holding the demo data and sends every
operation up to 40 generated requests, valid and invalid (fuzzing phase), from a fixed
seed, with every check it has (`--checks all`): the answers must fit the documented
statuses, content types, headers and schemas, and none may be a server error. Where a
check assumes something our documented design deliberately does otherwise,
schemathesis.toml beside this file says so, operation by operation, with the reason.

`make test` runs the fuzzing phase; `make contract` runs the same test with the coverage
phase (every boundary value of every schema) as well, and 100 requests an operation.
ENTENTE_SCHEMATHESIS_PHASES sets the phases, ENTENTE_SCHEMATHESIS_EXAMPLES the requests
an operation (default 40, so that `make test` stays within CI's time),
ENTENTE_SCHEMATHESIS_WORKERS schemathesis's concurrent workers (default 2).
"""

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

from entente.accounts.services import token_create
from entente.demo.loader import load_demo

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20250131
ROLES = ["ma.coordinator", "nl.officer", "ma.reader", "ma.admin", "auditor"]


class _KeepAliveHandler(QuietWSGIRequestHandler):
    # The handler writes headers and body separately; with Nagle's algorithm on, a
    # kept-alive connection's body waits for the client's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True


class _KeepAliveServerThread(LiveServerThread):
    def _create_server(self, connections_override=None):
        return self.server_class(
            (self.host, self.port),
            _KeepAliveHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture
def api_server(transactional_db, monkeypatch, caplog):
    """A live server whose connections stay open, each with its own database connection.

    pytest-django's live_server opens a database connection per request, which costs more
    than most requests of this run (a PostgreSQL backend per request); here each client
    connection keeps one until it closes. Only the 4xx warnings are silenced: a server
    error is still logged.
    """
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", None)
    caplog.set_level(logging.ERROR, logger="django.request")
    thread = _KeepAliveServerThread("localhost", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


def _schemathesis(url: str, token: str, spare_token: int, report_dir: Path):
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--phases",
        os.environ.get("ENTENTE_SCHEMATHESIS_PHASES", "fuzzing"),
        "--max-examples",
        os.environ.get("ENTENTE_SCHEMATHESIS_EXAMPLES", "40"),
        "--seed",
        str(SEED),
        "--workers",
        os.environ.get("ENTENTE_SCHEMATHESIS_WORKERS", "2"),
        "--header",
        f"Authorization: Bearer {token}",
        "--generation-database",
        "none",
        "--report-dir",
        str(report_dir),
        "--no-color",
    ]
    environment = os.environ | {"ENTENTE_ST_SPARE_TOKEN": str(spare_token)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=1500, check=False, env=environment
    )


@pytest.mark.contract
@pytest.mark.parametrize("username", ROLES)
def test_api_keeps_its_contract_for(username, api_server, settings, django_user_model, tmp_path):
    settings.API_RATE_LIMIT = 0
    load_demo(password="demo-password-1234")
    user = django_user_model.objects.get(username=username)
    _token, raw = token_create(actor=user, name="schemathesis")
    spare, _raw = token_create(actor=user, name="to be revoked")

    started = time.monotonic()
    result = _schemathesis(api_server, raw, spare.pk, tmp_path)
    elapsed = time.monotonic() - started

    # The summary's "N generated, N passed, K skipped" line: how many cases were sent.
    cases = [line.strip() for line in result.stdout.splitlines() if " generated, " in line]
    print(f"schemathesis as {username}: {elapsed:.0f} s, {cases or result.stderr[-500:]}")  # noqa: T201
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]
