"""Issue 11's two-party scenario, driven in Chromium with both parties signed in at once
(two browser contexts), through the web pages only once the demo is loaded: NL reports
progress with evidence on a commitment Morocco owns and MA accepts it; both parties put
items on the planned joint meeting's agenda and MA orders it; each records the attendance
of a contact from its own directory; a decision of the held meeting becomes one
commitment per party, each linking back to it; and an officer of each side searches and
finds the other's shared items, never its internal ones.

Each step's key page is screenshotted at 1440 and 390 px into test-output/
(two-parties-*.png), to be looked at; no page is wider than the 390-px phone."""

import pytest

from entente.agreements.models import Commitment
from entente.demo import data
from entente.demo.loader import load_demo
from entente.meetings.models import Meeting
from entente.testing import PASSWORD
from entente.tests.browser import sign_in
from entente.tests.test_browser_scenario import sign_out

REPORTED = "Send the list of Dutch liaison officers for the directory"  # MA's, NL carries out
NOTE = "List of the five Dutch liaison officers sent; see the attached file."
HELD = "First joint meeting of the contact cells"
PLANNED = "Second joint meeting of the contact cells"
MA_CONTACT, NL_CONTACT = "Officer A. (illustrative)", "Officer D. (illustrative)"
DECISION = "Each contact cell names a deputy for the secure channel."
MA_DEPUTY = "Name the Moroccan deputy for the secure channel"
NL_DEPUTY = "Name the Dutch deputy for the secure channel"
# Agenda items: each party's word is in its shared item and in its internal one.
MA_SHARED, MA_INTERNAL = "Falcon exercise: the joint schedule", "Falcon exercise: our red lines"
NL_SHARED, NL_INTERNAL = "Heron exchange of analysts", "Heron exchange: Dutch budget ceiling"


