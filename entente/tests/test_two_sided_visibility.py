"""Visibility inherits (issue 9, finding 2): a TLP:RED agreement hides its shared children.

The agreement of the cast is marked TLP:RED for a_coordinator alone after shared records
were written under it. Its commitment, meeting, training, request, decision and agenda
item must then be absent for everyone else, on every list, the dashboard, the calendar,
every page and every API answer; and nobody else may create records under it (404, and
nothing written). a_coordinator, the one recipient, is the control that sees them all.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db.models import Model
from django.utils import timezone

from entente.agreements.models import Commitment
from entente.agreements.selectors import agreement_visible_to, commitment_visible_to
from entente.agreements.services.agreements import record_set_marking
from entente.agreements.services.commitments import commitment_create
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.core.errors import NotFound
from entente.core.models import Handling
from entente.liaison.models import LiaisonMessage, LiaisonRequest
from entente.liaison.selectors import liaison_request_visible_to, message_visible_to
from entente.liaison.services import message_post, request_send
from entente.meetings.models import AgendaItem, Decision, Meeting
from entente.meetings.selectors import (
    agenda_item_visible_to,
    decision_visible_to,
    meeting_visible_to,
)
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.decisions import decision_record
from entente.meetings.services.meetings import meeting_create
from entente.tests.api_helpers import API, api_client
from entente.training.models import TrainingActivity
from entente.training.selectors import training_visible_to
from entente.training.services import training_create

OUTSIDERS = ["a_officer", "b_officer"]  # each a party to the agreement, neither a recipient


@pytest.fixture
def red(cast):
    """Shared records under the cast's agreement, which is then marked TLP:RED."""
    now = timezone.now()
    today = timezone.localdate()
    agreement = cast.agreement
    shared = Handling(Scope.SHARED, Marking.GREEN)
    commitment = commitment_create(
        actor=cast.a_officer,
        agreement=agreement,
        title={"en": "Red child commitment"},
        responsible_party=cast.a,
        due_date=today,
        handling=shared,
    )
    meeting = meeting_create(
        actor=cast.a_officer,
        agreement=agreement,
        kind="expert_meeting",
        title={"en": "Red child meeting"},
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
        time_zone="UTC",
        host_party=cast.a,
        handling=shared,
    )
    training = training_create(
        actor=cast.a_officer,
        agreement=agreement,
        kind="course",
        title={"en": "Red child training"},
        host_party=cast.a,
        sending_party=cast.b,
        starts_on=today,
        ends_on=today,
        handling=shared,
    )
    request = request_send(
        actor=cast.a_officer,
        agreement=agreement,
        from_unit=cast.a_cell,
        to_unit=cast.b_cell,
        subject="Red child request",
        body="Who owns this car?",
        priority="normal",
        handling=Handling(marking=Marking.GREEN),
    )
    message = message_post(actor=cast.b_officer, request=request, body="Red child message")
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Red child decision")
    item = agenda_item_add(actor=cast.a_officer, meeting=meeting, title="Red child item")
    record_set_marking(
        actor=cast.a_coordinator,
        record=agreement,
        marking=Marking.RED,
        expected_version=1,
        red_recipients=[cast.a_coordinator],
    )
    return SimpleNamespace(
        agreement=agreement,
        commitment=commitment,
        meeting=meeting,
        training=training,
        request=request,
        message=message,
        decision=decision,
        item=item,
    )


def seen(user) -> dict[str, list[str]]:
    return {
        "agreements": [str(a.public_id) for a in agreement_visible_to(user)],
        "commitments": [str(c.public_id) for c in commitment_visible_to(user)],
        "meetings": [str(m.public_id) for m in meeting_visible_to(user)],
        "trainings": [str(t.public_id) for t in training_visible_to(user)],
        "requests": [str(r.public_id) for r in liaison_request_visible_to(user)],
        "messages": [str(m.public_id) for m in message_visible_to(user)],
        "decisions": [str(d.public_id) for d in decision_visible_to(user)],
        "agenda items": [str(i.public_id) for i in agenda_item_visible_to(user)],
    }


