"""`make run`: the port it serves on comes from PORT, and the demo prints that address."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import entente

REPO = Path(entente.__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _run_commands(**env: str) -> list[str]:
    """The `entente demo` and `entente serve` lines `make run` would run (`make -n`)."""
    environment = {k: v for k, v in os.environ.items() if k != "PORT"} | env
    shown = subprocess.run(
        ["make", "--no-print-directory", "-n", "-C", str(REPO), "run"],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.splitlines()
    return [
        line
        for line in shown
        if line.startswith((".venv/bin/entente demo", ".venv/bin/entente serve"))
    ]


def test_make_run_serves_on_port_8000_by_default():
    assert _run_commands() == [
        ".venv/bin/entente demo --url http://127.0.0.1:8000/",
        ".venv/bin/entente serve --bind 127.0.0.1:8000",
    ]


def test_make_run_serves_on_the_port_in_the_environment_and_prints_it():
    assert _run_commands(PORT="8123") == [
        ".venv/bin/entente demo --url http://127.0.0.1:8123/",
        ".venv/bin/entente serve --bind 127.0.0.1:8123",
    ]
