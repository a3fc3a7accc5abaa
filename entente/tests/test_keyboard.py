"""The main flow with the keyboard alone, in Chromium: an officer signs in, opens a
request from the inbox and answers it, then records a decision of a held meeting,
moving only with Tab and acting with Enter. Each control reached shows a visible focus
indicator (WCAG 2.4.7)."""

import pytest
from playwright.sync_api import expect

from entente.demo.loader import load_demo

PASSWORD = "demo-pass-123"
MAX_TABS = 150


def tab_to(page, predicate: str, what: str) -> None:
    """Press Tab until the focused element satisfies `predicate` (a JavaScript
    expression over `el`), and check that it shows where the focus is."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"
        ):
            outline = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
            )
            assert outline[0] != "none" or outline[2] != "none", f"{what}: no visible focus"
            return
    raise AssertionError(f"{what} cannot be reached with Tab ({MAX_TABS} presses)")


def type_into(page, predicate: str, what: str, text: str) -> None:
    tab_to(page, predicate, what)
    page.keyboard.type(text)


@pytest.mark.browser
def test_answer_a_request_and_record_a_decision_by_keyboard(live_server, page):
    load_demo(password=PASSWORD)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    type_into(page, "el.id === 'id_username'", "the user name", "ma.officer")
    type_into(page, "el.id === 'id_password'", "the password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/requests/")
    tab_to(
        page,
        "el.tagName === 'A' && el.closest('tr')?.textContent.includes("
        "'Background on a seized firearms shipment')",
        "the request in the inbox",
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/requests/*/")
    type_into(
        page,
        "el.tagName === 'TEXTAREA' && el.closest('form')?.action.endsWith('/answer/#answer-heading')",
        "the answer's text",
        "The shipment left Antwerp; details through the secure channel.",
    )
    type_into(  # the request is past its deadline
        page,
        "el.tagName === 'TEXTAREA' && el.name.endsWith('delay_reason')",
        "the reason for the delay",
        "The regional service answered late.",
    )
    tab_to(
        page,
        "el.type === 'submit' && el.closest('form')?.action.includes('/answer/')",
        "Send answer",
    )
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "The shipment left Antwerp" in page.inner_text("main")
    assert page.locator("form[action*='/answer/']").count() == 0

    page.goto(f"{base}/meetings/")
    tab_to(
        page,
        "el.tagName === 'A' && el.href.includes('/meetings/')"
        " && el.textContent.includes('First joint meeting of the contact cells')",
        "the held meeting",
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/meetings/*/")
    type_into(
        page,
        "el.tagName === 'TEXTAREA' && el.closest('#decision-form')",
        "the decision's text",
        "Both cells exchange their duty rosters monthly.",
    )
    tab_to(page, "el.type === 'submit' && el.closest('#decision-form')", "Record the decision")
    page.keyboard.press("Enter")
    # The form is sent in the background and its section swapped in: wait for it.
    decisions = page.locator("section[aria-labelledby='decisions']")
    expect(decisions).to_contain_text("Both cells exchange their duty rosters monthly.")
