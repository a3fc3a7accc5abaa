"""Writes to meetings, their agenda, attendance, minutes and decisions.

Services as the README's architecture describes: only writers of the party that owns
a meeting change it or anything on it.

Agenda items, attendance and decisions are audited against themselves ("create",
"status", ...), not against their meeting, and do not change the meeting's version:
the version guards the meeting's own fields (schedule, status, minutes).
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Contact, Party
from entente.agreements.models import Agreement, Commitment
from entente.agreements.selectors import commitment_visible_to, require_party_to
from entente.agreements.services import commitment_create
from entente.audit.services import (
    audit_record,
    audited_create,
    audited_delete,
    audited_transition,
    audited_update,
    write_transaction,
)
from entente.core.access import (
    RESTRICTED_MARKINGS,
    check_marking_change,
    require_owner_writer,
    require_visible,
    require_writer,
    visible_to,
)
from entente.core.enums import Marking, Scope
from entente.core.errors import NotFound, PermissionDenied
from entente.core.models import ownership
from entente.core.translated import translated_fields
from entente.meetings.enums import (
    DECISION_WORKFLOW,
    MEETING_WORKFLOW,
    AttendanceStatus,
    DecisionStatus,
    MeetingStatus,
)
from entente.meetings.models import AgendaItem, Attendance, Decision, Guest, Meeting
from entente.meetings.selectors import (
    agenda_item_visible_to,
    decision_visible_to,
    meeting_carry_over_candidates,
)

# What meeting_update may change; status, minutes, scope and marking have their own doors.
MEETING_EDITABLE = frozenset(
    {"kind", "title", "starts_at", "ends_at", "time_zone", "place", "online_url", "host_party"}
)

_SCHEDULE = ("starts_at", "ends_at", "time_zone", "host_party")


# --- meetings ---------------------------------------------------------------------------


def meeting_create(
    *,
    actor,
    agreement: Agreement,
    kind: str,
    title: Mapping[str, str],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str,
    host_party: Party,
    place: str = "",
    online_url: str = "",
    reference_language: str = "en",
    scope: str = Scope.INTERNAL,
    marking: str = Marking.AMBER,
    red_recipients: Iterable = (),
    is_illustrative: bool = False,
) -> Meeting:
    """Schedule a meeting under an agreement, owned by the actor's party.

    Naive times are read in the meeting's own time zone.
    """
    membership = require_party_to(actor, agreement)
    starts_at, ends_at = _check_schedule(
        agreement, starts_at=starts_at, ends_at=ends_at, time_zone=time_zone, host_party=host_party
    )
    meeting = Meeting(
        agreement=agreement,
        **ownership(membership.party_id, scope, marking, is_illustrative),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        host_party=host_party,
        place=place.strip(),
        online_url=online_url.strip(),
        reference_language=reference_language,
        **translated_fields("title", title, reference_language=reference_language),
    )
    recipients = check_marking_change(actor, meeting, marking, red_recipients)
    return audited_create(actor=actor, instance=meeting, m2m={"red_recipients": recipients})


def _zone(name) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError({"time_zone": _("Unknown time zone.")}) from None


def _aware(value, zone: ZoneInfo, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: _("Give a date and a time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zone)
    # Stored and audited in UTC, as the database gives it back; the zone is kept apart.
    return value.astimezone(dt.UTC)


def _check_schedule(agreement, *, starts_at, ends_at, time_zone, host_party):
    zone = _zone(time_zone)
    starts_at = _aware(starts_at, zone, "starts_at")
    ends_at = _aware(ends_at, zone, "ends_at")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if not agreement.agreement_parties.filter(party=host_party).exists():
        raise ValidationError({"host_party": _("The host party is not a party to the agreement.")})
    return starts_at, ends_at


def meeting_update(*, actor, meeting: Meeting, expected_version: int, **changes) -> Meeting:
    """Change a meeting's kind, title, schedule, place or host.

    `title` is given per language ({"fr": ...}) and replaces only those languages.
    Nothing to change is no change: the meeting is returned as it is, nothing recorded.
    """
    require_owner_writer(actor, meeting)
    if not changes:
        return meeting
    refused = sorted(set(changes) - MEETING_EDITABLE)
    if refused:
        raise ValidationError({name: _("This field cannot be changed here.") for name in refused})
    if "title" in changes:
        changes |= _translated_changes(meeting, "title", changes.pop("title"))
    if set(_SCHEDULE) & set(changes):
        merged = {name: getattr(meeting, name) for name in _SCHEDULE} | {
            name: changes[name] for name in _SCHEDULE if name in changes
        }
        changes["starts_at"], changes["ends_at"] = _check_schedule(meeting.agreement, **merged)
    return audited_update(
        actor=actor, instance=meeting, changes=changes, expected_version=expected_version
    )


def _translated_changes(meeting: Meeting, name: str, values) -> dict[str, str]:
    """Per-language changes; languages not given keep their text.

    The reference text may be left out once the meeting has one, never emptied.
    """
    key = f"{name}_{meeting.reference_language}"
    fields = translated_fields(
        name,
        values,
        reference_language=meeting.reference_language,
        required=not getattr(meeting, key),
    )
    if key in fields and not fields[key]:
        raise ValidationError({key: _("Give the text in the reference language.")})
    return fields


def meeting_change_status(
    *, actor, meeting: Meeting, status: str, expected_version: int
) -> Meeting:
    """Mark a meeting held (once it has started), cancelled, or planned again."""
    require_owner_writer(actor, meeting)
    return audited_transition(
        actor=actor,
        instance=meeting,
        workflow=MEETING_WORKFLOW,
        status=status,
        expected_version=expected_version,
    )


def _require_took_place(meeting: Meeting, field: str) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({field: _("The meeting was cancelled.")})
    if meeting.starts_at > timezone.now():
        raise ValidationError({field: _("The meeting has not started yet.")})


def minutes_record(
    *, actor, meeting: Meeting, minutes: Mapping[str, str], expected_version: int
) -> Meeting:
    """Record the minutes per language; the first record needs the reference language."""
    require_owner_writer(actor, meeting)
    _require_took_place(meeting, "minutes")
    changes = _translated_changes(meeting, "minutes", minutes)
    return audited_update(
        actor=actor,
        instance=meeting,
        changes=changes,
        expected_version=expected_version,
        action="minutes",
    )


def _lock(meeting: Meeting) -> Meeting:
    # Numbering children (agenda positions, decision numbers) reads then writes the
    # highest number; holding the meeting row keeps two writers from taking the same one.
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


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
        meeting = _lock(meeting)
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
    refused = sorted(set(changes) - AGENDA_ITEM_EDITABLE)
    if refused:
        raise ValidationError({name: _("This field cannot be changed here.") for name in refused})
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
        meeting = _lock(item.meeting)
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
        meeting = _lock(item.meeting)
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
        meeting = _lock(meeting)
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


# --- attendance -------------------------------------------------------------------------


def attendance_set(*, actor, meeting: Meeting, contact: Contact, status: str) -> Attendance:
    """Invite a contact, or record whether they attended or were excused: writers of the
    meeting's own party for contacts of any party to the agreement they may see, writers
    of the other party for their own party's contacts."""
    require_visible(actor, meeting)
    membership = require_writer(actor)
    if membership.party_id not in (meeting.owning_party_id, contact.unit.party_id):
        raise PermissionDenied(
            _("Only the party that keeps the meeting records the attendance of others.")
        )
    if not visible_to(Contact.objects.filter(pk=contact.pk), actor).exists():
        raise ValidationError({"contact": _("Choose a contact from the directory.")})
    if not meeting.agreement.agreement_parties.filter(party_id=contact.unit.party_id).exists():
        raise ValidationError(
            {"contact": _("The contact's party is not a party to the agreement.")}
        )
    _check_attendance_status(meeting, status)
    with write_transaction():
        meeting = _lock(meeting)
        attendance = Attendance.objects.filter(meeting=meeting, contact=contact).first()
        if attendance is None:
            return audited_create(
                actor=actor,
                instance=Attendance(meeting=meeting, contact=contact, status=status),
            )
        if attendance.status == status:
            return attendance  # nothing changed, nothing to record
        return audited_update(
            actor=actor, instance=attendance, changes={"status": status}, action="status"
        )


