"""The agreement kept on the web: creating an agreement, its lifecycle events, clauses,
cooperation areas and signatories, with the cast (allowed, reader 403, other party 404),
bad input next to its field with nothing written, and stale versions shown as conflicts."""

import datetime as dt

import pytest
from django.urls import reverse

from entente.agreements.models import (
    Agreement,
    AgreementEvent,
    Clause,
    CooperationArea,
    Signatory,
)
from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
    signatory_add,
)
from entente.audit.models import AuditEvent
from entente.core.enums import Scope
from entente.reports.tests.pages import text
from entente.testing import agreement_between

MISSING = "7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"


def url(name: str, record) -> str:
    return reverse(f"agreements:{name}", args=[record.public_id])


def audit_actions(record) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(
            target_type=record._meta.label_lower, target_id=str(record.pk)
        ).values_list("action", "actor_name")
    )


def counts():
    return tuple(
        model.objects.count()
        for model in (AuditEvent, Agreement, AgreementEvent, Clause, CooperationArea, Signatory)
    )


def nothing_written(call):
    before = counts()
    response = call()
    assert counts() == before
    return response


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def internal(cast):
    """An agreement A keeps internal: B, a party to it, does not see it."""
    return agreement_between(cast.a, cast.b, scope=Scope.INTERNAL, title_en="Internal MoU")


# --- the agreement --------------------------------------------------------------------


def agreement_data(cast, **overrides) -> dict:
    data = {
        "instrument_type": "mou",
        "reference_language": "fr",
        "title_fr": "Protocole de coopération",
        "title_en": "Cooperation memorandum",
        "title_nl": "",
        "title_ar": "مذكرة تعاون",
        "summary_en": "Police cooperation.",
        "parties": [cast.a.pk, cast.b.pk],
        "place": "Rabat",
        "signed_on": "2024-03-01",
        "in_force_on": "2024-04-01",
        "expires_on": "2029-03-01",
        "duration_months": "60",
        "renewal": "tacit",
        "notice_period_days": "90",
        "is_binding": "on",
        "urgent_response_hours": "24",
        "normal_response_days": "15",
        "source_references": "Official journal",
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return data | overrides


def test_agreement_create_by_a_coordinator(client, cast):
    login(client, cast.a_coordinator)
    assert client.get(reverse("agreements:agreement-create")).status_code == 200

    response = client.post(reverse("agreements:agreement-create"), agreement_data(cast))

    agreement = Agreement.objects.get(title_en="Cooperation memorandum")
    assert response.status_code == 302
    assert response["Location"] == agreement.get_absolute_url()
    assert {
        "owner": agreement.owning_party.code,
        "titles": (agreement.title_fr, agreement.title_en, agreement.title_nl, agreement.title_ar),
        "reference": agreement.reference_language,
        "parties": sorted(p.code for p in agreement.parties.all()),
        "dates": (agreement.signed_on, agreement.in_force_on, agreement.expires_on),
        "terms": (agreement.duration_months, agreement.renewal, agreement.notice_period_days),
        "binding": agreement.is_binding,
        "deadlines": (agreement.urgent_response_hours, agreement.normal_response_days),
        "handling": (agreement.scope, agreement.marking),
        "summary": agreement.summary_en,
    } == {
        "owner": "MA-DGSN",
        "titles": ("Protocole de coopération", "Cooperation memorandum", None, "مذكرة تعاون"),
        "reference": "fr",
        "parties": ["MA-DGSN", "NL-POL"],
        "dates": (dt.date(2024, 3, 1), dt.date(2024, 4, 1), dt.date(2029, 3, 1)),
        "terms": (60, "tacit", 90),
        "binding": True,
        "deadlines": (24, 15),
        "handling": ("shared", "TLP:GREEN"),
        "summary": "Police cooperation.",
    }
    assert audit_actions(agreement) == [("create", "a_coordinator"), ("parties", "a_coordinator")]


@pytest.mark.parametrize("who", ["a_officer", "a_reader"])
def test_agreement_create_refused_to_non_coordinators(client, cast, who):
    login(client, getattr(cast, who))
    response = client.get(reverse("agreements:agreement-create"))
    assert response.status_code == 403
    assert "Only a coordinator may do this." in response.content.decode()
    response = nothing_written(
        lambda: client.post(reverse("agreements:agreement-create"), agreement_data(cast))
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"title_fr": "  "}, {"title_fr": ["Give the text in the reference language."]}),
        ({"in_force_on": "2024-02-01"}, {"in_force_on": ["Entry into force cannot precede signature."]}),
        ({"expires_on": "2024-03-01"}, {"expires_on": ["Expiry must come after signature."]}),
        ({"signed_on": "2024-02-30"}, {"signed_on": ["Enter a valid date."]}),
        ({"scope": "public"}, {"scope": ["Select a valid choice. public is not one of the available choices."]}),
        ({"parties": ["B", "C"]}, {"parties": ["Your own party must be a party to the agreement."]}),
        ({"parties": ["A"]}, {"parties": ["An agreement needs at least two parties."]}),
        ({"urgent_response_hours": "-1"}, {"urgent_response_hours": ["Ensure this value is greater than or equal to 0."]}),
    ],
)  # fmt: skip
def test_agreement_create_bad_input_next_to_the_field(client, cast, overrides, errors):
    parties = {"A": cast.a.pk, "B": cast.b.pk, "C": cast.c.pk}
    if "parties" in overrides:
        overrides["parties"] = [parties[p] for p in overrides["parties"]]
    login(client, cast.a_coordinator)

    response = nothing_written(
        lambda: client.post(
            reverse("agreements:agreement-create"), agreement_data(cast, **overrides)
        )
    )

    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert 'aria-invalid="true"' in response.content.decode()