def test_selectors_hide_the_children_of_a_red_agreement(cast, red):
    assert seen(cast.a_coordinator) == {
        "agreements": [str(red.agreement.public_id)],
        "commitments": [str(red.commitment.public_id)],
        "meetings": [str(red.meeting.public_id)],
        "trainings": [str(red.training.public_id)],
        "requests": [str(red.request.public_id)],
        "messages": [str(red.message.public_id)],
        "decisions": [str(red.decision.public_id)],
        "agenda items": [str(red.item.public_id)],
    }
    for name in [*OUTSIDERS, "a_reader", "b_coordinator", "c_officer"]:
        assert seen(getattr(cast, name)) == {key: [] for key in seen(cast.a_coordinator)}, name


def page_html(client, *paths) -> str:
    return "".join(client.get(path).content.decode() for path in paths)


def list_pages(red) -> list[str]:
    months = sorted(
        {
            timezone.localdate().strftime("%Y-%m"),
            timezone.localtime(red.request.due_at).strftime("%Y-%m"),
        }
    )
    return [
        "/",
        "/agreements/",
        "/commitments/",
        "/meetings/",
        "/trainings/",
        "/requests/",
        "/requests/?tab=inbox",
        "/requests/?tab=outbox",
        *(f"/calendar/?month={month}" for month in months),
        *(f"/calendar/?month={month}&view=agenda" for month in months),
    ]


TITLES = [
    "Letter of intent on police cooperation",
    "Red child commitment",
    "Red child meeting",
    "Red child training",
    "Red child request",
]


@pytest.mark.parametrize("name", OUTSIDERS)
def test_lists_dashboard_and_calendar_do_not_name_the_children(client, cast, red, name):
    client.force_login(cast.a_coordinator)
    html = page_html(client, *list_pages(red))
    assert [title for title in TITLES if title in html] == TITLES
    client.force_login(getattr(cast, name))
    html = page_html(client, *list_pages(red))
    assert [title for title in TITLES if title in html] == []


def detail_pages(red) -> list[str]:
    return [
        f"/agreements/{red.agreement.public_id}/",
        f"/commitments/{red.commitment.public_id}/",
        f"/meetings/{red.meeting.public_id}/",
        f"/meetings/{red.meeting.public_id}/agenda/",
        f"/trainings/{red.training.public_id}/",
        f"/requests/{red.request.public_id}/",
        f"/audit/agreements.commitment/{red.commitment.public_id}/",
        f"/audit/meetings.decision/{red.decision.public_id}/",
    ]


@pytest.mark.parametrize("name", OUTSIDERS)
def test_pages_of_the_children_are_not_found(client, cast, red, name):
    client.force_login(cast.a_coordinator)
    assert [client.get(path).status_code for path in detail_pages(red)] == [200] * 8
    client.force_login(getattr(cast, name))
    assert [client.get(path).status_code for path in detail_pages(red)] == [404] * 8


API_LISTS = ["/agreements", "/commitments", "/meetings", "/trainings", "/requests"]


def api_details(red) -> list[str]:
    return [
        f"{API}/agreements/{red.agreement.public_id}",
        f"{API}/commitments/{red.commitment.public_id}",
        f"{API}/meetings/{red.meeting.public_id}",
        f"{API}/trainings/{red.training.public_id}",
        f"{API}/requests/{red.request.public_id}",
        f"{API}/requests/{red.request.public_id}/messages",
        f"{API}/audit/agreements.commitment/{red.commitment.public_id}",
        f"{API}/audit/meetings.decision/{red.decision.public_id}",
    ]


def api_ids(client) -> dict[str, list[int]]:
    return {
        path: [row["id"] for row in client.get(API + path).json()["items"]] for path in API_LISTS
    }


