"""The agreement page offers each form only to whom its service allows, and links each
clause and each area to the list of its commitments (the scorecard)."""

import datetime as dt

import pytest
from django.urls import reverse

from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
    signatory_add,
)
from entente.agreements.services.commitments import commitment_create
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.tests.api_helpers import API, api_client


def links(html: str, cast, *parts) -> dict[str, bool]:
    """Which of the agreement's form links the page carries."""
    agreement = cast.agreement.public_id
    found = {}
    for label, name, record in parts:
        found[label] = reverse(f"agreements:{name}", args=[record or agreement]) in html
    return found


@pytest.fixture
def parts(cast):
    ac, ao = cast.a_coordinator, cast.a_officer
    clause = clause_create(actor=ac, agreement=cast.agreement, number="3")
    other_clause = clause_create(actor=ac, agreement=cast.agreement, number="4")
    area = area_create(actor=ac, agreement=cast.agreement, code="cyber", name={"en": "Cybercrime"})
    signatory = signatory_add(actor=ac, agreement=cast.agreement, party=cast.a, name="A. Director")
    a_event = agreement_event_record(
        actor=ao, agreement=cast.agreement, kind="signed", date=dt.date(2022, 5, 10)
    )
    b_event = agreement_event_record(
        actor=cast.b_officer, agreement=cast.agreement, kind="ratified", date=dt.date(2022, 9, 1)
    )
    linked = [
        commitment_create(
            actor=ao, agreement=cast.agreement, title={"en": title}, responsible_party=cast.a, clauses=[clause], area=area, handling=Handling(scope=Scope.SHARED))
        for title in ("Train officers", "Share contacts")
    ]  # fmt: skip
    commitment_create(
        actor=ao, agreement=cast.agreement, title={"en": "Unlinked"}, responsible_party=cast.a, clauses=[other_clause], handling=Handling(scope=Scope.SHARED))  # fmt: skip
    hidden = commitment_create(
        actor=cast.b_officer, agreement=cast.agreement, title={"en": "B internal"},
        responsible_party=cast.b, clauses=[clause], area=area,
    )  # fmt: skip
    return {
        "clause": clause,
        "area": area,
        "signatory": signatory,
        "a_event": a_event,
        "b_event": b_event,
        "linked": linked,
        "hidden": hidden,
    }


def page_links(client, user, cast, parts):
    client.force_login(user)
    html = client.get(cast.agreement.get_absolute_url()).content.decode()
    return links(
        html,
        cast,
        ("agreement-edit", "agreement-edit", None),
        ("event-create", "event-create", None),
        ("clause-create", "clause-create", None),
        ("area-create", "area-create", None),
        ("signatory-add", "signatory-add", None),
        ("event-edit", "event-edit", parts["a_event"].public_id),
        ("b event", "event-edit", parts["b_event"].public_id),
        ("clause-edit", "clause-edit", parts["clause"].public_id),
        ("area-edit", "area-edit", parts["area"].public_id),
        ("signatory-edit", "signatory-edit", parts["signatory"].public_id),
    )


def test_the_owning_coordinator_is_offered_every_form(client, cast, parts):
    found = page_links(client, cast.a_coordinator, cast, parts)
    assert found == {
        "agreement-edit": True,
        "event-create": True,
        "clause-create": True,
        "area-create": True,
        "signatory-add": True,
        "event-edit": True,  # A's event; B's is B's to edit
        "clause-edit": True,
        "area-edit": True,
        "signatory-edit": True,
        "b event": False,
    }


def test_the_other_party_records_and_edits_its_own_events_only(client, cast, parts):
    found = page_links(client, cast.b_officer, cast, parts)
    assert found == {
        "agreement-edit": False,
        "event-create": True,
        "clause-create": False,
        "area-create": False,
        "signatory-add": False,
        "event-edit": False,
        "clause-edit": False,
        "area-edit": False,
        "signatory-edit": False,
        "b event": True,
    }


def test_the_reader_is_offered_no_form(client, cast, parts):
    found = page_links(client, cast.a_reader, cast, parts)
    assert set(found.values()) == {False}


def test_clause_and_area_link_to_their_visible_commitments(client, cast, parts):
    client.force_login(cast.a_officer)
    html = client.get(cast.agreement.get_absolute_url()).content.decode()
    list_url = reverse("agreements:commitment-list")
    assert f'href="{list_url}?clause={parts["clause"].public_id}"' in html
    assert f'href="{list_url}?area={parts["area"].public_id}"' in html
    assert "2 commitments" in html  # the area's: B's internal one is not counted

    for name in ("clause", "area"):
        response = client.get(list_url, {name: str(parts[name].public_id)})
        assert sorted(c.title for c in response.context["page"].object_list) == [
            "Share contacts",
            "Train officers",
        ]


def test_api_filters_commitments_by_clause(cast, parts):
    answer = api_client(cast.a_officer).get(
        f"{API}/commitments", {"clause": str(parts["clause"].public_id)}
    )
    assert answer.status_code == 200
    assert sorted(item["title"]["en"] for item in answer.json()["items"]) == [
        "Share contacts",
        "Train officers",
    ]
    # A clause the caller cannot see filters out everything, as an unknown one does.
    internal = clause_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        number="9",
        handling=Handling(scope=Scope.INTERNAL),
    )
    answer = api_client(cast.b_officer).get(
        f"{API}/commitments", {"clause": str(internal.public_id)}
    )
    assert answer.json()["items"] == []
