"""The fixed cast: two parties to one agreement, a third party outside it.

party A (Morocco): a_coordinator, a_officer, a_reader
party B (Netherlands): b_coordinator, b_officer
party C (outsider, not a party to the agreement): c_officer
"""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.models.signals import post_migrate
from django.utils import translation

from entente.accounts.enums import Role
from entente.audit import triggers
from entente.testing import PartyFactory, UnitFactory, agreement_between, member


def pytest_collection_modifyitems(items):
    """The contract runs (minutes each) first: xdist, handing out one test at a time
    (`make test` passes --maxschedchunk 1), then fills in with the short tests, so the
    workers finish together."""
    items.sort(key=lambda item: item.get_closest_marker("contract") is None)


@pytest.fixture
def cast(db):
    a = PartyFactory(
        code="MA-DGSN", name_en="DGSN-DGST", country="MA", time_zone="Africa/Casablanca"
    )
    b = PartyFactory(
        code="NL-POL", name_en="Netherlands Police", country="NL", time_zone="Europe/Amsterdam"
    )
    c = PartyFactory(code="XX-OUT", name_en="Outsider", country="BE", time_zone="Europe/Brussels")
    a_cell = UnitFactory(party=a, name="Contact cell MA")
    b_cell = UnitFactory(party=b, name="Contact cell NL")
    c_cell = UnitFactory(party=c, name="Contact cell XX")
    return SimpleNamespace(
        a=a,
        b=b,
        c=c,
        a_cell=a_cell,
        b_cell=b_cell,
        c_cell=c_cell,
        a_coordinator=member("a_coordinator", a, Role.COORDINATOR, a_cell),
        a_officer=member("a_officer", a, Role.OFFICER, a_cell),
        a_reader=member("a_reader", a, Role.READER, a_cell),
        b_coordinator=member("b_coordinator", b, Role.COORDINATOR, b_cell),
        b_officer=member("b_officer", b, Role.OFFICER, b_cell),
        c_officer=member("c_officer", c, Role.OFFICER, c_cell),
        agreement=agreement_between(a, b),
    )


@pytest.fixture(autouse=True)
def _audit_triggers_allow_flush(request):
    """Live-server and transactional tests empty the database after each test; the
    append-only triggers would refuse that, so they are lifted for the flush, and put
    back when it ends (below), so that every later test sees them as migrations do."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    triggers.remove(connection)


def _reinstall_audit_triggers(using, **kwargs):
    # pytest-django's teardown flushes the database, and Django's flush ends by sending
    # post_migrate (also sent when the test database is migrated: installing is idempotent).
    triggers.install(connections[using])


post_migrate.connect(
    _reinstall_audit_triggers,
    sender=apps.get_app_config("audit"),
    dispatch_uid="entente.tests.reinstall_audit_triggers",
)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request leaves its reader's language
    active in the thread (as Django's LocaleMiddleware does), and the thread runs the
    next test too."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The database cache (production's) dates its entries by the wall clock, which tests
    # that stop only time.time() would see expire at once; the rate limit's tests with
    # that cache (entente/tests/test_security_ratelimit.py) stop every clock.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Its entries outlive the test (one store per process): counts such as the password
    # reset limit's would carry over to the next test in the same hour.
    cache.clear()


@pytest.fixture(autouse=True)
def _mfa_off(settings):
    """Tests sign in without a second factor; the MFA tests switch it back on."""
    settings.REQUIRE_MFA = False


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # the machine has no network: no noise
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; browser tests need it installed
    (.ci/run installs it), and are skipped, with the reason shown, where it is not."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (run .ci/run or apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django
    # takes for an async context; the database calls of the test itself are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context; console errors (CSP violations included) fail the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def test_output():
    """Where browser tests leave screenshots for people to look at."""
    folder = Path(__file__).resolve().parent.parent / "test-output"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def _lockout_off(settings):
    """Tests sign in without django-axes (Django's test client signs in with no request,
    which axes refuses); the lockout tests switch it back on."""
    settings.AXES_ENABLED = False