def test_agreement_edit_by_its_coordinator_and_conflict(client, cast):
    agreement = cast.agreement
    login(client, cast.a_coordinator)
    form = client.get(url("agreement-edit", agreement)).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {"place": "Rabat", "renewal": data["renewal"], "title_en": agreement.title_en}

    response = client.post(url("agreement-edit", agreement), data)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.place, agreement.version) == ("Rabat", 2)
    assert audit_actions(agreement)[-1] == ("update", "a_coordinator")

    stale = nothing_written(
        lambda: client.post(url("agreement-edit", agreement), data | {"place": "Salé"})
    )
    assert stale.status_code == 409
    assert stale.context["conflict"] == [{"field": "place", "value": "Rabat"}]
    assert "Not saved: someone else changed this record" in text(stale.content.decode(), "conflict")


def test_agreement_edit_refused_to_the_reader_the_other_party_and_outsiders(client, cast, internal):
    assert (
        login(client, cast.a_reader).get(url("agreement-edit", cast.agreement)).status_code == 403
    )
    assert (
        login(client, cast.b_coordinator).get(url("agreement-edit", cast.agreement)).status_code
        == 403
    )
    assert login(client, cast.b_coordinator).get(url("agreement-edit", internal)).status_code == 404
    assert (
        login(client, cast.c_officer).get(url("agreement-edit", cast.agreement)).status_code == 404
    )


# --- lifecycle events -----------------------------------------------------------------


def event_data(cast, **overrides) -> dict:
    data = {
        "kind": "ratified",
        "date": "2024-05-01",
        "date_precision": "month",
        "certainty": "reported",
        "party": cast.b.pk,
        "source": "Press release of 3 May",
        "note": "",
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return data | overrides


@pytest.mark.parametrize("who", ["a_officer", "b_officer"])
def test_event_recorded_by_any_party_to_the_agreement(client, cast, who):
    login(client, getattr(cast, who))

    response = client.post(url("event-create", cast.agreement), event_data(cast))

    event = AgreementEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == cast.agreement.get_absolute_url() + "#timeline"
    assert (
        event.kind, event.date, event.date_precision, event.certainty, event.party,
        event.source, event.owning_party.code,
    ) == (
        "ratified", dt.date(2024, 5, 1), "month", "reported", cast.b,
        "Press release of 3 May", {"a_officer": "MA-DGSN", "b_officer": "NL-POL"}[who],
    )  # fmt: skip
    assert audit_actions(event) == [("create", who)]


def test_event_create_refused_to_the_reader_and_outsiders(client, cast, internal):
    login(client, cast.a_reader)
    assert client.get(url("event-create", cast.agreement)).status_code == 403
    response = nothing_written(
        lambda: client.post(url("event-create", cast.agreement), event_data(cast))
    )
    assert response.status_code == 403
    assert "Your role does not allow changes." in response.content.decode()
    assert login(client, cast.b_officer).get(url("event-create", internal)).status_code == 404
    assert login(client, cast.c_officer).get(url("event-create", cast.agreement)).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"date": "2024-13-01"}, {"date": ["Enter a valid date."]}),
        ({"date": ""}, {"date": ["This field is required."]}),
        ({"party": "C"}, {"party": ["Select a valid choice. That choice is not one of the available choices."]}),
        ({"date_precision": "week"}, {"date_precision": ["Select a valid choice. week is not one of the available choices."]}),
    ],
)  # fmt: skip
def test_event_bad_input_next_to_the_field(client, cast, overrides, errors):
    overrides = {k: cast.c.pk if v == "C" else v for k, v in overrides.items()}
    login(client, cast.a_officer)
    response = nothing_written(
        lambda: client.post(url("event-create", cast.agreement), event_data(cast, **overrides))
    )
    assert response.status_code == 400
    assert response.context["form"].errors == errors


