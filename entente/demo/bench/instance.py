"""The instance measured: its database made ready, its data generated, a user to be."""

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from entente.accounts.services import token_create
from entente.agreements.models import Commitment
from entente.demo.generator import Sizes, generate
from entente.demo.loader import load_demo
from entente.reports.services import calendar_feed_create

# Who is measured: an officer, whose sight is the rule's common case.
OFFICER = "ma.officer"


@dataclass
class Credentials:
    username: str
    password: str
    token: str
    feed_secret: str


def run_in(data_dir: Path | None) -> None:
    """Settings are read once, at start: unless ENTENTE_DATA_DIR already names `data_dir`,
    run this command again with it and exit with its status."""
    # Resolved both: a relative path (`make bench`'s) never equals the absolute one set.
    given = os.environ.get("ENTENTE_DATA_DIR")
    if data_dir is None or (given and Path(given).resolve() == data_dir.resolve()):
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", "from entente.cli import main; main()"]
    environment = os.environ | {"ENTENTE_DATA_DIR": str(data_dir.resolve())}
    rerun = subprocess.run([*command, *sys.argv[1:]], env=environment)  # noqa: S603
    sys.exit(rerun.returncode)


def ensure_database() -> None:
    """On PostgreSQL, create the database when it is missing (before Django connects)."""
    if connection.vendor != "postgresql":
        return
    import psycopg

    database = settings.DATABASES["default"]
    name = database["NAME"]
    params = {key.lower(): database[key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            admin.execute(f'CREATE DATABASE "{name}"')


def ensure_data(sizes: Sizes, *, on_record) -> bool:
    """Generate `sizes` unless the instance already holds as many; True if generated."""
    call_command("migrate", verbosity=0)
    if Commitment.objects.count() >= sizes.commitments:
        return False
    generate(sizes, on_record=on_record)
    return True


def credentials() -> Credentials:
    """The officer's sign-in: every demo user gets a fresh password (this is a bench
    instance), the officer a new API token and calendar feed."""
    password = secrets.token_urlsafe(16)
    load_demo(password=password)
    officer = get_user_model().objects.get(username=OFFICER)
    _token, raw = token_create(actor=officer, name="bench")
    _feed, secret = calendar_feed_create(actor=officer)
    return Credentials(OFFICER, password, raw, secret)
