"""Decisions become commitments with their texts, unit, clauses, area and marking (the
meeting's by default), and the two are linked both ways as far as the reader sees them."""

import datetime as dt

import pytest

from entente.agreements.models import Commitment
from entente.agreements.selectors import commitment_links
from entente.agreements.services.agreements import area_create, clause_create
from entente.core.errors import NotFound, PermissionDenied, ValidationError
from entente.meetings.services.decisions import decision_record, decision_to_commitments
from entente.meetings.tests.test_api import post
from entente.meetings.tests.test_services import counts, new_meeting
from entente.meetings.tests.test_views_meeting_detail import commitments_url, row, rows_post
from entente.tests.api_helpers import api_client

API = "/api/v1"
LOOSER = "A commitment from this decision is marked at least as strictly as its meeting (%s)."


@pytest.fixture
def parts(cast):
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="4")
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cyber"}
    )
    return clause, area


def decision_of(cast, **meeting):
    """Decision 1 of a past shared TLP:GREEN meeting of A (unless `meeting` says otherwise)."""
    return decision_record(
        actor=cast.a_officer, meeting=new_meeting(cast, **meeting), text="Train together"
    )


def test_a_commitment_takes_texts_unit_clauses_area_and_the_meetings_marking(cast, parts):
    clause, area = parts
    decision = decision_of(cast)
    (created,) = decision_to_commitments(
        actor=cast.a_officer,
        decision=decision,
        commitments=[
            {
                "title": {"en": "Host a course"},
                "description": {"en": "Two weeks, in Rabat"},
                "responsible_party": cast.b,
                "responsible_unit": cast.b_cell,
                "due_date": dt.date(2027, 5, 31),
                "clauses": [clause],
                "area": area,
            }
        ],
    )
    assert (
        created.title_en,
        created.description_en,
        created.responsible_party,
        created.responsible_unit,
        created.due_date,
        list(created.clauses.all()),
        created.area,
        created.marking,
        created.scope,
    ) == (
        "Host a course",
        "Two weeks, in Rabat",
        cast.b,
        cast.b_cell,
        dt.date(2027, 5, 31),
        [clause],
        area,
        "TLP:GREEN",
        "internal",
    )
    assert list(created.source_decisions.all()) == [decision]


def test_a_stricter_marking_is_kept_and_a_looser_one_refused_naming_the_field(cast):
    decision = decision_of(cast, marking="TLP:AMBER")
    # Only coordinators mark a record TLP:AMBER+STRICT, wherever it comes from.
    (strict,) = decision_to_commitments(
        actor=cast.a_coordinator,
        decision=decision,
        commitments=[
            {"title": {"en": "Strict"}, "responsible_party": cast.a, "marking": "TLP:AMBER+STRICT"}
        ],
    )
    assert strict.marking == "TLP:AMBER+STRICT"
    before = counts()
    with pytest.raises(ValidationError) as exc:
        decision_to_commitments(
            actor=cast.a_coordinator,
            decision=decision,
            commitments=[
                {"title": {"en": "Fine"}, "responsible_party": cast.a},
                {"title": {"en": "Loose"}, "responsible_party": cast.a, "marking": "TLP:GREEN"},
            ],
        )
    assert exc.value.message_dict == {"commitments.1.marking": [LOOSER % "TLP:AMBER"]}
    assert counts() == before


def test_under_a_red_meeting_commitments_are_red_for_its_recipients(cast):
    decision = decision_record(
        actor=cast.a_coordinator,
        meeting=new_meeting(
            cast,
            actor=cast.a_coordinator,
            marking="TLP:RED",
            red_recipients=[cast.a_coordinator, cast.b_officer],
        ),
        text="Quietly",
    )
    (created,) = decision_to_commitments(
        actor=cast.a_coordinator,
        decision=decision,
        commitments=[{"title": {"en": "Quiet"}, "responsible_party": cast.b, "scope": "shared"}],
    )
    assert created.marking == "TLP:RED"
    assert set(created.red_recipients.all()) == {cast.a_coordinator, cast.b_officer}


@pytest.mark.parametrize(
    ("who", "error"),
    [("a_reader", PermissionDenied), ("b_officer", PermissionDenied), ("c_officer", NotFound)],
)
def test_refused_to_reader_other_party_and_outsider(cast, who, error):
    decision = decision_of(cast)
    before = counts()
    with pytest.raises(error):
        decision_to_commitments(
            actor=getattr(cast, who),
            decision=decision,
            commitments=[{"title": {"en": "X"}, "responsible_party": cast.a}],
        )
    assert counts() == before


def test_a_decision_of_a_hidden_meeting_is_unknown_to_the_other_party(cast):
    decision = decision_of(cast, scope="internal")
    with pytest.raises(NotFound):
        decision_to_commitments(
            actor=cast.b_officer,
            decision=decision,
            commitments=[{"title": {"en": "X"}, "responsible_party": cast.b}],
        )


# --- linked both ways ---------------------------------------------------------------------


