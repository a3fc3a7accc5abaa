"""JSON API of liaison requests between contact cells, and their threads.

Reads go through the liaison selectors and writes through the liaison services. Each
state change is its own action (acknowledge, ask-clarification, clarification,
answer, refuse, close) and needs If-Match with the request's ETag: two officers acting
on the same request at once cannot both succeed. The sending party's writers send,
clarify and close; the receiving party's writers acknowledge, ask, answer and refuse.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from entente.accounts.selectors import resolve_users, unit_list
from entente.agreements.selectors import area_visible_to, get_agreement_for_user, require_party_to
from entente.apikit.endpoints import changer, create, resolve_one, with_etag
from entente.apikit.routes import ACTION, CHANGE, CREATE, LIST, READ, op
from entente.core.errors import ValidationError
from entente.core.http import CursorPagination
from entente.core.models import Handling
from entente.core.schemas import PublicId
from entente.liaison import services
from entente.liaison.enums import WAITING_STATUSES
from entente.liaison.models import LiaisonMessage, LiaisonRequest
from entente.liaison.schemas import (
    AnswerIn,
    MessageIn,
    MessageOut,
    RefuseIn,
    RequestFilters,
    RequestId,
    RequestIn,
    RequestOut,
    TextIn,
)
from entente.liaison.selectors import (
    get_liaison_request_for_user,
    inbox_for,
    liaison_request_visible_to,
    messages_for,
    outbox_for,
)

router = Router(tags=["liaison"])


BOXES: dict[str, Callable[..., QuerySet[LiaisonRequest]]] = {
    "inbox": inbox_for,
    "outbox": outbox_for,
    "all": liaison_request_visible_to,
}


# --- reading ------------------------------------------------------------------------------


@router.get("/requests", **op("List liaison requests", list[RequestOut], LIST))
@paginate(CursorPagination, ordering="-sent_at")
def request_list(request, filters: Query[RequestFilters]):
    """Requests you may see, in your inbox, your outbox or both; newest first."""
    requests = (
        BOXES[filters.box](request.auth)
        .select_related("owning_party")
        .prefetch_related("red_recipients")
    )
    requests = filters.filter(requests)
    if filters.overdue is not None:
        overdue = Q(status__in=WAITING_STATUSES, due_at__lt=timezone.now())
        requests = requests.filter(overdue if filters.overdue else ~overdue)
    if filters.q:
        requests = requests.filter(
            Q(reference__icontains=filters.q) | Q(subject__icontains=filters.q)
        )
    return requests


@router.get("/requests/{request_id}", **op("Get a liaison request", RequestOut, READ))
def request_detail(request, response: HttpResponse, request_id: PublicId = RequestId):
    """A request with its deadline clock: seconds remaining, paused, overdue."""
    return with_etag(response, get_liaison_request_for_user(request.auth, request_id))


@router.get(
    "/requests/{request_id}/messages", **op("List a request's thread", list[MessageOut], READ)
)
@paginate(CursorPagination, ordering="created_at")
def message_list(request, request_id: PublicId = RequestId):
    """The request's thread as you may see it, oldest first: messages of both cells and
    your own party's internal notes, never the other party's notes."""
    liaison = get_liaison_request_for_user(request.auth, request_id)
    return messages_for(request.auth, liaison).prefetch_related("red_recipients")


# --- sending ------------------------------------------------------------------------------


@router.post(
    "/agreements/{agreement_id}/requests", **op("Send a liaison request", RequestOut, CREATE, 201)
)
def request_send(request, payload: RequestIn, agreement_id: PublicId):
    """Send a request from one of your party's contact cells to another party's under
    a shared agreement. The reference and the deadline (from the agreement and the
    priority) are set for you."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    membership = require_party_to(user, agreement)

    def send() -> LiaisonRequest:
        from_id = payload.from_unit or membership.unit_id
        if from_id is None:
            raise ValidationError({"from_unit": _("Give the sending contact cell.")})
        return services.request_send(
            actor=user,
            agreement=agreement,
            from_unit=resolve_one(unit_list(), from_id, "from_unit"),
            to_unit=resolve_one(unit_list(), payload.to_unit, "to_unit"),
            subject=payload.subject,
            body=payload.body,
            priority=payload.priority,
            area=resolve_one(area_visible_to(user), payload.area, "area"),
            handling=Handling(
                marking=payload.marking,
                red_recipients=resolve_users(payload.red_recipients, "red_recipients"),
            ),
        )

    return create(request, model=LiaisonRequest, schema=RequestOut, action=send)


