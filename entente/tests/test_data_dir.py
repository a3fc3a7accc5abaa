"""Where `entente` keeps its data when ENTENTE_DATA_DIR is not set: in the source tree it
runs from, whatever the current directory; installed as a package, nowhere until told."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import entente

PACKAGE = Path(entente.__file__).resolve().parent


def _copy(tree: Path, *, checkout: bool) -> Path:
    """A copy of the package in `tree`, beside a pyproject.toml when `checkout` (as in a
    source tree) or alone (as in site-packages), so that its default data directory is
    a fresh one of the test's own."""
    shutil.copytree(
        PACKAGE, tree / "entente", ignore=shutil.ignore_patterns("__pycache__", "tests")
    )
    if checkout:
        shutil.copy(PACKAGE.parent / "pyproject.toml", tree)
    return tree


def _entente(*args: str, path: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTENTE_")}
    env.update(PYTHONPATH=str(path), DJANGO_SETTINGS_MODULE="entente.settings")
    return subprocess.run(
        [sys.executable, "-m", "entente.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _data_dir_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("DATA_DIR = ")]
    return line


def test_entente_uses_the_checkouts_data_dir_from_any_folder(tmp_path):
    checkout = _copy(tmp_path / "checkout", checkout=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    here = _entente("check", path=checkout, cwd=checkout)
    there = _entente("check", path=checkout, cwd=elsewhere)

    assert (here.returncode, here.stdout) == (
        0,
        "System check identified no issues (0 silenced).\n",
    )
    assert (there.returncode, there.stdout) == (here.returncode, here.stdout)
    assert sorted(p.name for p in (checkout / "var").iterdir()) == ["secret_key", "static"]
    assert list(elsewhere.iterdir()) == []
    # The same key and the same database from either folder.
    expected = f"DATA_DIR = PosixPath('{checkout / 'var'}')  ###"
    assert _data_dir_line(_entente("diffsettings", path=checkout, cwd=elsewhere)) == expected
    assert _data_dir_line(_entente("diffsettings", path=checkout, cwd=checkout)) == expected


@pytest.mark.parametrize("command", ["check", "migrate"])
def test_entente_installed_as_a_package_refuses_without_a_data_dir(tmp_path, command):
    installed = _copy(tmp_path / "site-packages", checkout=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = _entente(command, path=installed, cwd=elsewhere)

    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "entente: error: configuration: ENTENTE_DATA_DIR is not set; name the directory for "
        "the database, uploaded files and secret key (Entente is installed outside its source "
        "tree, so it has no var/ there)\n",
    )
    assert list(elsewhere.iterdir()) == []
    assert list(installed.iterdir()) == [installed / "entente"]
