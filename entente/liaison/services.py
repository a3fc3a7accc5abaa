"""Writes to liaison requests and their threads.

A request belongs to the sending party and is always shared with the receiving one.
The sending cell sends, clarifies and closes; the receiving cell acknowledges, asks for
clarification, answers or refuses. Each state change is one function that checks the
side and moves the request along `REQUEST_WORKFLOW` with `audited_transition` (checked
against the locked current row, at the caller's `expected_version`), posting its thread
message in the same transaction.
Every function takes `now` so that callers (and tests) decide what time it is.
"""

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from entente.accounts.models import Membership, Party, Unit
from entente.agreements.models import Agreement, CooperationArea
from entente.agreements.selectors import require_party_to
from entente.audit.services import (
    audited_create,
    audited_create_owned,
    audited_transition,
    audited_update,
    write_transaction,
)
from entente.core.enums import Marking, Scope
from entente.core.errors import ValidationError
from entente.core.models import Handling
from entente.liaison.clock import compute_due_at, resumed_due_at
from entente.liaison.enums import REQUEST_WORKFLOW, MessageKind, Priority, RequestStatus
from entente.liaison.models import LiaisonMessage, LiaisonRequest
from entente.liaison.selectors import require_either_side, require_receiver, require_sender

S = RequestStatus

POSTABLE_KINDS = frozenset({MessageKind.MESSAGE, MessageKind.NOTE})


# --- sending ------------------------------------------------------------------------------


def request_send(
    *,
    actor,
    agreement: Agreement,
    from_unit: Unit,
    to_unit: Unit,
    subject: str,
    body: str,
    priority: str,
    area: CooperationArea | None = None,
    handling: Handling = Handling(),
    reference: str | None = None,
    now: dt.datetime | None = None,
) -> LiaisonRequest:
    """Send a request from one of the actor's party's contact cells to another party's.

    The deadline follows from the agreement and the priority; the reference, when not
    given, is the sending party's next one for the year under this agreement
    (`MA-DGSN-2025-0007`).
    """
    now = now or timezone.now()
    membership = require_party_to(actor, agreement)
    errors = {
        **_check_units(agreement, membership.party_id, from_unit, to_unit),
        **_check_options(agreement, area, handling.scope or Scope.SHARED, priority),
    }
    if errors:
        raise ValidationError(errors)
    request = LiaisonRequest(
        agreement=agreement,
        from_unit=from_unit,
        to_unit=to_unit,
        area=area,
        subject=subject,
        body=body,
        priority=priority,
        sent_at=now,
        due_at=compute_due_at(agreement, priority, now),
    )
    # Owner and marking first: the reference drawn below depends on them.
    handling.applied_to(request, membership.party_id)
    recipients = list(handling.red_recipients)
    receivers = Membership.objects.filter(user__in=recipients, party_id=to_unit.party_id)
    if handling.marking == Marking.RED and not receivers.exists():
        raise ValidationError(
            {"red_recipients": _("Name at least one recipient of the receiving party for TLP:RED.")}
        )
    with write_transaction():
        request.reference = (reference or "").strip() or _next_reference(request, now)
        if LiaisonRequest.objects.filter(agreement=agreement, reference=request.reference).exists():
            raise ValidationError(
                {"reference": _("This agreement already has a request with this reference.")}
            )
        return audited_create_owned(
            actor=actor,
            instance=request,
            party_id=membership.party_id,
            handling=handling,
            action="send",
        )


def _check_units(agreement, party_id: int, from_unit: Unit, to_unit: Unit) -> dict:
    errors = {}
    if from_unit.party_id != party_id:
        errors["from_unit"] = _("The sending cell must be one of your party's units.")
    elif not from_unit.is_contact_cell:
        errors["from_unit"] = _("The sending unit is not a contact cell.")
    if to_unit.party_id == party_id:
        errors["to_unit"] = _("The receiving cell must belong to another party.")
    elif not to_unit.is_contact_cell:
        errors["to_unit"] = _("The receiving unit is not a contact cell.")
    elif not agreement.agreement_parties.filter(party_id=to_unit.party_id).exists():
        errors["to_unit"] = _("The receiving cell's party is not a party to this agreement.")
    return errors