# --- state changes ------------------------------------------------------------------------


# 404 unless visible, 403 unless a writer of either cell, 428/412 on If-Match; then
# `service` with the request's `fields`, which checks the side and the transition.
_act = changer(get_liaison_request_for_user, "request")


def _action(path: str, summary: str, problems: dict = CHANGE):
    return router.post(f"/requests/{{request_id}}/{path}", **op(summary, RequestOut, problems))


@contextmanager
def _errors_renamed(names: dict[str, str]) -> Iterator[None]:
    """A service's refusals named by the operation's fields (`names`: service's -> ours)."""
    try:
        yield
    except ValidationError as error:
        raise ValidationError(
            {names.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from None


@_action("acknowledge", "Acknowledge a request", ACTION)
def request_acknowledge(request, response: HttpResponse, request_id: PublicId = RequestId):
    """The receiving cell confirms it has the request in hand (If-Match)."""
    return _act(request, response, request_id, services.request_acknowledge)


@_action("ask-clarification", "Ask for a clarification")
def request_ask_clarification(
    request, response: HttpResponse, payload: TextIn, request_id: PublicId = RequestId
):
    """The receiving cell asks the sender a question; the clock stops until the
    clarification arrives (If-Match)."""
    return _act(request, response, request_id, services.clarification_ask, body=payload.body)


@_action("clarification", "Provide the clarification")
def request_clarification(
    request, response: HttpResponse, payload: TextIn, request_id: PublicId = RequestId
):
    """The sending cell answers the question; the clock resumes and the deadline moves
    forward by the time it stood still (If-Match)."""
    return _act(request, response, request_id, services.clarification_provide, body=payload.body)


@_action("answer", "Answer a request")
def request_answer(
    request, response: HttpResponse, payload: AnswerIn, request_id: PublicId = RequestId
):
    """The receiving cell answers; after the deadline, `delay_reason` says why (If-Match)."""
    return _act(request, response, request_id, services.request_answer, **payload.model_dump())


@_action("refuse", "Refuse a request")
def request_refuse(
    request, response: HttpResponse, payload: RefuseIn, request_id: PublicId = RequestId
):
    """The receiving cell declines the request and says why (If-Match)."""
    with _errors_renamed({"refusal_reason": "reason"}):
        return _act(
            request, response, request_id, services.request_refuse, refusal_reason=payload.reason
        )


@_action("close", "Close a request", ACTION)
def request_close(request, response: HttpResponse, request_id: PublicId = RequestId):
    """The sending cell closes a request that was answered or refused (If-Match)."""
    return _act(request, response, request_id, services.request_close)


# --- the thread ---------------------------------------------------------------------------


@router.post(
    "/requests/{request_id}/messages", **op("Post to a request's thread", MessageOut, CREATE, 201)
)
def message_post(request, payload: MessageIn, request_id: PublicId = RequestId):
    """Post a message both cells see, or an internal note only your party sees."""
    liaison = get_liaison_request_for_user(request.auth, request_id, write=True)

    def post() -> LiaisonMessage:
        return services.message_post(
            actor=request.auth, request=liaison, body=payload.body, kind=payload.kind
        )

    return create(request, model=LiaisonMessage, schema=MessageOut, action=post)
