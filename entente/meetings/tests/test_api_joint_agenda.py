"""The joint agenda through the API, with the cast: B proposes items on A's shared
meeting and keeps its own, A orders them, guests; the same refusals as the pages."""

import pytest

from entente.accounts.enums import Role
from entente.audit.models import AuditEvent
from entente.meetings.models import AgendaItem, Guest
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.tests.test_api import item_json, meeting_url, post
from entente.meetings.tests.test_services import future_meeting, new_meeting
from entente.testing import member
from entente.tests.api_helpers import API, api_client

pytestmark = pytest.mark.django_db

JSON = "application/json"


def agenda(client, meeting) -> list[tuple[int, str]]:
    items = client.get(meeting_url(meeting)).json()["agenda_items"]
    return [(item["position"], item["title"]) for item in items]


def item_path(item) -> str:
    return f"{API}/agenda-items/{item.public_id}"


def counts() -> tuple[int, int, int]:
    # Refusals are recorded too (as refusals, of no record): writes are of meetings' records.
    written = AuditEvent.objects.filter(target_type__startswith="meetings.")
    return AgendaItem.objects.count(), Guest.objects.count(), written.count()


@pytest.fixture
def joint(cast):
    meeting = future_meeting(cast)
    add = agenda_item_add
    add(actor=cast.a_officer, meeting=meeting, title="Opening")
    add(actor=cast.b_officer, meeting=meeting, title="NL briefing", scope="internal")
    add(actor=cast.a_officer, meeting=meeting, title="MA line to take", scope="internal")
    add(actor=cast.b_officer, meeting=meeting, title="Cybercrime desk")
    return meeting


def test_the_other_party_proposes_an_item_it_owns(cast):
    meeting = future_meeting(cast)
    url = f"{meeting_url(meeting)}/agenda-items"
    response = post(api_client(cast.b_officer), url, {"title": "NL point", "scope": "internal"})
    assert response.status_code == 201
    item = AgendaItem.objects.get()
    assert response.json() == item_json(item) | {
        "owning_party": "NL-POL",
        "scope": "internal",
        "marking": "TLP:GREEN",
        "position": 1,
        "title": "NL point",
        "notes": "",
        "carried_commitment": None,
        "carried_decision": None,
    }
    assert agenda(api_client(cast.a_officer), meeting) == []


def test_proposals_refused_with_the_reason(cast):
    meeting = future_meeting(cast)
    hidden = future_meeting(cast, scope="internal")
    b_reader = member("b_reader", cast.b, Role.READER, cast.b_cell)
    before = counts()
    for user, target, status, detail in [
        (b_reader, meeting, 403, "Your role does not allow changes."),
        (cast.c_officer, meeting, 404, "No such record."),
        (cast.b_officer, hidden, 404, "No such record."),
    ]:
        url = f"{meeting_url(target)}/agenda-items"
        response = post(api_client(user), url, {"title": "Forged"})
        assert (response.status_code, response.json()["detail"]) == (status, detail)
    response = post(
        api_client(cast.b_officer),
        f"{meeting_url(meeting)}/agenda-items",
        {"title": "Secret", "marking": "TLP:RED", "red_recipients": ["b_officer"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "marking",
            "message": "Only a coordinator of the owning party may mark a record TLP:RED.",
        }
    ]
    assert counts() == before


def test_internal_items_are_absent_for_the_other_party(cast, joint):
    assert agenda(api_client(cast.a_reader), joint) == [
        (1, "Opening"),
        (2, "MA line to take"),
        (3, "Cybercrime desk"),
    ]
    assert agenda(api_client(cast.b_officer), joint) == [
        (1, "Opening"),
        (2, "NL briefing"),
        (3, "Cybercrime desk"),
    ]
    briefing = AgendaItem.objects.get(title="NL briefing")
    response = api_client(cast.a_officer).patch(
        item_path(briefing), {"title": "X"}, content_type=JSON, HTTP_IF_MATCH="*"
    )
    assert (response.status_code, response.json()["detail"]) == (404, "No such record.")


def test_the_host_moves_items_and_the_other_party_cannot(cast, joint):
    cyber = AgendaItem.objects.get(title="Cybercrime desk")
    before = counts()
    response = post(api_client(cast.b_officer), f"{item_path(cyber)}/position", {"position": 1})
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "Only the party that owns this record may change it.",
    )
    response = post(api_client(cast.a_officer), f"{item_path(cyber)}/position", {"position": 9})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "position", "message": "Choose a position from 1 to 3."}
    ]
    assert counts() == before
    response = post(api_client(cast.a_officer), f"{item_path(cyber)}/position", {"position": 1})
    assert response.status_code == 200
    assert response.json()["position"] == 1
    assert agenda(api_client(cast.b_officer), joint) == [
        (1, "Cybercrime desk"),
        (2, "NL briefing"),
        (3, "Opening"),
    ]


