"""The acceptance scenario of the web application, driven in Chromium.

ma.officer answers a request from the Netherlands, leaves an internal note, and turns a
meeting decision into a shared commitment; nl.officer then sees the answer and the
commitment, but not the Moroccan note. Screenshots land in test-output/ to be looked at.
"""

import pytest

from entente.demo.loader import load_demo
from entente.liaison.models import LiaisonRequest
from entente.meetings.models import Meeting
from entente.testing import PASSWORD
from entente.tests.browser import sign_in

ANSWER = "Travel records for the last six months are attached to the secure channel."
NOTE = "Moroccan internal note: source is sensitive, do not forward."
COMMITMENT = "Exchange updated contact lists of both cells"


def sign_out(page):
    page.click("header form[action$='/accounts/logout/'] button")


@pytest.mark.browser
def test_answer_decision_and_what_the_other_side_sees(live_server, page, test_output):
    load_demo(password=PASSWORD)
    base = live_server.url
    request = LiaisonRequest.objects.get(subject="Travel movements of a person of interest")
    meeting = Meeting.objects.get(title_en="First joint meeting of the contact cells")

    sign_in(page, base, "ma.officer")
    page.screenshot(path=test_output / "scenario-dashboard-ma-1440.png", full_page=True)

    page.goto(f"{base}/requests/{request.public_id}/")
    page.fill("form[aria-labelledby=answer-heading] textarea[name$=body]", ANSWER)
    page.click("form[aria-labelledby=answer-heading] button[type=submit]")
    page.wait_for_selector(f"text={ANSWER}")
    page.check("form[aria-labelledby=post-heading] input[value=note]")
    page.fill("form[aria-labelledby=post-heading] textarea[name$=body]", NOTE)
    page.click("form[aria-labelledby=post-heading] button[type=submit]")
    page.wait_for_selector(f"text={NOTE}")

    page.goto(f"{base}/meetings/{meeting.public_id}/")
    page.fill("#decision-form textarea[name=text]", "Both cells exchange their contact lists.")
    page.click("#decision-form button[type=submit]")
    decision = meeting.decisions.get(text="Both cells exchange their contact lists.")
    prefix = f"d{decision.public_id}-0"
    page.click(f"#decision-{decision.public_id} details.mtg-disclosure summary")
    page.fill(f"input[name={prefix}-title]", COMMITMENT)
    page.select_option(f"select[name={prefix}-responsible_party]", label="NL-POLITIE")
    page.select_option(f"select[name={prefix}-scope]", value="shared")
    page.click(f"form:has(input[name={prefix}-title]) button[type=submit]:not([name=add_row])")
    page.wait_for_selector(f"text={COMMITMENT}")

    agreement_url = f"{base}/agreements/{meeting.agreement.public_id}/"
    page.goto(agreement_url)
    page.screenshot(path=test_output / "scenario-agreement-ma-1440.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=test_output / "scenario-agreement-ma-360.png", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_out(page)

    sign_in(page, base, "nl.officer")
    page.screenshot(path=test_output / "scenario-dashboard-nl-1440.png", full_page=True)
    page.goto(f"{base}/requests/{request.public_id}/")
    thread = page.locator("#thread").inner_text()
    assert ANSWER in thread
    assert NOTE not in page.content()
    page.goto(f"{base}/commitments/?q=contact+lists")
    assert COMMITMENT in page.locator("main").inner_text()
    page.goto(f"{base}/commitments/")
    listing = page.locator("main").inner_text()
    assert "Brief the director general before the steering committee" not in listing
