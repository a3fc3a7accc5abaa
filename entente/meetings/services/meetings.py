"""Writes to meetings: schedule, status and minutes, by the writers of the meeting's party."""

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Party
from entente.agreements.models import Agreement
from entente.agreements.selectors import require_party_to
from entente.audit.services import (
    audited_create_owned,
    audited_update,
    owner_transition,
)
from entente.core.access import (
    require_owner_writer,
)
from entente.core.models import Handling
from entente.core.translated import translated_fields
from entente.core.validation import refuse_unknown_changes
from entente.meetings.enums import (
    MEETING_WORKFLOW,
    MeetingStatus,
)
from entente.meetings.models import Meeting

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
    handling: Handling = Handling(),
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
    return audited_create_owned(
        actor=actor, instance=meeting, party_id=membership.party_id, handling=handling
    )


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
    refuse_unknown_changes(changes, MEETING_EDITABLE)
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
    return owner_transition(actor, meeting, MEETING_WORKFLOW, status, expected_version)


def require_took_place(meeting: Meeting, field: str) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({field: _("The meeting was cancelled.")})
    if meeting.starts_at > timezone.now():
        raise ValidationError({field: _("The meeting has not started yet.")})


def minutes_record(
    *, actor, meeting: Meeting, minutes: Mapping[str, str], expected_version: int
) -> Meeting:
    """Record the minutes per language; the first record needs the reference language."""
    require_owner_writer(actor, meeting)
    require_took_place(meeting, "minutes")
    changes = _translated_changes(meeting, "minutes", minutes)
    return audited_update(
        actor=actor,
        instance=meeting,
        changes=changes,
        expected_version=expected_version,
        action="minutes",
    )


def lock_meeting(meeting: Meeting) -> Meeting:
    # Numbering children (agenda positions, decision numbers) reads then writes the
    # highest number; holding the meeting row keeps two writers from taking the same one.
    return Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)
