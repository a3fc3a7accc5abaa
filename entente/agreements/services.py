"""Writes to agreements, their parts and commitments (services, as the README's
architecture describes). The agreement, its signatories, clauses and areas are kept by
the owning party's coordinators; any party to it records events and commitments.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Party
from entente.agreements.enums import (
    AGREEMENT_WORKFLOW,
    COMMITMENT_WORKFLOW,
    REPORT_WORKFLOW,
    CommitmentStatus,
    PartyRole,
    ReportStatus,
)
from entente.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementParty,
    Clause,
    Commitment,
    CooperationArea,
    IndicatorValue,
    ProgressReport,
    Signatory,
)
from entente.agreements.selectors import (
    require_commitment_owner,
    require_party_to,
    require_responsible_writer,
)
from entente.attachments.services import attachment_add, attachments_follow
from entente.audit.services import (
    audit_record,
    audited_create,
    audited_delete,
    audited_transition,
    audited_update,
    snapshot,
    write_transaction,
)
from entente.core.access import (
    check_marking_change,
    require_coordinator,
    require_owner_writer,
    require_visible,
)
from entente.core.enums import Marking, Scope
from entente.core.models import ownership
from entente.core.translated import translated_fields
from entente.core.validation import editable_fields, refuse_unknown_changes, validate_instance

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
    scope: str = Scope.INTERNAL,
    marking: str = Marking.AMBER,
    red_recipients: Iterable = (),
    is_illustrative: bool = False,
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
        **ownership(membership.party_id, scope, marking, is_illustrative),
        instrument_type=instrument_type,
        reference_language=reference_language,
        **translated_fields("title", title, reference_language=reference_language),
        **fields,
    )
    recipients = check_marking_change(actor, agreement, marking, red_recipients, parties=parties)
    with write_transaction():
        audited_create(actor=actor, instance=agreement, m2m={"red_recipients": recipients})
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
    require_owner_writer(actor, agreement, coordinator=True)
    return audited_transition(
        actor=actor,
        instance=agreement,
        workflow=AGREEMENT_WORKFLOW,
        status=status,
        expected_version=expected_version,
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
    scope: str = Scope.SHARED,
    marking: str = Marking.GREEN,
    red_recipients: Iterable = (),
    is_illustrative: bool = False,
    **fields,
) -> AgreementEvent:
    """A dated lifecycle step, with its precision, certainty and source."""
    membership = require_party_to(actor, agreement)
    refuse_unknown_changes(fields, EVENT_FIELDS - {"kind", "date"})
    _check_agreement_party(agreement, fields.get("party"), "party")
    event = AgreementEvent(
        agreement=agreement,
        **ownership(membership.party_id, scope, marking, is_illustrative),
        kind=kind,
        date=date,
        **fields,
    )
    recipients = check_marking_change(actor, event, marking, red_recipients)
    return audited_create(actor=actor, instance=event, m2m={"red_recipients": recipients})


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
    scope: str = Scope.SHARED,
    marking: str = Marking.GREEN,
    red_recipients: Iterable = (),
    is_illustrative: bool = False,
) -> Clause:
    require_owner_writer(actor, agreement, coordinator=True)
    clause = Clause(
        agreement=agreement,
        **ownership(agreement.owning_party_id, scope, marking, is_illustrative),
        number=number,
        reference_language=reference_language,
        **translated_fields(
            "heading", heading, reference_language=reference_language, required=False
        ),
        **translated_fields("text", text, reference_language=reference_language, required=False),
    )
    recipients = check_marking_change(actor, clause, marking, red_recipients)
    return audited_create(actor=actor, instance=clause, m2m={"red_recipients": recipients})


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


# --- commitments ------------------------------------------------------------------------


def commitment_create(
    *,
    actor,
    agreement: Agreement,
    title: Mapping[str, str],
    responsible_party: Party,
    description: Mapping[str, str] | None = None,
    reference_language: str = "en",
    clauses: Iterable[Clause] = (),
    scope: str = Scope.INTERNAL,
    marking: str = Marking.AMBER,
    red_recipients: Iterable = (),
    is_illustrative: bool = False,
    **fields,
) -> Commitment:
    """A new commitment under an agreement, owned by the actor's party."""
    membership = require_party_to(actor, agreement)
    refuse_unknown_changes(fields, editable_fields(Commitment, "title", "description"))
    clauses = list(clauses)
    _check_commitment_links(agreement, responsible_party, clauses, fields)
    commitment = Commitment(
        agreement=agreement,
        **ownership(membership.party_id, scope, marking, is_illustrative),
        responsible_party=responsible_party,
        reference_language=reference_language,
        **translated_fields("title", title, reference_language=reference_language),
        **translated_fields(
            "description", description, reference_language=reference_language, required=False
        ),
        **fields,
    )
    _check_recurrence(commitment)
    recipients = check_marking_change(actor, commitment, marking, red_recipients)
    return audited_create(
        actor=actor, instance=commitment, m2m={"clauses": clauses, "red_recipients": recipients}
    )