def test_each_party_edits_and_removes_its_own_items_only(cast, joint):
    cyber = AgendaItem.objects.get(title="Cybercrime desk")
    opening = AgendaItem.objects.get(title="Opening")
    b = api_client(cast.b_officer)
    response = b.patch(item_path(cyber), {"notes": "Led by NL"}, content_type=JSON)
    assert response.status_code == 428
    tag = f'"agendaitem-{cyber.public_id}-v1"'
    response = b.patch(
        item_path(cyber), {"notes": "Led by NL"}, content_type=JSON, HTTP_IF_MATCH=tag
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["notes"], response.json()["version"]) == ("Led by NL", 2)
    before = counts()
    for client, item, method, status in [
        (b, opening, "patch", 403),
        (b, opening, "delete", 403),
        (api_client(cast.a_officer), cyber, "patch", 403),
        (api_client(cast.a_officer), cyber, "delete", 403),
        (api_client(cast.c_officer), cyber, "delete", 404),
    ]:
        response = getattr(client, method)(
            item_path(item), {"title": "X"}, content_type=JSON, HTTP_IF_MATCH="*"
        )
        assert response.status_code == status
    assert counts() == before
    assert b.delete(item_path(cyber)).status_code == 204
    assert agenda(b, joint) == [(1, "Opening"), (2, "NL briefing")]


def test_held_before_the_start_is_refused(cast):
    meeting = future_meeting(cast)
    response = post(
        api_client(cast.a_officer),
        f"{meeting_url(meeting)}/status",
        {"status": "held"},
        HTTP_IF_MATCH=f'"meeting-{meeting.public_id}-v1"',
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "status", "message": "A meeting cannot be held before it starts."}
    ]


def test_guests_are_added_by_the_host_and_listed(cast):
    meeting = new_meeting(cast)
    url = f"{meeting_url(meeting)}/guests"
    body = {"name": "Dr. Lina Haddad", "organisation": "Europol", "status": "attended"}
    before = counts()
    assert post(api_client(cast.b_officer), url, body).status_code == 403
    assert post(api_client(cast.c_officer), url, body).status_code == 404
    assert counts() == before
    response = post(api_client(cast.a_officer), url, body)
    assert response.status_code == 201
    guest = Guest.objects.get()
    expected = {
        "id": str(guest.public_id),
        "meeting": str(meeting.public_id),
        "name": "Dr. Lina Haddad",
        "organisation": "Europol",
        "status": "attended",
    }
    assert response.json() == expected
    assert api_client(cast.b_officer).get(meeting_url(meeting)).json()["guests"] == [expected]
    response = post(
        api_client(cast.a_officer), f"{API}/guests/{guest.public_id}/status", {"status": "excused"}
    )
    assert response.json()["status"] == "excused"
    assert api_client(cast.a_officer).delete(f"{API}/guests/{guest.public_id}").status_code == 204
    assert Guest.objects.count() == 0
