"""The API keeps its OpenAPI contract: schemathesis against the live server, per role.

For each kind of user of the demo data, schemathesis reads /api/v1/openapi.json from the
live test server and sends every operation at least 100 generated requests, valid and
invalid (fuzzing phase), plus its boundary cases (coverage phase), from a fixed seed,
with every check it has (`--checks all`): the answers must fit the documented statuses,
content types, headers and schemas, and none may be a server error. Where a check
assumes something our documented design deliberately does otherwise, schemathesis.toml
beside this file says so, operation by operation, with the reason.

ENTENTE_SCHEMATHESIS_PHASES (default "coverage,fuzzing") adds "stateful" for a longer
run; ENTENTE_SCHEMATHESIS_WORKERS (default 2) sets schemathesis's concurrent workers.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from entente.accounts.services import token_create
from entente.core.demo import load_demo

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20250131
EXAMPLES = 100
# Two officers and a coordinator who write, a reader and an auditor who only read, and
# the other party's officer, who sees only what is shared with it.
ROLES = ["ma.coordinator", "ma.officer", "ma.reader", "auditor", "nl.officer"]


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
        os.environ.get("ENTENTE_SCHEMATHESIS_PHASES", "coverage,fuzzing"),
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        os.environ.get("ENTENTE_SCHEMATHESIS_WORKERS", "2"),
        "--header",
        f"Authorization: Bearer {token}",
        # Python's HTTP server answers a kept-alive connection's next request only
        # after the client's delayed ACK (about 40 ms): a new connection is faster.
        "--header",
        "Connection: close",
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
def test_api_keeps_its_contract_for(username, live_server, settings, django_user_model, tmp_path):
    settings.API_RATE_LIMIT = 0
    load_demo(password="demo-password-1234")
    user = django_user_model.objects.get(username=username)
    _token, raw = token_create(actor=user, name="schemathesis")
    spare, _raw = token_create(actor=user, name="to be revoked")

    started = time.monotonic()
    result = _schemathesis(live_server.url, raw, spare.pk, tmp_path)
    elapsed = time.monotonic() - started

    summary = result.stdout.strip().splitlines()[-1:] or [result.stderr[-500:]]
    print(f"schemathesis as {username}: {elapsed:.0f} s, {summary[0]}")  # noqa: T201
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]
