"""JSON API of the audit trail: the history of one record, and the chain's head.

A record's history is shown to those who may see the record, found through the same
`get_<entity>_for_user` door as the record itself; a type not in the record-type registry
does not exist for the API. The head of the chain is what a party hands to the other as an
outside witness, so only auditors and coordinators read it.
"""

from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from entente.accounts.enums import Role
from entente.audit.selectors import audit_chain_head, audit_events_for
from entente.core.access import membership_of
from entente.core.errors import PermissionDenied
from entente.core.http import CursorPagination
from entente.core.problems import problem_responses
from entente.core.registry import get_record_for_user
from entente.records.schemas import AuditEventOut, ChainHeadOut

# The operation ids keep the names they had when this API lived in the audit app.
router = Router(tags=["audit"])

CHAIN_READERS = frozenset({Role.AUDITOR, Role.COORDINATOR})


@router.get(
    "/audit/head",
    operation_id="audit_audit_head",
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
    operation_id="audit_audit_trail",
    summary="Read the history of a record",
    response={200: list[AuditEventOut], **problem_responses(401, 404, 422, 429)},
)
@paginate(CursorPagination, ordering="seq")
def audit_trail(request, record_type: str, record_id: int):
    """Every change to the record, oldest first, with what each changed. `record_type`
    is the app and model, e.g. `agreements.commitment`."""
    return audit_events_for(get_record_for_user(request.auth, record_type, record_id))
