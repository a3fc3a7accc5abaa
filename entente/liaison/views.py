"""Pages of the contact cells: the request boxes, a new request, and one request with
its thread and the actions open to the user's side."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from entente.accounts.preferences import preferred_zone
from entente.accounts.selectors import unit_list
from entente.agreements.selectors import (
    agreement_visible_to,
    get_agreement_for_user,
    require_party_to,
)
from entente.audit.services import changes_since
from entente.core.access import membership_of
from entente.core.enums import Scope
from entente.core.errors import ConflictError, ValidationError
from entente.core.filters import menu_of
from entente.core.models import Handling
from entente.core.pages import apply_errors, conflict_rows, signed_in
from entente.core.pagination import page_of
from entente.liaison import forms, services
from entente.liaison.clock import is_overdue, remaining
from entente.liaison.enums import REQUEST_WORKFLOW, WAITING_STATUSES, RequestStatus
from entente.liaison.filters import request_box, request_filter
from entente.liaison.models import LiaisonRequest
from entente.liaison.selectors import (
    get_liaison_request_for_user,
    messages_for,
)

S = RequestStatus


# --- time shown to people -----------------------------------------------------------------


def user_zone(user) -> dt.tzinfo:
    """The zone the user reads times in (their own choice or their party's)."""
    return preferred_zone(user)


def format_moment(moment: dt.datetime, zone: dt.tzinfo) -> str:
    return formats.date_format(moment.astimezone(zone), "DATETIME_FORMAT")


def format_duration(delta: dt.timedelta) -> str:
    """'3 days 4 h', '5 h 20 min', '12 min': precise enough to plan by, never longer."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if not days and (mins or not hours):
        parts.append(_("%(n)d min") % {"n": mins})
    return " ".join(parts)


def clock_text(request: LiaisonRequest, now: dt.datetime) -> str:
    """Where the request stands against its deadline, in words."""
    if request.status == S.CLARIFICATION:
        return _("paused – clarification pending")
    if request.status in WAITING_STATUSES:
        left = remaining(request, now)
        if left >= dt.timedelta(0):
            return _("%(duration)s left") % {"duration": format_duration(left)}
        return _("%(duration)s overdue") % {"duration": format_duration(-left)}
    if request.answered_at is None:
        return ""
    late = request.answered_at - request.due_at
    if late > dt.timedelta(0):
        return _("responded %(duration)s late") % {"duration": format_duration(late)}
    return _("responded in time")


def _with_clock(requests, now: dt.datetime) -> list[LiaisonRequest]:
    rows = list(requests)
    for row in rows:
        row.clock_text = clock_text(row, now)
        row.is_overdue = is_overdue(row, now)
    return rows


# --- the list -----------------------------------------------------------------------------


TABS: dict[str, tuple] = {
    "inbox": (gettext_lazy("Inbox"), gettext_lazy("Requests to our contact cells")),
    "outbox": (gettext_lazy("Outbox"), gettext_lazy("Requests our contact cells sent")),
    "all": (gettext_lazy("All"), gettext_lazy("All requests you may see")),
}


def _agreements_to_send_under(user) -> dict:
    """Shared agreements the user's party is a party to: where a writer may send from."""
    membership = membership_of(user)
    if membership is None or not membership.can_write:
        return menu_of([])
    return menu_of(
        agreement_visible_to(user).filter(
            agreement_parties__party_id=membership.party_id, scope=Scope.SHARED
        )
    )


# Filters folded under "More filters" unless one of them is in use.
MORE_FILTERS = ["agreement", "area", "priority", "marking", "due_from", "due_to", "overdue"]


@signed_in("GET")
def request_list(request):
    tab = request_box(request.GET)
    caption = TABS[tab][1]
    filterset = request_filter(request.GET, request)
    page = page_of(request, filterset.qs)
    context = {
        "tab": tab,
        "tabs": [(key, value[0]) for key, value in TABS.items()],
        "caption": caption,
        "filterset": filterset,
        "more_filters": [filterset.form[name] for name in MORE_FILTERS],
        "more_filters_active": any(request.GET.get(name) for name in MORE_FILTERS),
        "page": page,
        "rows": _with_clock(page, timezone.now()),
        "user_zone": user_zone(request.user),
        "send_under": _agreements_to_send_under(request.user),
    }
    return render(request, "liaison/request_list.html", context)


# --- a new request ------------------------------------------------------------------------


def _send_choices(agreement, membership) -> dict:
    cells = unit_list().filter(is_contact_cell=True)
    return {
        "agreement": agreement,
        "from_units": cells.filter(party_id=membership.party_id),
        "to_units": cells.filter(party__agreement_roles__agreement=agreement).exclude(
            party_id=membership.party_id
        ),
        "areas": agreement.areas.all(),
        "recipients": get_user_model()
        .objects.filter(is_active=True, membership__party__agreement_roles__agreement=agreement)
        .select_related("membership__party")
        .order_by("membership__party__code", "username"),
    }


@signed_in("GET", "POST")
def request_create(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    membership = require_party_to(request.user, agreement)
    choices = _send_choices(agreement, membership)
    initial = {"from_unit": membership.unit_id}
    data = request.POST if request.method == "POST" else None
    form = forms.RequestSendForm(data, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            handling = Handling.pop_from(data)
            sent = services.request_send(
                actor=request.user, agreement=agreement, handling=handling, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Request %(reference)s sent to %(to)s. The answer is due by %(due)s (%(zone)s).")
                % {
                    "reference": sent.reference,
                    "to": sent.to_unit.party.code,
                    "due": format_moment(sent.due_at, user_zone(request.user)),
                    "zone": user_zone(request.user),
                },
            )
            return redirect("liaison:request-detail", pk=sent.public_id)
    context = {"agreement": agreement, "form": form}
    return render(request, "liaison/request_form.html", context)


# --- one request --------------------------------------------------------------------------


def _side(membership, request: LiaisonRequest) -> str | None:
    if membership is None:
        return None
    if membership.party_id == request.owning_party_id:
        return "sender"
    if membership.party_id == request.to_unit.party_id:
        return "receiver"
    return None


def _other_party(party_id: int, request: LiaisonRequest) -> str:
    """The code of the cell on the other side of the request from `party_id`."""
    if party_id == request.owning_party_id:
        return request.to_unit.party.code
    return request.from_unit.party.code


def _post_message(
    *, actor, request: LiaisonRequest, expected_version: int, body: str, kind: str
) -> None:
    # Posting overwrites nothing, but a message written to a request that has moved on
    # may no longer make sense: the author gets to read the new state first.
    if expected_version != request.version:
        raise ConflictError(
            expected_version=expected_version,
            current_version=request.version,
            changed=changes_since(request, expected_version),
        )
    services.message_post(actor=actor, request=request, body=body, kind=kind)


def _can_go(status: str) -> Callable[[LiaisonRequest], bool]:
    return lambda request: REQUEST_WORKFLOW.can(request.status, status)


@dataclass(frozen=True)
class Action:
    """What one form on the request's page does: `service(actor=, request=,
    expected_version=, **the form's other fields)`, offered to the `side` that may when
    the request is where the action applies (`offered`)."""

    form_class: type
    side: str  # "sender", "receiver" or "either"
    service: Callable
    offered: Callable[[LiaisonRequest], bool]
    done: str | Promise


ACTIONS: dict[str, Action] = {
    "acknowledge": Action(
        forms.AcknowledgeForm,
        "receiver",
        services.request_acknowledge,
        _can_go(S.ACKNOWLEDGED),
        gettext_lazy("Request acknowledged."),
    ),
    "clarify": Action(
        forms.ClarificationAskForm,
        "receiver",
        services.clarification_ask,
        _can_go(S.CLARIFICATION),
        gettext_lazy("Question sent. The clock is paused until the clarification arrives."),
    ),
    "provide": Action(
        forms.ClarificationProvideForm,
        "sender",
        services.clarification_provide,
        services.clarification_pending,
        gettext_lazy("Clarification sent. The clock runs again."),
    ),
    "answer": Action(
        forms.AnswerForm,
        "receiver",
        services.request_answer,
        _can_go(S.ANSWERED),
        gettext_lazy("Answer sent."),
    ),
    "refuse": Action(
        forms.RefuseForm,
        "receiver",
        services.request_refuse,
        _can_go(S.REFUSED),
        gettext_lazy("Request refused."),
    ),
    "close": Action(
        forms.CloseForm,
        "sender",
        services.request_close,
        _can_go(S.CLOSED),
        gettext_lazy("Request closed."),
    ),
    "post": Action(
        forms.MessagePostForm,
        "either",
        _post_message,
        lambda request: True,
        gettext_lazy("Posted."),
    ),
}


def _form_kwargs(name: str, request: LiaisonRequest, membership) -> dict:
    if name != "post":
        return {"prefix": name}
    return {
        "prefix": name,
        "own_party": membership.party.code,
        "other_party": _other_party(membership.party_id, request),
    }


def _action_forms(http_request, request: LiaisonRequest, bound: dict) -> dict:
    """The forms the user's side may use on the request as it stands; a bound form whose
    action no longer applies reports its errors as page messages instead."""
    membership = membership_of(http_request.user)
    side = _side(membership, request)
    usable = {}
    if side is not None and membership.can_write:
        for name, action in ACTIONS.items():
            if action.side in (side, "either") and action.offered(request):
                usable[name] = bound.get(name) or action.form_class(
                    initial={"version": request.version}, **_form_kwargs(name, request, membership)
                )
    for name, form in bound.items():
        if name not in usable:
            for error_list in form.errors.values():
                for message in error_list:
                    messages.error(http_request, message)
    return usable


def _thread(user, request: LiaisonRequest) -> list:
    entries = list(messages_for(user, request))
    for entry in entries:
        # Marks for the template alone, not fields of the model.
        entry.is_note = entry.scope == Scope.INTERNAL  # type: ignore[attr-defined]
        entry.hidden_from = _other_party(entry.owning_party_id, request)  # type: ignore[attr-defined]
    return entries


def _render_detail(
    http_request, request: LiaisonRequest, *, bound=None, conflict=None, conflict_on=None
):
    """The request's page. `conflict`, the rows of what someone else changed, is shown
    with the form of the action `conflict_on`: the post form's in the thread (which htmx
    swaps in), the others' above the request."""
    now = timezone.now()
    context = {
        "liaison_request": request,
        "clock_text": clock_text(request, now),
        "is_overdue": is_overdue(request, now),
        "thread": _thread(http_request.user, request),
        "forms": _action_forms(http_request, request, bound or {}),
        "user_zone": user_zone(http_request.user),
        "conflict": conflict,
        "conflict_on": conflict_on,
    }
    # htmx swaps only 2xx answers.
    status = 409 if conflict is not None and not http_request.htmx else 200
    return render(http_request, "liaison/request_detail.html", context, status=status)


@signed_in("GET")
def request_detail(request, pk):
    return _render_detail(request, get_liaison_request_for_user(request.user, pk))


@signed_in("POST")
def request_action(http_request, pk, action: str):
    """Run one action from its form; the page is shown again when it cannot be done."""
    user = http_request.user
    request = get_liaison_request_for_user(user, pk, write=True)
    kwargs = _form_kwargs(action, request, membership_of(user))
    form_class = ACTIONS[action].form_class
    form = form_class(http_request.POST, **kwargs)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            ACTIONS[action].service(
                actor=user, request=request, expected_version=fields.pop("version"), **fields
            )
        except ConflictError as exc:
            current = get_liaison_request_for_user(user, pk)
            # Keep what the user typed, now against the version they are shown.
            data = http_request.POST.copy()
            data[form.add_prefix("version")] = str(current.version)
            return _render_detail(
                http_request,
                current,
                bound={action: form_class(data, **kwargs)},
                conflict=conflict_rows(current, exc.changed),
                conflict_on=action,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(http_request, str(ACTIONS[action].done))
            return redirect("liaison:request-detail", pk=request.public_id)
    return _render_detail(http_request, request, bound={action: form})