def test_the_commitment_shows_its_decision_only_to_who_sees_the_meeting(client, cast):
    seen = decision_of(cast)
    hidden = decision_of(cast, scope="internal", title={"en": "Internal briefing"})
    specs = [{"title": {"en": "Shared follow-up"}, "responsible_party": cast.b, "scope": "shared"}]
    (from_seen,) = decision_to_commitments(actor=cast.a_officer, decision=seen, commitments=specs)
    (from_hidden,) = decision_to_commitments(
        actor=cast.a_officer, decision=hidden, commitments=specs
    )
    assert commitment_links(cast.a_reader, from_hidden).decisions == [hidden]
    assert commitment_links(cast.b_officer, from_hidden).decisions == []
    assert commitment_links(cast.b_officer, from_seen).decisions == [seen]

    client.force_login(cast.b_officer)
    page = client.get(from_seen.get_absolute_url()).content.decode()
    assert "From decision 1 of First joint committee" in page
    assert seen.get_absolute_url() in page
    page = client.get(from_hidden.get_absolute_url()).content.decode()
    assert "From decision" not in page and "Internal briefing" not in page
    client.force_login(cast.a_officer)
    page = client.get(from_hidden.get_absolute_url()).content.decode()
    assert "From decision 1 of Internal briefing" in page

    api = api_client(cast.b_officer)
    assert api.get(f"{API}/commitments/{from_seen.public_id}").json()["decisions"] == [
        str(seen.public_id)
    ]
    assert api.get(f"{API}/commitments/{from_hidden.public_id}").json()["decisions"] == []
    listed = {c["id"]: c["decisions"] for c in api.get(f"{API}/commitments").json()["items"]}
    assert listed == {
        str(from_seen.public_id): [str(seen.public_id)],
        str(from_hidden.public_id): [],
    }


# --- the API ------------------------------------------------------------------------------


def test_api_spec_takes_description_unit_clauses_and_defaults_to_the_meetings_marking(cast, parts):
    clause, area = parts
    decision = decision_of(cast)
    url = f"{API}/decisions/{decision.public_id}/commitments"
    spec = {
        "title": {"en": "Host a course"},
        "description": {"en": "Two weeks"},
        "responsible_party": "NL-POL",
        "responsible_unit": cast.b_cell.pk,
        "clauses": [str(clause.public_id)],
        "area": str(area.public_id),
        "due_date": "2027-05-31",
    }
    response = post(api_client(cast.a_officer), url, [spec])
    assert response.status_code == 201
    created = Commitment.objects.get()
    assert (
        created.description_en,
        created.responsible_unit,
        list(created.clauses.all()),
        created.area,
        created.marking,
    ) == ("Two weeks", cast.b_cell, [clause], area, "TLP:GREEN")
    assert response.json()["commitments"][0]["marking"] == "TLP:GREEN"


def test_api_refuses_a_looser_marking_or_another_partys_unit_naming_the_field(cast):
    decision = decision_of(cast)
    url = f"{API}/decisions/{decision.public_id}/commitments"
    client = api_client(cast.a_officer)
    before = counts()
    cases = [
        (
            {"title": {"en": "X"}, "responsible_party": "NL-POL", "marking": "TLP:CLEAR"},
            {"field": "commitments.0.marking", "message": LOOSER % "TLP:GREEN"},
        ),
        (
            {
                "title": {"en": "X"},
                "responsible_party": "NL-POL",
                "responsible_unit": cast.a_cell.pk,
            },
            {
                "field": "commitments.0.responsible_unit",
                "message": "The unit belongs to another party.",
            },
        ),
    ]
    for spec, error in cases:
        response = post(client, url, [spec])
        assert (response.status_code, response.json()["errors"]) == (422, [error])
    assert counts() == before


# --- the page -----------------------------------------------------------------------------


def test_the_form_preselects_the_meetings_marking_and_offers_no_looser_one(client, cast):
    decision = decision_of(cast, marking="TLP:AMBER")
    client.force_login(cast.a_officer)
    response = client.get(commitments_url(decision))
    assert response.status_code == 200
    form = response.context["rows"].forms[0]
    assert form["marking"].value() == "TLP:AMBER"
    assert [value for value, _label in form.fields["marking"].choices] == [
        "TLP:AMBER",
        "TLP:AMBER+STRICT",
    ]
    assert "red_recipients" not in form.fields
    forged = row(cast, "Loose", cast.a, marking="TLP:GREEN")
    response = client.post(commitments_url(decision), rows_post(decision, forged))
    assert response.status_code == 400
    assert response.context["rows"].forms[0].errors == {
        "marking": ["Select a valid choice. TLP:GREEN is not one of the available choices."]
    }
    assert not Commitment.objects.exists()


def test_the_form_creates_a_commitment_with_description_unit_and_clauses(client, cast, parts):
    clause, area = parts
    decision = decision_of(cast)
    client.force_login(cast.a_officer)
    filled = row(
        cast,
        "Host a course",
        cast.b,
        "2027-05-31",
        area=str(area.public_id),
        description="Two weeks",
        responsible_unit=cast.b_cell.pk,
        clauses=[str(clause.public_id)],
        marking="TLP:AMBER",
    )
    response = client.post(commitments_url(decision), rows_post(decision, filled))
    assert response.status_code == 302
    created = decision.commitments.get()
    assert (
        created.title_en,
        created.description_en,
        created.responsible_unit,
        list(created.clauses.all()),
        created.area,
        created.marking,
        created.scope,
    ) == ("Host a course", "Two weeks", cast.b_cell, [clause], area, "TLP:AMBER", "shared")


def test_the_form_puts_a_unit_of_another_party_next_to_the_unit(client, cast):
    decision = decision_of(cast)
    client.force_login(cast.a_officer)
    filled = row(cast, "Host a course", cast.b, responsible_unit=cast.a_cell.pk)
    response = client.post(commitments_url(decision), rows_post(decision, filled))
    assert response.status_code == 400
    assert response.context["rows"].forms[0].errors == {
        "responsible_unit": ["The unit belongs to another party."]
    }
    assert not Commitment.objects.exists()