def _check_commitment_links(agreement, responsible_party, clauses, fields) -> None:
    if not agreement.agreement_parties.filter(party=responsible_party).exists():
        raise ValidationError(
            {"responsible_party": _("The responsible party is not a party to the agreement.")}
        )
    if any(c.agreement_id != agreement.pk for c in clauses):
        raise ValidationError({"clauses": _("Every clause must belong to the same agreement.")})
    area = fields.get("area")
    if area is not None and area.agreement_id != agreement.pk:
        raise ValidationError({"area": _("The area belongs to another agreement.")})
    unit = fields.get("responsible_unit")
    if unit is not None and unit.party_id != responsible_party.pk:
        raise ValidationError({"responsible_unit": _("The unit belongs to another party.")})


def _check_recurrence(commitment: Commitment) -> None:
    if commitment.kind == "recurring" and not commitment.recurrence:
        raise ValidationError({"recurrence": _("A recurring commitment needs a recurrence.")})
    if commitment.kind == "one_off" and commitment.recurrence:
        raise ValidationError({"recurrence": _("A one-off commitment does not recur.")})
    if commitment.progress is not None and commitment.progress > 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})


def commitment_update(
    *,
    actor,
    commitment: Commitment,
    expected_version: int,
    clauses: Iterable[Clause] | None = None,
    **changes,
) -> Commitment:
    require_owner_writer(actor, commitment)
    refuse_unknown_changes(changes, editable_fields(Commitment))
    merged = {f: getattr(commitment, f) for f in ("area", "responsible_unit")} | changes
    responsible = changes.get("responsible_party", commitment.responsible_party)
    clause_list = list(clauses) if clauses is not None else []
    _check_commitment_links(commitment.agreement, responsible, clause_list, merged)
    probe = Commitment(
        kind=changes.get("kind", commitment.kind),
        recurrence=changes.get("recurrence", commitment.recurrence),
        progress=changes.get("progress", commitment.progress),
    )
    _check_recurrence(probe)
    if commitment.status == CommitmentStatus.DONE and "progress" in changes:
        _check_done_progress(changes["progress"])
    return audited_update(
        actor=actor,
        instance=commitment,
        changes=changes,
        expected_version=expected_version,
        m2m={"clauses": clause_list} if clauses is not None else None,
    )


def commitment_change_status(
    *,
    actor,
    commitment: Commitment,
    status: str,
    expected_version: int,
    progress: int | None = None,
) -> Commitment:
    """Move a commitment along its workflow (COMMITMENT_WORKFLOW); done means 100 %
    progress: given without progress, done sets it; with any other, it is refused."""
    require_owner_writer(actor, commitment)
    changes: dict[str, int] = {}
    if status == CommitmentStatus.DONE:
        _check_done_progress(progress)
        changes["progress"] = 100
    elif progress is not None:
        changes["progress"] = progress
    return audited_transition(
        actor=actor,
        instance=commitment,
        workflow=COMMITMENT_WORKFLOW,
        status=status,
        expected_version=expected_version,
        changes=changes,
    )


def _check_done_progress(progress: int | None) -> None:
    """A commitment that is done is 100 % done: another figure is refused, never
    silently replaced."""
    if progress is not None and progress != 100:
        raise ValidationError(
            {"progress": _("A commitment that is done is 100 % done; give 100 or no progress.")}
        )


def commitment_record_indicator(
    *,
    actor,
    commitment: Commitment,
    period_start: dt.date,
    period_end: dt.date,
    actual: Decimal,
    note: str = "",
) -> IndicatorValue:
    require_owner_writer(actor, commitment)
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    with write_transaction():
        value = (
            IndicatorValue.objects.select_for_update()
            .filter(commitment=commitment, period_start=period_start)
            .first()
        )
        before = snapshot(value) if value else None
        if value is None:
            value = IndicatorValue(commitment=commitment, period_start=period_start)
        value.period_end, value.actual, value.note = period_end, actual, note
        validate_instance(value)
        value.save()
        audit_record(
            actor=actor, action="indicator", target=commitment, before=before, after=snapshot(value)
        )
    return value


# --- progress reports -------------------------------------------------------------------