def _check_options(agreement, area, scope, priority) -> dict:
    errors = {}
    if agreement.scope != Scope.SHARED:
        # The receiving party would not see a request under an agreement it cannot see.
        errors["agreement"] = _("The agreement is not shared with the other parties yet.")
    if area is not None and area.agreement_id != agreement.pk:
        errors["area"] = _("The area belongs to another agreement.")
    if scope != Scope.SHARED:
        errors["scope"] = _("A liaison request is shared between the two cells.")
    if priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    return errors


def _next_reference(request: LiaisonRequest, now: dt.datetime) -> str:
    """The sending party's next reference of the year under the request's agreement.

    Numbered per agreement over requests every reader of the agreement sees, so that no
    reader meets a gap that counts requests hidden from them (to another party, or
    TLP:RED); a TLP:RED request draws a random reference instead of a number.
    """
    # Locking the party row queues concurrent senders of one party, so two requests
    # never draw the same number.
    party = Party.objects.select_for_update(no_key=True).get(pk=request.owning_party_id)
    zone: dt.tzinfo
    try:
        zone = ZoneInfo(party.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    prefix = f"{party.code}-{now.astimezone(zone).year}-"
    if request.marking == Marking.RED:
        return f"{prefix}R{get_random_string(6, allowed_chars=REFERENCE_LETTERS)}"
    pattern = re.compile(rf"{re.escape(prefix)}(\d+)")
    taken = LiaisonRequest.objects.filter(
        agreement=request.agreement_id, reference__startswith=prefix
    ).values_list("reference", flat=True)
    numbers = [int(m.group(1)) for ref in taken if (m := pattern.fullmatch(ref))]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


# Easy to read out over the phone: no 0/O or 1/I.
REFERENCE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- state changes ------------------------------------------------------------------------


def request_acknowledge(
    *, actor, request: LiaisonRequest, expected_version: int, now: dt.datetime | None = None
) -> LiaisonRequest:
    """The receiving cell confirms it has the request in hand."""
    now = now or timezone.now()
    require_receiver(actor, request)
    return _move(
        actor, request, expected_version, S.ACKNOWLEDGED, "acknowledge", {"acknowledged_at": now}
    )


def clarification_ask(
    *,
    actor,
    request: LiaisonRequest,
    body: str,
    expected_version: int,
    now: dt.datetime | None = None,
) -> LiaisonRequest:
    """The receiving cell asks the sender a question; the clock stops until it is answered."""
    now = now or timezone.now()
    require_receiver(actor, request)
    _require_text("body", body)
    return _move(
        actor,
        request,
        expected_version,
        S.CLARIFICATION,
        "clarification_ask",
        {"paused_at": now},
        post=(MessageKind.CLARIFICATION_QUESTION, body, now),
    )


def clarification_provide(
    *,
    actor,
    request: LiaisonRequest,
    body: str,
    expected_version: int,
    now: dt.datetime | None = None,
) -> LiaisonRequest:
    """The sending cell answers the question; the clock resumes and the deadline moves
    forward by the time it stood still."""
    now = now or timezone.now()
    require_sender(actor, request)
    _require_text("body", body)
    with write_transaction():
        current = _as_it_is(request)
        changes = {
            # Back to where the request stood when the question was asked: a return, not
            # a move of `REQUEST_WORKFLOW`.
            "status": S.ACKNOWLEDGED if current.acknowledged_at else S.SENT,
            "due_at": resumed_due_at(current, now),
            "paused_at": None,
        }
        updated = audited_update(
            actor=actor,
            instance=current,
            changes=changes,
            expected_version=expected_version,
            action="clarification_provide",
            check=_clarification_asked,
        )
        _post(actor, updated, MessageKind.CLARIFICATION_ANSWER, body, now)
    return updated


def clarification_pending(request: LiaisonRequest) -> bool:
    return request.status == S.CLARIFICATION


def _clarification_asked(current: LiaisonRequest) -> None:
    if not clarification_pending(current):
        raise ValidationError(
            {
                "status": _(
                    "A clarification can be provided only while one is asked; "
                    "the request is %(old)s."
                )
                % {"old": REQUEST_WORKFLOW.label(current.status)}
            }
        )


def request_answer(
    *,
    actor,
    request: LiaisonRequest,
    body: str,
    expected_version: int,
    delay_reason: str = "",
    now: dt.datetime | None = None,
) -> LiaisonRequest:
    """The receiving cell answers; an answer after the deadline must say why it is late."""
    now = now or timezone.now()
    require_receiver(actor, request)
    _require_text("body", body)

    def late_answer_explained(current: LiaisonRequest) -> None:
        if now > current.due_at and not delay_reason.strip():
            raise ValidationError(
                {"delay_reason": _("The deadline has passed: say why the answer is late.")}
            )

    return _move(
        actor,
        request,
        expected_version,
        S.ANSWERED,
        "answer",
        {"answered_at": now, "delay_reason": delay_reason},
        check=late_answer_explained,
        post=(MessageKind.ANSWER, body, now),
    )


def request_refuse(
    *,
    actor,
    request: LiaisonRequest,
    refusal_reason: str,
    expected_version: int,
    now: dt.datetime | None = None,
) -> LiaisonRequest:
    """The receiving cell declines the request and says why.

    `answered_at` records the refusal too: it is the cell's response against the deadline.
    """
    now = now or timezone.now()
    require_receiver(actor, request)
    _require_text("refusal_reason", refusal_reason)
    with write_transaction():
        current = _as_it_is(request)
        changes = {
            "refusal_reason": refusal_reason,
            "answered_at": now,
            # The time spent waiting for a clarification never counts against the cell.
            "due_at": resumed_due_at(current, now),
            "paused_at": None,
        }
        return _move(
            actor,
            current,
            expected_version,
            S.REFUSED,
            "refuse",
            changes,
            post=(MessageKind.REFUSAL, refusal_reason, now),
        )


def request_close(
    *, actor, request: LiaisonRequest, expected_version: int, now: dt.datetime | None = None
) -> LiaisonRequest:
    """The sending cell closes a request that was answered or refused."""
    now = now or timezone.now()
    require_sender(actor, request)
    return _move(actor, request, expected_version, S.CLOSED, "close", {"closed_at": now})


def _move(
    actor,
    request: LiaisonRequest,
    expected_version: int,
    status: str,
    action: str,
    changes: dict,
    *,
    check: Callable[[LiaisonRequest], None] | None = None,
    post: tuple[str, str, dt.datetime] | None = None,
) -> LiaisonRequest:
    """Move the request to `status` with the `changes` that go with it, if the workflow
    allows it from the locked current row at `expected_version`; `post` (kind, body,
    when) is the thread entry that comes with it, in the same transaction."""
    with write_transaction():
        updated = audited_transition(
            actor=actor,
            instance=request,
            workflow=REQUEST_WORKFLOW,
            status=status,
            expected_version=expected_version,
            changes=changes,
            check=check,
            action=action,
        )
        if post is not None:
            _post(actor, updated, *post)
    return updated


def _as_it_is(request: LiaisonRequest) -> LiaisonRequest:
    """The request as it is now, for changes that follow from its current values.

    Read inside the write transaction, after the chain's lock that every audited write
    takes first, so no other write can change it before `audited_update` locks the row;
    and a row that is not at the caller's expected version is refused there anyway.
    """
    return LiaisonRequest.objects.get(pk=request.pk)


def _require_text(field: str, value: str) -> None:
    if not (value or "").strip():
        raise ValidationError({field: _("This field cannot be blank.")})


# --- the thread ---------------------------------------------------------------------------


def message_post(
    *,
    actor,
    request: LiaisonRequest,
    body: str,
    kind: str = MessageKind.MESSAGE,
    now: dt.datetime | None = None,
) -> LiaisonMessage:
    """Add to a request's thread: a message both cells see, or a note for the author's
    own party only."""
    require_either_side(actor, request)
    if kind not in POSTABLE_KINDS:
        raise ValidationError(
            {"kind": _("Post a message or an internal note; other kinds come with a status.")}
        )
    _require_text("body", body)
    with write_transaction():
        return _post(actor, request, kind, body, now or timezone.now())


def _post(actor, request: LiaisonRequest, kind: str, body: str, now: dt.datetime) -> LiaisonMessage:
    """A thread entry owned by the author's party, marked like its request, posted `now`."""
    recipients = list(request.red_recipients.all()) if request.marking == Marking.RED else []
    message = LiaisonMessage(
        request=request,
        author=actor,
        owning_party_id=actor.membership.party_id,
        kind=kind,
        body=body,
        scope=Scope.INTERNAL if kind == MessageKind.NOTE else Scope.SHARED,
        marking=request.marking,
        is_illustrative=request.is_illustrative,
        created_at=now,
    )
    return audited_create(
        actor=actor, instance=message, action="post", m2m={"red_recipients": recipients}
    )
