"""Decisions taken at a meeting, and the commitments they become."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from entente.agreements.models import Commitment
from entente.agreements.services.commitments import commitment_create
from entente.audit.services import (
    audit_record,
    audited_create,
    audited_transition,
    write_transaction,
)
from entente.core.access import (
    require_owner_writer,
)
from entente.core.enums import Marking
from entente.core.models import Handling
from entente.meetings.enums import (
    DECISION_WORKFLOW,
    DecisionStatus,
)
from entente.meetings.models import Decision, Meeting
from entente.meetings.services.meetings import lock_meeting, require_took_place

# --- decisions --------------------------------------------------------------------------


def decision_record(*, actor, meeting: Meeting, text: str) -> Decision:
    """Record a decision the meeting took; decisions are numbered 1, 2, ... per meeting."""
    require_owner_writer(actor, meeting)
    require_took_place(meeting, "meeting")
    with write_transaction():
        meeting = lock_meeting(meeting)
        last = meeting.decisions.order_by("-number").values_list("number", flat=True).first()
        return audited_create(
            actor=actor,
            instance=Decision(meeting=meeting, number=(last or 0) + 1, text=(text or "").strip()),
        )


def decision_change_status(*, actor, decision: Decision, status: str) -> Decision:
    """Mark a decision implemented or dropped, or reopen it."""
    require_owner_writer(actor, decision.meeting)
    return audited_transition(
        actor=actor, instance=decision, workflow=DECISION_WORKFLOW, status=status
    )


# Keys of a commitment spec that decision_to_commitments sets itself.
_RESERVED_SPEC_KEYS = frozenset({"actor", "agreement"})
_REQUIRED_SPEC_KEYS = ("title", "responsible_party")


def decision_to_commitments(
    *, actor, decision: Decision, commitments: Sequence[Mapping]
) -> list[Commitment]:
    """Turn a decision into one or more commitments in one step, all or nothing.

    Each spec holds the keyword arguments of `commitment_create` (the agreement is the
    decision's): title and description per language, responsible party and unit, due
    date, clauses, area, scope, marking and TLP:RED recipients. The marking is by
    default the meeting's (with its recipients under TLP:RED); a stricter one may be
    given, a looser one is refused, as it would show the decision's follow-up to people
    the meeting is hidden from. Errors are keyed `commitments.<index>.<field>`, the index counting from
    0 in the order given, e.g. {"commitments.1.due_date": [...]}; an error about a
    spec as a whole is keyed `commitments.<index>`.

    Any writer (officer or coordinator) of the party that owns the meeting may do it:
    contact-cell officers record meetings and their follow-up day to day.
    """
    require_owner_writer(actor, decision.meeting)
    if not commitments:
        raise ValidationError({"commitments": _("Give at least one commitment.")})
    if decision.status == DecisionStatus.DROPPED:
        raise ValidationError(
            {"decision": _("A dropped decision does not give rise to commitments.")}
        )
    with write_transaction():
        created = [
            _commitment_from_spec(actor, decision, index, spec)
            for index, spec in enumerate(commitments)
        ]
        decision.commitments.add(*created)
        audit_record(
            actor=actor,
            action="commitments",
            target=decision,
            after={"commitments": [c.pk for c in created]},
        )
    return created


def _commitment_from_spec(actor, decision: Decision, index: int, spec: Mapping) -> Commitment:
    prefix = f"commitments.{index}"
    errors = {
        f"{prefix}.{key}": [_("This field cannot be set here.")]
        for key in sorted(_RESERVED_SPEC_KEYS & set(spec))
    } | {
        f"{prefix}.{key}": [_("This field is required.")]
        for key in _REQUIRED_SPEC_KEYS
        if key not in spec
    }
    if errors:
        raise ValidationError(errors)
    meeting = decision.meeting
    spec = _with_meeting_marking(meeting, spec, prefix)
    try:
        handling = Handling.pop_from(spec)
        return commitment_create(
            actor=actor, agreement=meeting.agreement, handling=handling, **spec
        )
    except ValidationError as error:
        raise ValidationError(_prefixed(error, prefix)) from None


def _with_meeting_marking(meeting: Meeting, spec: Mapping, prefix: str) -> dict:
    """The spec with the meeting's marking (and TLP:RED recipients) unless it gives
    one; a marking looser than the meeting's is refused."""
    spec = dict(spec)
    if spec.get("marking") is None:
        spec["marking"] = meeting.marking
        if meeting.marking == Marking.RED and not spec.get("red_recipients"):
            spec["red_recipients"] = list(meeting.red_recipients.all())
    marking = spec["marking"]
    if marking in Marking.values and Marking(marking).rank < Marking(meeting.marking).rank:
        message = _(
            "A commitment from this decision is marked at least as strictly as its "
            "meeting (%(marking)s)."
        ) % {"marking": meeting.marking}
        raise ValidationError({f"{prefix}.marking": [message]})
    return spec


def _prefixed(error: ValidationError, prefix: str) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return {prefix: error.messages}
    return {
        prefix if field == NON_FIELD_ERRORS else f"{prefix}.{field}": messages
        for field, messages in error.message_dict.items()
    }