def progress_report_submit(
    *,
    actor,
    commitment: Commitment,
    progress: int,
    proposed_status: str = "",
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    indicator_value: Decimal | None = None,
    note: str = "",
    scope: str | None = None,
    files: Iterable[UploadedFile] = (),
) -> ProgressReport:
    """The responsible party reports on a commitment, whoever owns it: a report owned by
    the reporter's party, with its evidence files, all written or none. It is shared
    when the commitment is, unless `scope` says otherwise, and carries the commitment's
    marking and TLP:RED recipients."""
    require_responsible_writer(actor, commitment)
    _check_report(commitment, progress, proposed_status, period_start, period_end, indicator_value)
    scope = commitment.scope if scope is None else scope
    if scope not in Scope.values:
        raise ValidationError({"scope": _("Unknown scope.")})
    recipients = list(commitment.red_recipients.all()) if commitment.marking == Marking.RED else []
    report = ProgressReport(
        commitment=commitment,
        **ownership(
            actor.membership.party_id, scope, commitment.marking, commitment.is_illustrative
        ),
        reporter=actor,
        progress=progress,
        proposed_status=proposed_status or "",
        period_start=period_start,
        period_end=period_end,
        indicator_value=indicator_value,
        note=note,
    )
    stored = []
    try:
        with write_transaction():
            audited_create(actor=actor, instance=report, m2m={"red_recipients": recipients})
            for upload in files:
                stored.append(attachment_add(actor=actor, target=report, upload=upload))
    except BaseException:
        # The rows are rolled back; the files already in storage must go with them.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return report


def _check_report(commitment, progress, proposed_status, period_start, period_end, value) -> None:
    if progress is None or not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})
    if proposed_status:
        if not COMMITMENT_WORKFLOW.can(commitment.status, proposed_status):
            raise ValidationError(
                {
                    "proposed_status": str(COMMITMENT_WORKFLOW.message)
                    % {
                        "old": COMMITMENT_WORKFLOW.label(commitment.status),
                        "new": COMMITMENT_WORKFLOW.label(proposed_status),
                    }
                }
            )
        if proposed_status == CommitmentStatus.DONE:
            _check_done_progress(progress)
    given = {"period_start": period_start, "period_end": period_end, "indicator_value": value}
    if any(v is not None for v in given.values()):
        missing = [name for name, v in given.items() if v is None]
        if missing:
            raise ValidationError(
                {
                    name: _("An indicator value needs its period start, end and value.")
                    for name in missing
                }
            )
        if period_end < period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})


def progress_report_accept(
    *, actor, report: ProgressReport, expected_version: int, answer: str = ""
) -> ProgressReport:
    """The commitment's owner accepts a report: its progress, proposed status and
    indicator value are applied to the commitment by the commitment's own services, in
    the same transaction, so a move the workflow refuses leaves the report submitted."""
    require_visible(actor, report)
    require_commitment_owner(actor, report.commitment)
    with write_transaction():
        report = _answered(actor, report, ReportStatus.ACCEPTED, expected_version, answer)
        commitment = Commitment.objects.get(pk=report.commitment_id)
        if report.proposed_status:
            try:
                commitment_change_status(
                    actor=actor,
                    commitment=commitment,
                    status=report.proposed_status,
                    progress=report.progress,
                    expected_version=commitment.version,
                )
            except ValidationError as error:
                messages = error.message_dict
                raise ValidationError(
                    {{"status": "proposed_status"}.get(k, k): v for k, v in messages.items()}
                ) from None
        elif report.progress != commitment.progress:
            commitment_update(
                actor=actor,
                commitment=commitment,
                expected_version=commitment.version,
                progress=report.progress,
            )
        if report.indicator_value is not None:
            commitment_record_indicator(
                actor=actor,
                commitment=commitment,
                period_start=report.period_start,
                period_end=report.period_end,
                actual=report.indicator_value,
                note=_("From the report of %(party)s") % {"party": report.owning_party.code},
            )
    return report


def progress_report_answer(
    *, actor, report: ProgressReport, expected_version: int, answer: str
) -> ProgressReport:
    """The commitment's owner answers a report with a note, leaving the commitment as it
    is."""
    require_visible(actor, report)
    require_commitment_owner(actor, report.commitment)
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    return _answered(actor, report, ReportStatus.ANSWERED, expected_version, answer)


def _answered(actor, report, status: str, expected_version: int, answer: str) -> ProgressReport:
    return audited_transition(
        actor=actor,
        instance=report,
        workflow=REPORT_WORKFLOW,
        status=status,
        expected_version=expected_version,
        changes={"answer": answer, "answered_by": actor, "answered_at": timezone.now()},
    )


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
