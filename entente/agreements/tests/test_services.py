import datetime as dt
from decimal import Decimal

import pytest

from entente.agreements import selectors
from entente.agreements.models import Agreement, Commitment
from entente.agreements.services.agreements import (
    agreement_change_status,
    agreement_create,
    agreement_event_record,
    agreement_update,
    area_create,
    clause_create,
    record_publish,
    record_set_marking,
)
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_record_indicator,
    commitment_update,
)
from entente.audit.models import AuditEvent
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.core.models import Handling
from entente.testing import with_handling


def new_commitment(cast, actor=None, **kwargs):
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Designate a contact cell", "fr": "Désigner une cellule de contact"},
        "responsible_party": cast.a,
        "due_date": dt.date(2022, 6, 30),
    }
    return commitment_create(**with_handling(defaults | kwargs))


# --- agreements ---------------------------------------------------------------------------


def test_agreement_create_by_coordinator_records_parties_and_audit(cast):
    agreement = agreement_create(
        actor=cast.a_coordinator,
        instrument_type="mou",
        title={"fr": "Protocole d'entente", "en": "Memorandum"},
        reference_language="fr",
        parties=[cast.a, cast.b],
        signed_on=dt.date(2023, 1, 5),
    )
    assert agreement.owning_party == cast.a
    assert sorted(p.code for p in agreement.parties.all()) == ["MA-DGSN", "NL-POL"]
    assert (agreement.title_fr, agreement.title_en, agreement.version) == (
        "Protocole d'entente",
        "Memorandum",
        1,
    )
    actions = list(
        AuditEvent.objects.filter(
            target_id=str(agreement.pk), target_type="agreements.agreement"
        ).values_list("action", "actor_name")
    )
    assert actions == [("create", "a_coordinator"), ("parties", "a_coordinator")]


@pytest.mark.parametrize("who", ["a_officer", "a_reader"])
def test_agreement_create_refused_for_non_coordinators(cast, who):
    with pytest.raises(PermissionDenied):
        agreement_create(
            actor=getattr(cast, who),
            instrument_type="mou",
            title={"en": "X"},
            parties=[cast.a, cast.b],
        )


def test_agreement_create_requires_own_party_and_reference_title(cast):
    with pytest.raises(ValidationError) as exc:
        agreement_create(
            actor=cast.a_coordinator,
            instrument_type="mou",
            title={"en": "X"},
            parties=[cast.b, cast.c],
        )
    assert exc.value.message_dict == {
        "parties": ["Your own party must be a party to the agreement."]
    }
    with pytest.raises(ValidationError) as exc:
        agreement_create(
            actor=cast.a_coordinator,
            instrument_type="mou",
            title={"en": "X"},
            reference_language="fr",
            parties=[cast.a, cast.b],
        )
    assert exc.value.message_dict == {"title_fr": ["Give the text in the reference language."]}


def test_agreement_create_refuses_entry_into_force_before_signature(cast):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        agreement_create(
            actor=cast.a_coordinator,
            instrument_type="mou",
            title={"en": "X"},
            parties=[cast.a, cast.b],
            signed_on=dt.date(2023, 1, 5),
            in_force_on=dt.date(2022, 1, 5),
        )
    assert exc.value.message_dict == {"in_force_on": ["Entry into force cannot precede signature."]}
    assert AuditEvent.objects.count() == before
    assert Agreement.objects.filter(title_en="X").count() == 0