@pytest.mark.parametrize("name", OUTSIDERS)
def test_api_lists_and_details_hide_the_children(cast, red, name):
    recipient = api_client(cast.a_coordinator)
    assert api_ids(recipient) == {
        "/agreements": [str(red.agreement.public_id)],
        "/commitments": [str(red.commitment.public_id)],
        "/meetings": [str(red.meeting.public_id)],
        "/trainings": [str(red.training.public_id)],
        "/requests": [str(red.request.public_id)],
    }
    assert [recipient.get(path).status_code for path in api_details(red)] == [200] * 8
    other = api_client(getattr(cast, name))
    assert api_ids(other) == dict.fromkeys(API_LISTS, [])
    assert [other.get(path).status_code for path in api_details(red)] == [404] * 8


def rows() -> tuple[int, ...]:
    models: list[type[Model]] = [
        Commitment,
        Meeting,
        TrainingActivity,
        LiaisonRequest,
        LiaisonMessage,
        Decision,
        AgendaItem,
    ]
    return tuple(m._default_manager.count() for m in models)


def creates(red) -> list[tuple[str, dict]]:
    """Every create under the agreement or one of its children, as web and API posts."""
    return [
        (f"/agreements/{red.agreement.public_id}/commitments/new/", {"title_en": "Sneaked in"}),
        (f"/agreements/{red.agreement.public_id}/meetings/new/", {"title_en": "Sneaked in"}),
        (f"/agreements/{red.agreement.public_id}/trainings/new/", {"title_en": "Sneaked in"}),
        (f"/agreements/{red.agreement.public_id}/requests/new/", {"subject": "Sneaked in"}),
        (f"/meetings/{red.meeting.public_id}/agenda/items/", {"title": "Sneaked in"}),
        (f"/meetings/{red.meeting.public_id}/decisions/", {"text": "Sneaked in"}),
        (f"/decisions/{red.decision.public_id}/status/", {"status": "implemented"}),
        (f"/requests/{red.request.public_id}/messages/", {"body": "Sneaked in"}),
        (
            f"{API}/agreements/{red.agreement.public_id}/commitments",
            {"title": {"en": "Sneaked in"}, "responsible_party": "MA-DGSN"},
        ),
        (f"{API}/meetings/{red.meeting.public_id}/agenda-items", {"title": "Sneaked in"}),
        (f"{API}/meetings/{red.meeting.public_id}/decisions", {"text": "Sneaked in"}),
        (f"{API}/decisions/{red.decision.public_id}/status", {"status": "implemented"}),
        (f"{API}/requests/{red.request.public_id}/messages", {"body": "Sneaked in"}),
    ]


@pytest.mark.parametrize("name", OUTSIDERS)
def test_creating_under_the_red_agreement_or_its_children_is_not_found(client, cast, red, name):
    user = getattr(cast, name)
    client.force_login(user)
    api = api_client(user)
    before = (rows(), AuditEvent.objects.count())
    statuses = [
        (
            api.post(path, body, content_type="application/json")
            if path.startswith(API)
            else client.post(path, body)
        ).status_code
        for path, body in creates(red)
    ]
    assert statuses == [404] * len(creates(red))
    assert (rows(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("name", OUTSIDERS)
def test_services_refuse_a_parent_the_actor_cannot_see(cast, red, name):
    user = getattr(cast, name)
    before = (rows(), AuditEvent.objects.count())
    calls = [
        lambda: commitment_create(
            actor=user,
            agreement=red.agreement,
            title={"en": "Sneaked in"},
            responsible_party=cast.a,
        ),
        lambda: agenda_item_add(actor=user, meeting=red.meeting, title="Sneaked in"),
        lambda: decision_record(actor=user, meeting=red.meeting, text="Sneaked in"),
        lambda: message_post(actor=user, request=red.request, body="Sneaked in"),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert (rows(), AuditEvent.objects.count()) == before
