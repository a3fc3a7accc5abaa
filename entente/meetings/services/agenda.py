"""A meeting's agenda: items proposed by either party (each owns its own), ordered by the
meeting's party, and items carried over from earlier meetings.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from entente.agreements.models import Commitment
from entente.agreements.selectors import commitment_visible_to
from entente.audit.services import (
    audit_record,
    audited_create,
    audited_delete,
    audited_update,
    write_transaction,
)
from entente.core.access import (
    RESTRICTED_MARKINGS,
    check_marking_change,
    require_owner_writer,
    require_visible,
    require_writer,
)
from entente.core.enums import Marking, Scope
from entente.core.errors import NotFound, PermissionDenied
from entente.core.models import ownership
from entente.core.validation import refuse_unknown_changes
from entente.meetings.enums import (
    MeetingStatus,
)
from entente.meetings.models import AgendaItem, Decision, Meeting
from entente.meetings.selectors import (
    agenda_item_visible_to,
    decision_visible_to,
    meeting_carry_over_candidates,
)
from entente.meetings.services.meetings import lock_meeting

# --- agenda -----------------------------------------------------------------------------


def agenda_item_add(
    *,
    actor,
    meeting: Meeting,
    title: str,
    notes: str = "",
    carried_commitment: Commitment | None = None,
    carried_decision: Decision | None = None,
    scope: str | None = None,
    marking: str | None = None,
    red_recipients: Iterable = (),
) -> AgendaItem:
    """Propose a point for a meeting's agenda, appended last and owned by the
    actor's party: any writer who sees the meeting proposes; only the meeting's own
    party carries over an open commitment or decision.

    The item is shared with whoever sees the meeting or internal to the proposer's
    party; by default it is as shared as its meeting, with its marking (TLP:AMBER under
    a meeting marked TLP:RED or TLP:AMBER+STRICT, which the meeting's marking hides
    all the same).
    """
    require_visible(actor, meeting)
    membership = require_writer(actor)
    carries = carried_commitment is not None or carried_decision is not None
    if carries and membership.party_id != meeting.owning_party_id:
        raise PermissionDenied(_("Only the party that keeps the meeting carries items over."))
    if scope is None:
        scope = meeting.scope
    if scope not in Scope.values:
        raise ValidationError({"scope": _("Choose shared or internal.")})
    if marking is None:
        marking = Marking.AMBER if meeting.marking in RESTRICTED_MARKINGS else meeting.marking
    item = AgendaItem(meeting=meeting, **ownership(membership.party_id, scope, marking))
    recipients = check_marking_change(actor, item, marking, red_recipients)
    with write_transaction():
        meeting = lock_meeting(meeting)
        _require_planned(meeting)
        if carried_commitment is not None:
            _check_carried_commitment(actor, meeting, carried_commitment)
        if carried_decision is not None:
            _check_carried_decision(actor, meeting, carried_decision)
        return _append_item(
            actor,
            item,
            recipients,
            title=title,
            notes=notes,
            carried_commitment=carried_commitment,
            carried_decision=carried_decision,
        )


def _require_planned(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            {"meeting": _("The agenda can be changed only while the meeting is planned.")}
        )


def _check_carried_commitment(actor, meeting: Meeting, commitment: Commitment) -> None:
    # The same message for "not visible" and "other agreement", so it reveals nothing.
    if (
        not commitment_visible_to(actor)
        .filter(pk=commitment.pk, agreement_id=meeting.agreement_id)
        .exists()
    ):
        raise ValidationError(
            {"carried_commitment": _("Choose a commitment of this meeting's agreement.")}
        )
    if meeting.agenda_items.filter(carried_commitment=commitment).exists():
        raise ValidationError(
            {"carried_commitment": _("This commitment is already on the agenda.")}
        )


def _check_carried_decision(actor, meeting: Meeting, decision: Decision) -> None:
    earlier = decision_visible_to(actor).filter(
        pk=decision.pk,
        meeting__agreement_id=meeting.agreement_id,
        meeting__starts_at__lt=meeting.starts_at,
    )
    if not earlier.exists():
        raise ValidationError(
            {"carried_decision": _("Choose a decision of an earlier meeting under this agreement.")}
        )
    if meeting.agenda_items.filter(carried_decision=decision).exists():
        raise ValidationError({"carried_decision": _("This decision is already on the agenda.")})


def _append_item(actor, item: AgendaItem, recipients: list, **fields) -> AgendaItem:
    """`item` (its meeting locked) with `fields`, last on the agenda."""
    last = item.meeting.agenda_items.aggregate(last=Max("position"))["last"]
    item.position = (last or 0) + 1
    item.title = (fields.pop("title") or "").strip()
    item.notes = (fields.pop("notes", "") or "").strip()
    for name, value in fields.items():
        setattr(item, name, value)
    return audited_create(actor=actor, instance=item, m2m={"red_recipients": recipients})


def _host_item(meeting: Meeting) -> AgendaItem:
    """A new item of the meeting's own party, seen exactly as the meeting is."""
    return AgendaItem(
        meeting=meeting,
        **ownership(meeting.owning_party_id, meeting.scope, meeting.marking),
    )


