"""A list's page links in Chromium, in English and in Arabic: Next and Previous go
through the list by cursors, Last and First reach its ends, and on the right-to-left
page the links run from right to left with their arrows pointing the way they lead.
Screenshots land in test-output/ (pagination-<language>.png, and -links.png: the
links alone)."""

import datetime as dt

import pytest

from entente.agreements.services.commitments import commitment_create
from entente.core.models import Handling
from entente.tests.browser import sign_in

ORDER = ["First page", "Previous page", "Next page", "Last page"]


def _link_boxes(page) -> dict[str, float]:
    """The left edge of each pagination link, by its rel or position."""
    return page.eval_on_selector_all(
        ".pagination a", "links => links.map(a => a.getBoundingClientRect().left)"
    )


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ar"])
def test_list_pages_by_cursor_both_ways(live_server, page, test_output, cast, language):
    for n in range(60):
        commitment_create(
            actor=cast.a_officer,
            agreement=cast.agreement,
            title={"en": f"Task {n:02}"},
            responsible_party=cast.a,
            due_date=dt.date(2030, 1, 1) + dt.timedelta(days=n // 2),  # two a day
            handling=Handling(),
        )
    base = live_server.url
    sign_in(page, base, "a_officer", language=language)

    page.goto(f"{base}/commitments/?status=open")
    page.click(".pagination a[rel=next]")
    assert "status=open&page=" in page.url
    titles = page.eval_on_selector_all("table.commitments tbody tr", "rows => rows.length")
    assert titles == 25
    assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    lefts = _link_boxes(page)
    assert len(lefts) == len(ORDER)
    # In reading order: left to right in English, right to left in Arabic.
    assert lefts == sorted(lefts, reverse=language == "ar")
    page.locator(".pagination").scroll_into_view_if_needed()
    page.screenshot(path=test_output / f"pagination-{language}.png", full_page=True)
    page.locator(".list-footer").screenshot(path=test_output / f"pagination-{language}-links.png")

    page.click(".pagination a[href$='page=last']")
    assert page.locator(".pagination a[rel=next]").count() == 0
    page.click(".pagination a[rel=prev]")
    page.click(".pagination a[rel=prev]")
    assert page.locator(".pagination a[rel=prev]").count() == 0  # the first page again
