"""The demo in Arabic, French and Dutch, in Chromium: the dashboard, the agreement, a
request and the calendar at 1440 and 390 px. Each page is in the chosen language (its
`lang`, its direction, its translated headings) and fits a phone without sideways
scrolling. Screenshots land in test-output/ (languages-<page>-<language>-<width>.png)."""

import re

import pytest

from entente.demo.loader import load_demo
from entente.testing import PASSWORD
from entente.tests.browser import sign_in

UUID_PATH = r"/{}/[0-9a-f-]{{36}}/$"
# The page's first heading in each language: the catalogues at work, not the source.
HEADINGS = {
    "ar": {"dashboard": "لوحة القيادة", "calendar": "اليومية"},
    "fr": {"dashboard": "Tableau de bord", "calendar": "Calendrier"},
    "nl": {"dashboard": "Dashboard", "calendar": "Agenda"},
}


def first_link(page, base: str, list_path: str, kind: str) -> str:
    page.goto(base + list_path)
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    return next(href for href in hrefs if re.search(UUID_PATH.format(kind), href))


@pytest.mark.browser
@pytest.mark.parametrize("language", ["ar", "fr", "nl"])
def test_main_pages_in_each_language_fit_a_phone(live_server, page, test_output, language):
    load_demo(password=PASSWORD)
    base = live_server.url
    sign_in(page, base, "ma.officer", language=language)
    pages = {
        "dashboard": f"{base}/",
        "agreement": first_link(page, base, "/agreements/", "agreements"),
        "request": first_link(page, base, "/requests/", "requests"),
        "calendar": f"{base}/calendar/",
    }
    widths, headings = {}, {}
    for name, url in pages.items():
        for width, height in ((1440, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url)
            assert page.get_attribute("html", "lang") == language
            assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
            page.screenshot(
                path=test_output / f"languages-{name}-{language}-{width}.png", full_page=True
            )
            widths[(name, width)] = page.evaluate("document.documentElement.scrollWidth")
        headings[name] = page.inner_text("main h1").strip()
    assert {key: w for key, w in widths.items() if w > key[1]} == {}
    for name, heading in HEADINGS[language].items():
        assert headings[name].startswith(heading), (name, headings[name])
