"""The agreements API: /agreements and its events, clauses and areas, with the fixed cast."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.agreements.models import Agreement, AgreementEvent, Clause, CooperationArea
from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
    signatory_add,
)
from entente.audit.models import AuditEvent
from entente.core.models import Handling
from entente.testing import PartyFactory, agreement_between
from entente.tests.api_helpers import UNKNOWN, api_client, etag, iso, problem_body

AGREEMENTS = "/api/v1/agreements"
EMPTY = {"ar": "", "fr": "", "en": "", "nl": ""}


def texts(**values) -> dict:
    return EMPTY | values


def record_json(record, **values) -> dict:
    """What every party-owned record shows, read back from the database."""
    record.refresh_from_db()
    return {
        "id": str(record.public_id),
        "owning_party": record.owning_party.code,
        "scope": record.scope,
        "marking": record.marking,
        "red_recipients": sorted(u.username for u in record.red_recipients.all()),
        "version": record.version,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "is_illustrative": record.is_illustrative,
    } | values


def agreement_json(agreement, **values) -> dict:
    agreement.refresh_from_db()
    return (
        record_json(
            agreement,
            instrument_type=agreement.instrument_type,
            title=texts(
                **{
                    lang: getattr(agreement, f"title_{lang}") or ""
                    for lang in ("ar", "fr", "en", "nl")
                }
            ),
            summary=EMPTY,
            reference_language=agreement.reference_language,
            parties=[
                {"party": link.party.code, "role": link.role}
                for link in agreement.agreement_parties.order_by("party__code")
            ],
            place=agreement.place,
            status=agreement.status,
            signed_on=iso(agreement.signed_on),
            in_force_on=iso(agreement.in_force_on),
            expires_on=iso(agreement.expires_on),
            duration_months=agreement.duration_months,
            renewal=agreement.renewal,
            notice_period_days=agreement.notice_period_days,
            is_binding=agreement.is_binding,
            parent=str(agreement.parent.public_id) if agreement.parent_id else None,
            source_references=agreement.source_references,
            urgent_response_hours=agreement.urgent_response_hours,
            normal_response_days=agreement.normal_response_days,
        )
        | values
    )


def detail_json(agreement, **values) -> dict:
    parts: dict[str, list] = {"signatories": [], "events": [], "clauses": [], "areas": []}
    return agreement_json(agreement) | parts | values


def event_json(event) -> dict:
    return record_json(
        event,
        agreement=str(event.agreement.public_id),
        kind=event.kind,
        date=iso(event.date),
        date_precision=event.date_precision,
        certainty=event.certainty,
        party=event.party.code if event.party else None,
        source=event.source,
        note=event.note,
    )


def clause_json(clause) -> dict:
    return record_json(
        clause,
        agreement=str(clause.agreement.public_id),
        number=clause.number,
        heading=texts(en=clause.heading_en or ""),
        text=texts(en=clause.text_en or ""),
        reference_language=clause.reference_language,
    )


def area_json(area) -> dict:
    return {
        "id": str(area.public_id),
        "agreement": str(area.agreement.public_id),
        "code": area.code,
        "name": texts(en=area.name_en or ""),
        "reference_language": area.reference_language,
    }


def post(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", **headers)


def patch(client, path, body, **headers):
    return client.patch(path, body, content_type="application/json", **headers)


def not_found(path: str) -> dict:
    return problem_body(404, "Not Found", "No such record.", path)


def forbidden(path: str, detail: str) -> dict:
    return problem_body(403, "Forbidden", detail, path)


def invalid(path: str, *errors: tuple) -> dict:
    return problem_body(
        422,
        "Unprocessable Content",
        "The input is not valid.",
        path,
        errors=[{"field": field, "message": message} for field, message in errors],
    )


COORDINATORS_ONLY = "Only a coordinator may do this."
OWNER_ONLY = "Only the party that owns this record may change it."
NO_CHANGES = "Your role does not allow changes."
LOWER_REFUSED = "Only a coordinator of the owning party may lower a marking."


@pytest.fixture
def portfolio(cast):
    """Beside the cast's shared letter of intent (signed 2022): an internal agreement of
    A (2023), an unsigned shared MoU, and an internal agreement of B (2021)."""
    a_internal = agreement_between(
        cast.a,
        cast.b,
        title_en="Internal draft of A",
        scope="internal",
        signed_on=dt.date(2023, 3, 1),
    )
    unsigned = agreement_between(
        cast.a, cast.b, title_en="Training memorandum", instrument_type="mou", signed_on=None
    )
    b_internal = agreement_between(
        cast.b,
        cast.a,
        title_en="Internal draft of B",
        scope="internal",
        owner=cast.b,
        signed_on=dt.date(2021, 1, 1),
    )
    return a_internal, unsigned, b_internal


# --- list ---------------------------------------------------------------------------------


def test_agreement_list_shows_what_each_party_may_see(cast, portfolio):
    a_internal, unsigned, b_internal = portfolio
    expected = {
        "a_reader": [a_internal, cast.agreement, unsigned],
        "b_officer": [cast.agreement, b_internal, unsigned],
        "c_officer": [],
    }
    for who, agreements in expected.items():
        response = api_client(getattr(cast, who)).get(AGREEMENTS)
        assert response.status_code == 200
        assert response.json() == {
            "items": [agreement_json(a) for a in agreements],
            "next_cursor": None,
        }, who


def test_agreement_list_shows_cast_agreement_exactly(cast):
    response = api_client(cast.b_officer).get(AGREEMENTS)
    [item] = response.json()["items"]
    assert item == {
        "id": str(cast.agreement.public_id),
        "owning_party": "MA-DGSN",
        "scope": "shared",
        "marking": "TLP:AMBER",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(cast.agreement.created_at),
        "updated_at": iso(cast.agreement.updated_at),
        "is_illustrative": False,
        "instrument_type": "letter_of_intent",
        "title": texts(en="Letter of intent on police cooperation"),
        "summary": EMPTY,
        "reference_language": "en",
        "parties": [{"party": "MA-DGSN", "role": "party"}, {"party": "NL-POL", "role": "party"}],
        "place": "",
        "status": "draft",
        "signed_on": "2022-05-10",
        "in_force_on": None,
        "expires_on": None,
        "duration_months": None,
        "renewal": "none",
        "notice_period_days": None,
        "is_binding": False,
        "parent": None,
        "source_references": "",
        "urgent_response_hours": 48,
        "normal_response_days": 30,
    }


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"status": "signed"}, ["Internal draft of A"]),
        ({"instrument_type": "mou"}, ["Training memorandum"]),
        ({"country": "NL"}, ["Internal draft of A", "Letter of intent", "Training memorandum"]),
        ({"country": "be"}, ["Belgian arrangement"]),
        ({"q": "memorandum TRAINING"}, ["Training memorandum"]),
        ({"q": "letter INTENT"}, ["Letter of intent"]),
    ],
)
def test_agreement_list_filters(cast, portfolio, query, titles):
    a_internal = portfolio[0]
    Agreement.objects.filter(pk=a_internal.pk).update(status="signed")
    Agreement.objects.filter(pk=cast.agreement.pk).update(title_en="Letter of intent")
    agreement_between(cast.a, cast.c, title_en="Belgian arrangement", signed_on=None)
    response = api_client(cast.a_officer).get(AGREEMENTS, query)
    assert [item["title"]["en"] for item in response.json()["items"]] == titles


def test_agreement_list_refuses_bad_filters(cast):
    client = api_client(cast.a_officer)
    response = client.get(AGREEMENTS, {"status": "lost", "q": "nul\x00byte", "country": "NLD"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "query.status",
        "query.country",
        "query.q",
    ]


def test_agreement_list_pages_by_signature_then_unsigned(cast, portfolio):
    a_internal, unsigned, b_internal = portfolio
    client = api_client(cast.a_officer)
    seen, cursor = [], None
    for _page in range(4):
        body = client.get(AGREEMENTS, {"limit": 1} | ({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [str(a.public_id) for a in (a_internal, cast.agreement, unsigned)]


def test_agreement_list_query_count_does_not_grow(cast):
    client = api_client(cast.a_officer)
    client.get(AGREEMENTS)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        client.get(AGREEMENTS)
    for i in range(5):
        extra = agreement_between(cast.a, cast.b, PartyFactory(code=f"X{i}"), title_en=f"A{i}")
        extra.red_recipients.add(cast.a_officer)
        Agreement.objects.filter(pk=extra.pk).update(parent=cast.agreement)
    with CaptureQueriesContext(connection) as many:
        body = client.get(AGREEMENTS).json()
    assert len(body["items"]) == 6
    # Equal sort keys come in public-id order, which is random: look the children up.
    parents = {
        item["parent"] for item in body["items"] if item["id"] != str(cast.agreement.public_id)
    }
    assert parents == {str(cast.agreement.public_id)}
    assert len(many) == len(few)


# --- detail -------------------------------------------------------------------------------


def test_agreement_detail_shows_parts_the_user_may_see(cast):
    signatory_add(
        actor=cast.a_coordinator, agreement=cast.agreement, party=cast.b, name="Head of NL police"
    )
    shared_event = agreement_event_record(
        actor=cast.b_officer, agreement=cast.agreement, kind="signed", date=dt.date(2022, 5, 10)
    )
    internal_event = agreement_event_record(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="drafted",
        date=dt.date(2022, 1, 3),
        source="Internal note",
        handling=Handling(scope="internal"),
    )
    clause = clause_create(
        actor=cast.a_coordinator, agreement=cast.agreement, number="2", heading={"en": "Areas"}
    )
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cybercrime"}
    )
    parent = agreement_between(cast.a, cast.b, title_en="Framework", scope="internal")
    Agreement.objects.filter(pk=cast.agreement.pk).update(parent=parent)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"

    response = api_client(cast.a_reader).get(path)
    assert response.status_code == 200
    assert etag(response) == f'"agreement-{cast.agreement.public_id}-v1"'
    signatory = {"party": "NL-POL", "name": "Head of NL police", "function": ""}
    assert response.json() == detail_json(
        cast.agreement,
        parent=str(parent.public_id),
        signatories=[signatory],
        events=[event_json(internal_event), event_json(shared_event)],
        clauses=[clause_json(clause)],
        areas=[area_json(area)],
    )
    assert response.json()["events"][1]["party"] is None

    # B does not see A's internal event, nor that the parent exists.
    response = api_client(cast.b_officer).get(path)
    assert response.json() == detail_json(
        cast.agreement,
        parent=None,
        signatories=[signatory],
        events=[event_json(shared_event)],
        clauses=[clause_json(clause)],
        areas=[area_json(area)],
    )


def test_agreement_detail_is_404_to_those_who_may_not_see_it(cast, portfolio):
    a_internal = portfolio[0]
    for who, agreement in [("b_coordinator", a_internal), ("c_officer", cast.agreement)]:
        path = f"{AGREEMENTS}/{agreement.public_id}"
        response = api_client(getattr(cast, who)).get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json() == not_found(path)
    response = api_client(cast.a_officer).get(f"{AGREEMENTS}/{UNKNOWN}")
    assert response.status_code == 404


# --- create -------------------------------------------------------------------------------

NEW = {
    "instrument_type": "mou",
    "title": {"fr": "Protocole d'entente", "en": "Memorandum"},
    "reference_language": "fr",
    "parties": ["MA-DGSN", "NL-POL"],
    "signed_on": "2023-01-05",
    "place": "Rabat",
}


def test_agreement_create_by_coordinator(cast):
    client = api_client(cast.a_coordinator)
    before = AuditEvent.objects.count()
    response = post(client, AGREEMENTS, NEW | {"summary": {"en": "Police training"}})
    assert response.status_code == 201
    agreement = Agreement.objects.get(title_en="Memorandum")
    assert response["Location"] == f"{AGREEMENTS}/{agreement.public_id}"
    assert etag(response) == f'"agreement-{agreement.public_id}-v1"'
    assert response.json() == {
        "id": str(agreement.public_id),
        "owning_party": "MA-DGSN",
        "scope": "internal",
        "marking": "TLP:AMBER",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(agreement.created_at),
        "updated_at": iso(agreement.updated_at),
        "is_illustrative": False,
        "instrument_type": "mou",
        "title": texts(fr="Protocole d'entente", en="Memorandum"),
        "summary": texts(en="Police training"),
        "reference_language": "fr",
        "parties": [{"party": "MA-DGSN", "role": "party"}, {"party": "NL-POL", "role": "party"}],
        "place": "Rabat",
        "status": "draft",
        "signed_on": "2023-01-05",
        "in_force_on": None,
        "expires_on": None,
        "duration_months": None,
        "renewal": "none",
        "notice_period_days": None,
        "is_binding": False,
        "parent": None,
        "source_references": "",
        "urgent_response_hours": 48,
        "normal_response_days": 30,
        "signatories": [],
        "events": [],
        "clauses": [],
        "areas": [],
    }
    actions = list(
        AuditEvent.objects.filter(seq__gt=before).values_list("action", "actor_name", "target_type")
    )
    assert actions == [
        ("create", "a_coordinator", "agreements.agreement"),
        ("parties", "a_coordinator", "agreements.agreement"),
    ]


def test_agreement_create_with_parent_and_red_marking(cast):
    client = api_client(cast.a_coordinator)
    body = NEW | {
        "parent": str(cast.agreement.public_id),
        "marking": "TLP:RED",
        "red_recipients": ["a_reader"],
        "scope": "shared",
    }
    response = post(client, AGREEMENTS, body)
    assert response.status_code == 201
    assert (response.json()["parent"], response.json()["red_recipients"]) == (
        str(cast.agreement.public_id),
        ["a_coordinator", "a_reader"],
    )
    path = f"{AGREEMENTS}/{response.json()['id']}"
    assert api_client(cast.a_reader).get(path).status_code == 200
    assert api_client(cast.a_officer).get(path).status_code == 404
    assert api_client(cast.b_coordinator).get(path).status_code == 404


@pytest.mark.parametrize(
    ("who", "detail"), [("a_officer", COORDINATORS_ONLY), ("a_reader", COORDINATORS_ONLY)]
)
def test_agreement_create_refused_to_non_coordinators(cast, who, detail):
    response = post(api_client(getattr(cast, who)), AGREEMENTS, NEW)
    assert response.status_code == 403
    assert response.json() == forbidden(AGREEMENTS, detail)
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize(
    "field",
    ["owning_party", "version", "created_at", "updated_at", "status", "is_illustrative", "id"],
)
def test_agreement_create_refuses_protected_fields(cast, field):
    response = post(api_client(cast.a_coordinator), AGREEMENTS, NEW | {field: "x"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
    ]
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"parties": ["NL-POL", "XX-OUT"]},
            [("parties", "Your own party must be a party to the agreement.")],
        ),
        ({"parties": ["MA-DGSN", "NOPE"]}, [("parties", "No such party: NOPE.")]),
        (
            {"in_force_on": "2022-01-01"},
            [("in_force_on", "Entry into force cannot precede signature.")],
        ),
        (
            {"title": {"en": "Only English"}},
            [("title_fr", "Give the text in the reference language.")],
        ),
        ({"title": {"fr": "Nul\x00"}}, [("title_fr", "Null characters are not allowed.")]),
        ({"parent": UNKNOWN}, [("parent", f"No such record: {UNKNOWN}.")]),
        ({"marking": "TLP:RED"}, [("red_recipients", "Name at least one recipient for TLP:RED.")]),
        (
            {"marking": "TLP:RED", "red_recipients": ["ghost"]},
            [("red_recipients", "No such user: ghost.")],
        ),
    ],
)
def test_agreement_create_refuses_invalid_input(cast, changes, errors):
    client = api_client(cast.a_coordinator)
    before = AuditEvent.objects.count()
    response = post(client, AGREEMENTS, NEW | changes)
    assert response.status_code == 422
    assert response.json() == invalid(AGREEMENTS, *errors)
    assert Agreement.objects.count() == 1
    assert AuditEvent.objects.count() == before


def test_agreement_create_schema_violations_name_the_field(cast):
    response = post(
        api_client(cast.a_coordinator),
        AGREEMENTS,
        NEW | {"instrument_type": "pact", "parties": ["MA-DGSN"], "place": "x" * 201},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "body.instrument_type",
        "body.parties",
        "body.place",
    ]


def test_agreement_create_with_idempotency_key_makes_one_record(cast):
    client = api_client(cast.a_coordinator)
    first = post(client, AGREEMENTS, NEW, HTTP_IDEMPOTENCY_KEY="agr-1")
    again = post(client, AGREEMENTS, NEW, HTTP_IDEMPOTENCY_KEY="agr-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (again["Location"], again["ETag"]) == (first["Location"], first["ETag"])
    assert Agreement.objects.filter(title_en="Memorandum").count() == 1


# --- change -------------------------------------------------------------------------------


def test_agreement_patch_changes_only_what_is_sent(cast):
    client = api_client(cast.a_coordinator)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"
    read = client.get(path)
    response = patch(
        client,
        path,
        {"title": {"fr": "Lettre d'intention"}, "expires_on": "2027-05-10", "is_binding": True},
        HTTP_IF_MATCH=etag(read),
    )
    assert response.status_code == 200
    assert etag(response) == f'"agreement-{cast.agreement.public_id}-v2"'
    assert response.json() == detail_json(cast.agreement)
    assert response.json()["title"] == texts(
        fr="Lettre d'intention", en="Letter of intent on police cooperation"
    )
    assert (response.json()["expires_on"], response.json()["is_binding"]) == ("2027-05-10", True)
    event = AuditEvent.objects.filter(target_type="agreements.agreement").last()
    assert (event.action, event.actor_name) == ("update", "a_coordinator")
    assert {k: v for k, v in event.after.items() if k != "updated_at"} == {
        "version": 2,
        "title_fr": "Lettre d'intention",
        "expires_on": "2027-05-10",
        "is_binding": True,
    }


def test_agreement_patch_with_nothing_new_keeps_the_version(cast):
    client = api_client(cast.a_coordinator)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"
    before = AuditEvent.objects.count()
    response = patch(
        client,
        path,
        {"title": {"en": "Letter of intent on police cooperation"}, "signed_on": "2022-05-10"},
        HTTP_IF_MATCH=etag(client.get(path)),
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert AuditEvent.objects.count() == before


def test_agreement_patch_without_fields_answers_the_record_and_writes_nothing(cast):
    client = api_client(cast.a_coordinator)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"
    read = client.get(path)
    before = AuditEvent.objects.count()
    response = patch(client, path, {}, HTTP_IF_MATCH=etag(read))
    assert response.status_code == 200
    assert response.json() == read.json()
    assert etag(response) == etag(read)
    assert AuditEvent.objects.count() == before


def test_agreement_patch_needs_if_match(cast):
    client = api_client(cast.a_coordinator)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"
    response = patch(client, path, {"place": "Rabat"})
    assert response.status_code == 428
    assert response.json() == problem_body(
        428,
        "Precondition Required",
        "Send If-Match with the ETag of the version you read, to change this record.",
        path,
    )
    stale = f'"agreement-{cast.agreement.public_id}-v0"'
    response = patch(client, path, {"place": "Rabat"}, HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response["ETag"] == f'"agreement-{cast.agreement.public_id}-v1"'
    assert response.json()["detail"] == (
        f'The record has changed since you read it; it is now at "agreement-{cast.agreement.public_id}-v1".'
    )
    cast.agreement.refresh_from_db()
    assert (cast.agreement.place, cast.agreement.version) == ("", 1)


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("a_officer", 403, COORDINATORS_ONLY),
        ("a_reader", 403, COORDINATORS_ONLY),
        ("b_coordinator", 403, OWNER_ONLY),
        ("c_officer", 404, "No such record."),
    ],
)
def test_agreement_patch_refused(cast, who, status, detail):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"
    tag = f'"agreement-{cast.agreement.public_id}-v1"'
    response = patch(api_client(getattr(cast, who)), path, {"place": "X"}, HTTP_IF_MATCH=tag)
    assert response.status_code == status
    assert response.json()["detail"] == detail
    cast.agreement.refresh_from_db()
    assert cast.agreement.place == ""


@pytest.mark.parametrize(
    "field", ["owning_party", "version", "scope", "marking", "status", "created_at", "parties"]
)
def test_agreement_patch_refuses_protected_fields(cast, field):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"
    tag = f'"agreement-{cast.agreement.public_id}-v1"'
    response = patch(api_client(cast.a_coordinator), path, {field: "x"}, HTTP_IF_MATCH=tag)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
    ]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"expires_on": "2021-01-01"}, [("expires_on", "Expiry must come after signature.")]),
        ({"title": {"en": " "}}, [("title_en", "Give the text in the reference language.")]),
        ({"reference_language": "nl"}, [("title_nl", "Give the text in the reference language.")]),
        ({"place": "Ra\x00bat"}, [("place", "Null characters are not allowed.")]),
    ],
)
def test_agreement_patch_refuses_invalid_input(cast, body, errors):
    client = api_client(cast.a_coordinator)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"
    before = AuditEvent.objects.count()
    response = patch(client, path, body, HTTP_IF_MATCH=f'"agreement-{cast.agreement.public_id}-v1"')
    assert response.status_code == 422
    assert response.json() == invalid(path, *errors)
    assert AuditEvent.objects.count() == before


def test_agreement_patch_null_for_a_required_field_is_refused(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}"
    response = patch(
        api_client(cast.a_coordinator),
        path,
        {"is_binding": None, "signed_on": None},
        HTTP_IF_MATCH=f'"agreement-{cast.agreement.public_id}-v1"',
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.is_binding", "message": "Input should be a valid boolean"}
    ]


# --- status, publish, marking ---------------------------------------------------------------


def test_agreement_status_follows_the_lifecycle(cast):
    client = api_client(cast.a_coordinator)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/status"
    response = post(client, path, {"status": "signed"}, HTTP_IF_MATCH=etag(client.get(path[:-7])))
    assert response.status_code == 200
    assert (response.json()["status"], etag(response)) == (
        "signed",
        f'"agreement-{cast.agreement.public_id}-v2"',
    )
    event = AuditEvent.objects.filter(target_type="agreements.agreement").last()
    assert (event.action, event.before["status"], event.after["status"]) == (
        "status",
        "draft",
        "signed",
    )
    response = post(client, path, {"status": "draft"}, HTTP_IF_MATCH=etag(response))
    assert response.status_code == 422
    assert response.json() == invalid(
        path, ("status", "An agreement cannot go from Signed to Draft.")
    )


def test_agreement_status_refusals(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/status"
    tag = f'"agreement-{cast.agreement.public_id}-v1"'
    assert post(api_client(cast.a_coordinator), path, {"status": "signed"}).status_code == 428
    response = post(api_client(cast.a_reader), path, {"status": "signed"}, HTTP_IF_MATCH=tag)
    assert (response.status_code, response.json()["detail"]) == (403, COORDINATORS_ONLY)
    response = post(api_client(cast.c_officer), path, {"status": "signed"}, HTTP_IF_MATCH=tag)
    assert response.status_code == 404
    response = post(api_client(cast.a_coordinator), path, {"status": "lost"}, HTTP_IF_MATCH=tag)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.status"


def test_agreement_publish_shares_it(cast, portfolio):
    a_internal = portfolio[0]
    path = f"{AGREEMENTS}/{a_internal.public_id}/publish"
    b_client = api_client(cast.b_officer)
    assert b_client.get(f"{AGREEMENTS}/{a_internal.public_id}").status_code == 404
    response = api_client(cast.a_officer).post(path, HTTP_IF_MATCH=etag_of(a_internal))
    assert (response.status_code, response.json()["detail"]) == (403, COORDINATORS_ONLY)
    client = api_client(cast.a_coordinator)
    assert client.post(path).status_code == 428
    response = client.post(path, HTTP_IF_MATCH=etag_of(a_internal))
    assert response.status_code == 200
    assert (response.json()["scope"], response.json()["version"]) == ("shared", 2)
    assert b_client.get(f"{AGREEMENTS}/{a_internal.public_id}").status_code == 200
    response = client.post(path, HTTP_IF_MATCH=etag(response))
    assert response.status_code == 422
    assert response.json() == invalid(path, ("scope", "This record is already shared."))


def etag_of(record) -> str:
    record.refresh_from_db()
    return f'"{record._meta.model_name}-{record.public_id}-v{record.version}"'


def test_agreement_marking_red_hides_it_from_others(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/marking"
    client = api_client(cast.a_coordinator)
    body = {"marking": "TLP:RED", "red_recipients": ["b_coordinator"]}
    response = post(client, path, body, HTTP_IF_MATCH=etag_of(cast.agreement))
    assert response.status_code == 200
    assert (response.json()["marking"], response.json()["red_recipients"]) == (
        "TLP:RED",
        ["a_coordinator", "b_coordinator"],
    )
    detail = f"{AGREEMENTS}/{cast.agreement.public_id}"
    assert api_client(cast.b_coordinator).get(detail).status_code == 200
    assert api_client(cast.b_officer).get(detail).status_code == 404
    assert api_client(cast.a_reader).get(detail).status_code == 404


def test_agreement_marking_refusals(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/marking"
    tag = f'"agreement-{cast.agreement.public_id}-v1"'
    response = post(api_client(cast.a_reader), path, {"marking": "TLP:RED"}, HTTP_IF_MATCH=tag)
    assert (response.status_code, response.json()["detail"]) == (403, NO_CHANGES)
    response = post(api_client(cast.a_officer), path, {"marking": "TLP:CLEAR"}, HTTP_IF_MATCH=tag)
    assert (response.status_code, response.json()["detail"]) == (403, LOWER_REFUSED)
    response = post(api_client(cast.b_coordinator), path, {"marking": "TLP:RED"}, HTTP_IF_MATCH=tag)
    assert (response.status_code, response.json()["detail"]) == (403, OWNER_ONLY)
    client = api_client(cast.a_coordinator)
    assert post(client, path, {"marking": "TLP:GREEN"}).status_code == 428
    response = post(client, path, {"marking": "TLP:RED"}, HTTP_IF_MATCH=tag)
    assert response.json() == invalid(
        path, ("red_recipients", "Name at least one recipient for TLP:RED.")
    )
    cast.agreement.refresh_from_db()
    assert (cast.agreement.marking, cast.agreement.version) == ("TLP:AMBER", 1)


# --- events -------------------------------------------------------------------------------


def test_agreement_events_list_and_record(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/events"
    b_client = api_client(cast.b_officer)
    response = post(
        b_client,
        path,
        {
            "kind": "ratified",
            "date": "2022-09-01",
            "date_precision": "month",
            "certainty": "reported",
            "party": "NL-POL",
            "source": "Press release",
        },
    )
    assert response.status_code == 201
    event = AgreementEvent.objects.get()
    assert etag(response) == f'"agreementevent-{event.public_id}-v1"'
    assert response.json() == {
        "id": str(event.public_id),
        "owning_party": "NL-POL",
        "scope": "shared",
        "marking": "TLP:GREEN",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(event.created_at),
        "updated_at": iso(event.updated_at),
        "is_illustrative": False,
        "agreement": str(cast.agreement.public_id),
        "kind": "ratified",
        "date": "2022-09-01",
        "date_precision": "month",
        "certainty": "reported",
        "party": "NL-POL",
        "source": "Press release",
        "note": "",
    }
    internal = agreement_event_record(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="drafted",
        date=dt.date(2022, 1, 1),
        handling=Handling(scope="internal"),
    )
    response = api_client(cast.a_reader).get(path)
    assert response.json() == {
        "items": [event_json(internal), event_json(event)],
        "next_cursor": None,
    }
    assert b_client.get(path).json()["items"] == [event_json(event)]


def test_agreement_events_refusals(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/events"
    body = {"kind": "signed", "date": "2022-05-10"}
    response = post(api_client(cast.a_reader), path, body)
    assert (response.status_code, response.json()["detail"]) == (403, NO_CHANGES)
    response = post(api_client(cast.c_officer), path, body)
    assert response.json() == not_found(path)
    assert api_client(cast.c_officer).get(path).json() == not_found(path)
    response = post(api_client(cast.a_officer), path, body | {"owning_party": "NL-POL"})
    assert response.status_code == 422
    response = post(api_client(cast.a_officer), path, body | {"note": "a\x00b"})
    assert response.json() == invalid(path, ("note", "Null characters are not allowed."))
    assert AgreementEvent.objects.count() == 0


def test_agreement_event_record_is_idempotent(cast):
    client = api_client(cast.a_officer)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/events"
    body = {"kind": "signed", "date": "2022-05-10"}
    first = post(client, path, body, HTTP_IDEMPOTENCY_KEY="ev")
    again = post(client, path, body, HTTP_IDEMPOTENCY_KEY="ev")
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert AgreementEvent.objects.count() == 1


# --- clauses ------------------------------------------------------------------------------


def test_clauses_list_and_add(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/clauses"
    client = api_client(cast.a_coordinator)
    response = post(
        client,
        path,
        {
            "number": "3",
            "heading": {"en": "Exchange of information"},
            "text": {"en": "The parties"},
        },
    )
    assert response.status_code == 201
    clause = Clause.objects.get()
    assert response.json() == {
        "id": str(clause.public_id),
        "owning_party": "MA-DGSN",
        "scope": "shared",
        "marking": "TLP:GREEN",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(clause.created_at),
        "updated_at": iso(clause.updated_at),
        "is_illustrative": False,
        "agreement": str(cast.agreement.public_id),
        "number": "3",
        "heading": texts(en="Exchange of information"),
        "text": texts(en="The parties"),
        "reference_language": "en",
    }
    internal = clause_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        number="1",
        handling=Handling(scope="internal"),
    )
    assert api_client(cast.a_reader).get(path).json()["items"] == [
        clause_json(internal),
        clause_json(clause),
    ]
    assert api_client(cast.b_officer).get(path).json()["items"] == [clause_json(clause)]
    assert api_client(cast.c_officer).get(path).status_code == 404


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("a_officer", 403, COORDINATORS_ONLY),
        ("b_coordinator", 403, OWNER_ONLY),
        ("c_officer", 404, "No such record."),
    ],
)
def test_clause_add_refused(cast, who, status, detail):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/clauses"
    response = post(api_client(getattr(cast, who)), path, {"number": "1"})
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert Clause.objects.count() == 0


def test_clause_add_refuses_a_duplicate_number_and_replays_a_key(cast):
    client = api_client(cast.a_coordinator)
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/clauses"
    first = post(client, path, {"number": "1"}, HTTP_IDEMPOTENCY_KEY="c1")
    again = post(client, path, {"number": "1"}, HTTP_IDEMPOTENCY_KEY="c1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (
        201,
        201,
        "true",
    )
    duplicate = post(client, path, {"number": "1"})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == [
        {"field": "number", "message": "Clause with this Agreement and Number already exists."}
    ]
    assert Clause.objects.count() == 1


# --- areas --------------------------------------------------------------------------------


def test_areas_list_and_add(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/areas"
    client = api_client(cast.a_coordinator)
    response = post(client, path, {"code": "drugs", "name": {"en": "Drug crime", "fr": "Drogue"}})
    assert response.status_code == 201
    area = CooperationArea.objects.get()
    assert response.json() == {
        "id": str(area.public_id),
        "agreement": str(cast.agreement.public_id),
        "code": "drugs",
        "name": texts(en="Drug crime", fr="Drogue"),
        "reference_language": "en",
    }
    area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cyber"}
    )
    response = api_client(cast.b_officer).get(path)
    assert [item["code"] for item in response.json()["items"]] == ["cyber", "drugs"]
    assert api_client(cast.c_officer).get(path).status_code == 404


def test_area_add_refusals(cast):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/areas"
    body = {"code": "drugs", "name": {"en": "Drug crime"}}
    response = post(api_client(cast.a_reader), path, body)
    assert (response.status_code, response.json()["detail"]) == (403, COORDINATORS_ONLY)
    response = post(api_client(cast.b_coordinator), path, body)
    assert (response.status_code, response.json()["detail"]) == (403, OWNER_ONLY)
    response = post(api_client(cast.a_coordinator), path, {"code": "drugs", "name": {"fr": "x"}})
    assert response.json() == invalid(path, ("name_en", "Give the text in the reference language."))
    response = post(
        api_client(cast.a_coordinator), path, {"code": "no spaces", "name": {"en": "x"}}
    )
    assert response.json()["errors"][0]["field"] == "body.code"
    assert CooperationArea.objects.count() == 0


def _add_part(cast, kind: str, i: int) -> None:
    if kind == "events":
        event = agreement_event_record(
            actor=cast.a_officer,
            agreement=cast.agreement,
            kind="amended",
            date=dt.date(2023, 1, i + 1),
        )
        event.red_recipients.add(cast.a_officer)
    elif kind == "clauses":
        clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number=str(i))
    else:
        area_create(
            actor=cast.a_coordinator, agreement=cast.agreement, code=f"a{i}", name={"en": f"A{i}"}
        )


@pytest.mark.parametrize("kind", ["events", "clauses", "areas"])
def test_agreement_part_lists_query_count_does_not_grow(cast, kind):
    path = f"{AGREEMENTS}/{cast.agreement.public_id}/{kind}"
    client = api_client(cast.a_officer)
    _add_part(cast, kind, 0)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for i in range(1, 6):
        _add_part(cast, kind, i)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(path).json()["items"]) == 6
    assert len(many) == len(few)
