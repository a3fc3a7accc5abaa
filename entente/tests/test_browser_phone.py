"""The list pages and a detail page on a 390-px phone and a 1440-px screen, in English and
Arabic, in Chromium: no sideways scrolling, a header that leaves the phone its screen, a
menu that opens. Screenshots land in test-output/ to be looked at."""

import pytest
from django.contrib.auth import get_user_model

from entente.agreements.models import Commitment
from entente.demo.loader import load_demo
from entente.testing import PASSWORD
from entente.tests.browser import signed_in_as

PAGES = {
    "commitments": "/commitments/",
    "meetings": "/meetings/",
    "requests": "/requests/",
    "trainings": "/trainings/",
    "portfolio": "/agreements/",
    "search": "/search/?q=police",
    "directory": "/directory/",
}


def _widths(page) -> dict:
    return page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollWidth,"
        " header: document.querySelector('.site-header').getBoundingClientRect().height})"
    )


@pytest.mark.browser
def test_lists_and_a_detail_fit_a_phone_in_english_and_arabic(live_server, page, test_output):
    load_demo(password=PASSWORD)
    base = live_server.url
    officer = get_user_model().objects.get(username="ma.officer")
    commitment = Commitment.objects.filter(due_date__isnull=False).order_by("title_en").first()
    pages = {**PAGES, "commitment": f"/commitments/{commitment.public_id}/"}
    problems = []
    for language in ("en", "ar"):
        signed_in_as(page, base, officer, language=language)
        for width in (390, 1440):
            page.set_viewport_size({"width": width, "height": 844})
            for name, path in pages.items():
                page.goto(base + path)
                assert page.locator("html").get_attribute("lang") == language
                shot = f"phone-{name}-{language}-{width}"
                page.screenshot(path=test_output / f"{shot}.png", full_page=True)
                page.screenshot(path=test_output / f"{shot}-top.png")
                measured = _widths(page)
                if measured["scroll"] > width:
                    problems.append((shot, "scrolls sideways", measured["scroll"]))
                if width == 390 and measured["header"] > 110:
                    problems.append((shot, "header too tall", measured["header"]))
                nav_shown = page.locator(".main-nav").is_visible()
                if nav_shown != (width == 1440):
                    problems.append((shot, "navigation shown" if nav_shown else "no navigation"))
    assert problems == []


@pytest.mark.browser
def test_the_phone_menu_opens_with_the_navigation_and_search(live_server, page, test_output):
    load_demo(password=PASSWORD)
    base = live_server.url
    signed_in_as(page, base, get_user_model().objects.get(username="ma.officer"), language="ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/meetings/")
    page.click(".site-menu > summary")
    page.screenshot(path=test_output / "phone-menu-ar-390.png")
    assert page.locator(".main-nav a[aria-current=page]").is_visible()
    assert page.locator("#site-search-q").is_visible()
    assert _widths(page)["scroll"] <= 390
    page.fill("#site-search-q", "cyber")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=cyber")