AGENDA_ITEM_EDITABLE = frozenset({"title", "notes"})


def agenda_item_update(*, actor, item: AgendaItem, expected_version: int, **changes) -> AgendaItem:
    """Change the title or notes of an item of one's own party, while the meeting is
    planned. Nothing to change is no change."""
    require_owner_writer(actor, item)
    if not changes:
        return item
    refuse_unknown_changes(changes, AGENDA_ITEM_EDITABLE)
    _require_planned(item.meeting)
    changes = {name: (value or "").strip() for name, value in changes.items()}
    return audited_update(
        actor=actor, instance=item, changes=changes, expected_version=expected_version
    )


def agenda_item_remove(*, actor, item: AgendaItem) -> None:
    """Take an item of one's own party off the agenda of a planned meeting. The items
    after it keep their stored positions: each reader's numbering closes the gap."""
    require_owner_writer(actor, item)
    with write_transaction():
        meeting = lock_meeting(item.meeting)
        _require_planned(meeting)
        audited_delete(actor=actor, instance=item)


def agenda_item_move(*, actor, item: AgendaItem, position: int) -> AgendaItem:
    """Put an item at `position` (1 first) among the agenda items the actor sees: for
    writers of the meeting's own party, while it is planned.

    Only the items the actor sees change places, among the stored positions they
    already hold, so items hidden from the actor keep theirs and nothing about them is
    revealed or disturbed.
    """
    require_owner_writer(actor, item.meeting)
    with write_transaction():
        meeting = lock_meeting(item.meeting)
        _require_planned(meeting)
        items = list(agenda_item_visible_to(actor).filter(meeting=meeting).order_by("position"))
        current = next((each for each in items if each.pk == item.pk), None)
        if current is None:
            raise NotFound(_("No such record."))
        if not isinstance(position, int) or not 1 <= position <= len(items):
            raise ValidationError(
                {"position": _("Choose a position from 1 to %(count)d.") % {"count": len(items)}}
            )
        slots = [each.position for each in items]
        order = [each for each in items if each.pk != item.pk]
        order.insert(position - 1, current)
        moved = [
            (each, slot) for each, slot in zip(order, slots, strict=True) if each.position != slot
        ]
        if not moved:
            return current
        # Out of the way first, so that no two items of the meeting share a position
        # after any one statement (the constraint is checked row by row).
        top = meeting.agenda_items.aggregate(top=Max("position"))["top"]
        for offset, (each, _slot) in enumerate(moved, start=1):
            AgendaItem.objects.filter(pk=each.pk).update(position=top + offset)
        for each, slot in moved:
            AgendaItem.objects.filter(pk=each.pk).update(position=slot)
        audit_record(
            actor=actor,
            action="move",
            target=current,
            before={"position": current.position},
            after={"position": slots[position - 1]},
        )
    current.refresh_from_db()
    return current


def agenda_carry_over(
    *,
    actor,
    meeting: Meeting,
    commitments: Iterable[Commitment] = (),
    decisions: Iterable[Decision] = (),
) -> list[AgendaItem]:
    """Put chosen carry-over candidates on the agenda, one item each, all or nothing.

    Each must be among `meeting_carry_over_candidates(actor, meeting)`.
    """
    require_owner_writer(actor, meeting)
    commitments = list({c.pk: c for c in commitments}.values())
    decisions = list({d.pk: d for d in decisions}.values())
    if not commitments and not decisions:
        raise ValidationError({"commitments": _("Choose at least one item to carry over.")})
    with write_transaction():
        meeting = lock_meeting(meeting)
        _require_planned(meeting)
        candidates = meeting_carry_over_candidates(actor, meeting)
        _check_candidates(
            "commitments",
            commitments,
            candidates.commitments,
            _("Only open commitments of this agreement not yet on the agenda can be carried over."),
        )
        _check_candidates(
            "decisions",
            decisions,
            candidates.decisions,
            _("Only open decisions of earlier meetings not yet on the agenda can be carried over."),
        )
        recipients = list(meeting.red_recipients.all())
        items = [
            _append_item(
                actor,
                _host_item(meeting),
                recipients,
                title=_reference_text(c, "title"),
                carried_commitment=c,
            )
            for c in commitments
        ]
        items += [
            _append_item(
                actor,
                _host_item(meeting),
                recipients,
                title=_decision_title(d),
                notes=d.text,
                carried_decision=d,
            )
            for d in decisions
        ]
    return items


def _check_candidates(field: str, chosen: list, candidates, message: str) -> None:
    pks = {record.pk for record in chosen}
    if pks and candidates.filter(pk__in=pks).count() != len(pks):
        raise ValidationError({field: message})


def _reference_text(record, name: str) -> str:
    return getattr(record, f"{name}_{record.reference_language}") or getattr(record, name)


def _decision_title(decision: Decision) -> str:
    title = _("Decision %(number)s of %(meeting)s") % {
        "number": decision.number,
        "meeting": _reference_text(decision.meeting, "title"),
    }
    return title[: AgendaItem._meta.get_field("title").max_length]