@pytest.fixture
def event(cast):
    return agreement_event_record(
        actor=cast.a_officer, agreement=cast.agreement, kind="signed", date=dt.date(2022, 5, 10)
    )


def event_edit_data(cast, **overrides) -> dict:
    data = event_data(cast, kind="signed", date="2022-05-10", date_precision="day")
    data |= {"certainty": "confirmed", "party": "", "source": "", "version": 1}
    for name in ("scope", "marking"):
        data.pop(name)
    return data | overrides


def test_event_edit_by_its_party_and_conflict(client, cast, event):
    login(client, cast.a_coordinator)
    assert client.get(url("event-edit", event)).context["form"].initial["date"] == dt.date(
        2022, 5, 10
    )

    response = client.post(url("event-edit", event), event_edit_data(cast, date="2022-05-12"))

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.date, event.version) == (dt.date(2022, 5, 12), 2)
    assert audit_actions(event) == [("create", "a_officer"), ("update", "a_coordinator")]

    stale = nothing_written(
        lambda: client.post(url("event-edit", event), event_edit_data(cast, note="late"))
    )
    assert stale.status_code == 409
    assert stale.context["conflict"] == [{"field": "date", "value": "12 May 2022"}]
    assert stale.context["form"]["version"].value() == "2"


def test_event_edit_refused_to_reader_other_party_outsider(client, cast, event):
    assert login(client, cast.a_reader).get(url("event-edit", event)).status_code == 403
    response = login(client, cast.b_officer).post(url("event-edit", event), event_edit_data(cast))
    assert response.status_code == 403
    assert "Only the party that owns this record may change it." in response.content.decode()
    assert login(client, cast.c_officer).get(url("event-edit", event)).status_code == 404
    assert audit_actions(event) == [("create", "a_officer")]


# --- clauses --------------------------------------------------------------------------


def clause_data(**overrides) -> dict:
    data = {
        "number": "4",
        "reference_language": "en",
        "heading_en": "Training",
        "heading_fr": "Formation",
        "heading_nl": "",
        "heading_ar": "",
        "text_en": "The parties train each other's officers.",
        "text_fr": "",
        "text_nl": "",
        "text_ar": "",
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return data | overrides


def test_clause_added_and_edited_by_the_owning_coordinator(client, cast):
    login(client, cast.a_coordinator)

    response = client.post(url("clause-create", cast.agreement), clause_data())

    clause = Clause.objects.get()
    assert response["Location"] == clause.get_absolute_url()
    assert (clause.number, clause.heading_en, clause.heading_fr, clause.heading_nl) == (
        "4", "Training", "Formation", None,
    )  # fmt: skip

    edit = clause_data(number="4bis", heading_fr="", version=1)
    response = client.post(url("clause-edit", clause), edit)
    clause.refresh_from_db()
    assert (response.status_code, clause.number, clause.heading_fr, clause.version) == (
        302, "4bis", None, 2,
    )  # fmt: skip
    assert audit_actions(clause) == [("create", "a_coordinator"), ("update", "a_coordinator")]

    stale = nothing_written(lambda: client.post(url("clause-edit", clause), edit | {"number": "5"}))
    assert stale.status_code == 409
    assert stale.context["conflict"] == [
        {"field": "number", "value": "4bis"},
        {"field": "heading [fr]", "value": "—"},
    ]


def test_clause_pages_refused_to_officer_reader_other_party(client, cast, internal):
    assert (
        login(client, cast.a_officer).get(url("clause-create", cast.agreement)).status_code == 403
    )
    assert login(client, cast.a_reader).get(url("clause-create", cast.agreement)).status_code == 403
    assert (
        login(client, cast.b_coordinator).get(url("clause-create", cast.agreement)).status_code
        == 403
    )
    assert login(client, cast.b_coordinator).get(url("clause-create", internal)).status_code == 404
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="1")
    assert login(client, cast.a_officer).get(url("clause-edit", clause)).status_code == 403
    assert login(client, cast.c_officer).get(url("clause-edit", clause)).status_code == 404


