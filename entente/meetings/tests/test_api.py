"""The meetings JSON API, through HTTP, with the fixed cast."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entente.agreements.models import Commitment
from entente.agreements.services.commitments import commitment_create
from entente.apikit.models import IdempotencyKey
from entente.audit.models import AuditEvent
from entente.meetings.models import AgendaItem, Attendance, Decision, Meeting
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.attendance import attendance_set
from entente.meetings.services.decisions import decision_record, decision_to_commitments
from entente.meetings.services.meetings import meeting_change_status, meeting_create, meeting_update
from entente.testing import ContactFactory, agreement_between, with_handling
from entente.tests.api_helpers import API, api_client, etag, iso, problem_body

JSON = "application/json"
NOT_FOUND = "No such record."
NOT_OWNER = "Only the party that owns this record may change it."
READ_ONLY = "Your role does not allow changes."


def new_meeting(cast, actor=None, **kwargs) -> Meeting:
    """A shared joint committee in Rabat, in the past, by default."""
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "kind": "joint_committee",
        "title": {"en": "First joint committee", "fr": "Premier comité mixte"},
        "starts_at": dt.datetime(2023, 3, 14, 10, 0),
        "ends_at": dt.datetime(2023, 3, 14, 16, 0),
        "time_zone": "Africa/Casablanca",
        "host_party": cast.a,
        "place": "Rabat",
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return meeting_create(**with_handling(defaults | kwargs))


def new_commitment(cast, title, actor=None, **kwargs) -> Commitment:
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": title},
        "responsible_party": cast.a,
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return commitment_create(**with_handling(defaults | kwargs))


def meeting_json(meeting: Meeting) -> dict:
    meeting.refresh_from_db()
    return {
        "id": str(meeting.public_id),
        "agreement": str(meeting.agreement.public_id),
        "kind": meeting.kind,
        "title": {lang: getattr(meeting, f"title_{lang}") or "" for lang in LANGS},
        "reference_language": meeting.reference_language,
        "starts_at": iso(meeting.starts_at),
        "ends_at": iso(meeting.ends_at),
        "time_zone": meeting.time_zone,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "host_party": meeting.host_party.code,
        "status": meeting.status,
        "minutes": {lang: getattr(meeting, f"minutes_{lang}") or "" for lang in LANGS},
        "owning_party": meeting.owning_party.code,
        "scope": meeting.scope,
        "marking": meeting.marking,
        "red_recipients": sorted(meeting.red_recipients.values_list("username", flat=True)),
        "version": meeting.version,
        "created_at": iso(meeting.created_at),
        "updated_at": iso(meeting.updated_at),
        "is_illustrative": meeting.is_illustrative,
    }


LANGS = ("ar", "fr", "en", "nl")


def item_json(item: AgendaItem) -> dict:
    """What the API says of any agenda item beyond its place and text: its owner,
    scope, marking and bookkeeping (tests add position, title, notes, carried ones)."""
    item.refresh_from_db()
    return {
        "id": str(item.public_id),
        "meeting": str(item.meeting.public_id),
        "owning_party": item.owning_party.code,
        "scope": item.scope,
        "marking": item.marking,
        "red_recipients": sorted(item.red_recipients.values_list("username", flat=True)),
        "version": item.version,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "is_illustrative": item.is_illustrative,
    }


def texts(**given) -> dict:
    return dict.fromkeys(LANGS, "") | given


def counts() -> tuple[int, ...]:
    return (
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        Attendance.objects.count(),
        Decision.objects.count(),
        Commitment.objects.count(),
        AuditEvent.objects.count(),
    )


def post(client, url, body, **headers):
    return client.post(url, body, content_type=JSON, **headers)


def patch(client, url, body, **headers):
    return client.patch(url, body, content_type=JSON, **headers)


def put(client, url, body, **headers):
    return client.put(url, body, content_type=JSON, **headers)


def meeting_url(meeting) -> str:
    return f"{API}/meetings/{meeting.public_id}"


NEW_MEETING = {
    "kind": "expert_meeting",
    "title": {"en": "Cybercrime experts", "fr": "Experts cybercriminalité"},
    "starts_at": "2024-06-03T09:30:00",
    "ends_at": "2024-06-03T12:00:00",
    "time_zone": "Europe/Amsterdam",
    "host_party": "NL-POL",
    "place": "The Hague",
    "scope": "shared",
    "marking": "TLP:GREEN",
}


# --- create -------------------------------------------------------------------------------


def test_meeting_create_by_officer_answers_the_new_meeting(cast):
    client = api_client(cast.a_officer)
    response = post(client, f"{API}/agreements/{cast.agreement.public_id}/meetings", NEW_MEETING)
    assert response.status_code == 201
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/api/v1/meetings/{meeting.public_id}"
    assert response.json() == {
        "id": str(meeting.public_id),
        "agreement": str(cast.agreement.public_id),
        "kind": "expert_meeting",
        "title": texts(en="Cybercrime experts", fr="Experts cybercriminalité"),
        "reference_language": "en",
        "starts_at": "2024-06-03T07:30:00Z",
        "ends_at": "2024-06-03T10:00:00Z",
        "time_zone": "Europe/Amsterdam",
        "place": "The Hague",
        "online_url": "",
        "host_party": "NL-POL",
        "status": "planned",
        "minutes": texts(),
        "owning_party": "MA-DGSN",
        "scope": "shared",
        "marking": "TLP:GREEN",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(meeting.created_at),
        "updated_at": iso(meeting.updated_at),
        "is_illustrative": False,
    }
    event = AuditEvent.objects.filter(target_type="meetings.meeting").get()
    assert (event.action, event.actor_name) == ("create", "a_officer")


def test_meeting_create_red_names_recipients(cast):
    client = api_client(cast.a_coordinator)
    body = NEW_MEETING | {"marking": "TLP:RED", "red_recipients": ["a_officer"]}
    response = post(client, f"{API}/agreements/{cast.agreement.public_id}/meetings", body)
    assert response.status_code == 201
    detail = client.get(response["Location"]).json()
    assert detail["red_recipients"] == ["a_coordinator", "a_officer"]
    assert api_client(cast.a_reader).get(response["Location"]).status_code == 404


def test_meeting_create_red_by_an_officer_is_422_and_leaves_nothing(cast):
    client = api_client(cast.a_officer)
    before = counts()
    body = NEW_MEETING | {"marking": "TLP:RED", "red_recipients": ["a_officer"]}
    response = post(client, f"{API}/agreements/{cast.agreement.public_id}/meetings", body)
    assert (response.status_code, response.json()["errors"]) == (
        422,
        [
            {
                "field": "marking",
                "message": "Only a coordinator of the owning party may mark a record TLP:RED.",
            }
        ],
    )
    assert counts() == before


@pytest.mark.parametrize(
    "field",
    ["owning_party", "version", "created_at", "updated_at", "id", "status", "is_illustrative"],
)
def test_meeting_create_refuses_fields_the_caller_may_not_set(cast, field):
    client = api_client(cast.a_officer)
    before = counts()
    body = NEW_MEETING | {field: 7}
    response = post(client, f"{API}/agreements/{cast.agreement.public_id}/meetings", body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"ends_at": "2024-06-03T09:00:00"},
            [{"field": "ends_at", "message": "The meeting must end after it starts."}],
        ),
        (
            {"host_party": "XX-NONE"},
            [{"field": "host_party", "message": "No such party: XX-NONE."}],
        ),
        (
            {"host_party": "XX-OUT"},
            [{"field": "host_party", "message": "The host party is not a party to the agreement."}],
        ),
        (
            {"place": "Rabat\x00"},
            [{"field": "place", "message": "Null characters are not allowed."}],
        ),
        (
            {"title": {"fr": "Experts"}},
            [{"field": "title_en", "message": "Give the text in the reference language."}],
        ),
        (
            {"marking": "TLP:RED", "red_recipients": ["nobody"]},
            [{"field": "red_recipients", "message": "No such user: nobody."}],
        ),
    ],
)
def test_meeting_create_invalid_input_is_422_and_leaves_nothing(cast, changes, errors):
    client = api_client(cast.a_officer)
    before = counts()
    url = f"{API}/agreements/{cast.agreement.public_id}/meetings"
    response = post(client, url, NEW_MEETING | changes)
    assert response.status_code == 422
    assert response.json() == problem_body(
        422, "Unprocessable Content", "The input is not valid.", url, errors=errors
    )
    assert counts() == before


def test_meeting_create_refused_to_reader_and_outsider(cast):
    url = f"{API}/agreements/{cast.agreement.public_id}/meetings"
    reader, outsider = api_client(cast.a_reader), api_client(cast.c_officer)
    before = counts()
    response = post(reader, url, NEW_MEETING)
    assert response.status_code == 403
    assert response.json() == problem_body(403, "Forbidden", READ_ONLY, url)
    response = post(outsider, url, NEW_MEETING)
    assert response.status_code == 404
    assert response.json() == problem_body(404, "Not Found", NOT_FOUND, url)
    assert counts() == before


def test_meeting_create_by_the_other_party_is_owned_by_it(cast):
    response = post(
        api_client(cast.b_officer),
        f"{API}/agreements/{cast.agreement.public_id}/meetings",
        NEW_MEETING,
    )
    assert response.status_code == 201
    assert response.json()["owning_party"] == "NL-POL"


def test_meeting_create_with_idempotency_key_makes_one_meeting(cast):
    client = api_client(cast.a_officer)
    url = f"{API}/agreements/{cast.agreement.public_id}/meetings"
    first = post(client, url, NEW_MEETING, HTTP_IDEMPOTENCY_KEY="m-1")
    again = post(client, url, NEW_MEETING, HTTP_IDEMPOTENCY_KEY="m-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() == meeting_json(Meeting.objects.get())
    assert again["Location"] == first["Location"]
    assert Meeting.objects.count() == IdempotencyKey.objects.count() == 1


# --- list and detail ----------------------------------------------------------------------


def test_meeting_list_shows_what_each_user_may_see(cast):
    internal = new_meeting(cast, scope="internal", title={"en": "Internal preparation"})
    shared = new_meeting(
        cast,
        title={"en": "Second joint committee"},
        starts_at=dt.datetime(2024, 3, 14, 10, 0),
        ends_at=dt.datetime(2024, 3, 14, 16, 0),
    )
    a_list = api_client(cast.a_reader).get(f"{API}/meetings").json()
    assert a_list == {"items": [meeting_json(shared), meeting_json(internal)], "next_cursor": None}
    b_list = api_client(cast.b_officer).get(f"{API}/meetings").json()
    assert b_list == {"items": [meeting_json(shared)], "next_cursor": None}
    c_list = api_client(cast.c_officer).get(f"{API}/meetings").json()
    assert c_list == {"items": [], "next_cursor": None}


def test_meeting_list_filters(cast):
    other = agreement_between(cast.a, cast.b, title_en="Second letter")
    first = new_meeting(cast)
    call = new_meeting(
        cast,
        kind="call",
        title={"en": "Follow-up call"},
        place="",
        starts_at=dt.datetime(2024, 1, 10, 10, 0),
        ends_at=dt.datetime(2024, 1, 10, 11, 0),
        host_party=cast.b,
        marking="TLP:AMBER",
    )
    under_other = new_meeting(cast, agreement=other, title={"en": "Visit to Tangier"})
    meeting_change_status(actor=cast.a_officer, meeting=first, status="held", expected_version=1)
    client = api_client(cast.a_officer)

    def ids(**query) -> list[int]:
        response = client.get(f"{API}/meetings", query)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["items"]]

    # Latest start first; equal starts in the order of their public ids, last first.
    same_start = sorted([under_other, first], key=lambda m: m.public_id, reverse=True)
    assert ids() == [str(m.public_id) for m in [call, *same_start]]
    assert ids(agreement=other.public_id) == [str(under_other.public_id)]
    assert ids(kind="call") == [str(call.public_id)]
    assert ids(status="held") == [str(first.public_id)]
    assert ids(host_party="NL-POL") == [str(call.public_id)]
    assert ids(marking="TLP:AMBER") == [str(call.public_id)]
    assert ids(starts_after="2024-01-01T00:00:00Z") == [str(call.public_id)]
    assert ids(starts_before="2024-01-01T00:00:00Z") == [str(m.public_id) for m in same_start]
    assert ids(q="tangier") == [str(under_other.public_id)]
    assert ids(q="rabat") == [str(m.public_id) for m in same_start]
    assert ids(q="comité rabat") == [str(first.public_id)]
    assert ids(q="rabat follow-up") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "dinner"}, "query.kind"),
        ({"starts_after": "2024-01-01T00:00:00"}, "query.starts_after"),
        ({"starts_after": "0001-01-01T00:00:00+05:00"}, "query.starts_after"),
        ({"q": "a\x00b"}, "query.q"),
        ({"agreement": str(2**70)}, "query.agreement"),
    ],
)
def test_meeting_list_refuses_bad_filters(cast, query, field):
    response = api_client(cast.a_officer).get(f"{API}/meetings", query)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_meeting_list_pages_with_a_cursor(cast):
    meetings = [
        new_meeting(
            cast,
            starts_at=dt.datetime(2023, 1, day, 10, 0),
            ends_at=dt.datetime(2023, 1, day, 11, 0),
        )
        for day in (1, 2, 3)
    ]
    client = api_client(cast.a_officer)
    first = client.get(f"{API}/meetings", {"limit": 2}).json()
    second = client.get(f"{API}/meetings", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [m["id"] for m in first["items"] + second["items"]] == [
        str(m.public_id) for m in meetings[::-1]
    ]
    assert second["next_cursor"] is None


def test_meeting_list_query_count_does_not_grow(cast):
    client = api_client(cast.a_officer)
    new_meeting(cast)
    client.get(f"{API}/meetings")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/meetings")
    for day in range(1, 8):
        new_meeting(
            cast,
            actor=cast.b_officer,
            host_party=cast.b,
            starts_at=dt.datetime(2023, 5, day, 10, 0),
            ends_at=dt.datetime(2023, 5, day, 11, 0),
        )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{API}/meetings").json()["items"]) == 8
    assert len(many) == len(few)


def build_meeting_with_everything(cast, *, held=True):
    """A held (or, not `held`, a past but still planned) shared meeting of A with an
    agenda, attendance and a decision that gave rise to one shared and one internal
    commitment of A."""
    meeting = new_meeting(cast)
    open_commitment = new_commitment(cast, "Exchange contact lists")
    item = agenda_item_add(
        actor=cast.a_officer, meeting=meeting, title="Contact lists", notes="Both cells"
    )
    carried = agenda_item_add(
        actor=cast.a_officer,
        meeting=meeting,
        title="Exchange contact lists",
        carried_commitment=open_commitment,
    )
    # The agenda is set while the meeting is planned; then it is held.
    if held:
        meeting = meeting_change_status(
            actor=cast.a_officer, meeting=meeting, status="held", expected_version=1
        )
    b_contact = ContactFactory(unit=cast.b_cell, name="Jan de Vries")
    a_internal = ContactFactory(unit=cast.a_cell, name="Amina Alaoui", scope="internal")
    attendance_set(actor=cast.a_officer, meeting=meeting, contact=b_contact, status="attended")
    attendance_set(actor=cast.a_officer, meeting=meeting, contact=a_internal, status="excused")
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Exchange lists by May.")
    shared_c, internal_c = decision_to_commitments(
        actor=cast.a_officer,
        decision=decision,
        commitments=[
            {"title": {"en": "Send the list"}, "responsible_party": cast.b, "scope": "shared"},
            {"title": {"en": "Check the list"}, "responsible_party": cast.a},
        ],
    )
    return (
        meeting,
        item,
        carried,
        open_commitment,
        b_contact,
        a_internal,
        decision,
        (
            shared_c,
            internal_c,
        ),
    )


def test_meeting_detail_with_agenda_attendance_and_decisions(cast):
    meeting, item, carried, open_c, b_contact, a_internal, decision, (shared_c, internal_c) = (
        build_meeting_with_everything(cast)
    )
    response = api_client(cast.a_reader).get(meeting_url(meeting))
    assert response.status_code == 200
    assert response["ETag"] == f'"meeting-{meeting.public_id}-v2"'
    agenda = [
        item_json(item)
        | {
            "position": 1,
            "title": "Contact lists",
            "notes": "Both cells",
            "carried_commitment": None,
            "carried_decision": None,
        },
        item_json(carried)
        | {
            "position": 2,
            "title": "Exchange contact lists",
            "notes": "",
            "carried_commitment": str(open_c.public_id),
            "carried_decision": None,
        },
    ]
    assert response.json() == meeting_json(meeting) | {
        "agenda_items": agenda,
        "guests": [],
        "attendance": [
            {
                "contact": str(a_internal.public_id),
                "name": "Amina Alaoui",
                "party": "MA-DGSN",
                "status": "excused",
            },
            {
                "contact": str(b_contact.public_id),
                "name": "Jan de Vries",
                "party": "NL-POL",
                "status": "attended",
            },
        ],
        "decisions": [
            {
                "id": str(decision.public_id),
                "meeting": str(meeting.public_id),
                "number": 1,
                "text": "Exchange lists by May.",
                "status": "open",
                "commitments": [str(shared_c.public_id), str(internal_c.public_id)],
            }
        ],
    }

    # B sees the shared meeting, but not A's internal contact nor A's internal commitment.
    b_view = api_client(cast.b_officer).get(meeting_url(meeting)).json()
    assert b_view["attendance"] == [
        {
            "contact": str(b_contact.public_id),
            "name": "Jan de Vries",
            "party": "NL-POL",
            "status": "attended",
        }
    ]
    assert b_view["decisions"][0]["commitments"] == [str(shared_c.public_id)]
    assert b_view["agenda_items"] == agenda


def test_meeting_detail_is_404_to_who_may_not_see_it(cast):
    internal = new_meeting(cast, scope="internal")
    shared = new_meeting(cast)
    for user, meeting in [(cast.b_officer, internal), (cast.c_officer, shared)]:
        response = api_client(user).get(meeting_url(meeting))
        assert response.status_code == 404
        assert response.json() == problem_body(404, "Not Found", NOT_FOUND, meeting_url(meeting))
    assert api_client(cast.a_officer).get(f"{API}/meetings/{2**70}").status_code == 422


def test_meeting_detail_query_count_does_not_grow_with_children(cast):
    # Planned, so that its agenda can still grow.
    meeting = build_meeting_with_everything(cast, held=False)[0]
    client = api_client(cast.a_officer)
    client.get(meeting_url(meeting))
    with CaptureQueriesContext(connection) as few:
        client.get(meeting_url(meeting))
    for i in range(5):
        agenda_item_add(actor=cast.a_officer, meeting=meeting, title=f"Point {i}")
        contact = ContactFactory(unit=cast.b_cell)
        attendance_set(actor=cast.a_officer, meeting=meeting, contact=contact, status="invited")
        decision = decision_record(actor=cast.a_officer, meeting=meeting, text=f"D{i}")
        decision_to_commitments(
            actor=cast.a_officer,
            decision=decision,
            commitments=[{"title": {"en": f"C{i}"}, "responsible_party": cast.a}],
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(meeting_url(meeting)).json()
    assert (len(body["agenda_items"]), len(body["decisions"])) == (7, 6)
    assert len(many) == len(few)


# --- change, status, minutes --------------------------------------------------------------


def test_meeting_patch_with_if_match_changes_and_answers_the_new_etag(cast):
    meeting = new_meeting(cast)
    client = api_client(cast.a_officer)
    tag = etag(client.get(meeting_url(meeting)))
    response = patch(
        client,
        meeting_url(meeting),
        {"title": {"nl": "Eerste gemengde commissie"}, "place": "Fes", "host_party": "NL-POL"},
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 200
    assert response["ETag"] == f'"meeting-{meeting.public_id}-v2"'
    assert response.json() == meeting_json(meeting)
    assert response.json()["title"] == texts(
        en="First joint committee", fr="Premier comité mixte", nl="Eerste gemengde commissie"
    )
    assert (meeting.place, meeting.host_party, meeting.version) == ("Fes", cast.b, 2)
    assert AuditEvent.objects.filter(target_type="meetings.meeting").last().action == "update"


def test_meeting_patch_without_if_match_is_428_and_stale_is_412(cast):
    meeting = new_meeting(cast)
    client = api_client(cast.a_officer)
    url = meeting_url(meeting)
    before = counts()
    response = patch(client, url, {"place": "Fes"})
    assert response.status_code == 428
    assert response.json() == problem_body(
        428,
        "Precondition Required",
        "Send If-Match with the ETag of the version you read, to change this record.",
        url,
    )
    stale = f'"meeting-{meeting.public_id}-v1"'
    meeting_update(actor=cast.a_coordinator, meeting=meeting, expected_version=1, place="Oujda")
    before = counts()
    response = patch(client, url, {"place": "Fes"}, HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response["ETag"] == f'"meeting-{meeting.public_id}-v2"'
    assert response.json() == problem_body(
        412,
        "Precondition Failed",
        f'The record has changed since you read it; it is now at "meeting-{meeting.public_id}-v2".',
        url,
    )
    assert counts() == before
    meeting.refresh_from_db()
    assert meeting.place == "Oujda"


@pytest.mark.parametrize("field", ["owning_party", "version", "status", "scope", "created_at"])
def test_meeting_patch_refuses_protected_fields(cast, field):
    meeting = new_meeting(cast)
    response = patch(
        api_client(cast.a_officer),
        meeting_url(meeting),
        {field: "x"},
        HTTP_IF_MATCH=f'"meeting-{meeting.public_id}-v1"',
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
    ]
    meeting.refresh_from_db()
    assert meeting.version == 1


def test_meeting_patch_empty_changes_nothing_and_records_nothing(cast):
    meeting = new_meeting(cast)
    client = api_client(cast.a_officer)
    tag = f'"meeting-{meeting.public_id}-v1"'
    before = counts()
    response = patch(client, meeting_url(meeting), {}, HTTP_IF_MATCH=tag)
    assert response.status_code == 200
    assert response["ETag"] == tag
    assert response.json() == meeting_json(meeting)
    assert meeting.version == 1
    assert counts() == before
    # Even a change of nothing needs the version it was read at.
    assert patch(client, meeting_url(meeting), {}).status_code == 428
    assert patch(client, meeting_url(meeting), {}, HTTP_IF_MATCH='"x"').status_code == 412


def test_meeting_patch_invalid_is_422(cast):
    meeting = new_meeting(cast)
    client = api_client(cast.a_officer)
    tag = f'"meeting-{meeting.public_id}-v1"'
    before = counts()
    response = patch(
        client, meeting_url(meeting), {"ends_at": "2023-03-14T08:00:00Z"}, HTTP_IF_MATCH=tag
    )
    assert response.json()["errors"] == [
        {"field": "ends_at", "message": "The meeting must end after it starts."}
    ]
    assert counts() == before


def test_meeting_writes_refused_to_reader_other_party_and_outsider(cast):
    meeting = new_meeting(cast)
    url = meeting_url(meeting)
    tag = f'"meeting-{meeting.public_id}-v1"'
    # Proposing an agenda item is open to the other party: test_api_joint_agenda.py.
    calls = [
        ("patch", url, {"place": "Fes"}),
        ("post", f"{url}/status", {"status": "cancelled"}),
        ("put", f"{url}/minutes", {"minutes": {"en": "Agreed."}}),
        ("post", f"{url}/carry-over", {"commitments": [str(meeting.public_id)]}),
        ("post", f"{url}/decisions", {"text": "Decided."}),
    ]
    before = counts()
    for user, status, detail in [
        (cast.a_reader, 403, READ_ONLY),
        (cast.b_officer, 403, NOT_OWNER),
        (cast.c_officer, 404, NOT_FOUND),
    ]:
        client = api_client(user)
        before = counts()
        for method, path, body in calls:
            response = getattr(client, method)(path, body, content_type=JSON, HTTP_IF_MATCH=tag)
            assert (path, response.status_code, response.json()["detail"]) == (path, status, detail)
        assert counts() == before


def test_meeting_status_with_if_match(cast):
    meeting = new_meeting(cast)
    client = api_client(cast.a_officer)
    url = f"{meeting_url(meeting)}/status"
    response = post(
        client, url, {"status": "held"}, HTTP_IF_MATCH=f'"meeting-{meeting.public_id}-v1"'
    )
    assert response.status_code == 200
    assert response["ETag"] == f'"meeting-{meeting.public_id}-v2"'
    assert response.json() == meeting_json(meeting)
    assert meeting.status == "held"
    before = counts()
    response = post(client, url, {"status": "cancelled"}, HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "status", "message": "A meeting cannot go from Held to Cancelled."}
    ]
    response = post(client, url, {"status": "planned"})
    assert response.status_code == 428
    response = post(
        client, url, {"status": "planned"}, HTTP_IF_MATCH=f'"meeting-{meeting.public_id}-v1"'
    )
    assert response.status_code == 412
    response = post(client, url, {"status": "adjourned"}, HTTP_IF_MATCH="*")
    assert response.json()["errors"] == [
        {"field": "body.status", "message": "Input should be 'planned', 'held' or 'cancelled'"}
    ]
    assert counts() == before


def test_meeting_minutes_put_per_language(cast):
    meeting = new_meeting(cast)
    client = api_client(cast.a_officer)
    url = f"{meeting_url(meeting)}/minutes"
    response = put(
        client,
        url,
        {"minutes": {"en": "The parties agreed.", "fr": "Les parties ont convenu."}},
        HTTP_IF_MATCH=f'"meeting-{meeting.public_id}-v1"',
    )
    assert response.status_code == 200
    assert response.json()["minutes"] == texts(
        en="The parties agreed.", fr="Les parties ont convenu."
    )
    response = put(
        client, url, {"minutes": {"ar": "اتفق الطرفان."}}, HTTP_IF_MATCH=response["ETag"]
    )
    assert response.json()["minutes"] == texts(
        en="The parties agreed.", fr="Les parties ont convenu.", ar="اتفق الطرفان."
    )
    assert response.json()["version"] == 3
    before = counts()
    response = put(client, url, {"minutes": {"en": "x\x00"}}, HTTP_IF_MATCH=response["ETag"])
    assert response.json()["errors"] == [
        {"field": "minutes_en", "message": "Null characters are not allowed."}
    ]
    response = put(
        client, url, {"minutes": {"en": "Other"}}, HTTP_IF_MATCH=f'"meeting-{meeting.public_id}-v2"'
    )
    assert response.status_code == 412
    assert counts() == before


# --- agenda -------------------------------------------------------------------------------


def test_agenda_item_post_appends_and_carries(cast):
    meeting = new_meeting(cast)
    commitment = new_commitment(cast, "Exchange contact lists")
    client = api_client(cast.a_officer)
    url = f"{meeting_url(meeting)}/agenda-items"
    response = post(client, url, {"title": "Opening", "notes": "Welcome"})
    assert response.status_code == 201
    first = AgendaItem.objects.get()
    assert response.json() == item_json(first) | {
        "owning_party": "MA-DGSN",
        "scope": "shared",
        "marking": "TLP:GREEN",
        "position": 1,
        "title": "Opening",
        "notes": "Welcome",
        "carried_commitment": None,
        "carried_decision": None,
    }
    response = post(
        client, url, {"title": "Contact lists", "carried_commitment": str(commitment.public_id)}
    )
    assert response.json()["position"] == 2
    assert response.json()["carried_commitment"] == str(commitment.public_id)


def test_agenda_item_post_refuses_what_the_user_may_not_carry(cast):
    meeting = new_meeting(cast)
    b_internal = new_commitment(
        cast, "B's own", actor=cast.b_officer, responsible_party=cast.b, scope="internal"
    )
    client = api_client(cast.a_officer)
    url = f"{meeting_url(meeting)}/agenda-items"
    before = counts()
    for body, error in [
        (
            {"title": "X", "carried_commitment": str(b_internal.public_id)},
            {"field": "carried_commitment", "message": f"No such record: {b_internal.public_id}."},
        ),
        (
            {"title": "X", "carried_decision": "7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"},
            {
                "field": "carried_decision",
                "message": "No such record: 7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a.",
            },
        ),
        ({"title": "X\x00"}, {"field": "title", "message": "Null characters are not allowed."}),
        (
            {"title": "x" * 301},
            {"field": "body.title", "message": "String should have at most 300 characters"},
        ),
    ]:
        response = post(client, url, body)
        assert (response.status_code, response.json()["errors"]) == (422, [error])
    assert counts() == before


def test_carry_over_candidates_and_carry_over(cast):
    earlier = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=earlier, text="Meet again.")
    meeting = new_meeting(
        cast,
        title={"en": "Second joint committee"},
        starts_at=dt.datetime(2024, 3, 14, 10, 0),
        ends_at=dt.datetime(2024, 3, 14, 16, 0),
    )
    commitment = new_commitment(cast, "Exchange contact lists", due_date=dt.date(2024, 5, 1))
    new_commitment(
        cast, "B internal", actor=cast.b_officer, responsible_party=cast.b, scope="internal"
    )
    client = api_client(cast.a_reader)
    url = f"{meeting_url(meeting)}/carry-over-candidates"
    candidates = {
        "commitments": [
            {
                "id": str(commitment.public_id),
                "title": texts(en="Exchange contact lists"),
                "reference_language": "en",
                "responsible_party": "MA-DGSN",
                "due_date": "2024-05-01",
                "status": "planned",
            }
        ],
        "decisions": [
            {
                "id": str(decision.public_id),
                "meeting": str(earlier.public_id),
                "number": 1,
                "text": "Meet again.",
                "status": "open",
            }
        ],
    }
    assert client.get(url).json() == candidates
    assert api_client(cast.c_officer).get(url).status_code == 404

    officer = api_client(cast.a_officer)
    body = {"commitments": [str(commitment.public_id)], "decisions": [str(decision.public_id)]}
    response = post(officer, f"{meeting_url(meeting)}/carry-over", body, HTTP_IDEMPOTENCY_KEY="c-1")
    assert response.status_code == 201
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    assert response.json() == {
        "items": [
            item_json(items[0])
            | {
                "position": 1,
                "title": "Exchange contact lists",
                "notes": "",
                "carried_commitment": str(commitment.public_id),
                "carried_decision": None,
            },
            item_json(items[1])
            | {
                "position": 2,
                "title": "Decision 1 of First joint committee",
                "notes": "Meet again.",
                "carried_commitment": None,
                "carried_decision": str(decision.public_id),
            },
        ]
    }
    replay = post(officer, f"{meeting_url(meeting)}/carry-over", body, HTTP_IDEMPOTENCY_KEY="c-1")
    assert replay.json() == response.json()
    assert AgendaItem.objects.count() == 2
    assert client.get(url).json() == {"commitments": [], "decisions": []}


def test_carry_over_refuses_non_candidates_all_or_nothing(cast):
    meeting = new_meeting(cast)
    commitment = new_commitment(cast, "Exchange contact lists")
    b_internal = new_commitment(
        cast, "B internal", actor=cast.b_officer, responsible_party=cast.b, scope="internal"
    )
    client = api_client(cast.a_officer)
    url = f"{meeting_url(meeting)}/carry-over"
    before = counts()
    response = post(
        client, url, {"commitments": [str(commitment.public_id), str(b_internal.public_id)]}
    )
    assert response.json()["errors"] == [
        {"field": "commitments", "message": f"No such record: {b_internal.public_id}."}
    ]
    response = post(client, url, {})
    assert response.json()["errors"] == [
        {"field": "commitments", "message": "Choose at least one item to carry over."}
    ]
    assert counts() == before


# --- attendance ---------------------------------------------------------------------------


def test_attendance_put_invites_then_records(cast):
    meeting = new_meeting(cast)
    contact = ContactFactory(unit=cast.b_cell, name="Jan de Vries")
    client = api_client(cast.a_officer)
    url = f"{meeting_url(meeting)}/attendance/{contact.public_id}"
    response = put(client, url, {"status": "invited"})
    assert response.status_code == 200
    assert response.json() == {
        "contact": str(contact.public_id),
        "name": "Jan de Vries",
        "party": "NL-POL",
        "status": "invited",
    }
    response = put(client, url, {"status": "attended"})
    assert response.json()["status"] == "attended"
    assert Attendance.objects.get().status == "attended"


def test_attendance_put_refusals(cast):
    meeting = new_meeting(cast)
    b_internal = ContactFactory(unit=cast.b_cell, scope="internal")
    c_contact = ContactFactory(unit=cast.c_cell)
    url = f"{meeting_url(meeting)}/attendance"
    officer, reader = api_client(cast.a_officer), api_client(cast.a_reader)
    before = counts()
    assert put(officer, f"{url}/{b_internal.public_id}", {"status": "invited"}).status_code == 404
    response = put(officer, f"{url}/{c_contact.public_id}", {"status": "invited"})
    assert response.json()["errors"] == [
        {"field": "contact", "message": "The contact's party is not a party to the agreement."}
    ]
    response = put(reader, f"{url}/{c_contact.public_id}", {"status": "invited"})
    assert response.status_code == 403
    assert counts() == before


# --- decisions ----------------------------------------------------------------------------


def test_decision_post_and_status(cast):
    meeting = new_meeting(cast)
    client = api_client(cast.a_officer)
    response = post(client, f"{meeting_url(meeting)}/decisions", {"text": "  Meet in May. "})
    assert response.status_code == 201
    decision = Decision.objects.get()
    assert response.json() == {
        "id": str(decision.public_id),
        "meeting": str(meeting.public_id),
        "number": 1,
        "text": "Meet in May.",
        "status": "open",
        "commitments": [],
    }
    url = f"{API}/decisions/{decision.public_id}/status"
    response = post(client, url, {"status": "implemented"})
    assert response.status_code == 200
    assert response.json()["status"] == "implemented"
    response = post(client, url, {"status": "dropped"})
    assert response.json()["errors"] == [
        {"field": "status", "message": "A decision cannot go from Implemented to Dropped."}
    ]
    assert post(api_client(cast.a_reader), url, {"status": "open"}).status_code == 403
    assert post(api_client(cast.b_officer), url, {"status": "open"}).status_code == 403
    assert post(api_client(cast.c_officer), url, {"status": "open"}).status_code == 404


def test_decision_post_refused_before_the_meeting(cast):
    starts = dt.datetime(2999, 1, 1, 10, 0)
    meeting = new_meeting(cast, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    response = post(api_client(cast.a_officer), f"{meeting_url(meeting)}/decisions", {"text": "X"})
    assert response.json()["errors"] == [
        {"field": "meeting", "message": "The meeting has not started yet."}
    ]


def test_decision_commitments_creates_all(cast):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Exchange.")
    client = api_client(cast.a_officer)
    specs = [
        {
            "title": {"en": "Send the list", "fr": "Envoyer la liste"},
            "responsible_party": "NL-POL",
            "due_date": "2024-05-01",
            "scope": "shared",
            "marking": "TLP:GREEN",
        },
        {"title": {"en": "Check the list"}, "responsible_party": "MA-DGSN"},
    ]
    url = f"{API}/decisions/{decision.public_id}/commitments"
    response = post(client, url, specs, HTTP_IDEMPOTENCY_KEY="d-1")
    assert response.status_code == 201
    send, check = Commitment.objects.order_by("pk")
    expected = [
        {
            "id": str(send.public_id),
            "agreement": str(cast.agreement.public_id),
            "title": texts(en="Send the list", fr="Envoyer la liste"),
            "reference_language": "en",
            "responsible_party": "NL-POL",
            "due_date": "2024-05-01",
            "status": "planned",
            "owning_party": "MA-DGSN",
            "scope": "shared",
            "marking": "TLP:GREEN",
            "red_recipients": [],
            "version": 1,
            "created_at": iso(send.created_at),
            "updated_at": iso(send.updated_at),
            "is_illustrative": False,
        },
        {
            "id": str(check.public_id),
            "agreement": str(cast.agreement.public_id),
            "title": texts(en="Check the list"),
            "reference_language": "en",
            "responsible_party": "MA-DGSN",
            "due_date": None,
            "status": "planned",
            "owning_party": "MA-DGSN",
            "scope": "internal",
            "marking": "TLP:GREEN",  # the meeting's
            "red_recipients": [],
            "version": 1,
            "created_at": iso(check.created_at),
            "updated_at": iso(check.updated_at),
            "is_illustrative": False,
        },
    ]
    assert response.json() == {"commitments": expected}
    assert list(decision.commitments.order_by("pk")) == [send, check]
    replay = post(client, url, specs, HTTP_IDEMPOTENCY_KEY="d-1")
    assert (replay["Idempotent-Replayed"], replay.json()) == ("true", {"commitments": expected})
    assert Commitment.objects.count() == 2


def test_decision_commitments_errors_name_the_spec_and_field_all_or_nothing(cast):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Exchange.")
    client = api_client(cast.a_officer)
    url = f"{API}/decisions/{decision.public_id}/commitments"
    good = {"title": {"en": "Send the list"}, "responsible_party": "NL-POL"}
    before = counts()
    cases = [
        (
            [good, {"title": {"en": "X"}, "responsible_party": "XX-OUT"}],
            [
                {
                    "field": "commitments.1.responsible_party",
                    "message": "The responsible party is not a party to the agreement.",
                }
            ],
        ),
        (
            [good, {"title": {"fr": "X"}, "responsible_party": "NL-POL"}],
            [
                {
                    "field": "commitments.1.title_en",
                    "message": "Give the text in the reference language.",
                }
            ],
        ),
        (
            [
                {
                    "title": {"en": "X"},
                    "responsible_party": "NOPE",
                    "area": "7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a",
                },
                good,
            ],
            [
                {"field": "commitments.0.responsible_party", "message": "No such party: NOPE."},
                {
                    "field": "commitments.0.area",
                    "message": "No such record: 7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a.",
                },
            ],
        ),
        (
            [good, {"title": {"en": "X"}, "responsible_party": "NL-POL", "kind": "recurring"}],
            [
                {
                    "field": "commitments.1.recurrence",
                    "message": "A recurring commitment needs a recurrence.",
                }
            ],
        ),
        (
            [good, {"title": {"en": "X\x00"}, "responsible_party": "NL-POL"}],
            [{"field": "commitments.1.title_en", "message": "Null characters are not allowed."}],
        ),
        (
            [good, {"title": {"en": "X"}, "responsible_party": "NL-POL", "owning_party": "NL-POL"}],
            [{"field": "body.1.owning_party", "message": "Extra inputs are not permitted"}],
        ),
        ([], [{"field": "commitments", "message": "Give at least one commitment."}]),
    ]
    for specs, errors in cases:
        response = post(client, url, specs)
        assert (response.status_code, response.json()["errors"]) == (422, errors)
    assert counts() == before


def test_decision_commitments_refused_to_reader_other_party_and_outsider(cast):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Exchange.")
    url = f"{API}/decisions/{decision.public_id}/commitments"
    specs = [{"title": {"en": "Send the list"}, "responsible_party": "NL-POL"}]
    before = counts()
    for user, status in [(cast.a_reader, 403), (cast.b_officer, 403), (cast.c_officer, 404)]:
        assert post(api_client(user), url, specs).status_code == status
    assert counts()[:5] == before[:5]


# --- any text -----------------------------------------------------------------------------

ANY_TEXT = st.one_of(
    st.text(max_size=320),
    st.text(alphabet=st.sampled_from("a é\x00\n"), max_size=40),
    st.text(min_size=2000, max_size=3000),
)


def assert_answered(response) -> None:
    """A 2xx, or a 4xx problem that says what is wrong; never a server error."""
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        body = response.json()
        assert response["Content-Type"] == "application/problem+json"
        assert body["detail"]
        assert all(error["message"] for error in body.get("errors") or [])


def test_free_text_fields_never_crash(cast):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Agreed.")
    client = api_client(cast.a_officer)
    url = meeting_url(meeting)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=ANY_TEXT)
    def check(text):
        assert_answered(
            post(
                client,
                f"{API}/agreements/{cast.agreement.public_id}/meetings",
                NEW_MEETING | {"title": {"en": text}, "place": text, "time_zone": text},
            )
        )
        assert_answered(
            patch(client, url, {"title": {"fr": text}, "place": text}, HTTP_IF_MATCH="*")
        )
        assert_answered(put(client, f"{url}/minutes", {"minutes": {"en": text}}, HTTP_IF_MATCH="*"))
        assert_answered(post(client, f"{url}/agenda-items", {"title": text, "notes": text}))
        assert_answered(post(client, f"{url}/decisions", {"text": text}))
        assert_answered(client.get(f"{API}/meetings", {"q": text, "host_party": text[:32]}))
        specs = [{"title": {"en": text}, "responsible_party": "NL-POL", "indicator": text}]
        assert_answered(post(client, f"{API}/decisions/{decision.public_id}/commitments", specs))

    check()


def test_agenda_positions_count_only_the_items_the_reader_sees(client, cast):
    """An item carrying party A's internal commitment is hidden from party B, and so is
    its place: B's agenda is numbered 1, 2, not 1, 3."""
    meeting = new_meeting(cast)
    internal = new_commitment(cast, "Budget", scope="internal", marking="TLP:AMBER")
    for title, carried in (("Opening", None), ("Budget", internal), ("Training", None)):
        agenda_item_add(
            actor=cast.a_officer, meeting=meeting, title=title, carried_commitment=carried
        )

    def positions(user) -> list:
        items = api_client(user).get(meeting_url(meeting)).json()["agenda_items"]
        return [(i["position"], i["title"]) for i in items]

    assert positions(cast.a_officer) == [(1, "Opening"), (2, "Budget"), (3, "Training")]
    assert positions(cast.b_officer) == [(1, "Opening"), (2, "Training")]
    client.force_login(cast.b_officer)
    page = client.get(f"/meetings/{meeting.public_id}/agenda/").content.decode()
    assert re.findall(r'<li value="(\d+)"', page) == ["1", "2"]
    created = post(
        api_client(cast.a_officer), f"{meeting_url(meeting)}/agenda-items", {"title": "Closing"}
    )
    assert created.json()["position"] == 4
    assert positions(cast.b_officer)[-1] == (3, "Closing")