def _check_attendance_status(meeting: Meeting, status: str) -> None:
    if status == AttendanceStatus.ATTENDED and meeting.starts_at > timezone.now():
        raise ValidationError(
            {"status": _("Attendance can be recorded once the meeting has started.")}
        )


def guest_add(
    *,
    actor,
    meeting: Meeting,
    name: str,
    organisation: str = "",
    status: str = AttendanceStatus.INVITED,
) -> Guest:
    """Name someone from neither party's directory as invited to, at or excused from a
    meeting, with their organisation."""
    require_owner_writer(actor, meeting)
    _check_attendance_status(meeting, status)
    guest = Guest(
        meeting=meeting,
        name=(name or "").strip(),
        organisation=(organisation or "").strip(),
        status=status,
    )
    return audited_create(actor=actor, instance=guest)


def guest_set_status(*, actor, guest: Guest, status: str) -> Guest:
    """Record whether a guest attended or was excused."""
    require_owner_writer(actor, guest.meeting)
    _check_attendance_status(guest.meeting, status)
    if guest.status == status:
        return guest
    return audited_update(actor=actor, instance=guest, changes={"status": status}, action="status")


def guest_remove(*, actor, guest: Guest) -> None:
    require_owner_writer(actor, guest.meeting)
    audited_delete(actor=actor, instance=guest)


# --- decisions --------------------------------------------------------------------------


def decision_record(*, actor, meeting: Meeting, text: str) -> Decision:
    """Record a decision the meeting took; decisions are numbered 1, 2, ... per meeting."""
    require_owner_writer(actor, meeting)
    _require_took_place(meeting, "meeting")
    with write_transaction():
        meeting = _lock(meeting)
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
    decision's). Errors are keyed `commitments.<index>.<field>`, the index counting from
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
    try:
        return commitment_create(actor=actor, agreement=decision.meeting.agreement, **spec)
    except ValidationError as error:
        raise ValidationError(_prefixed(error, prefix)) from None


def _prefixed(error: ValidationError, prefix: str) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return {prefix: error.messages}
    return {
        prefix if field == NON_FIELD_ERRORS else f"{prefix}.{field}": messages
        for field, messages in error.message_dict.items()
    }
