"""JSON API of liaison requests between contact cells, and their threads.

Reads go through the liaison selectors and writes through the liaison services. Each
state change is its own action (acknowledge, ask-clarification, clarification,
answer, refuse, close) and needs If-Match with the request's ETag: two officers acting
on the same request at once cannot both succeed. The sending party's writers send,
clarify and close; the receiving party's writers acknowledge, ask, answer and refuse.
"""

import json
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.pagination import paginate

from entente.accounts.selectors import unit_list
from entente.agreements.selectors import area_visible_to, get_agreement_for_user, require_party_to
from entente.apikit.idempotency import idempotent
from entente.core.access import require_writer
from entente.core.http import CursorPagination, etag_for, require_if_match
from entente.core.problems import problem_responses
from entente.liaison import services
from entente.liaison.enums import WAITING_STATUSES
from entente.liaison.models import LiaisonRequest
from entente.liaison.schemas import (
    AnswerIn,
    MessageIn,
    MessageOut,
    RefuseIn,
    RequestFilters,
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

READ = problem_responses(401, 404, 422, 429)
CREATE = problem_responses(400, 401, 403, 404, 413, 415, 422, 429)
ACTION = problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429)
# Acknowledge and close take no body, so its parsing errors (400, 413, 415) cannot occur.
BARE_ACTION = problem_responses(401, 403, 404, 409, 412, 422, 428, 429)

RequestId = Path(description="The liaison request's id.", ge=1, le=2**63 - 1)

BOXES: dict[str, Callable[..., QuerySet[LiaisonRequest]]] = {
    "inbox": inbox_for,
    "outbox": outbox_for,
    "all": liaison_request_visible_to,
}


