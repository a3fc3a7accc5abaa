"""Reporting across the two parties, driven in Chromium: nl.officer reports progress with
evidence on a commitment Morocco owns and the Netherlands is responsible for; ma.officer
accepts it, and the commitment moves. Screenshots land in test-output/ to be looked at."""

import pytest
from django.contrib.auth import get_user_model

from entente.accounts.models import Party
from entente.agreements.models import Agreement, Commitment
from entente.agreements.services.commitments import commitment_create
from entente.core.models import Handling
from entente.demo import data
from entente.demo.loader import load_demo
from entente.testing import PASSWORD
from entente.tests.browser import sign_in
from entente.tests.test_browser_scenario import sign_out

TITLE = "Host a forensic imaging course for Moroccan officers"
NOTE = "First course held in Apeldoorn; twelve officers attended."


@pytest.mark.browser
def test_the_responsible_party_reports_and_the_owner_accepts(
    live_server, page, test_output, tmp_path
):
    load_demo(password=PASSWORD)
    base = live_server.url
    commitment = commitment_create(
        actor=get_user_model().objects.get(username="ma.officer"),
        agreement=Agreement.objects.get(title_en=data.TITLE_EN),
        title={"en": TITLE},
        responsible_party=Party.objects.get(code=data.NL),
        handling=Handling(scope="shared", marking="TLP:GREEN"),
    )
    url = f"{base}/commitments/{commitment.public_id}/"
    evidence = tmp_path / "attendance-list.pdf"
    evidence.write_bytes(b"%PDF-1.4 attendance\n")

    sign_in(page, base, "nl.officer")
    page.goto(url)
    page.fill("#report-progress", "100")
    page.select_option("#report-proposed_status", value="done")
    page.fill("#report-note", NOTE)
    page.set_input_files("#report-files", str(evidence))
    page.click("#reports form.card button[type=submit]")
    page.wait_for_selector(f"text={NOTE}")
    assert "attendance-list.pdf" in page.locator("#reports .timeline").inner_text()
    page.screenshot(path=test_output / "reports-nl-1440.png", full_page=True)
    sign_out(page)

    sign_in(page, base, "ma.officer")
    page.goto(url)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=test_output / "reports-ma-390.png", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.click("#reports .timeline button:has-text('Accept')")
    page.wait_for_selector("text=The report is accepted and applied to the commitment.")
    page.screenshot(path=test_output / "reports-ma-accepted-1440.png", full_page=True)
    commitment = Commitment.objects.get(pk=commitment.pk)
    assert (commitment.status, commitment.progress) == ("done", 100)
    assert "Accepted" in page.locator("#reports .timeline").inner_text()
