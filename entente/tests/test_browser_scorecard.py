"""The demo agreement's scorecard and implementation report in Chromium, in English and
in Arabic: no console error (so nothing breaks the strict CSP: the charts are inline
SVG without script or style attribute), every chart with its text alternative, and no
page wider than a 390-px phone. Screenshots land in test-output/ to be looked at."""

import pytest

from entente.agreements.models import Agreement
from entente.demo import data
from entente.demo.loader import load_demo
from entente.testing import PASSWORD
from entente.tests.browser import sign_in


@pytest.mark.browser
def test_scorecard_and_report_pages_in_english_and_arabic(live_server, page, test_output):
    load_demo(password=PASSWORD)
    agreement = Agreement.objects.get(title_en=data.TITLE_EN)
    base = live_server.url
    sign_in(page, base, "nl.officer")
    pages = {
        "scorecard": f"{base}/agreements/{agreement.public_id}/scorecard/",
        "report": f"{base}/agreements/{agreement.public_id}/report/?period=2026",
    }
    for language in ("en", "ar"):
        page.goto(f"{base}/agreements/{agreement.public_id}/")
        page.select_option("#language-select", value=language)
        with page.expect_navigation():
            page.click(".language-form button")
        for name, url in pages.items():
            page.goto(url)
            charts = page.locator("svg.bar[role=img]")
            assert charts.count() > 0
            labels = [charts.nth(i).get_attribute("aria-label") for i in range(charts.count())]
            assert all(labels), f"{name}: a chart without its label"
            page.screenshot(path=test_output / f"{name}-{language}-1440.png", full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=test_output / f"{name}-{language}-390.png", full_page=True)
            page.set_viewport_size({"width": 1440, "height": 900})
            assert width <= 390, f"{name} in {language} is {width} px wide on a phone"