def _visible(queryset: QuerySet, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise ValidationError({field: message})
    return record


def _users(usernames: list[str], field: str) -> list:
    users = list(get_user_model().objects.filter(username__in=usernames, is_active=True))
    unknown = sorted(set(usernames) - {user.get_username() for user in users})
    if unknown:
        raise ValidationError(
            {field: _("Unknown user: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return users


# --- reading ------------------------------------------------------------------------------


@router.get(
    "/requests",
    summary="List liaison requests",
    response={200: list[RequestOut], **problem_responses(401, 422, 429)},
)
@paginate(CursorPagination, ordering="-sent_at")
def request_list(request: HttpRequest, filters: Query[RequestFilters]):
    """Requests you may see, in your inbox, your outbox or both; newest first."""
    requests = (
        BOXES[filters.box](request.auth)
        .select_related("owning_party")
        .prefetch_related("red_recipients")
    )
    exact = {
        "agreement_id": filters.agreement,
        "area_id": filters.area,
        "status": filters.status,
        "priority": filters.priority,
        "marking": filters.marking,
        "due_at__gte": filters.due_after,
        "due_at__lt": filters.due_before,
    }
    requests = requests.filter(**{k: v for k, v in exact.items() if v is not None})
    if filters.overdue is not None:
        overdue = Q(status__in=WAITING_STATUSES, due_at__lt=timezone.now())
        requests = requests.filter(overdue if filters.overdue else ~overdue)
    if filters.q:
        requests = requests.filter(
            Q(reference__icontains=filters.q) | Q(subject__icontains=filters.q)
        )
    return requests


@router.get(
    "/requests/{request_id}",
    summary="Get a liaison request",
    url_name="liaison-request-detail",
    response={200: RequestOut, **READ},
)
def request_detail(request: HttpRequest, response: HttpResponse, request_id: int = RequestId):
    """A request with its deadline clock: seconds remaining, paused, overdue."""
    liaison = get_liaison_request_for_user(request.auth, request_id)
    response["ETag"] = etag_for(liaison)
    return liaison


@router.get(
    "/requests/{request_id}/messages",
    summary="List a request's thread",
    response={200: list[MessageOut], **READ},
)
@paginate(CursorPagination, ordering="created_at")
def message_list(request: HttpRequest, request_id: int = RequestId):
    """The request's thread as you may see it, oldest first: messages of both cells and
    your own party's internal notes, never the other party's notes."""
    liaison = get_liaison_request_for_user(request.auth, request_id)
    return messages_for(request.auth, liaison).prefetch_related("red_recipients")


# --- sending ------------------------------------------------------------------------------


@router.post(
    "/agreements/{agreement_id}/requests",
    summary="Send a liaison request",
    response={201: RequestOut, **CREATE},
)
def request_send(
    request: HttpRequest, payload: RequestIn, agreement_id: int = Path(ge=1, le=2**63 - 1)
):
    """Send a request from one of your party's contact cells to another party's under
    a shared agreement. The reference and the deadline (from the agreement and the
    priority) are set for you."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    membership = require_writer(user)
    require_party_to(user, agreement)

    def send() -> LiaisonRequest:
        from_id = payload.from_unit or membership.unit_id
        if from_id is None:
            raise ValidationError({"from_unit": _("Give the sending contact cell.")})
        from_unit = _visible(unit_list(), from_id, "from_unit", _("Unknown unit."))
        return services.request_send(
            actor=user,
            agreement=agreement,
            from_unit=from_unit,
            to_unit=_visible(unit_list(), payload.to_unit, "to_unit", _("Unknown unit.")),
            subject=payload.subject,
            body=payload.body,
            priority=payload.priority,
            area=_visible(area_visible_to(user), payload.area, "area", _("Unknown area.")),
            marking=payload.marking,
            red_recipients=_users(payload.red_recipients, "red_recipients"),
        )

    response = idempotent(request, status=201, schema=RequestOut, action=send)
    if response.status_code == 201:
        pk = json.loads(response.content)["id"]
        response["Location"] = reverse("api:liaison-request-detail", kwargs={"request_id": pk})
    return response


# --- state changes ------------------------------------------------------------------------


def _act(
    request: HttpRequest,
    response: HttpResponse,
    request_id: int,
    change: Callable[[LiaisonRequest, int], LiaisonRequest],
) -> LiaisonRequest:
    """404 unless visible, 403 unless a writer of either cell, 428/412 on If-Match; then
    the service, which checks the side and the transition."""
    liaison = get_liaison_request_for_user(request.auth, request_id, write=True)
    version = require_if_match(request, liaison)
    updated = change(liaison, version)
    response["ETag"] = etag_for(updated)
    return updated


@router.post(
    "/requests/{request_id}/acknowledge",
    summary="Acknowledge a request",
    response={200: RequestOut, **BARE_ACTION},
)
def request_acknowledge(request: HttpRequest, response: HttpResponse, request_id: int = RequestId):
    """The receiving cell confirms it has the request in hand (If-Match)."""
    return _act(
        request,
        response,
        request_id,
        lambda liaison, version: services.request_acknowledge(
            actor=request.auth, request=liaison, expected_version=version
        ),
    )


@router.post(
    "/requests/{request_id}/ask-clarification",
    summary="Ask for a clarification",
    response={200: RequestOut, **ACTION},
)
def request_ask_clarification(
    request: HttpRequest, response: HttpResponse, payload: TextIn, request_id: int = RequestId
):
    """The receiving cell asks the sender a question; the clock stops until the
    clarification arrives (If-Match)."""
    return _act(
        request,
        response,
        request_id,
        lambda liaison, version: services.clarification_ask(
            actor=request.auth, request=liaison, body=payload.body, expected_version=version
        ),
    )


@router.post(
    "/requests/{request_id}/clarification",
    summary="Provide the clarification",
    response={200: RequestOut, **ACTION},
)
def request_clarification(
    request: HttpRequest, response: HttpResponse, payload: TextIn, request_id: int = RequestId
):
    """The sending cell answers the question; the clock resumes and the deadline moves
    forward by the time it stood still (If-Match)."""
    return _act(
        request,
        response,
        request_id,
        lambda liaison, version: services.clarification_provide(
            actor=request.auth, request=liaison, body=payload.body, expected_version=version
        ),
    )


@router.post(
    "/requests/{request_id}/answer",
    summary="Answer a request",
    response={200: RequestOut, **ACTION},
)
def request_answer(
    request: HttpRequest, response: HttpResponse, payload: AnswerIn, request_id: int = RequestId
):
    """The receiving cell answers; after the deadline, `delay_reason` says why (If-Match)."""
    return _act(
        request,
        response,
        request_id,
        lambda liaison, version: services.request_answer(
            actor=request.auth,
            request=liaison,
            body=payload.body,
            delay_reason=payload.delay_reason,
            expected_version=version,
        ),
    )


@router.post(
    "/requests/{request_id}/refuse",
    summary="Refuse a request",
    response={200: RequestOut, **ACTION},
)
def request_refuse(
    request: HttpRequest, response: HttpResponse, payload: RefuseIn, request_id: int = RequestId
):
    """The receiving cell declines the request and says why (If-Match)."""

    def refuse(liaison: LiaisonRequest, version: int) -> LiaisonRequest:
        try:
            return services.request_refuse(
                actor=request.auth,
                request=liaison,
                refusal_reason=payload.reason,
                expected_version=version,
            )
        except ValidationError as error:
            # The service's refusal_reason is this operation's `reason`.
            raise ValidationError(
                {
                    "reason" if field == "refusal_reason" else field: messages
                    for field, messages in error.message_dict.items()
                }
            ) from None

    return _act(request, response, request_id, refuse)


@router.post(
    "/requests/{request_id}/close",
    summary="Close a request",
    response={200: RequestOut, **BARE_ACTION},
)
def request_close(request: HttpRequest, response: HttpResponse, request_id: int = RequestId):
    """The sending cell closes a request that was answered or refused (If-Match)."""
    return _act(
        request,
        response,
        request_id,
        lambda liaison, version: services.request_close(
            actor=request.auth, request=liaison, expected_version=version
        ),
    )


# --- the thread ---------------------------------------------------------------------------


@router.post(
    "/requests/{request_id}/messages",
    summary="Post to a request's thread",
    response={201: MessageOut, **CREATE},
)
def message_post(request: HttpRequest, payload: MessageIn, request_id: int = RequestId):
    """Post a message both cells see, or an internal note only your party sees."""
    liaison = get_liaison_request_for_user(request.auth, request_id, write=True)
    return idempotent(
        request,
        status=201,
        schema=MessageOut,
        action=lambda: services.message_post(
            actor=request.auth, request=liaison, body=payload.body, kind=payload.kind
        ),
    )
