"""Searching from the header, in Chromium, as an officer of each side: each finds what
they may see and nothing else; on a 390-px phone the page keeps its width."""

import pytest

from entente.demo.loader import load_demo
from entente.liaison.models import LiaisonRequest
from entente.testing import PASSWORD
from entente.tests.browser import sign_in

INTERNAL = "Brief the director general before the steering committee"  # MA's own


def search(page, words: str) -> list[str]:
    """Search from the header's form, with the keyboard; the titles found. On a phone the
    form is in the header's menu, opened first."""
    menu = page.locator(".site-menu > summary")
    if menu.is_visible():
        menu.click()
    page.fill("#site-search-q", words)
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    return page.locator(".search-result-title").all_inner_texts()


@pytest.mark.browser
def test_each_side_finds_only_what_it_may_see(live_server, page, test_output):
    load_demo(password=PASSWORD)
    base = live_server.url
    shared = str(LiaisonRequest.objects.get(subject="Travel movements of a person of interest"))

    sign_in(page, base, "ma.officer")
    assert search(page, "director general") == [INTERNAL]
    page.screenshot(path=test_output / "search-ma-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert search(page, "travel movements") == [shared]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=test_output / "search-ma-390.png", full_page=True)

    other = page.context.browser.new_context(viewport={"width": 1440, "height": 900})
    nl = other.new_page()
    sign_in(nl, base, "nl.officer")
    assert search(nl, "director general") == []
    assert "Nothing you may see matches “director general”." in nl.locator("main").inner_text()
    assert INTERNAL not in nl.content()
    assert search(nl, "travel movements") == [shared]
    nl.screenshot(path=test_output / "search-nl-1440.png", full_page=True)
    other.close()
