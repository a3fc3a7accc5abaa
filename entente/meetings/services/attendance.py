"""Who attends a meeting: contacts from either party's directory and named guests."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Contact
from entente.audit.services import (
    audited_create,
    audited_delete,
    audited_update,
    write_transaction,
)
from entente.core.access import (
    require_owner_writer,
    require_visible,
    require_writer,
    visible_to,
)
from entente.core.errors import PermissionDenied
from entente.meetings.enums import (
    AttendanceStatus,
)
from entente.meetings.models import Attendance, Guest, Meeting
from entente.meetings.services.meetings import lock_meeting

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
        meeting = lock_meeting(meeting)
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
