"""Writes to agreements and their parts (signatories, events, clauses, areas), and the
publishing and marking of any party-owned record. The agreement and its parts are kept
by the owning party's coordinators; any party to it records events.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from entente.accounts.models import Party
from entente.agreements.enums import (
    AGREEMENT_WORKFLOW,
    PartyRole,
)
from entente.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementParty,
    Clause,
    CooperationArea,
    Signatory,
)
from entente.agreements.selectors import (
    require_party_to,
)
from entente.attachments.services import attachments_follow
from entente.audit.services import (
    audit_record,
    audited_create,
    audited_create_owned,
    audited_delete,
    audited_update,
    owner_transition,
    write_transaction,
)
from entente.core.access import (
    check_marking_change,
    require_coordinator,
    require_owner_writer,
)
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.core.translated import translated_fields
from entente.core.validation import editable_fields, refuse_unknown_changes

# What an event's writer records and may correct.
EVENT_FIELDS = frozenset({"kind", "date", "date_precision", "certainty", "party", "source", "note"})

# --- agreements -------------------------------------------------------------------------


def agreement_create(
    *,
    actor,
    instrument_type: str,
    title: Mapping[str, str],
    reference_language: str = "en",
    parties: Iterable[Party],
    handling: Handling = Handling(),
    **fields,
) -> Agreement:
    """Record a new agreement owned by the coordinator's party, which must be a party."""
    membership = require_coordinator(actor)
    parties = list(parties)
    if membership.party_id not in {p.pk for p in parties}:
        raise ValidationError({"parties": _("Your own party must be a party to the agreement.")})
    if len(parties) < 2:
        raise ValidationError({"parties": _("An agreement needs at least two parties.")})
    refuse_unknown_changes(fields, editable_fields(Agreement))
    _check_dates(fields)
    agreement = Agreement(
        instrument_type=instrument_type,
        reference_language=reference_language,
        **translated_fields("title", title, reference_language=reference_language),
        **fields,
    )
    with write_transaction():
        audited_create_owned(
            actor=actor,
            instance=agreement,
            party_id=membership.party_id,
            handling=handling,
            parties=parties,
        )
        for party in parties:
            AgreementParty.objects.create(agreement=agreement, party=party, role=PartyRole.PARTY)
        audit_record(
            actor=actor,
            action="parties",
            target=agreement,
            after={"parties": sorted(p.code for p in parties)},
        )
    return agreement


def _check_dates(fields: Mapping) -> None:
    signed, in_force, expires = (
        fields.get("signed_on"),
        fields.get("in_force_on"),
        fields.get("expires_on"),
    )
    if signed and in_force and in_force < signed:
        raise ValidationError({"in_force_on": _("Entry into force cannot precede signature.")})
    if signed and expires and expires <= signed:
        raise ValidationError({"expires_on": _("Expiry must come after signature.")})


def agreement_update(*, actor, agreement: Agreement, expected_version: int, **changes) -> Agreement:
    require_owner_writer(actor, agreement, coordinator=True)
    refuse_unknown_changes(changes, editable_fields(Agreement))
    merged = {k: getattr(agreement, k) for k in ("signed_on", "in_force_on", "expires_on")}
    _check_dates(merged | changes)
    return audited_update(
        actor=actor, instance=agreement, changes=changes, expected_version=expected_version
    )


def agreement_change_status(
    *, actor, agreement: Agreement, status: str, expected_version: int
) -> Agreement:
    """Move an agreement along its lifecycle (AGREEMENT_WORKFLOW)."""
    return owner_transition(
        actor, agreement, AGREEMENT_WORKFLOW, status, expected_version, coordinator=True
    )


def signatory_add(
    *, actor, agreement: Agreement, party: Party, name: str, function: str = ""
) -> Signatory:
    require_owner_writer(actor, agreement, coordinator=True)
    _check_agreement_party(agreement, party, "party")
    return audited_create(
        actor=actor,
        instance=Signatory(agreement=agreement, party=party, name=name, function=function),
    )


def signatory_update(*, actor, signatory: Signatory, **changes) -> Signatory:
    """Correct a signatory's party, name or function (coordinators of the owning party)."""
    agreement = signatory.agreement
    require_owner_writer(actor, agreement, coordinator=True)
    refuse_unknown_changes(changes, {"party", "name", "function"})
    if not changes:
        return signatory
    if "party" in changes:
        _check_agreement_party(agreement, changes["party"], "party")
    return audited_update(actor=actor, instance=signatory, changes=changes)


def signatory_remove(*, actor, signatory: Signatory) -> None:
    """Take off a signatory recorded by mistake; the audit chain keeps what it was."""
    require_owner_writer(actor, signatory.agreement, coordinator=True)
    audited_delete(actor=actor, instance=signatory, action="remove")