def test_agreement_create_with_invalid_choice_leaves_nothing_behind(cast):
    before = (Agreement.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        agreement_create(
            actor=cast.a_coordinator,
            instrument_type="nonsense",
            title={"en": "X"},
            parties=[cast.a, cast.b],
        )
    assert list(exc.value.message_dict) == ["instrument_type"]
    assert (Agreement.objects.count(), AuditEvent.objects.count()) == before


def test_agreement_update_detects_stale_version(cast):
    agreement = agreement_update(
        actor=cast.a_coordinator, agreement=cast.agreement, expected_version=1, place="Rabat"
    )
    assert agreement.version == 2
    with pytest.raises(ConflictError) as exc:
        agreement_update(
            actor=cast.a_coordinator, agreement=cast.agreement, expected_version=1, place="Salé"
        )
    assert (exc.value.current_version, exc.value.changed) == (2, {"place": "Rabat"})
    cast.agreement.refresh_from_db()
    assert cast.agreement.place == "Rabat"


def test_agreement_update_refused_to_other_party_coordinator(cast):
    with pytest.raises(PermissionDenied):
        agreement_update(
            actor=cast.b_coordinator, agreement=cast.agreement, expected_version=1, place="Den Haag"
        )


def test_agreement_update_cannot_write_owner_or_version(cast):
    with pytest.raises(ValidationError) as exc:
        agreement_update(
            actor=cast.a_coordinator,
            agreement=cast.agreement,
            expected_version=1,
            owning_party=cast.b,
            version=7,
        )
    assert exc.value.message_dict == {
        "owning_party": ["This field cannot be changed here."],
        "version": ["This field cannot be changed here."],
    }


def test_agreement_change_status_follows_lifecycle(cast):
    agreement = agreement_change_status(
        actor=cast.a_coordinator, agreement=cast.agreement, status="signed", expected_version=1
    )
    assert agreement.status == "signed"
    with pytest.raises(ValidationError) as exc:
        agreement_change_status(
            actor=cast.a_coordinator, agreement=agreement, status="draft", expected_version=2
        )
    assert exc.value.message_dict == {"status": ["An agreement cannot go from Signed to Draft."]}


def test_agreement_visibility_by_party(cast):
    internal = agreement_create(
        actor=cast.a_coordinator,
        instrument_type="mou",
        title={"en": "Draft"},
        parties=[cast.a, cast.b],
    )
    assert list(selectors.agreement_visible_to(cast.a_reader).order_by("pk")) == [
        cast.agreement,
        internal,
    ]
    assert list(selectors.agreement_visible_to(cast.b_officer)) == [cast.agreement]
    assert list(selectors.agreement_visible_to(cast.c_officer)) == []
    with pytest.raises(NotFound):
        selectors.get_agreement_for_user(cast.b_officer, internal.public_id)
    with pytest.raises(PermissionDenied):
        selectors.get_agreement_for_user(cast.a_reader, internal.public_id, write=True)
    assert (
        selectors.get_agreement_for_user(cast.a_coordinator, internal.public_id, write=True)
        == internal
    )


def test_agreement_event_records_date_source_and_certainty(cast):
    event = agreement_event_record(
        actor=cast.b_officer,
        agreement=cast.agreement,
        kind="signed",
        date=dt.date(2022, 5, 10),
        certainty="reported",
        source="Le Desk, 10 May 2022",
    )
    assert (event.owning_party, event.certainty, event.date_precision) == (
        cast.b,
        "reported",
        "day",
    )
    assert list(selectors.agreement_event_visible_to(cast.a_reader)) == [event]
    with pytest.raises(NotFound):  # an outsider does not see the agreement
        agreement_event_record(
            actor=cast.c_officer, agreement=cast.agreement, kind="signed", date=dt.date(2022, 5, 10)
        )


def test_clause_and_area_for_coordinator_only(cast):
    clause = clause_create(
        actor=cast.a_coordinator, agreement=cast.agreement, number="1", heading={"en": "Scope"}
    )
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cybercrime"}
    )
    assert list(selectors.clause_visible_to(cast.b_officer)) == [clause]
    assert list(selectors.area_visible_to(cast.b_officer)) == [area]
    assert list(selectors.area_visible_to(cast.c_officer)) == []
    with pytest.raises(PermissionDenied):
        clause_create(actor=cast.a_officer, agreement=cast.agreement, number="2")


# --- commitments --------------------------------------------------------------------------


def test_commitment_create_internal_is_hidden_from_other_party(cast):
    commitment = new_commitment(cast)
    assert list(selectors.commitment_visible_to(cast.a_reader)) == [commitment]
    assert list(selectors.commitment_visible_to(cast.b_officer)) == []
    with pytest.raises(NotFound):
        selectors.get_commitment_for_user(cast.b_officer, commitment.public_id)
    with pytest.raises(NotFound):
        selectors.get_commitment_for_user(cast.c_officer, commitment.public_id)


def test_commitment_create_refused_for_reader_and_outsider(cast):
    with pytest.raises(PermissionDenied):
        new_commitment(cast, actor=cast.a_reader)
    with pytest.raises(NotFound):  # an outsider does not see the agreement
        new_commitment(cast, actor=cast.c_officer, responsible_party=cast.a)


