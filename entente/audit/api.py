"""JSON API of the audit trail: the history of one record, and the chain's head.

A record's history is shown to those who may see the record, found through the same
`get_<entity>_for_user` door as the record itself; a type not in `RECORD_TYPES` does
not exist for the API. The head of the chain is what a party hands to the other as an
outside witness, so only auditors and coordinators read it.
"""

from collections.abc import Callable

from django.db.models import Model
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from entente.accounts.enums import Role
from entente.accounts.selectors import get_contact_for_user
from entente.agreements.selectors import (
    area_visible_to,
    get_agreement_event_for_user,
    get_agreement_for_user,
    get_attachment_for_user,
    get_clause_for_user,
    get_commitment_for_user,
)
from entente.audit.schemas import AuditEventOut, ChainHeadOut
from entente.audit.selectors import audit_chain_head, audit_events_for
from entente.core.access import get_visible, membership_of
from entente.core.errors import NotFound, PermissionDenied
from entente.core.http import CursorPagination
from entente.core.problems import problem_responses
from entente.liaison.selectors import get_liaison_request_for_user, message_visible_to
from entente.meetings.selectors import (
    get_agenda_item_for_user,
    get_attendance_for_user,
    get_decision_for_user,
    get_meeting_for_user,
)
from entente.training.selectors import get_training_for_user

router = Router(tags=["audit"])

# record type (the audit event's target_type) -> how a user gets to such a record
RECORD_TYPES: dict[str, Callable[..., Model]] = {
    "accounts.contact": get_contact_for_user,
    "agreements.agreement": get_agreement_for_user,
    "agreements.agreementevent": get_agreement_event_for_user,
    "agreements.clause": get_clause_for_user,
    "agreements.cooperationarea": lambda user, pk: get_visible(area_visible_to(user), pk),
    "agreements.commitment": get_commitment_for_user,
    "agreements.attachment": get_attachment_for_user,
    "meetings.meeting": get_meeting_for_user,
    "meetings.agendaitem": get_agenda_item_for_user,
    "meetings.attendance": get_attendance_for_user,
    "meetings.decision": get_decision_for_user,
    "training.trainingactivity": get_training_for_user,
    "liaison.liaisonrequest": get_liaison_request_for_user,
    "liaison.liaisonmessage": lambda user, pk: get_visible(message_visible_to(user), pk),
}

CHAIN_READERS = frozenset({Role.AUDITOR, Role.COORDINATOR})


@router.get(
    "/audit/head",
    summary="Read the head of the audit chain",
    response={200: ChainHeadOut, **problem_responses(401, 403, 429)},
)
def audit_head(request):
    """The last event's sequence number and hash: hand them over, and any later change
    to the history up to that point can be detected. Auditors and coordinators only."""
    membership = membership_of(request.auth)
    if membership is None or membership.role not in CHAIN_READERS:
        raise PermissionDenied(_("Only auditors and coordinators may read the chain head."))
    seq, digest = audit_chain_head()
    return {"seq": seq, "hash": digest}


@router.get(
    "/audit/{record_type}/{record_id}",
    summary="Read the history of a record",
    response={200: list[AuditEventOut], **problem_responses(401, 404, 422, 429)},
)
@paginate(CursorPagination, ordering="seq")
def audit_trail(request, record_type: str, record_id: int):
    """Every change to the record, oldest first, with what each changed. `record_type`
    is the app and model, e.g. `agreements.commitment`."""
    get_record = RECORD_TYPES.get(record_type)
    if get_record is None:
        raise NotFound(_("No such record type."))
    return audit_events_for(get_record(request.auth, record_id))
