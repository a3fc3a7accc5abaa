"""Records are addressed outside the database by random public ids (UUIDv4), never by
their internal keys, so that nobody can count another party's records from the ids they
see: in URLs, API paths and answers, form choices, audit trails and cursors."""

import base64
import datetime as dt
import json
import re
import uuid

from django.urls import reverse

from entente.accounts import services as accounts
from entente.accounts.enums import Role
from entente.agreements.services.agreements import area_create, clause_create
from entente.agreements.services.commitments import commitment_create
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.testing import member, with_handling
from entente.tests.api_helpers import API, UNKNOWN, api_client, problem_body

COMMITMENTS = f"{API}/commitments"


def party_admin(cast):
    """Party A's administrator, who keeps its directory."""
    return member("a_admin", cast.a, Role.PARTY_ADMIN, cast.a_cell)


def new_commitment(cast, title="Designate a contact cell", **kwargs):
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": title},
        "responsible_party": cast.a,
        "due_date": dt.date(2030, 6, 30),
        "scope": Scope.SHARED,
    }
    return commitment_create(**with_handling(defaults | kwargs))


def test_api_ids_are_random_uuid4_unrelated_from_one_record_to_the_next(cast):
    client = api_client(cast.a_officer)
    path = f"{API}/agreements/{cast.agreement.public_id}/commitments"
    body = {"title": {"en": "One"}, "responsible_party": "MA-DGSN"}
    first = client.post(path, body, content_type="application/json")
    second = client.post(path, body | {"title": {"en": "Two"}}, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 201)
    ids = [uuid.UUID(first.json()["id"]), uuid.UUID(second.json()["id"])]
    assert [i.version for i in ids] == [4, 4]
    assert [str(i) for i in ids] == [first.json()["id"], second.json()["id"]]
    # Made one after the other, yet neither says anything of the other.
    assert abs(ids[0].int - ids[1].int) > 2**64
    assert first.json()["agreement"] == str(cast.agreement.public_id)
    assert first["Location"] == f"{COMMITMENTS}/{ids[0]}"
    assert first["ETag"] == f'"commitment-{ids[0]}-v1"'


def test_an_internal_integer_id_addresses_nothing(client, cast):
    commitment = new_commitment(cast)
    client.force_login(cast.a_officer)
    assert client.get(f"/commitments/{commitment.pk}/").status_code == 404
    assert client.get(f"/agreements/{cast.agreement.pk}/").status_code == 404
    assert client.get(f"/audit/agreements.commitment/{commitment.pk}/").status_code == 404
    for path in (f"{COMMITMENTS}/{commitment.pk}", f"{API}/agreements/{cast.agreement.pk}"):
        response = api_client(cast.a_officer).get(path)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [
            "path.commitment_id" if "commitments" in path else "path.agreement_id"
        ]


def test_an_unknown_public_id_is_404_on_pages_and_in_the_api(client, cast):
    new_commitment(cast)
    client.force_login(cast.a_officer)
    for url in (
        f"/commitments/{UNKNOWN}/",
        f"/agreements/{UNKNOWN}/",
        f"/meetings/{UNKNOWN}/",
        f"/requests/{UNKNOWN}/",
        f"/trainings/{UNKNOWN}/",
        f"/audit/agreements.commitment/{UNKNOWN}/",
    ):
        assert client.get(url).status_code == 404, url
    for path in (
        f"{COMMITMENTS}/{UNKNOWN}",
        f"{API}/agreements/{UNKNOWN}",
        f"{API}/meetings/{UNKNOWN}",
        f"{API}/requests/{UNKNOWN}",
        f"{API}/trainings/{UNKNOWN}",
        f"{API}/attachments/{UNKNOWN}",
        f"{API}/audit/agreements.commitment/{UNKNOWN}",
    ):
        response = api_client(cast.a_officer).get(path)
        assert response.json() == problem_body(404, "Not Found", "No such record.", path), path


def test_the_cast_reaches_a_record_by_its_public_id(client, cast):
    internal = new_commitment(cast, scope=Scope.INTERNAL)
    url = reverse("agreements:commitment-edit", args=[internal.public_id])
    assert url == f"/commitments/{internal.public_id}/edit/"
    for user, status in [(cast.a_officer, 200), (cast.a_reader, 403), (cast.b_officer, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username


def test_form_choices_name_records_by_public_id(client, cast):
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cyber"}
    )
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="1")
    contact = accounts.contact_create(actor=party_admin(cast), unit=cast.a_cell, name="Officer One")
    client.force_login(cast.a_officer)
    html = client.get(
        reverse("agreements:commitment-create", args=[cast.agreement.public_id])
    ).content.decode()

    def values(name: str) -> list[str]:
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
        assert select is not None, name
        return re.findall(r'<option value="([^"]*)"', select.group(1))

    assert values("area") == ["", str(area.public_id)]
    assert values("responsible_contact") == ["", str(contact.public_id)]
    assert re.findall(r'name="clauses" value="([^"]*)"', html) == [str(clause.public_id)]
    response = client.post(
        reverse("agreements:commitment-create", args=[cast.agreement.public_id]),
        {
            "reference_language": "en",
            "title_en": "Chosen by public id",
            "responsible_party": cast.a.pk,
            "responsible_contact": str(contact.public_id),
            "area": str(area.public_id),
            "clauses": [str(clause.public_id)],
            "kind": "one_off",
            "progress": "0",
            "scope": "internal",
            "marking": "TLP:AMBER",
        },
    )
    made = cast.agreement.commitments.get(title_en="Chosen by public id")
    assert response.status_code == 302
    assert response["Location"] == f"/commitments/{made.public_id}/"
    assert (made.area, made.responsible_contact, list(made.clauses.all())) == (
        area,
        contact,
        [clause],
    )


def test_a_trail_names_visible_records_by_public_id_and_hides_the_others(cast):
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cyber"}
    )
    internal_contact = accounts.contact_create(
        actor=party_admin(cast),
        unit=cast.a_cell,
        name="Source handler",
        handling=Handling(scope="internal"),
    )
    commitment = new_commitment(cast, area=area, responsible_contact=internal_contact)
    path = f"{API}/audit/agreements.commitment/{commitment.public_id}"
    expected = {
        "a_officer": str(internal_contact.public_id),  # its own party's contact
        "b_officer": "hidden",  # the other party's internal contact
    }
    for username, contact in expected.items():
        (created,) = api_client(getattr(cast, username)).get(path).json()["items"]
        after = created["after"]
        assert (after["id"], after["agreement_id"], after["area_id"]) == (
            str(commitment.public_id),
            str(cast.agreement.public_id),
            str(area.public_id),
        ), username
        assert after["responsible_contact_id"] == contact, username
        assert str(commitment.pk) not in {after["id"], after["agreement_id"]}


def test_a_cursor_carries_no_internal_key(cast):
    made = [new_commitment(cast, title=f"C{n}") for n in range(3)]
    body = api_client(cast.a_officer).get(COMMITMENTS, {"limit": 1}).json()
    cursor = body["next_cursor"]
    value, tie = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert (value, tie) == ("2030-06-30", body["items"][0]["id"])
    assert tie in {str(c.public_id) for c in made}
    assert not any(isinstance(part, int) for part in (value, tie))
