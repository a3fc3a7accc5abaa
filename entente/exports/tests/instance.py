"""A second, empty instance for restores: its environment, and the `entente` command run
in a process of its own there, as an operator would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from entente.testing import postgres_url

CHECKOUT = Path(__file__).resolve().parents[3]


@pytest.fixture
def empty_instance(tmp_path):
    """The environment of a new instance: its own data directory, and on PostgreSQL
    (when the suite runs there) its own scratch database, dropped afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTENTE_")}
    env |= {"ENTENTE_DATA_DIR": str(tmp_path / "restored"), "ENTENTE_REQUIRE_MFA": "0"}
    if connection.vendor != "postgresql":
        yield env
        return
    scratch = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    env["ENTENTE_DATABASE_URL"] = postgres_url(scratch)
    yield env
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def entente(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "entente.cli", *args],
        cwd=CHECKOUT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
