"""A comment thread in Chromium at 1440 and 390 px: posted through its form, shown with
author, party, time and badges, no sideways scrolling on the phone. Screenshots land in
test-output/ to be looked at."""

import pytest

from entente.comments.services import comment_add
from entente.comments.tests.records import commitment
from entente.core.enums import Marking, Scope
from entente.tests.browser import signed_in_as

WIDTHS = (1440, 390)


@pytest.mark.browser
def test_a_thread_on_a_desktop_and_a_phone(live_server, page, test_output, cast):
    record = commitment(cast)
    comment_add(
        actor=cast.a_officer,
        record=record,
        text="The list of contact points went out on Monday.\nPlease confirm receipt.",
    )
    comment_add(actor=cast.b_coordinator, record=record, text="Received; we check it this week.")
    comment_add(
        actor=cast.b_officer,
        record=record,
        text="Two names on the list have left the unit.",
        scope=Scope.INTERNAL,
        marking=Marking.AMBER,
    )
    base = live_server.url
    signed_in_as(page, base, cast.b_officer)
    page.goto(base + record.get_absolute_url() + "#comments")
    page.fill("#id_comment-text", "We will send the two replacements by Friday.")
    page.click("#comments form.action-form button[type=submit]")
    page.wait_for_load_state()
    texts = page.locator("#comments .thread-entry .message-text").all_inner_texts()
    assert [" ".join(t.split()) for t in texts] == [
        "The list of contact points went out on Monday. Please confirm receipt.",
        "Received; we check it this week.",
        "Two names on the list have left the unit.",
        "We will send the two replacements by Friday.",
    ]
    too_wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + record.get_absolute_url())
        page.locator("#comments").screenshot(path=test_output / f"comments-thread-{width}.png")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            too_wide.append(f"{width}: {scroll}")
    assert too_wide == []
