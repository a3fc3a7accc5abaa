"""GET /parties/{code}/contacts: a party's directory through the API, under the contact
rule (the other party's internal contacts never appear)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from entente.accounts.enums import Role
from entente.accounts.services import contact_create
from entente.core.models import Handling
from entente.testing import member
from entente.tests.api_helpers import API, api_client, iso, problem_body


@pytest.fixture
def contacts(cast):
    admin = member("a_admin", cast.a, Role.PARTY_ADMIN, cast.a_cell)
    shared = contact_create(
        actor=admin,
        unit=cast.a_cell,
        name="Officer A. (illustrative)",
        title="Duty officer",
        phone="+212 5 37 00 00 00",
        email="duty@example.org",
        languages="ar,fr",
        time_zone="Africa/Casablanca",
    )
    internal = contact_create(
        actor=admin,
        unit=cast.a_cell,
        name="Handler H. (illustrative)",
        handling=Handling(scope="internal"),
    )
    return shared, internal


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def test_the_other_party_gets_only_shared_contacts(cast, contacts):
    shared, _internal = contacts
    url = f"{API}/parties/MA-DGSN/contacts"
    response = api_client(cast.b_officer).get(url)
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": str(shared.public_id),
                "owning_party": "MA-DGSN",
                "scope": "shared",
                "marking": "TLP:GREEN",
                "red_recipients": [],
                "version": 1,
                "created_at": iso(shared.created_at),
                "updated_at": iso(shared.updated_at),
                "is_illustrative": False,
                "name": "Officer A. (illustrative)",
                "title": "Duty officer",
                "unit": cast.a_cell.pk,
                "unit_name": "Contact cell MA",
                "email": "duty@example.org",
                "phone": "+212 5 37 00 00 00",
                "languages": ["ar", "fr"],
                "time_zone": "Africa/Casablanca",
            }
        ],
        "next_cursor": None,
    }


def test_own_party_gets_its_internal_contacts_too(cast, contacts):
    response = api_client(cast.a_reader).get(f"{API}/parties/MA-DGSN/contacts")
    assert names(response) == ["Handler H. (illustrative)", "Officer A. (illustrative)"]


def test_a_party_outside_your_agreements_is_not_found(cast, contacts):
    url = f"{API}/parties/MA-DGSN/contacts"
    response = api_client(cast.c_officer).get(url)
    assert (response.status_code, response.json()) == (
        404,
        problem_body(404, "Not Found", "No such party.", url),
    )
    missing = api_client(cast.c_officer).get(f"{API}/parties/NO-SUCH/contacts")
    assert missing.json()["detail"] == "No such party."


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_contacts(cast, contacts):
    api, page = api_client(cast.b_officer), Client()
    page.force_login(cast.b_officer)
    url, page_url = f"{API}/parties/MA-DGSN/contacts", "/directory/MA-DGSN/"
    api.get(url)  # the token's first use of the minute writes last_used_at
    few = (queries(api, url), queries(page, page_url))
    admin = cast.a.memberships.get(role=Role.PARTY_ADMIN).user
    for n in range(5):
        contact_create(actor=admin, unit=cast.a_cell, name=f"Officer {n}")
    assert (queries(api, url), queries(page, page_url)) == few
