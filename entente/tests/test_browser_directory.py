"""The directory in Chromium, as the demo's people see it: MA's administrator on their
party's directory and members, NL's officer on MA's directory (the shared contacts only),
at 1440 and 390 px, in English and Arabic. Screenshots land in test-output/; no page is
wider than a 390-px phone."""

import pytest
from django.conf import settings

from entente.demo.loader import load_demo
from entente.testing import PASSWORD
from entente.tests.browser import sign_in

MA = "MA-DGSN-DGST"


def look(page, url, name, test_output) -> dict[str, int]:
    """Screenshots of `url` at both widths; the page's width at 390 px."""
    page.goto(url)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=test_output / f"directory-{name}-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=test_output / f"directory-{name}-390.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1440, "height": 900})
    return {name: width}


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ar"])
def test_directory_pages_fit_a_phone(live_server, page, test_output, language):
    load_demo(password=PASSWORD)
    base = live_server.url
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    widths: dict[str, int] = {}
    sign_in(page, base, "ma.admin")
    widths |= look(page, f"{base}/directory/", f"list-{language}", test_output)
    widths |= look(page, f"{base}/directory/{MA}/", f"ma-admin-{language}", test_output)
    assert "Analyst C. (illustrative)" in page.content()
    widths |= look(
        page, f"{base}/directory/{MA}/contacts/new/", f"contact-new-{language}", test_output
    )
    widths |= look(page, f"{base}/directory/{MA}/members/", f"members-{language}", test_output)
    page.click("header form[action$='/accounts/logout/'] button")

    sign_in(page, base, "nl.officer")
    widths |= look(page, f"{base}/directory/{MA}/", f"ma-seen-by-nl-{language}", test_output)
    assert "Officer A. (illustrative)" in page.content()
    assert "Analyst C. (illustrative)" not in page.content()
    assert {name: width for name, width in widths.items() if width > 390} == {}