def test_commitment_create_refuses_responsible_party_outside_agreement(cast):
    with pytest.raises(ValidationError) as exc:
        new_commitment(cast, responsible_party=cast.c)
    assert exc.value.message_dict == {
        "responsible_party": ["The responsible party is not a party to the agreement."]
    }
    assert Commitment.objects.count() == 0


def test_commitment_recurring_needs_recurrence(cast):
    with pytest.raises(ValidationError) as exc:
        new_commitment(cast, kind="recurring")
    assert exc.value.message_dict == {"recurrence": ["A recurring commitment needs a recurrence."]}
    assert new_commitment(cast, kind="recurring", recurrence="yearly").recurrence == "yearly"


def test_commitment_refuses_nul_characters(cast):
    with pytest.raises(ValidationError) as exc:
        new_commitment(cast, title={"en": "bad\x00title"})
    assert exc.value.message_dict == {"title_en": ["Null characters are not allowed."]}


def test_commitment_publish_shares_it_with_the_other_party(cast):
    commitment = new_commitment(cast)
    with pytest.raises(PermissionDenied):
        record_publish(actor=cast.a_officer, record=commitment, expected_version=1)
    published = record_publish(actor=cast.a_coordinator, record=commitment, expected_version=1)
    assert (published.scope, published.version) == ("shared", 2)
    assert list(selectors.commitment_visible_to(cast.b_officer)) == [published]
    assert list(selectors.commitment_visible_to(cast.c_officer)) == []
    with pytest.raises(PermissionDenied):
        selectors.get_commitment_for_user(cast.b_officer, commitment.public_id, write=True)


def test_commitment_red_visible_only_to_recipients(cast):
    commitment = new_commitment(cast, scope="shared")
    record_set_marking(
        actor=cast.a_coordinator,
        record=commitment,
        marking="TLP:RED",
        expected_version=1,
        red_recipients=[cast.b_officer],
    )
    assert list(selectors.commitment_visible_to(cast.b_officer)) == [commitment]
    assert list(selectors.commitment_visible_to(cast.a_coordinator)) == [commitment]
    assert list(selectors.commitment_visible_to(cast.a_officer)) == []
    assert list(selectors.commitment_visible_to(cast.a_reader)) == []
    assert list(selectors.commitment_visible_to(cast.b_coordinator)) == []


def test_marking_red_requires_recipients_and_lowering_requires_coordinator(cast):
    commitment = new_commitment(cast, marking="TLP:AMBER")
    with pytest.raises(ValidationError) as exc:
        record_set_marking(
            actor=cast.a_coordinator, record=commitment, marking="TLP:RED", expected_version=1
        )
    assert exc.value.message_dict == {
        "red_recipients": ["Name at least one recipient for TLP:RED."]
    }
    with pytest.raises(PermissionDenied):
        record_set_marking(
            actor=cast.a_officer, record=commitment, marking="TLP:GREEN", expected_version=1
        )
    lowered = record_set_marking(
        actor=cast.a_coordinator, record=commitment, marking="TLP:GREEN", expected_version=1
    )
    assert lowered.marking == "TLP:GREEN"


def test_commitment_status_transitions(cast):
    commitment = new_commitment(cast)
    done = commitment_change_status(
        actor=cast.a_officer, commitment=commitment, status="done", expected_version=1
    )
    assert (done.status, done.progress, done.version) == ("done", 100, 2)
    with pytest.raises(ValidationError) as exc:
        commitment_change_status(
            actor=cast.a_officer, commitment=done, status="planned", expected_version=2
        )
    assert exc.value.message_dict == {"status": ["A commitment cannot go from Done to Planned."]}
    with pytest.raises(PermissionDenied):
        commitment_change_status(
            actor=cast.a_reader, commitment=done, status="in_progress", expected_version=2
        )


def test_commitment_update_conflict_names_what_changed(cast):
    commitment = new_commitment(cast)
    commitment_update(actor=cast.a_officer, commitment=commitment, expected_version=1, progress=40)
    with pytest.raises(ConflictError) as exc:
        commitment_update(
            actor=cast.a_officer, commitment=commitment, expected_version=1, progress=50
        )
    assert exc.value.changed == {"progress": 40}


def test_commitment_overdue_is_derived(cast):
    overdue = new_commitment(cast, due_date=dt.date(2020, 1, 1))
    new_commitment(cast, due_date=dt.date(2999, 1, 1))
    assert list(selectors.commitment_overdue(cast.a_officer)) == [overdue]
    assert overdue.is_overdue is True


