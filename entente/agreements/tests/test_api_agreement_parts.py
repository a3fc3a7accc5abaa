"""PATCH of an agreement's events, clauses and areas: the same services as the pages."""

import datetime as dt

import pytest

from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
)
from entente.audit.models import AuditEvent
from entente.tests.api_helpers import API, UNKNOWN, api_client


def patch(client, path, body, **headers):
    return client.patch(path, body, content_type="application/json", **headers)


@pytest.fixture
def event(cast):
    return agreement_event_record(
        actor=cast.a_officer, agreement=cast.agreement, kind="signed", date=dt.date(2022, 5, 10)
    )


def test_event_patch_with_if_match_and_stale(cast, event):
    client = api_client(cast.a_officer)
    path = f"{API}/events/{event.public_id}"
    etag = f'"agreementevent-{event.public_id}-v1"'

    response = patch(
        client, path, {"date": "2022-05-01", "date_precision": "month", "party": "NL-POL"},
        HTTP_IF_MATCH=etag,
    )  # fmt: skip

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["date"], body["date_precision"], body["party"], body["version"]) == (
        "2022-05-01", "month", "NL-POL", 2,
    )  # fmt: skip
    stale = patch(client, path, {"note": "late"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert patch(client, path, {"note": "late"}).status_code == 428


def test_event_patch_refused_to_other_party_reader_and_unknown(cast, event):
    path = f"{API}/events/{event.public_id}"
    before = AuditEvent.objects.count()
    headers = {"HTTP_IF_MATCH": f'"agreementevent-{event.public_id}-v1"'}
    assert patch(api_client(cast.b_officer), path, {"note": "x"}, **headers).status_code == 403
    assert patch(api_client(cast.a_reader), path, {"note": "x"}, **headers).status_code == 403
    assert patch(api_client(cast.c_officer), path, {"note": "x"}, **headers).status_code == 404
    outsider = patch(api_client(cast.a_officer), f"{API}/events/{UNKNOWN}", {"note": "x"})
    assert outsider.status_code == 404
    # Each client made a token (one audit event each); nothing else was written.
    assert AuditEvent.objects.count() == before + 4


def test_event_patch_party_outside_the_agreement_names_the_field(cast, event):
    response = patch(
        api_client(cast.a_officer), f"{API}/events/{event.public_id}", {"party": "XX-OUT"},
        HTTP_IF_MATCH=f'"agreementevent-{event.public_id}-v1"',
    )  # fmt: skip
    assert response.status_code == 422
    assert "party" in response.content.decode()
    event.refresh_from_db()
    assert (event.party, event.version) == (None, 1)


def test_clause_patch_merges_texts(cast):
    clause = clause_create(
        actor=cast.a_coordinator, agreement=cast.agreement, number="3", heading={"en": "Info"}
    )
    response = patch(
        api_client(cast.a_coordinator), f"{API}/clauses/{clause.public_id}",
        {"number": "3bis", "heading": {"fr": "Infos"}},
        HTTP_IF_MATCH=f'"clause-{clause.public_id}-v1"',
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert (response.json()["number"], response.json()["heading"]) == (
        "3bis",
        {"ar": "", "fr": "Infos", "en": "Info", "nl": ""},
    )
    officer = patch(
        api_client(cast.a_officer), f"{API}/clauses/{clause.public_id}", {"number": "4"},
        HTTP_IF_MATCH=f'"clause-{clause.public_id}-v2"',
    )  # fmt: skip
    assert officer.status_code == 403


def test_area_patch_by_the_coordinator_only(cast):
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cyber"}
    )
    path = f"{API}/areas/{area.public_id}"
    response = patch(api_client(cast.a_coordinator), path, {"name": {"fr": "Cyber (fr)"}})
    assert response.status_code == 200, response.content
    assert response.json()["name"]["fr"] == "Cyber (fr)"
    assert patch(api_client(cast.b_coordinator), path, {"code": "x"}).status_code == 403
    assert patch(api_client(cast.c_officer), path, {"code": "x"}).status_code == 404
    emptied = patch(api_client(cast.a_coordinator), path, {"name": {"en": ""}})
    assert emptied.status_code == 422
    area.refresh_from_db()
    assert (area.code, area.name_en) == ("cyber", "Cyber")
