"""Reads of liaison requests and their threads, always filtered by visibility.

A request is owned by the sending party and shared, so both cells see it through the
common access rule. Who may act on it depends on the side: the sending party's writers
(`require_sender`) and the receiving party's writers (`require_receiver`).
"""

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from entente.agreements.selectors import count_of
from entente.core.access import (
    get_visible,
    membership_of,
    party_id_of,
    require_visible,
    require_writer,
    visible_to,
)
from entente.core.errors import PermissionDenied
from entente.liaison.clock import OPEN_STATUSES
from entente.liaison.models import LiaisonMessage, LiaisonRequest


def liaison_request_visible_to(user) -> QuerySet[LiaisonRequest]:
    return visible_to(LiaisonRequest.objects.all(), user).select_related(
        "from_unit__party", "to_unit__party", "agreement", "area"
    )


def _require_side_writer(user, request: LiaisonRequest, party_id: int, refusal: str) -> None:
    require_visible(user, request)
    membership = require_writer(user)
    if membership.party_id != party_id:
        raise PermissionDenied(refusal)


def require_sender(user, request: LiaisonRequest) -> None:
    """Writers of the sending party (the owner) act for the sending cell."""
    _require_side_writer(
        user,
        request,
        request.owning_party_id,
        _("Only the sending party may do this."),
    )


def require_receiver(user, request: LiaisonRequest) -> None:
    """Writers of the party of the receiving cell act for it."""
    _require_side_writer(
        user,
        request,
        request.to_unit.party_id,
        _("Only the receiving party may do this."),
    )


def require_either_side(user, request: LiaisonRequest) -> None:
    membership = membership_of(user)
    if membership is not None and membership.party_id == request.to_unit.party_id:
        require_receiver(user, request)
    else:
        require_sender(user, request)


def get_liaison_request_for_user(user, pk, *, write: bool = False) -> LiaisonRequest:
    """The request, if visible; with `write`, only for writers of either cell's party."""
    request = get_visible(liaison_request_visible_to(user), pk)
    if write:
        require_either_side(user, request)
    return request


def _open_first(queryset: QuerySet[LiaisonRequest]) -> QuerySet[LiaisonRequest]:
    return queryset.annotate(
        finished=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("finished", "due_at", "pk")


def inbox_for(user) -> QuerySet[LiaisonRequest]:
    """Requests sent to the user's party's cells, open ones first, nearest deadline first."""
    if (party_id := party_id_of(user)) is None:
        return LiaisonRequest.objects.none()
    return _open_first(liaison_request_visible_to(user).filter(to_unit__party_id=party_id))


def outbox_for(user) -> QuerySet[LiaisonRequest]:
    """Requests the user's party sent, open ones first, nearest deadline first."""
    if (party_id := party_id_of(user)) is None:
        return LiaisonRequest.objects.none()
    return _open_first(liaison_request_visible_to(user).filter(from_unit__party_id=party_id))


def all_for(user) -> QuerySet[LiaisonRequest]:
    """Every request the user may see, in the order of the inbox and the outbox."""
    return _open_first(liaison_request_visible_to(user))


def message_visible_to(user) -> QuerySet[LiaisonMessage]:
    """Thread entries the user may see (on requests the user may see: the rule inherits)."""
    return visible_to(LiaisonMessage.objects.all(), user).select_related(
        "author", "owning_party", "request"
    )


def messages_for(user, request: LiaisonRequest) -> QuerySet[LiaisonMessage]:
    return message_visible_to(user).filter(request=request)


def open_request_count(user) -> Coalesce:
    """How many open requests the user may see under the agreement of the outer query
    (the portfolio's column, on its page and in its export)."""
    return count_of(
        liaison_request_visible_to(user).filter(agreement=OuterRef("pk"), status__in=OPEN_STATUSES)
    )
