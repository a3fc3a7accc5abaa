"""Stored XSS: markup in every free-text field of the main records renders as text.

Payloads are written through the services into the titles, descriptions, places,
minutes, agenda items, decisions, evaluations, participant names, requests, messages,
clauses, signatories, event notes and contacts of an agreement between two parties;
then both parties' users open every page that shows them, edit forms included (where a
payload could break out of an attribute). On every page no payload ran (window.__xss
stays unset, no dialog opened), the DOM holds none of the payloads' elements, handlers
or javascript: links, and the payload is shown as text. A link field that would take a
javascript: URL refuses it. The page fixture also fails on any console error, CSP
violations included.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from entente.accounts.enums import Role
from entente.accounts.services import contact_create
from entente.agreements.services.agreements import (
    agreement_create,
    agreement_event_record,
    clause_create,
    signatory_add,
)
from entente.agreements.services.commitments import commitment_create
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.liaison.services import message_post, request_send
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.attendance import attendance_set, guest_add
from entente.meetings.services.decisions import decision_record
from entente.meetings.services.meetings import meeting_change_status, meeting_create, minutes_record
from entente.testing import member
from entente.tests.browser import sign_in
from entente.training.services import (
    participation_set,
    training_change_status,
    training_create,
    training_record_evaluation,
)

PAYLOAD = (
    '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> '
    '"><svg onload=window.__xss=1> \'><iframe src="javascript:window.__xss=1"></iframe> '
    '<a href="javascript:alert(1)">link</a> javascript:alert(1)'
)
SHARED = Handling(Scope.SHARED)

# What the page must not hold; a JSON-able summary so a failure shows it all at once.
INSPECT = """() => ({
  xss: window.__xss === undefined ? null : String(window.__xss),
  inline_scripts: [...document.scripts].filter(s => !s.src).length,
  handlers: [...document.querySelectorAll('*')].flatMap(
    e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + '@' + a.name)),
  javascript_urls: document.querySelectorAll(
    '[href^="javascript:" i], [src^="javascript:" i], [action^="javascript:" i]').length,
  injected: document.querySelectorAll('img[src="x"], svg[onload], iframe').length,
})"""
CLEAN: dict[str, object] = {
    "xss": None,
    "inline_scripts": 0,
    "handlers": [],
    "javascript_urls": 0,
    "injected": 0,
}


def tagged(name: str) -> str:
    """The payload, told apart by the field it is stored in."""
    return f"{name}: {PAYLOAD}"


def store_payloads(cast) -> dict[str, list[str]]:
    """Every free-text field gets the payload; returns the pages of each side to open."""
    ac, ao, bo = cast.a_coordinator, cast.a_officer, cast.b_officer
    agreement = agreement_create(
        actor=ac,
        instrument_type="mou",
        title={"en": tagged("agreement title")},
        parties=[cast.a, cast.b],
        summary=tagged("agreement summary"),
        place=tagged("agreement place")[:200],
        handling=SHARED,
    )
    signatory_add(actor=ac, agreement=agreement, party=cast.a, name=tagged("signatory")[:200])
    clause_create(
        actor=ac,
        agreement=agreement,
        number="1",
        heading={"en": tagged("clause heading")},
        text={"en": tagged("clause text")},
    )
    agreement_event_record(
        actor=ao, agreement=agreement, kind="signed", date=dt.date(2022, 5, 10),
        note=tagged("event note"),
    )  # fmt: skip
    commitment = commitment_create(
        actor=ao,
        agreement=agreement,
        title={"en": tagged("commitment title")},
        description={"en": tagged("commitment description")},
        responsible_party=cast.a,
        due_date=dt.date(2031, 6, 30),
        indicator=tagged("indicator"),
        evidence_links=tagged("evidence"),
        handling=SHARED,
    )
    contact = contact_create(
        actor=member("a_admin", cast.a, Role.PARTY_ADMIN, cast.a_cell),
        unit=cast.a_cell,
        name=tagged("contact")[:200],
        title=tagged("contact title")[:200],
    )
    start = timezone.now() - dt.timedelta(days=3)
    meeting = meeting_create(
        actor=ao,
        agreement=agreement,
        kind="expert_meeting",
        title={"en": tagged("meeting title")},
        starts_at=start.replace(tzinfo=None),
        ends_at=(start + dt.timedelta(hours=2)).replace(tzinfo=None),
        time_zone="Africa/Casablanca",
        host_party=cast.a,
        place=tagged("meeting place")[:200],
        handling=SHARED,
    )
    agenda_item_add(
        actor=ao, meeting=meeting, title=tagged("agenda item"), notes=tagged("agenda notes")
    )
    attendance_set(actor=ao, meeting=meeting, contact=contact, status="invited")
    guest_add(
        actor=ao,
        meeting=meeting,
        name=tagged("guest")[:200],
        organisation=tagged("guest organisation")[:200],
    )
    meeting = meeting_change_status(
        actor=ao, meeting=meeting, status="held", expected_version=meeting.version
    )
    meeting = minutes_record(
        actor=ao,
        meeting=meeting,
        minutes={"en": tagged("minutes")},
        expected_version=meeting.version,
    )
    decision_record(actor=ao, meeting=meeting, text=tagged("decision"))
    training = training_create(
        actor=ao,
        agreement=agreement,
        kind="course",
        title={"en": tagged("training title")},
        host_party=cast.a,
        sending_party=cast.b,
        starts_on=dt.date(2024, 7, 6),
        ends_on=dt.date(2024, 7, 9),
        place=tagged("training place")[:200],
        handling=SHARED,
    )
    participation_set(
        actor=ao, training=training, party=cast.a, count=2, names=tagged("participants")
    )
    for status in ("confirmed", "held"):
        training = training_change_status(
            actor=ao, training=training, status=status, expected_version=training.version
        )
    training_record_evaluation(
        actor=ao,
        training=training,
        evaluation=tagged("evaluation"),
        expected_version=training.version,
    )
    request = request_send(
        actor=bo,
        agreement=agreement,
        from_unit=cast.b_cell,
        to_unit=cast.a_cell,
        subject=tagged("request subject"),
        body=tagged("request body"),
        priority="normal",
    )
    message_post(actor=ao, request=request, body=tagged("message"))
    details = [
        agreement.get_absolute_url(),
        commitment.get_absolute_url(),
        meeting.get_absolute_url(),
        training.get_absolute_url(),
        request.get_absolute_url(),
    ]
    lists = ["/", "/agreements/", "/commitments/", "/meetings/", "/trainings/", "/requests/"]
    lists += ["/calendar/"]
    trails = [
        f"/audit/agreements.commitment/{commitment.public_id}/",
        f"/audit/meetings.meeting/{meeting.public_id}/",
        f"/audit/training.trainingactivity/{training.public_id}/",
    ]
    forms = [
        f"/commitments/{commitment.public_id}/edit/",
        f"/meetings/{meeting.public_id}/edit/",
        f"/trainings/{training.public_id}/edit/",
    ]
    return {"a_officer": lists + details + trails + forms, "b_officer": lists + details}


def test_a_link_field_refuses_a_javascript_url(cast):
    start = timezone.now().replace(tzinfo=None)
    with pytest.raises(ValidationError) as refused:
        meeting_create(
            actor=cast.a_officer,
            agreement=cast.agreement,
            kind="expert_meeting",
            title={"en": "Online meeting"},
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            time_zone="UTC",
            host_party=cast.a,
            online_url="javascript:alert(1)",
        )
    assert refused.value.message_dict == {"online_url": ["Enter a valid URL."]}


@pytest.mark.browser
def test_stored_payloads_render_inert_on_every_page(live_server, cast, page):
    pages = store_payloads(cast)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = live_server.url
    seen: dict[str, dict] = {}
    shown_as_text: set[str] = set()
    for username, paths in pages.items():
        sign_in(page, base, username)
        for path in paths:
            response = page.goto(f"{base}{path}")
            assert response.status == 200, (username, path)
            page.wait_for_load_state("networkidle")
            seen[f"{username} {path}"] = page.evaluate(INSPECT)
            text = page.locator("main").inner_text()
            shown_as_text |= {line.split(":")[0] for line in text.splitlines() if PAYLOAD in line}
        page.context.clear_cookies()
    assert seen == dict.fromkeys(seen, CLEAN)
    assert dialogs == []
    # The markup is there for people to read, as the text it is.
    assert {"commitment title", "meeting title", "request subject", "message", "decision"} <= {
        name.strip() for name in shown_as_text
    }
