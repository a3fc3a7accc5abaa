"""WCAG 2.1 AA in Chromium, checked by axe-core on every page a signed-in officer and a
coordinator can reach, in English and in Arabic.

The test signs in as each of them on the demo data and follows the links of every page
from the dashboard (same site, GET, no downloads or API), visiting each kind of page
(each URL name) once per language, then asserts that axe finds no violation of the
wcag2a, wcag2aa, wcag21a and wcag21aa rules on any of them. axe-core comes from the npm
registry at the version package-lock.json pins (`make test` installs it); the pages'
Content-Security-Policy would refuse the injected script, so the browser context
bypasses it (the pages' own scripts are unchanged).
"""

from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from entente.demo.loader import load_demo
from entente.testing import PASSWORD
from entente.tests.browser import sign_in

AXE = Path(settings.BASE_DIR).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Links that leave the pages: files, the API, the admin, signing out, the language switch.
NOT_PAGES = ("/api/", "/admin/", "/i18n/", "/accounts/logout/", "/static/", "/media/")
NOT_PAGE_NAMES = {"download", "logout", "set_language"}
# Routes that answer a file (calendars, PDFs, exports), by the end of their URL name.
FILE_ENDINGS = ("-ics", "-csv", "-calendar", "-pdf", "-export")


def _page_name(path: str) -> str | None:
    """The URL name of a page, the key that visits each kind of page once."""
    if path.startswith(NOT_PAGES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    return None if match.url_name in NOT_PAGE_NAMES or name.endswith(FILE_ENDINGS) else name


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)",
        WCAG_AA,
    )
    return found


def _crawl(page, base: str) -> dict[str, list[str]]:
    """Visit each kind of page reachable from the dashboard; the violations of each."""
    seen_names: set[str] = set()
    queue = deque(["/"])
    violations: dict[str, list[str]] = {}
    while queue:
        path = queue.popleft()
        name = _page_name(path)
        if name is None or name in seen_names:
            continue
        seen_names.add(name)
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if found := _violations(page):
            violations[path] = found
        for href in page.eval_on_selector_all(
            "a[href]", "links => links.filter(a => !a.hasAttribute('download')).map(a => a.href)"
        ):
            parts = urlsplit(href)
            if href.startswith(base) and parts.path not in seen_names:
                queue.append(parts.path)
    return violations | {"pages visited": [str(len(seen_names))]}


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("username", ["ma.officer", "nl.coordinator"])
def test_every_page_meets_wcag_21_aa(live_server, browser, username, language):
    assert AXE.exists(), f"{AXE} is missing: run `make test` (npm ci installs axe-core)"
    load_demo(password=PASSWORD)
    base = live_server.url
    context = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, base, username, language=language)
        found = _crawl(page, base)
    finally:
        context.close()
    visited = int(found.pop("pages visited")[0])
    assert visited >= 15, f"only {visited} kinds of page reached"
    assert found == {}
