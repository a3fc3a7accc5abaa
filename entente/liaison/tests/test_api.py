"""The liaison JSON API, through HTTP, with the fixed cast."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entente.agreements.models import CooperationArea
from entente.apikit.models import IdempotencyKey
from entente.audit.models import AuditEvent
from entente.liaison import services
from entente.liaison.models import LiaisonMessage, LiaisonRequest
from entente.testing import UnitFactory, agreement_between, with_handling
from entente.tests.api_helpers import API, api_client, etag, iso, problem_body

JSON = "application/json"
T = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
NOT_FOUND = "No such record."
READ_ONLY = "Your role does not allow changes."
RECEIVER_ONLY = "Only the receiving party may do this."
SENDER_ONLY = "Only the sending party may do this."


def send(cast, actor=None, **kwargs) -> LiaisonRequest:
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "from_unit": cast.a_cell,
        "to_unit": cast.b_cell,
        "subject": "Identity check",
        "body": "Please confirm the identity of the person in the attached file.",
        "priority": "normal",
        "now": T,
    }
    return services.request_send(**with_handling(defaults | kwargs))


def request_json(request: LiaisonRequest, **clock) -> dict:
    """The request as the API shows it; the clock fields as given."""
    request.refresh_from_db()
    return {
        "id": str(request.public_id),
        "agreement": str(request.agreement.public_id),
        "reference": request.reference,
        "from_unit": request.from_unit_id,
        "to_unit": request.to_unit_id,
        "from_party": request.from_unit.party.code,
        "to_party": request.to_unit.party.code,
        "area": str(request.area.public_id) if request.area_id else None,
        "subject": request.subject,
        "body": request.body,
        "priority": request.priority,
        "status": request.status,
        "sent_at": iso(request.sent_at),
        "due_at": iso(request.due_at),
        "acknowledged_at": iso(request.acknowledged_at),
        "paused_at": iso(request.paused_at),
        "answered_at": iso(request.answered_at),
        "closed_at": iso(request.closed_at),
        "refusal_reason": request.refusal_reason,
        "delay_reason": request.delay_reason,
        "owning_party": request.owning_party.code,
        "scope": request.scope,
        "marking": request.marking,
        "red_recipients": sorted(request.red_recipients.values_list("username", flat=True)),
        "version": request.version,
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
        "is_illustrative": request.is_illustrative,
    } | clock


def without_clock(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("remaining_seconds", "paused", "overdue")}


def state(request: LiaisonRequest) -> tuple:
    """What a refused call must leave untouched: the row, its thread and the audit chain."""
    request.refresh_from_db()
    return (
        request.status,
        request.version,
        request.due_at,
        request.paused_at,
        request.messages.count(),
        AuditEvent.objects.count(),
    )


def post(client, url, body=None, **headers):
    return client.post(url, body, content_type=JSON, **headers)


def url_of(request) -> str:
    return f"{API}/requests/{request.public_id}"


def tag_of(request, version: int | None = None) -> str:
    if version is None:
        request.refresh_from_db()
        version = request.version
    return f'"liaisonrequest-{request.public_id}-v{version}"'


NEW_REQUEST = {
    "subject": "Vehicle check",
    "body": "Is this registration known to you?",
    "priority": "urgent",
}


# --- sending ------------------------------------------------------------------------------


def test_request_send_by_officer_sets_reference_and_deadline(cast):
    client = api_client(cast.a_officer)
    url = f"{API}/agreements/{cast.agreement.public_id}/requests"
    response = post(client, url, NEW_REQUEST | {"to_unit": cast.b_cell.pk})
    assert response.status_code == 201
    request = LiaisonRequest.objects.get()
    assert response["Location"] == f"/api/v1/requests/{request.public_id}"
    body = response.json()
    assert 48 * 3600 - 60 <= body.pop("remaining_seconds") <= 48 * 3600
    year = request.sent_at.astimezone(ZoneInfo("Africa/Casablanca")).year
    assert body == {
        "id": str(request.public_id),
        "agreement": str(cast.agreement.public_id),
        "reference": f"MA-DGSN-{year}-0001",
        "from_unit": cast.a_cell.pk,
        "to_unit": cast.b_cell.pk,
        "from_party": "MA-DGSN",
        "to_party": "NL-POL",
        "area": None,
        "subject": "Vehicle check",
        "body": "Is this registration known to you?",
        "priority": "urgent",
        "status": "sent",
        "sent_at": iso(request.sent_at),
        "due_at": iso(request.sent_at + 48 * HOUR),
        "acknowledged_at": None,
        "paused_at": None,
        "answered_at": None,
        "closed_at": None,
        "refusal_reason": "",
        "delay_reason": "",
        "paused": False,
        "overdue": False,
        "owning_party": "MA-DGSN",
        "scope": "shared",
        "marking": "TLP:AMBER",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
        "is_illustrative": False,
    }
    event = AuditEvent.objects.filter(target_type="liaison.liaisonrequest").get()
    assert (event.action, event.actor_name) == ("send", "a_officer")


def test_request_send_with_explicit_cell_area_and_red(cast):
    area = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    second_cell = UnitFactory(party=cast.a, name="Second cell MA")
    client = api_client(cast.a_coordinator)
    body = NEW_REQUEST | {
        "from_unit": second_cell.pk,
        "to_unit": cast.b_cell.pk,
        "area": str(area.public_id),
        "marking": "TLP:RED",
        "red_recipients": ["a_officer", "b_officer"],
    }
    response = post(client, f"{API}/agreements/{cast.agreement.public_id}/requests", body)
    assert response.status_code == 201
    assert (response.json()["from_unit"], response.json()["area"]) == (
        second_cell.pk,
        str(area.public_id),
    )
    request = LiaisonRequest.objects.get()
    assert set(request.red_recipients.values_list("username", flat=True)) == {
        "a_coordinator",
        "a_officer",
        "b_officer",
    }
    assert api_client(cast.b_officer).get(url_of(request)).status_code == 200
    assert api_client(cast.b_coordinator).get(url_of(request)).status_code == 404
    assert api_client(cast.a_reader).get(url_of(request)).status_code == 404


@pytest.mark.parametrize(
    "field",
    ["owning_party", "version", "reference", "status", "due_at", "sent_at", "scope", "created_at"],
)
def test_request_send_refuses_fields_the_caller_may_not_set(cast, field):
    client = api_client(cast.a_officer)
    before = AuditEvent.objects.count()
    body = NEW_REQUEST | {"to_unit": cast.b_cell.pk, field: "x"}
    response = post(client, f"{API}/agreements/{cast.agreement.public_id}/requests", body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
    ]
    assert (LiaisonRequest.objects.count(), AuditEvent.objects.count()) == (0, before)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"to_unit": "a_cell"},
            [{"field": "to_unit", "message": "The receiving cell must belong to another party."}],
        ),
        (
            {"to_unit": "c_cell"},
            [
                {
                    "field": "to_unit",
                    "message": "The receiving cell's party is not a party to this agreement.",
                }
            ],
        ),
        ({"to_unit": 987654}, [{"field": "to_unit", "message": "No such record: 987654."}]),
        ({"from_unit": 987654}, [{"field": "from_unit", "message": "No such record: 987654."}]),
        (
            {"area": "7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"},
            [{"field": "area", "message": "No such record: 7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a."}],
        ),
        (
            {"marking": "TLP:RED", "red_recipients": ["b_officer", "nobody"]},
            [{"field": "red_recipients", "message": "No such user: nobody."}],
        ),
        (
            {"subject": "Vehicle\x00"},
            [{"field": "subject", "message": "Null characters are not allowed."}],
        ),
        ({"body": ""}, [{"field": "body", "message": "This field cannot be blank."}]),
        (
            {"marking": "TLP:RED", "red_recipients": ["a_coordinator"]},
            [
                {
                    "field": "red_recipients",
                    "message": "Name at least one recipient of the receiving party for TLP:RED.",
                }
            ],
        ),
        (
            {"marking": "TLP:RED", "red_recipients": ["b_officer"]},
            [
                {
                    "field": "marking",
                    "message": "Only a coordinator of the owning party may mark a record TLP:RED.",
                }
            ],
        ),
        (
            {"marking": "TLP:AMBER+STRICT"},
            [
                {
                    "field": "marking",
                    "message": "Only a coordinator of the owning party may mark a record "
                    "TLP:AMBER+STRICT.",
                }
            ],
        ),
        (
            {"subject": "x" * 301},
            [{"field": "body.subject", "message": "String should have at most 300 characters"}],
        ),
        (
            {"priority": "soon"},
            [{"field": "body.priority", "message": "Input should be 'urgent' or 'normal'"}],
        ),
    ],
)
def test_request_send_invalid_input_is_422_and_leaves_nothing(cast, changes, errors):
    units = {"a_cell": cast.a_cell.pk, "c_cell": cast.c_cell.pk}
    if changes.get("to_unit") in units:
        changes = changes | {"to_unit": units[changes["to_unit"]]}
    client = api_client(cast.a_officer)
    before = AuditEvent.objects.count()
    url = f"{API}/agreements/{cast.agreement.public_id}/requests"
    response = post(client, url, NEW_REQUEST | {"to_unit": cast.b_cell.pk} | changes)
    assert response.status_code == 422
    assert response.json() == problem_body(
        422, "Unprocessable Content", "The input is not valid.", url, errors=errors
    )
    assert (LiaisonRequest.objects.count(), AuditEvent.objects.count()) == (0, before)


def test_request_send_refused_to_reader_and_outsider(cast):
    url = f"{API}/agreements/{cast.agreement.public_id}/requests"
    body = NEW_REQUEST | {"to_unit": cast.b_cell.pk}
    response = post(api_client(cast.a_reader), url, body)
    assert (response.status_code, response.json()) == (
        403,
        problem_body(403, "Forbidden", READ_ONLY, url),
    )
    response = post(api_client(cast.c_officer), url, body | {"to_unit": cast.a_cell.pk})
    assert (response.status_code, response.json()) == (
        404,
        problem_body(404, "Not Found", NOT_FOUND, url),
    )
    assert LiaisonRequest.objects.count() == 0


def test_request_send_with_idempotency_key_sends_once(cast):
    client = api_client(cast.b_officer)
    url = f"{API}/agreements/{cast.agreement.public_id}/requests"
    body = NEW_REQUEST | {"to_unit": cast.a_cell.pk}
    first = post(client, url, body, HTTP_IDEMPOTENCY_KEY="r-1")
    again = post(client, url, body, HTTP_IDEMPOTENCY_KEY="r-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (
        201,
        201,
        "true",
    )
    assert again.json() == first.json()
    assert first.json()["reference"].startswith("NL-POL-")
    assert LiaisonRequest.objects.count() == IdempotencyKey.objects.count() == 1


# --- reading ------------------------------------------------------------------------------


def test_request_boxes_per_party(cast):
    to_b = send(cast)
    to_a = send(cast, actor=cast.b_officer, from_unit=cast.b_cell, to_unit=cast.a_cell)

    def ids(user, **query) -> list[int]:
        response = api_client(user).get(f"{API}/requests", query)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["items"]]

    assert ids(cast.a_reader, box="inbox") == [str(to_a.public_id)]
    assert ids(cast.a_reader, box="outbox") == [str(to_b.public_id)]
    # Sent at the same moment: in the order of their public ids, last first.
    both = sorted([to_a, to_b], key=lambda r: r.public_id, reverse=True)
    assert ids(cast.a_reader) == [str(r.public_id) for r in both]
    assert ids(cast.b_officer, box="inbox") == [str(to_b.public_id)]
    assert ids(cast.c_officer) == []
    response = api_client(cast.b_officer).get(f"{API}/requests", {"box": "inbox"})
    assert [without_clock(item) for item in response.json()["items"]] == [request_json(to_b)]


def test_request_list_filters(cast):
    area = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    other = agreement_between(cast.a, cast.b, title_en="Other")
    overdue = send(cast, subject="Old vehicle check")
    urgent = send(cast, priority="urgent", area=area, now=timezone.now())
    elsewhere = send(cast, agreement=other, marking="TLP:GREEN", now=timezone.now() + HOUR)
    services.request_acknowledge(actor=cast.b_officer, request=elsewhere, expected_version=1)
    client = api_client(cast.a_officer)

    def ids(**query) -> list[int]:
        response = client.get(f"{API}/requests", query)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [str(elsewhere.public_id), str(urgent.public_id), str(overdue.public_id)]
    assert ids(agreement=other.public_id) == [str(elsewhere.public_id)]
    assert ids(area=area.public_id) == [str(urgent.public_id)]
    assert ids(status="acknowledged") == [str(elsewhere.public_id)]
    assert ids(priority="urgent") == [str(urgent.public_id)]
    assert ids(marking="TLP:GREEN") == [str(elsewhere.public_id)]
    assert ids(due_before="2025-06-01T00:00:00Z") == [str(overdue.public_id)]
    assert ids(due_after="2025-06-01T00:00:00Z") == [
        str(elsewhere.public_id),
        str(urgent.public_id),
    ]
    assert ids(overdue="true") == [str(overdue.public_id)]
    assert ids(overdue="false") == [str(elsewhere.public_id), str(urgent.public_id)]
    assert ids(q="old vehicle") == [str(overdue.public_id)]
    assert ids(q=overdue.reference) == [str(overdue.public_id)]
    response = client.get(f"{API}/requests", {"box": "spam", "due_after": "2025-06-01"})
    assert [e["field"] for e in response.json()["errors"]] == ["query.box", "query.due_after"]


def test_request_list_query_count_does_not_grow(cast):
    client = api_client(cast.a_officer)
    send(cast)
    client.get(f"{API}/requests")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/requests")
    for i in range(6):
        send(
            cast, actor=cast.b_officer, from_unit=cast.b_cell, to_unit=cast.a_cell, now=T + i * HOUR
        )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{API}/requests").json()["items"]) == 7
    assert len(many) == len(few)


def test_request_detail_shows_the_clock(cast):
    request = send(cast)
    services.clarification_ask(
        actor=cast.b_officer, request=request, body="Which file?", expected_version=1, now=T + HOUR
    )
    response = api_client(cast.a_reader).get(url_of(request))
    assert response.status_code == 200
    assert response["ETag"] == tag_of(request, 2)
    # The clock stands still while the clarification is awaited: 30 days less one hour.
    assert response.json() == request_json(
        request, remaining_seconds=30 * 86400 - 3600, paused=True, overdue=False
    )
    late = send(cast, subject="Late")
    body = api_client(cast.b_officer).get(url_of(late)).json()
    assert (body["paused"], body["overdue"], body["remaining_seconds"] < 0) == (False, True, True)
    services.request_answer(
        actor=cast.b_officer,
        request=late,
        body="Known.",
        delay_reason="Holidays.",
        expected_version=1,
        now=T + 31 * DAY,
    )
    body = api_client(cast.b_officer).get(url_of(late)).json()
    assert (body["overdue"], body["remaining_seconds"]) == (False, -86400)


def test_request_detail_is_404_to_outsiders(cast):
    request = send(cast)
    for path in (url_of(request), f"{url_of(request)}/messages"):
        response = api_client(cast.c_officer).get(path)
        assert (response.status_code, response.json()) == (
            404,
            problem_body(404, "Not Found", NOT_FOUND, path),
        )


# --- the workflow through the API ---------------------------------------------------------


def test_b_officer_acknowledges_and_answers_and_a_closes(cast):
    a_client = api_client(cast.a_officer)
    sent = post(
        a_client,
        f"{API}/agreements/{cast.agreement.public_id}/requests",
        NEW_REQUEST | {"to_unit": cast.b_cell.pk},
    )
    request = LiaisonRequest.objects.get(public_id=sent.json()["id"])
    b_client = api_client(cast.b_officer)
    tag = etag(b_client.get(url_of(request)))

    response = post(b_client, f"{url_of(request)}/acknowledge", HTTP_IF_MATCH=tag)
    assert response.status_code == 200
    assert response["ETag"] == tag_of(request, 2)
    assert without_clock(response.json()) == request_json(request)
    assert (request.status, request.acknowledged_at is not None) == ("acknowledged", True)

    response = post(
        b_client,
        f"{url_of(request)}/answer",
        {"body": "Not known to us."},
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["paused"], response.json()["overdue"]) == (
        "answered",
        False,
        False,
    )
    assert response["ETag"] == tag_of(request, 3)

    response = post(a_client, f"{url_of(request)}/close", HTTP_IF_MATCH=response["ETag"])
    assert (response.status_code, response.json()["status"]) == (200, "closed")
    assert list(
        AuditEvent.objects.filter(
            target_type="liaison.liaisonrequest", target_id=str(request.pk)
        ).values_list("action", "actor_name")
    ) == [
        ("send", "a_officer"),
        ("acknowledge", "b_officer"),
        ("answer", "b_officer"),
        ("close", "a_officer"),
    ]
    thread = a_client.get(f"{url_of(request)}/messages").json()["items"]
    assert [(m["kind"], m["author"], m["body"]) for m in thread] == [
        ("answer", "b_officer", "Not known to us.")
    ]


def test_clarification_round_trip_moves_the_deadline(cast):
    request = send(cast, now=timezone.now() - HOUR)
    due = request.due_at
    b_client, a_client = api_client(cast.b_officer), api_client(cast.a_officer)
    response = post(
        b_client,
        f"{url_of(request)}/ask-clarification",
        {"body": "Which file?"},
        HTTP_IF_MATCH=tag_of(request, 1),
    )
    assert (response.status_code, response.json()["status"], response.json()["paused"]) == (
        200,
        "clarification",
        True,
    )
    response = post(
        a_client,
        f"{url_of(request)}/clarification",
        {"body": "The one attached."},
        HTTP_IF_MATCH=response["ETag"],
    )
    assert (response.status_code, response.json()["status"], response.json()["paused"]) == (
        200,
        "sent",
        False,
    )
    request.refresh_from_db()
    assert request.due_at > due
    assert [m.kind for m in request.messages.order_by("pk")] == [
        "clarification_question",
        "clarification_answer",
    ]


def test_refuse_needs_a_reason_named_reason(cast):
    request = send(cast, now=timezone.now())
    client = api_client(cast.b_officer)
    before = state(request)
    response = post(
        client, f"{url_of(request)}/refuse", {"reason": "  "}, HTTP_IF_MATCH=tag_of(request)
    )
    assert response.json()["errors"] == [
        {"field": "reason", "message": "This field cannot be blank."}
    ]
    response = post(
        client, f"{url_of(request)}/refuse", {"refusal_reason": "x"}, HTTP_IF_MATCH=tag_of(request)
    )
    assert response.json()["errors"] == [
        {"field": "body.reason", "message": "Field required"},
        {"field": "body.refusal_reason", "message": "Extra inputs are not permitted"},
    ]
    assert state(request) == before
    response = post(
        client,
        f"{url_of(request)}/refuse",
        {"reason": "Outside our remit."},
        HTTP_IF_MATCH=tag_of(request),
    )
    assert (response.json()["status"], response.json()["refusal_reason"]) == (
        "refused",
        "Outside our remit.",
    )


def test_late_answer_needs_a_delay_reason(cast):
    request = send(cast)  # sent in March 2025: long past its deadline
    client = api_client(cast.b_officer)
    before = state(request)
    response = post(
        client, f"{url_of(request)}/answer", {"body": "Known."}, HTTP_IF_MATCH=tag_of(request)
    )
    assert response.json()["errors"] == [
        {"field": "delay_reason", "message": "The deadline has passed: say why the answer is late."}
    ]
    assert state(request) == before
    response = post(
        client,
        f"{url_of(request)}/answer",
        {"body": "Known.", "delay_reason": "Holidays."},
        HTTP_IF_MATCH=tag_of(request),
    )
    assert (response.json()["status"], response.json()["delay_reason"]) == ("answered", "Holidays.")


ACTIONS = [
    ("acknowledge", None),
    ("ask-clarification", {"body": "Which file?"}),
    ("clarification", {"body": "This one."}),
    ("answer", {"body": "Known."}),
    ("refuse", {"reason": "No."}),
    ("close", None),
]


@pytest.mark.parametrize(("action", "body"), ACTIONS)
def test_actions_refused_to_reader_and_unknown_to_outsider(cast, action, body):
    request = send(cast, now=timezone.now())
    reader, outsider = api_client(cast.a_reader), api_client(cast.c_officer)
    before = state(request)
    path = f"{url_of(request)}/{action}"
    response = post(reader, path, body, HTTP_IF_MATCH=tag_of(request))
    assert (response.status_code, response.json()) == (
        403,
        problem_body(403, "Forbidden", READ_ONLY, path),
    )
    response = post(outsider, path, body, HTTP_IF_MATCH=tag_of(request))
    assert (response.status_code, response.json()) == (
        404,
        problem_body(404, "Not Found", NOT_FOUND, path),
    )
    assert state(request) == before


@pytest.mark.parametrize(
    ("action", "body", "who", "detail"),
    [
        ("acknowledge", None, "a_officer", RECEIVER_ONLY),
        ("answer", {"body": "x"}, "a_coordinator", RECEIVER_ONLY),
        ("close", None, "b_officer", SENDER_ONLY),
        ("clarification", {"body": "x"}, "b_coordinator", SENDER_ONLY),
    ],
)
def test_actions_refused_to_the_wrong_side(cast, action, body, who, detail):
    request = send(cast, now=timezone.now())
    client = api_client(getattr(cast, who))
    before = state(request)
    response = post(client, f"{url_of(request)}/{action}", body, HTTP_IF_MATCH=tag_of(request))
    assert (response.status_code, response.json()["detail"]) == (403, detail)
    assert state(request) == before


def test_stale_if_match_is_412_and_changes_nothing(cast):
    request = send(cast, now=timezone.now())
    client = api_client(cast.b_officer)
    stale = tag_of(request, 1)
    services.message_post(actor=cast.a_officer, request=request, body="Any news?")
    services.request_acknowledge(actor=cast.b_coordinator, request=request, expected_version=1)
    before = state(request)
    path = f"{url_of(request)}/answer"
    response = post(client, path, {"body": "Known."}, HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response["ETag"] == tag_of(request, 2)
    assert response.json() == problem_body(
        412,
        "Precondition Failed",
        f"The record has changed since you read it; it is now at {tag_of(request, 2)}.",
        path,
    )
    response = post(client, path, {"body": "Known."})
    assert response.status_code == 428
    assert state(request) == before


def test_invalid_transition_is_422(cast):
    request = send(cast, now=timezone.now())
    response = post(
        api_client(cast.a_officer), f"{url_of(request)}/close", HTTP_IF_MATCH=tag_of(request)
    )
    assert response.json()["errors"] == [
        {"field": "status", "message": "A request cannot go from Sent to Closed."}
    ]


# --- the thread ---------------------------------------------------------------------------


def test_messages_and_notes_each_party_sees_its_own_notes_only(cast):
    request = send(cast)
    a_client, b_client = api_client(cast.a_officer), api_client(cast.b_officer)
    path = f"{url_of(request)}/messages"
    response = post(a_client, path, {"body": "Any news?"})
    assert response.status_code == 201
    message = LiaisonMessage.objects.get()
    assert response.json() == {
        "id": str(message.public_id),
        "request": str(request.public_id),
        "author": "a_officer",
        "kind": "message",
        "body": "Any news?",
        "owning_party": "MA-DGSN",
        "scope": "shared",
        "marking": "TLP:AMBER",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(message.created_at),
        "updated_at": iso(message.updated_at),
        "is_illustrative": False,
    }
    assert (
        post(a_client, path, {"body": "Chase them on Friday.", "kind": "note"}).status_code == 201
    )
    assert post(b_client, path, {"body": "Low priority for us.", "kind": "note"}).status_code == 201

    def thread(client) -> list[tuple]:
        items = client.get(path).json()["items"]
        return [(m["kind"], m["author"], m["body"], m["scope"]) for m in items]

    assert thread(api_client(cast.a_reader)) == [
        ("message", "a_officer", "Any news?", "shared"),
        ("note", "a_officer", "Chase them on Friday.", "internal"),
    ]
    assert thread(b_client) == [
        ("message", "a_officer", "Any news?", "shared"),
        ("note", "b_officer", "Low priority for us.", "internal"),
    ]


def test_message_list_query_count_does_not_grow(cast):
    request = send(cast)
    client = api_client(cast.a_officer)
    path = f"{url_of(request)}/messages"
    services.message_post(actor=cast.a_officer, request=request, body="First.")
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for i in range(6):
        author = cast.b_officer if i % 2 else cast.a_coordinator
        services.message_post(actor=author, request=request, body=f"Message {i}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(path).json()["items"]) == 7
    assert len(many) == len(few)


def test_message_post_refusals_and_idempotency(cast):
    request = send(cast)
    path = f"{url_of(request)}/messages"
    officer, reader, outsider = (
        api_client(cast.b_officer),
        api_client(cast.a_reader),
        api_client(cast.c_officer),
    )
    before = state(request)
    response = post(officer, path, {"body": "x", "kind": "answer"})
    assert response.json()["errors"] == [
        {"field": "body.kind", "message": "Input should be 'message' or 'note'"}
    ]
    response = post(officer, path, {"body": " "})
    assert response.json()["errors"] == [
        {"field": "body", "message": "This field cannot be blank."}
    ]
    response = post(officer, path, {"body": "a\x00b"})
    assert response.json()["errors"] == [
        {"field": "body", "message": "Null characters are not allowed."}
    ]
    response = post(officer, path, {"body": "x", "author": "a_officer"})
    assert response.json()["errors"] == [
        {"field": "body.author", "message": "Extra inputs are not permitted"}
    ]
    assert post(reader, path, {"body": "x"}).status_code == 403
    assert post(outsider, path, {"body": "x"}).status_code == 404
    assert state(request) == before
    first = post(officer, path, {"body": "Received."}, HTTP_IDEMPOTENCY_KEY="msg-1")
    again = post(officer, path, {"body": "Received."}, HTTP_IDEMPOTENCY_KEY="msg-1")
    assert (first.status_code, again["Idempotent-Replayed"], again.json()) == (
        201,
        "true",
        first.json(),
    )
    assert LiaisonMessage.objects.count() == 1


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
    a_client, b_client = api_client(cast.a_officer), api_client(cast.b_officer)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=ANY_TEXT)
    def check(text):
        response = post(
            a_client,
            f"{API}/agreements/{cast.agreement.public_id}/requests",
            NEW_REQUEST | {"to_unit": cast.b_cell.pk, "subject": text, "body": text},
        )
        assert_answered(response)
        request = send(cast, now=timezone.now())
        path = url_of(request)
        assert_answered(post(a_client, f"{path}/messages", {"body": text, "kind": "note"}))
        assert_answered(
            post(b_client, f"{path}/ask-clarification", {"body": text}, HTTP_IF_MATCH="*")
        )
        assert_answered(post(a_client, f"{path}/clarification", {"body": text}, HTTP_IF_MATCH="*"))
        assert_answered(
            post(
                b_client,
                f"{path}/answer",
                {"body": text, "delay_reason": text},
                HTTP_IF_MATCH="*",
            )
        )
        assert_answered(post(b_client, f"{path}/refuse", {"reason": text}, HTTP_IF_MATCH="*"))
        assert_answered(a_client.get(f"{API}/requests", {"q": text}))

    check()
