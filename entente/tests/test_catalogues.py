"""The shipped catalogues: they compile, they cover every string of the interface, none
is fuzzy, and the committed .mo files are what their .po files compile to.

The check extracts the strings from a copy of the source, as `make messages` does, and
merges them into copies of the catalogues: a string added to the code without its
translations shows up as untranslated there. Needs GNU gettext (msgfmt, xgettext).
"""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _statistics(po: Path, mo: Path) -> str:
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(mo), str(po)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip()


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    """A copy of the source whose catalogues have been brought up to date with it."""
    copy = tmp_path_factory.mktemp("source") / "entente"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns("tests", "__pycache__", "static", "*.mo"),
    )
    previous = Path.cwd()
    # makemessages writes to the first of LOCALE_PATHS: the copy's, never the shipped ones.
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        try:
            os.chdir(copy)
            call_command(
                "makemessages",
                locale=LANGUAGES,
                no_obsolete=True,
                add_location="file",
                ignore_patterns=["tests/*", "*/tests/*"],
                verbosity=0,
            )
        finally:
            os.chdir(previous)
    return copy / "locale"


def test_the_catalogues_are_the_interface_languages():
    assert sorted(path.name for path in LOCALE.iterdir() if path.is_dir()) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_string_and_none_is_fuzzy(language, merged, tmp_path):
    statistics = _statistics(merged / language / "LC_MESSAGES" / "django.po", tmp_path / "x.mo")
    assert "fuzzy" not in statistics and "untranslated" not in statistics, statistics


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_is_the_compiled_po(language, tmp_path):
    folder = LOCALE / language / "LC_MESSAGES"
    _statistics(folder / "django.po", tmp_path / "fresh.mo")
    with (tmp_path / "fresh.mo").open("rb") as fresh, (folder / "django.mo").open("rb") as shipped:
        fresh_catalogue = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
        shipped_catalogue = gettext.GNUTranslations(shipped)._catalog  # type: ignore[attr-defined]
    assert shipped_catalogue == fresh_catalogue, "run `make messages` (compilemessages)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header_names_its_language_and_plural_forms(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as shipped:
        info = gettext.GNUTranslations(shipped).info()
    assert info["language"] == language
    assert info["content-type"] == "text/plain; charset=UTF-8"
    assert "nplurals=" in info["plural-forms"]
