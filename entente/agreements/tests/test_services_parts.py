"""Corrections to an agreement's parts: events, clauses, areas and signatories."""

import datetime as dt

import pytest

from entente.agreements.models import Signatory
from entente.agreements.services.agreements import (
    agreement_event_record,
    agreement_event_update,
    area_create,
    area_update,
    clause_create,
    clause_update,
    signatory_add,
    signatory_remove,
    signatory_update,
)
from entente.audit.models import AuditEvent
from entente.core.enums import Scope
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError


def audit_actions(record) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(
            target_type=record._meta.label_lower, target_id=str(record.pk)
        ).values_list("action", "actor_name")
    )


@pytest.fixture
def event(cast):
    return agreement_event_record(
        actor=cast.a_officer, agreement=cast.agreement, kind="signed", date=dt.date(2022, 5, 10)
    )


@pytest.fixture
def clause(cast):
    return clause_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        number="3",
        heading={"en": "Exchange of information"},
    )


@pytest.fixture
def area(cast):
    return area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cybercrime"}
    )


@pytest.fixture
def signatory(cast):
    return signatory_add(
        actor=cast.a_coordinator, agreement=cast.agreement, party=cast.a, name="A. Director"
    )


# --- events ---------------------------------------------------------------------------


def test_event_update_by_its_party_changes_the_date_with_audit(cast, event):
    updated = agreement_event_update(
        actor=cast.a_coordinator,
        event=event,
        expected_version=1,
        date=dt.date(2022, 5, 1),
        date_precision="month",
        certainty="reported",
        source="Press release",
    )
    assert (updated.date, updated.date_precision, updated.certainty, updated.version) == (
        dt.date(2022, 5, 1),
        "month",
        "reported",
        2,
    )
    assert audit_actions(event) == [("create", "a_officer"), ("update", "a_coordinator")]


def test_event_update_refused_to_reader_and_other_party(cast, event):
    with pytest.raises(PermissionDenied) as exc:
        agreement_event_update(actor=cast.a_reader, event=event, expected_version=1, note="x")
    assert str(exc.value) == "Your role does not allow changes."
    with pytest.raises(PermissionDenied) as exc:
        agreement_event_update(actor=cast.b_officer, event=event, expected_version=1, note="x")
    assert str(exc.value) == "Only the party that owns this record may change it."
    with pytest.raises(NotFound):
        agreement_event_update(actor=cast.c_officer, event=event, expected_version=1, note="x")
    assert audit_actions(event) == [("create", "a_officer")]


def test_event_update_stale_version_names_what_changed(cast, event):
    agreement_event_update(actor=cast.a_officer, event=event, expected_version=1, note="a")
    with pytest.raises(ConflictError) as exc:
        agreement_event_update(actor=cast.a_officer, event=event, expected_version=1, note="b")
    assert (exc.value.current_version, exc.value.changed) == (2, {"note": "a"})


def test_event_party_must_be_a_party_to_the_agreement(cast, event):
    with pytest.raises(ValidationError) as exc:
        agreement_event_update(actor=cast.a_officer, event=event, expected_version=1, party=cast.c)
    assert exc.value.message_dict == {"party": ["This party is not a party to the agreement."]}
    with pytest.raises(ValidationError) as exc:
        agreement_event_record(
            actor=cast.a_officer,
            agreement=cast.agreement,
            kind="signed",
            date=dt.date(2022, 5, 10),
            party=cast.c,
        )
    assert exc.value.message_dict == {"party": ["This party is not a party to the agreement."]}


def test_event_update_cannot_change_scope_or_owner(cast, event):
    with pytest.raises(ValidationError) as exc:
        agreement_event_update(
            actor=cast.a_officer, event=event, expected_version=1, scope=Scope.INTERNAL
        )
    assert exc.value.message_dict == {"scope": ["This field cannot be changed here."]}


# --- clauses --------------------------------------------------------------------------


def test_clause_update_by_coordinator_with_audit(cast, clause):
    updated = clause_update(
        actor=cast.a_coordinator,
        clause=clause,
        expected_version=1,
        number="3bis",
        heading_fr="Échange d'informations",
        text_en="The parties exchange information.",
    )
    assert (updated.number, updated.heading_fr, updated.text_en, updated.version) == (
        "3bis",
        "Échange d'informations",
        "The parties exchange information.",
        2,
    )
    assert audit_actions(clause) == [("create", "a_coordinator"), ("update", "a_coordinator")]