def _check_agreement_party(agreement: Agreement, party, field: str) -> None:
    if party is not None and not agreement.agreement_parties.filter(party=party).exists():
        raise ValidationError({field: _("This party is not a party to the agreement.")})


def agreement_event_record(
    *,
    actor,
    agreement: Agreement,
    kind: str,
    date: dt.date,
    handling: Handling = Handling(),
    **fields,
) -> AgreementEvent:
    """A dated lifecycle step, with its precision, certainty and source."""
    membership = require_party_to(actor, agreement)
    refuse_unknown_changes(fields, EVENT_FIELDS - {"kind", "date"})
    _check_agreement_party(agreement, fields.get("party"), "party")
    event = AgreementEvent(
        agreement=agreement,
        kind=kind,
        date=date,
        **fields,
    )
    return audited_create_owned(
        actor=actor, instance=event, party_id=membership.party_id, handling=handling
    )


def agreement_event_update(
    *, actor, event: AgreementEvent, expected_version: int, **changes
) -> AgreementEvent:
    """Correct an event's kind, date, precision, certainty, party, source or note (writers
    of the party that recorded it)."""
    require_owner_writer(actor, event)
    refuse_unknown_changes(changes, EVENT_FIELDS)
    if "party" in changes:
        _check_agreement_party(event.agreement, changes["party"], "party")
    return audited_update(
        actor=actor, instance=event, changes=changes, expected_version=expected_version
    )


def clause_create(
    *,
    actor,
    agreement: Agreement,
    number: str,
    heading: Mapping[str, str] | None = None,
    text: Mapping[str, str] | None = None,
    reference_language: str = "en",
    handling: Handling = Handling(),
) -> Clause:
    require_owner_writer(actor, agreement, coordinator=True)
    clause = Clause(
        agreement=agreement,
        number=number,
        reference_language=reference_language,
        **translated_fields(
            "heading", heading, reference_language=reference_language, required=False
        ),
        **translated_fields("text", text, reference_language=reference_language, required=False),
    )
    return audited_create_owned(
        actor=actor, instance=clause, party_id=agreement.owning_party_id, handling=handling
    )


def clause_update(*, actor, clause: Clause, expected_version: int, **changes) -> Clause:
    """Change a clause's number, reference language, or heading and text per language
    (`heading_fr`, `text_en`, ...); coordinators of the owning party."""
    require_owner_writer(actor, clause, coordinator=True)
    refuse_unknown_changes(changes, editable_fields(Clause, "heading", "text"))
    return audited_update(
        actor=actor, instance=clause, changes=changes, expected_version=expected_version
    )


def area_create(
    *,
    actor,
    agreement: Agreement,
    code: str,
    name: Mapping[str, str],
    reference_language: str = "en",
) -> CooperationArea:
    require_owner_writer(actor, agreement, coordinator=True)
    return audited_create(
        actor=actor,
        instance=CooperationArea(
            agreement=agreement,
            code=code,
            reference_language=reference_language,
            **translated_fields("name", name, reference_language=reference_language),
        ),
    )


def area_update(*, actor, area: CooperationArea, **changes) -> CooperationArea:
    """Change an area's code, reference language or name per language (`name_fr`, ...);
    the agreement's coordinators, as for the agreement. The name in the reference
    language stays required."""
    require_owner_writer(actor, area.agreement, coordinator=True)
    refuse_unknown_changes(changes, editable_fields(CooperationArea, "name"))
    if not changes:
        return area
    language = changes.get("reference_language", area.reference_language)
    key = f"name_{language}"
    if not (changes.get(key, getattr(area, key, None)) or "").strip():
        raise ValidationError({key: _("Give the text in the reference language.")})
    return audited_update(actor=actor, instance=area, changes=changes)


# --- publishing and markings (any party-owned record) -----------------------------------


def record_publish(*, actor, record, expected_version: int):
    """A coordinator shares an internal draft of their party with the other parties."""
    require_owner_writer(actor, record, coordinator=True)
    if record.scope == Scope.SHARED:
        raise ValidationError({"scope": _("This record is already shared.")})
    with write_transaction():  # the record's files change with it, or neither does
        record = audited_update(
            actor=actor,
            instance=record,
            changes={"scope": Scope.SHARED},
            expected_version=expected_version,
            action="publish",
        )
        return attachments_follow(actor=actor, record=record)


def record_set_marking(
    *, actor, record, marking: str, expected_version: int, red_recipients: Iterable = ()
):
    """Change a record's TLP marking and recipients (see `check_marking_change`)."""
    require_owner_writer(actor, record)
    recipients = check_marking_change(actor, record, marking, red_recipients, marking_action=True)
    with write_transaction():  # the record's files change with it, or neither does
        record = audited_update(
            actor=actor,
            instance=record,
            changes={"marking": marking},
            expected_version=expected_version,
            action="marking",
            m2m={"red_recipients": recipients},
        )
        return attachments_follow(actor=actor, record=record)