class Shots:
    """Screenshots of a page at both widths; the widths it took at 390 px."""

    def __init__(self, folder):
        self.folder = folder
        self.widths: dict[str, int] = {}

    def __call__(self, page, name: str) -> None:
        page.screenshot(path=self.folder / f"two-parties-{name}-1440.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=self.folder / f"two-parties-{name}-390.png", full_page=True)
        self.widths[name] = page.evaluate("document.documentElement.scrollWidth")
        page.set_viewport_size({"width": 1440, "height": 900})


def submit(page, selector: str) -> None:
    """Click a form's button and wait for the page the form leads to."""
    with page.expect_navigation():
        page.click(selector)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def agenda_titles(page) -> list[str]:
    return page.locator("#agenda + ol.mtg-agenda .mtg-item-title").all_inner_texts()


def search(page, words: str) -> list[str]:
    page.fill("#site-search-q", words)
    with page.expect_navigation():
        page.press("#site-search-q", "Enter")
    return page.locator(".search-result-title").all_inner_texts()


@pytest.fixture
def nl_page(browser):
    """The Netherlands' own browser context, beside `page` (Morocco's); console errors
    fail the test as they do on `page`."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    nl = context.new_page()
    errors: list[str] = []
    nl.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    nl.on("pageerror", lambda e: errors.append(str(e)))
    yield nl
    context.close()
    assert errors == []


def report_and_accept(base, ma, nl, shots, evidence) -> None:
    """1. NL reports progress with evidence; MA sees it and accepts; NL sees it accepted."""
    url = f"{base}{Commitment.objects.get(title_en=REPORTED).get_absolute_url()}"
    nl.goto(url)
    nl.fill("#report-progress", "100")
    nl.select_option("#report-proposed_status", value="done")
    nl.fill("#report-note", NOTE)
    nl.set_input_files("#report-files", str(evidence))
    submit(nl, "#reports form.card button[type=submit]")
    timeline = nl.locator("#reports .timeline").inner_text()
    assert NOTE in timeline and "liaison-officers.pdf" in timeline
    assert "100 % done; proposed status: Done" in timeline
    shots(nl, "1-report-nl")

    ma.goto(url)
    head = ma.locator("#reports .timeline .timeline-head").inner_text()
    assert "NL-POLITIE, nl.officer" in head and "Submitted" in head
    assert NOTE in ma.locator("#reports .timeline").inner_text()
    shots(ma, "1-report-ma")
    submit(ma, "#reports .timeline button:has-text('Accept')")
    assert "The report is accepted and applied to the commitment." in main_text(ma)

    nl.reload()
    assert "Accepted" in nl.locator("#reports .timeline .timeline-head").inner_text()
    assert "Answered by ma.coordinator" in nl.locator("#reports .timeline").inner_text()
    assert nl.locator(".record-tags .badge").first.inner_text() == "Done"
    assert "100 % done" in nl.locator(".record-tags").inner_text()
    shots(nl, "1-accepted-nl")


def propose(page, base, meeting, title: str, scope: str) -> None:
    page.goto(f"{base}/meetings/{meeting.public_id}/agenda/")
    form = "form[action$='/agenda/items/']"
    page.fill(f"{form} [name=title]", title)
    page.select_option(f"{form} [name=scope]", value=scope)
    submit(page, f"{form} button[type=submit]")
    assert "The item is on the agenda." in main_text(page)


def joint_agenda(base, ma, nl, shots) -> None:
    """2. Both parties propose a shared and an internal item; MA moves NL's up."""
    meeting = Meeting.objects.get(title_en=PLANNED)
    demo_items = [str(item) for item in meeting.agenda_items.order_by("position")]
    assert len(demo_items) == 4  # a point from each party, the two decisions carried over
    propose(ma, base, meeting, MA_SHARED, "shared")
    propose(ma, base, meeting, MA_INTERNAL, "internal")
    propose(nl, base, meeting, NL_SHARED, "shared")
    propose(nl, base, meeting, NL_INTERNAL, "internal")

    ma.goto(f"{base}/meetings/{meeting.public_id}/")
    assert agenda_titles(ma) == [*demo_items, MA_SHARED, MA_INTERNAL, NL_SHARED]
    submit(ma, f"button:has-text('Move up'):has-text('{NL_SHARED}')")
    submit(ma, f"button:has-text('Move up'):has-text('{NL_SHARED}')")
    ma.goto(f"{base}/meetings/{meeting.public_id}/")
    assert agenda_titles(ma) == [*demo_items, NL_SHARED, MA_SHARED, MA_INTERNAL]
    shots(ma, "2-agenda-ma")

    nl.goto(f"{base}/meetings/{meeting.public_id}/")
    assert agenda_titles(nl) == [*demo_items, NL_SHARED, MA_SHARED, NL_INTERNAL]
    owners = nl.locator(".mtg-agenda .mtg-item-owner").all_inner_texts()[-3:]
    assert owners == [f"Proposed by {code}" for code in (data.NL, data.MA, data.NL)]
    assert nl.locator(".mtg-agenda button:has-text('Move up')").count() == 0
    shots(nl, "2-agenda-nl")


def attendance(base, ma, nl, shots) -> None:
    """3. On the held meeting, each party records a contact of its own directory."""
    url = f"{base}{Meeting.objects.get(title_en=HELD).get_absolute_url()}"
    for page, contact in ((ma, MA_CONTACT), (nl, NL_CONTACT)):
        page.goto(url)
        option = page.locator(f"#attendance-form option:has-text('{contact}')")
        page.select_option("#attendance-form [name=contact]", option.get_attribute("value"))
        page.select_option("#attendance-form [name=status]", value="attended")
        submit(page, "#attendance-form button[type=submit]")
    # NL records only its own contacts on MA's meeting; MA, the meeting's owner, anyone's.
    offered = nl.locator("#attendance-form [name=contact] option").all_inner_texts()
    assert [o.split(" (")[0] for o in offered] == [
        "---------",
        "Analyst F.",
        "Inspector E.",
        "Officer D.",
    ]
    offered = ma.locator("#attendance-form [name=contact] option").all_inner_texts()
    assert [o.split(" (")[0] for o in offered] == [
        "---------",
        "Analyst C.",
        "Commissioner B.",
        "Inspector E.",
        "Officer A.",
        "Officer D.",
    ]
    for page, name in ((ma, "3-attendance-ma"), (nl, "3-attendance-nl")):
        page.goto(url)
        rows = page.locator("table.mtg-attendance tbody tr th").all_inner_texts()
        assert rows == [f"{MA_CONTACT} Duty officer", f"{NL_CONTACT} Duty officer"]
        units = page.locator("table.mtg-attendance tbody tr td:nth-of-type(1)").all_inner_texts()
        assert units == [  # each unit named once, with its party
            f"{data.CONTACT_CELLS[data.MA]} {data.MA}",
            f"{data.CONTACT_CELLS[data.NL]} {data.NL}",
        ]
        statuses = page.locator("table.mtg-attendance tbody .badge").all_inner_texts()
        assert statuses == ["Attended", "Attended"]
        shots(page, name)


def decision_to_commitments(base, ma, nl, shots) -> None:
    """4. MA records a decision on the held meeting and makes it one commitment a party."""
    meeting = Meeting.objects.get(title_en=HELD)
    ma.goto(f"{base}{meeting.get_absolute_url()}")
    ma.fill("#decision-form textarea[name=text]", DECISION)
    submit(ma, "#decision-form button[type=submit]")
    decision = meeting.decisions.get(text=DECISION)
    block = f"#decision-{decision.public_id}"
    ma.click(f"{block} details.mtg-disclosure summary")
    for row, (title, party) in enumerate(((MA_DEPUTY, data.MA), (NL_DEPUTY, data.NL))):
        prefix = f"d{decision.public_id}-{row}"
        ma.fill(f"input[name={prefix}-title]", title)
        ma.select_option(f"select[name={prefix}-responsible_party]", label=party)
    submit(ma, f"{block} form.mtg-rows button[type=submit]:not([name=add_row])")
    assert "2 commitments were created from decision 3." in main_text(ma)
    arising = ma.locator(f"{block} .mtg-commitments a").all_inner_texts()
    assert sorted(arising) == sorted([MA_DEPUTY, NL_DEPUTY])
    shots(ma, "4-decision-ma")

    back = f"From decision 3 of {HELD}"
    for page, title in ((ma, MA_DEPUTY), (ma, NL_DEPUTY), (nl, MA_DEPUTY), (nl, NL_DEPUTY)):
        page.goto(f"{base}{Commitment.objects.get(title_en=title).get_absolute_url()}")
        link = page.locator("#source-decisions a")
        assert link.inner_text() == back
        assert link.get_attribute("href") == decision.get_absolute_url()
    shots(nl, "4-commitment-nl")


def searches(base, ma, nl, shots) -> None:
    """5. Each officer finds the other's shared item, never its internal one; and both
    of its own party's."""
    sign_out(ma)
    sign_in(ma, base, "ma.officer")
    assert sorted(search(ma, "falcon")) == sorted([MA_SHARED, MA_INTERNAL])
    assert ma.locator(".search-result .badge:has-text('Internal to')").all_inner_texts() == [
        f"Internal to {data.MA}"
    ]
    assert sorted(search(nl, "heron")) == sorted([NL_SHARED, NL_INTERNAL])
    assert search(ma, "heron") == [NL_SHARED]
    shots(ma, "5-search-ma")
    assert search(nl, "falcon") == [MA_SHARED]
    shots(nl, "5-search-nl")


@pytest.mark.browser
def test_two_parties_side_by_side(live_server, page, nl_page, test_output, tmp_path):
    load_demo(password=PASSWORD)
    base, ma, nl = live_server.url, page, nl_page
    shots = Shots(test_output)
    evidence = tmp_path / "liaison-officers.pdf"
    evidence.write_bytes(b"%PDF-1.4 liaison officers\n")
    sign_in(ma, base, "ma.coordinator")
    sign_in(nl, base, "nl.officer")

    report_and_accept(base, ma, nl, shots, evidence)
    joint_agenda(base, ma, nl, shots)
    attendance(base, ma, nl, shots)
    decision_to_commitments(base, ma, nl, shots)
    searches(base, ma, nl, shots)
    assert {name: width for name, width in shots.widths.items() if width > 390} == {}