def test_clause_update_refused_to_officer_and_other_coordinator(cast, clause):
    with pytest.raises(PermissionDenied) as exc:
        clause_update(actor=cast.a_officer, clause=clause, expected_version=1, number="4")
    assert str(exc.value) == "Only a coordinator may do this."
    with pytest.raises(PermissionDenied) as exc:
        clause_update(actor=cast.b_coordinator, clause=clause, expected_version=1, number="4")
    assert str(exc.value) == "Only the party that owns this record may change it."


def test_clause_update_duplicate_number_names_the_field(cast, clause):
    clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="4")
    with pytest.raises(ValidationError) as exc:
        clause_update(actor=cast.a_coordinator, clause=clause, expected_version=1, number="4")
    assert list(exc.value.message_dict) == ["number"]
    clause.refresh_from_db()
    assert (clause.number, clause.version) == ("3", 1)


def test_clause_update_stale_version(cast, clause):
    clause_update(actor=cast.a_coordinator, clause=clause, expected_version=1, number="5")
    with pytest.raises(ConflictError) as exc:
        clause_update(actor=cast.a_coordinator, clause=clause, expected_version=1, number="6")
    assert exc.value.changed == {"number": "5"}


# --- areas ----------------------------------------------------------------------------


def test_area_update_by_coordinator_with_audit(cast, area):
    updated = area_update(
        actor=cast.a_coordinator, area=area, code="cybercrime", name_fr="Cybercriminalité"
    )
    assert (updated.code, updated.name_en, updated.name_fr) == (
        "cybercrime",
        "Cybercrime",
        "Cybercriminalité",
    )
    assert audit_actions(area) == [("create", "a_coordinator"), ("update", "a_coordinator")]


def test_area_update_keeps_the_reference_name(cast, area):
    with pytest.raises(ValidationError) as exc:
        area_update(actor=cast.a_coordinator, area=area, name_en="  ")
    assert exc.value.message_dict == {"name_en": ["Give the text in the reference language."]}
    with pytest.raises(ValidationError) as exc:
        area_update(actor=cast.a_coordinator, area=area, reference_language="fr")
    assert exc.value.message_dict == {"name_fr": ["Give the text in the reference language."]}
    assert audit_actions(area) == [("create", "a_coordinator")]


def test_area_update_refused_to_officer_other_party_and_outsider(cast, area):
    with pytest.raises(PermissionDenied):
        area_update(actor=cast.a_officer, area=area, code="x")
    with pytest.raises(PermissionDenied):
        area_update(actor=cast.b_coordinator, area=area, code="x")
    with pytest.raises(NotFound):
        area_update(actor=cast.c_officer, area=area, code="x")
    area.refresh_from_db()
    assert area.code == "cyber"


# --- signatories ----------------------------------------------------------------------


def test_signatory_update_and_remove_with_audit(cast, signatory):
    updated = signatory_update(
        actor=cast.a_coordinator, signatory=signatory, party=cast.b, function="Chief"
    )
    assert (updated.party, updated.name, updated.function) == (cast.b, "A. Director", "Chief")
    signatory_remove(actor=cast.a_coordinator, signatory=updated)
    assert list(Signatory.objects.filter(agreement=cast.agreement)) == []
    assert audit_actions(signatory) == [
        ("create", "a_coordinator"),
        ("update", "a_coordinator"),
        ("remove", "a_coordinator"),
    ]


def test_signatory_changes_refused_and_checked(cast, signatory):
    with pytest.raises(PermissionDenied):
        signatory_update(actor=cast.b_coordinator, signatory=signatory, name="X")
    with pytest.raises(PermissionDenied):
        signatory_remove(actor=cast.a_officer, signatory=signatory)
    with pytest.raises(NotFound):
        signatory_remove(actor=cast.c_officer, signatory=signatory)
    with pytest.raises(ValidationError) as exc:
        signatory_update(actor=cast.a_coordinator, signatory=signatory, party=cast.c)
    assert exc.value.message_dict == {"party": ["This party is not a party to the agreement."]}
    assert Signatory.objects.get(pk=signatory.pk).name == "A. Director"
