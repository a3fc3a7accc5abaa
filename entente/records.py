"""Every kind of record that pages and endpoints reach by type name and id.

The audit trail (web and API) names its record as "<app_label>.<model>", the audit
event's target type. Each type maps to that record's own access door, so a record is
found here exactly when it would be found on its own page.
"""

from collections.abc import Callable

from django.db.models import Model
from django.utils.translation import gettext as _

from entente.accounts.selectors import get_contact_for_user
from entente.agreements.selectors import (
    area_visible_to,
    get_agreement_event_for_user,
    get_agreement_for_user,
    get_attachment_for_user,
    get_clause_for_user,
    get_commitment_for_user,
)
from entente.core.access import get_visible
from entente.core.errors import NotFound
from entente.liaison.selectors import get_liaison_request_for_user, message_visible_to
from entente.meetings.selectors import (
    get_agenda_item_for_user,
    get_attendance_for_user,
    get_decision_for_user,
    get_meeting_for_user,
)
from entente.training.selectors import get_training_for_user


def _area_for_user(user, pk, *, write: bool = False):
    return get_visible(area_visible_to(user), pk)


def _message_for_user(user, pk, *, write: bool = False):
    return get_visible(message_visible_to(user), pk)


RECORD_ACCESS: dict[str, Callable[..., Model]] = {
    "accounts.contact": get_contact_for_user,
    "agreements.agreement": get_agreement_for_user,
    "agreements.agreementevent": get_agreement_event_for_user,
    "agreements.clause": get_clause_for_user,
    "agreements.cooperationarea": _area_for_user,
    "agreements.commitment": get_commitment_for_user,
    "agreements.attachment": get_attachment_for_user,
    "meetings.meeting": get_meeting_for_user,
    "meetings.agendaitem": get_agenda_item_for_user,
    "meetings.attendance": get_attendance_for_user,
    "meetings.decision": get_decision_for_user,
    "training.trainingactivity": get_training_for_user,
    "liaison.liaisonrequest": get_liaison_request_for_user,
    "liaison.liaisonmessage": _message_for_user,
}


def get_record_for_user(user, record_type: str, pk) -> Model:
    """The record of that type and id, if `user` may see it; NotFound otherwise."""
    access = RECORD_ACCESS.get(record_type)
    if access is None:
        raise NotFound(_("No such record type."))
    return access(user, pk)
