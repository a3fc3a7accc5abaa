"""Writes to commitments: created by any party to the agreement, changed by their owner's
writers; indicator values recorded against them.
"""

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Party
from entente.agreements.enums import (
    COMMITMENT_WORKFLOW,
    CommitmentKind,
    CommitmentStatus,
    Recurrence,
)
from entente.agreements.models import (
    Agreement,
    Clause,
    Commitment,
    IndicatorValue,
)
from entente.agreements.selectors import party_ids_of, require_party_to
from entente.audit.services import (
    audit_record,
    audited_create,
    audited_create_owned,
    audited_transition,
    audited_update,
    snapshot,
    write_transaction,
)
from entente.core.access import (
    require_owner_writer,
)
from entente.core.enums import Language
from entente.core.models import Handling
from entente.core.translated import translated_fields
from entente.core.validation import editable_fields, refuse_unknown_changes, validate_instance

# --- commitments ------------------------------------------------------------------------

# Set by the recurrence alone (commitment_change_status), never by a caller.
_OCCURRENCE_FIELDS = ("previous_occurrence", "previous_occurrence_id")


def commitment_create(
    *,
    actor,
    agreement: Agreement,
    title: Mapping[str, str],
    responsible_party: Party,
    description: Mapping[str, str] | None = None,
    reference_language: str = "en",
    clauses: Iterable[Clause] = (),
    handling: Handling = Handling(),
    **fields,
) -> Commitment:
    """A new commitment under an agreement, owned by the actor's party."""
    membership = require_party_to(actor, agreement)
    refuse_unknown_changes(
        fields, editable_fields(Commitment, "title", "description", *_OCCURRENCE_FIELDS)
    )
    clauses = list(clauses)
    _check_commitment_links(agreement, responsible_party, clauses, fields)
    commitment = Commitment(
        agreement=agreement,
        responsible_party=responsible_party,
        reference_language=reference_language,
        **translated_fields("title", title, reference_language=reference_language),
        **translated_fields(
            "description", description, reference_language=reference_language, required=False
        ),
        **fields,
    )
    _check_recurrence(commitment)
    return audited_create_owned(
        actor=actor,
        instance=commitment,
        party_id=membership.party_id,
        handling=handling,
        m2m={"clauses": clauses},
    )


def _check_commitment_links(agreement, responsible_party, clauses, fields) -> None:
    if responsible_party.pk not in party_ids_of(agreement):
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
    refuse_unknown_changes(changes, editable_fields(Commitment, *_OCCURRENCE_FIELDS))
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
        check_done_progress(changes["progress"])
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
    progress: given without progress, done sets it; with any other, it is refused.
    A recurring commitment marked done gets its next occurrence in the same
    transaction (`commitment_next_occurrence`)."""
    require_owner_writer(actor, commitment)
    changes: dict[str, int] = {}
    if status == CommitmentStatus.DONE:
        check_done_progress(progress)
        changes["progress"] = 100
    elif progress is not None:
        changes["progress"] = progress
    with write_transaction():
        commitment = audited_transition(
            actor=actor,
            instance=commitment,
            workflow=COMMITMENT_WORKFLOW,
            status=status,
            expected_version=expected_version,
            changes=changes,
        )
        if status == CommitmentStatus.DONE and commitment.kind == CommitmentKind.RECURRING:
            _next_occurrence(actor, commitment)
    return commitment


def _next_occurrence(actor, done: Commitment) -> Commitment | None:
    """The occurrence after `done`, a record of its own: the same commitment, due one
    recurrence later, planned again, with nothing done. None when `done` already has
    one (it was reopened and closed again): one next occurrence per occurrence."""
    if Commitment.objects.filter(previous_occurrence=done).exists():
        return None
    start = done.due_date or timezone.localdate()
    copied = {
        name: getattr(done, name)
        for name in (
            "agreement",
            "owning_party",
            "scope",
            "marking",
            "is_illustrative",
            "area",
            "responsible_party",
            "responsible_unit",
            "responsible_contact",
            "reference_language",
            "kind",
            "recurrence",
            "indicator",
            "indicator_unit",
            "baseline",
            "target",
            *(f"{name}_{code}" for name in ("title", "description") for code in Language.values),
        )
    }
    following = Commitment(
        **copied,
        due_date=next_due_date(start, done.recurrence),
        previous_occurrence=done,
    )
    return audited_create(
        actor=actor,
        instance=following,
        m2m={
            "clauses": list(done.clauses.all()),
            "red_recipients": list(done.red_recipients.all()),
        },
    )


# Months between two occurrences of a recurring commitment.
RECURRENCE_MONTHS = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.SEMIANNUAL: 6,
    Recurrence.YEARLY: 12,
}


def next_due_date(due: dt.date, recurrence: str) -> dt.date:
    """`due` moved on by one `recurrence`, kept within the month it lands in: a monthly
    commitment due on 31 January is next due on the last day of February."""
    months = due.year * 12 + due.month - 1 + RECURRENCE_MONTHS[Recurrence(recurrence)]
    year, month = divmod(months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(due.day, last_day))


def check_done_progress(progress: int | None) -> None:
    """A commitment that is done is 100 % done: another figure is refused, never
    silently replaced."""
    if progress is not None and progress != 100:
        raise ValidationError(
            {
                "progress": _(
                    "A commitment that is done has a progress of 100; give 100 or no progress."
                )
            }
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
            IndicatorValue.objects.select_for_update(no_key=True)
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