def test_clause_duplicate_number_is_shown_on_the_number(client, cast):
    clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="4")
    login(client, cast.a_coordinator)
    response = nothing_written(
        lambda: client.post(url("clause-create", cast.agreement), clause_data())
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["number"]


# --- areas ----------------------------------------------------------------------------


def area_data(**overrides) -> dict:
    data = {
        "code": "cybercrime",
        "reference_language": "en",
        "name_en": "Cybercrime",
        "name_fr": "Cybercriminalité",
        "name_nl": "",
        "name_ar": "",
    }
    return data | overrides


def test_area_added_and_edited_by_the_owning_coordinator(client, cast):
    login(client, cast.a_coordinator)

    response = client.post(url("area-create", cast.agreement), area_data())

    area = CooperationArea.objects.get()
    assert response["Location"] == cast.agreement.get_absolute_url() + "#areas"
    assert (area.code, area.name_en, area.name_fr) == (
        "cybercrime",
        "Cybercrime",
        "Cybercriminalité",
    )
    response = client.post(url("area-edit", area), area_data(name_nl="Cybercriminaliteit"))
    area.refresh_from_db()
    assert (response.status_code, area.name_nl) == (302, "Cybercriminaliteit")
    assert audit_actions(area) == [("create", "a_coordinator"), ("update", "a_coordinator")]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"name_en": ""}, {"name_en": ["Give the text in the reference language."]}),
        ({"code": "cyber crime"}, {"code": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."]}),
    ],
)  # fmt: skip
def test_area_bad_input_next_to_the_field(client, cast, overrides, errors):
    login(client, cast.a_coordinator)
    response = nothing_written(
        lambda: client.post(url("area-create", cast.agreement), area_data(**overrides))
    )
    assert response.status_code == 400
    assert response.context["form"].errors == errors


def test_area_pages_refused_to_reader_other_party_outsider(client, cast):
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cyber"}
    )
    assert login(client, cast.a_reader).get(url("area-create", cast.agreement)).status_code == 403
    assert login(client, cast.a_reader).get(url("area-edit", area)).status_code == 403
    response = login(client, cast.b_coordinator).post(url("area-edit", area), area_data())
    assert response.status_code == 403
    assert login(client, cast.c_officer).get(url("area-edit", area)).status_code == 404
    assert audit_actions(area) == [("create", "a_coordinator")]


# --- signatories ----------------------------------------------------------------------


def test_signatory_added_edited_and_removed_by_the_owning_coordinator(client, cast):
    login(client, cast.a_coordinator)

    response = client.post(
        url("signatory-add", cast.agreement),
        {"party": cast.b.pk, "name": "B. Commissioner", "function": "Chief of police"},
    )

    signatory = Signatory.objects.get()
    assert response["Location"] == cast.agreement.get_absolute_url() + "#parties"
    assert (signatory.party, signatory.name) == (cast.b, "B. Commissioner")
    client.post(
        url("signatory-edit", signatory),
        {"party": cast.b.pk, "name": "B. Commissioner", "function": "Commissioner"},
    )
    signatory.refresh_from_db()
    assert signatory.function == "Commissioner"
    response = client.post(url("signatory-remove", signatory))
    assert response.status_code == 302
    assert Signatory.objects.count() == 0
    assert audit_actions(signatory) == [
        ("create", "a_coordinator"),
        ("update", "a_coordinator"),
        ("remove", "a_coordinator"),
    ]


def test_signatory_party_outside_the_agreement_is_refused(client, cast):
    login(client, cast.a_coordinator)
    response = nothing_written(
        lambda: client.post(url("signatory-add", cast.agreement), {"party": cast.c.pk, "name": "X"})
    )
    assert response.context["form"].errors == {
        "party": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_signatory_pages_refused_to_reader_other_party_outsider(client, cast):
    signatory = signatory_add(
        actor=cast.a_coordinator, agreement=cast.agreement, party=cast.a, name="A. Director"
    )
    assert login(client, cast.a_reader).get(url("signatory-add", cast.agreement)).status_code == 403
    assert (
        nothing_written(
            lambda: login(client, cast.a_reader).post(url("signatory-remove", signatory))
        ).status_code
        == 403
    )
    assert (
        nothing_written(
            lambda: login(client, cast.b_coordinator).post(url("signatory-remove", signatory))
        ).status_code
        == 403
    )
    assert login(client, cast.c_officer).get(url("signatory-edit", signatory)).status_code == 404
    assert (
        login(client, cast.a_coordinator)
        .get(reverse("agreements:signatory-edit", args=[MISSING]))
        .status_code
        == 404
    )