def test_indicator_value_recorded_per_period(cast):
    commitment = new_commitment(cast, indicator="officers trained", target=Decimal("40"))
    value = commitment_record_indicator(
        actor=cast.a_officer,
        commitment=commitment,
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2023, 12, 31),
        actual=Decimal("12"),
    )
    again = commitment_record_indicator(
        actor=cast.a_officer,
        commitment=commitment,
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2023, 12, 31),
        actual=Decimal("15"),
    )
    assert (again.pk, again.actual) == (value.pk, Decimal("15"))
    with pytest.raises(ValidationError) as exc:
        commitment_record_indicator(
            actor=cast.a_officer,
            commitment=commitment,
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2023, 1, 1),
            actual=Decimal("1"),
        )
    assert exc.value.message_dict == {"period_end": ["The period cannot end before it starts."]}


def test_commitment_written_only_in_french(cast):
    commitment = new_commitment(cast, title={"fr": "Former des officiers"}, reference_language="fr")
    commitment.refresh_from_db()
    assert (commitment.title_fr, commitment.title_en, commitment.reference_language) == (
        "Former des officiers",
        None,
        "fr",
    )


def test_commitment_created_red_needs_recipients_and_keeps_author(cast):
    with pytest.raises(ValidationError) as exc:
        new_commitment(cast, actor=cast.a_coordinator, marking="TLP:RED")
    assert exc.value.message_dict == {
        "red_recipients": ["Name at least one recipient for TLP:RED."]
    }
    commitment = new_commitment(
        cast, actor=cast.a_coordinator, marking="TLP:RED", red_recipients=[cast.a_officer]
    )
    assert sorted(u.username for u in commitment.red_recipients.all()) == [
        "a_coordinator",
        "a_officer",
    ]
    assert list(selectors.commitment_visible_to(cast.a_reader)) == []


def test_event_and_clause_created_red_keep_their_author(cast):
    with pytest.raises(ValidationError) as exc:
        clause_create(
            actor=cast.a_coordinator,
            agreement=cast.agreement,
            number="9",
            handling=Handling(marking="TLP:RED"),
        )
    assert exc.value.message_dict == {
        "red_recipients": ["Name at least one recipient for TLP:RED."]
    }
    event = agreement_event_record(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        kind="signed",
        date=dt.date(2022, 5, 10),
        handling=Handling(marking="TLP:RED", red_recipients=[cast.b_officer]),
    )
    assert list(selectors.agreement_event_visible_to(cast.a_coordinator)) == [event]
    assert list(selectors.agreement_event_visible_to(cast.b_officer)) == [event]
    assert list(selectors.agreement_event_visible_to(cast.a_reader)) == []


def test_commitment_status_is_checked_against_the_current_row_not_a_stale_copy(cast):
    stale = new_commitment(cast)
    commitment_change_status(
        actor=cast.a_officer, commitment=stale, status="cancelled", expected_version=1
    )
    with pytest.raises(ConflictError):
        commitment_change_status(
            actor=cast.a_officer, commitment=stale, status="in_progress", expected_version=1
        )
    # Even with the current version, the copy in hand is not what decides the transition.
    with pytest.raises(ValidationError) as exc:
        commitment_change_status(
            actor=cast.a_officer, commitment=stale, status="in_progress", expected_version=2
        )
    assert exc.value.message_dict == {
        "status": ["A commitment cannot go from Cancelled to In progress."]
    }
    stale.refresh_from_db()
    assert stale.status == "cancelled"


def test_indicator_note_with_nul_is_refused_before_anything_is_written(cast):
    commitment = new_commitment(cast)
    with pytest.raises(ValidationError) as exc:
        commitment_record_indicator(
            actor=cast.a_officer,
            commitment=commitment,
            period_start=dt.date(2023, 1, 1),
            period_end=dt.date(2023, 12, 31),
            actual=Decimal("1"),
            note="bad\x00note",
        )
    assert exc.value.message_dict == {"note": ["Null characters are not allowed."]}
    assert commitment.indicator_values.count() == 0


def test_duplicate_clause_number_names_the_field(cast):
    clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="1")
    with pytest.raises(ValidationError) as exc:
        clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="1")
    assert list(exc.value.message_dict) == ["number"]
