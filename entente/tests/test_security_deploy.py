"""`entente check --deploy --fail-level WARNING` passes with the production settings the
README documents, read from the README itself, and fails without them."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import entente

REPO = Path(entente.__file__).resolve().parent.parent
ENV_FILE = "# /etc/entente/entente.env"


def documented_environment() -> dict[str, str]:
    """The variables of the README's /etc/entente/entente.env example."""
    readme = (REPO / "README.md").read_text()
    block = re.search(re.escape(ENV_FILE) + r"\n(.*?)```", readme, re.DOTALL)
    assert block, f"README.md has no {ENV_FILE} example"
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    return dict(line.split("=", 1) for line in lines)


def check_deploy(data_dir: Path, variables: dict[str, str]) -> subprocess.CompletedProcess:
    # The documented environment alone: nothing a test run has set leaks into the check.
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(variables, ENTENTE_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO))
    env["DJANGO_SETTINGS_MODULE"] = "entente.settings"
    return subprocess.run(
        [sys.executable, "-m", "entente.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_documented_production_environment_names_the_new_settings():
    assert {
        "ENTENTE_HTTPS": "1",
        "ENTENTE_TRUSTED_PROXIES": "127.0.0.1",
        "ENTENTE_CSRF_TRUSTED_ORIGINS": "https://entente.example.org",
        "ENTENTE_ALLOWED_HOSTS": "entente.example.org",
    }.items() <= documented_environment().items()


def test_deploy_check_passes_with_the_documented_environment(tmp_path):
    result = check_deploy(tmp_path, documented_environment())
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout == "System check identified no issues (1 silenced).\n"


def test_deploy_check_fails_without_https(tmp_path):
    variables = documented_environment()
    del variables["ENTENTE_HTTPS"]
    result = check_deploy(tmp_path, variables)
    assert result.returncode == 1
    assert sorted(re.findall(r"\(security\.(W\d+)\)", result.stderr)) == [
        "W004",  # HSTS
        "W008",  # SSL redirect
        "W012",  # secure session cookie
        "W016",  # secure CSRF cookie
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "ENTENTE_TRUSTED_PROXIES",
            "127.0.0.1,proxy.example.org",
            "ENTENTE_TRUSTED_PROXIES: 'proxy.example.org' is not an IP address or network",
        ),
        (
            "ENTENTE_TRUSTED_PROXIES",
            "",
            "ENTENTE_HTTPS needs ENTENTE_TRUSTED_PROXIES, the address of the proxy that "
            "terminates TLS",
        ),
        (
            "ENTENTE_SESSION_IDLE_MINUTES",
            "0",
            "ENTENTE_SESSION_IDLE_MINUTES must be a whole number above 0, not '0'",
        ),
    ],
)
def test_a_bad_setting_is_refused_in_one_line(tmp_path, name, value, message):
    result = check_deploy(tmp_path, documented_environment() | {name: value})
    assert (result.returncode, result.stderr) == (1, f"entente: error: configuration: {message}\n")
