"""JSON API of commitments and their indicator values (see api.py for how it is built)."""

from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate

from entente.accounts.models import Unit
from entente.accounts.selectors import contact_visible_to, resolve_party, resolve_users
from entente.agreements.api_actions import publish, set_marking
from entente.agreements.filters import title_search
from entente.agreements.models import Agreement, Commitment, IndicatorValue, due_order
from entente.agreements.schemas import (
    OVERDUE,
    CommitmentFilters,
    CommitmentIn,
    CommitmentOut,
    CommitmentPatch,
    CommitmentStatusIn,
    IndicatorValueIn,
    IndicatorValueOut,
    MarkingIn,
)
from entente.agreements.selectors import (
    area_visible_to,
    clause_visible_to,
    clauses_after_change,
    commitment_links,
    commitment_overdue,
    commitment_visible_to,
    get_agreement_for_user,
    get_commitment_for_user,
    source_decisions_visible_to,
)
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_record_indicator,
    commitment_update,
)
from entente.apikit.endpoints import (
    change,
    change_by,
    changes_to,
    create,
    resolve_many,
    resolve_one,
    with_etag,
)
from entente.apikit.routes import ACTION, CHANGE, CREATE, LIST, READ, op
from entente.core.access import get_visible
from entente.core.http import CursorPagination
from entente.core.models import Handling
from entente.core.schemas import PublicId, given_texts

router = Router(tags=["commitments"])

# The texts of a commitment, and whether the reference language must have them.
TEXTS = {"title": True, "description": False}


def commitments_as_shown(user) -> QuerySet[Commitment]:
    """The commitments `user` may see, with the parts CommitmentOut shows (the API and
    the agreement's JSON export read them the same way)."""
    contacts = contact_visible_to(user).filter(pk=OuterRef("responsible_contact_id"))
    visible = commitment_visible_to(user)
    decisions = source_decisions_visible_to(user).order_by("meeting__starts_at", "number", "pk")
    return visible.prefetch_related(
        Prefetch("clauses", queryset=clause_visible_to(user), to_attr="visible_clauses"),
        Prefetch("source_decisions", queryset=decisions, to_attr="visible_decisions"),
        "red_recipients",
    ).annotate(
        visible_contact=Subquery(contacts.values("public_id")[:1]),
        # commitment_links' rule, for every row at once
        visible_previous=Subquery(
            visible.filter(pk=OuterRef("previous_occurrence_id")).values("public_id")[:1]
        ),
        visible_next=Subquery(
            visible.filter(previous_occurrence=OuterRef("pk")).values("public_id")[:1]
        ),
        # Soonest due first, undated last: a non-null key for the cursor.
        due_order=due_order(),
    )


def _commitment_out(user, commitment: Any) -> Commitment:
    """The commitment with the links the user may see, as CommitmentOut shows them.

    Built on the instance a service returned rather than read again, so that the answer
    shows the version this request wrote even when another one follows at once."""
    commitment.visible_clauses = list(clause_visible_to(user).filter(commitments=commitment))
    contact = commitment.responsible_contact_id
    visible = contact is not None and contact_visible_to(user).filter(pk=contact).exists()
    commitment.visible_contact = commitment.responsible_contact.public_id if visible else None
    links = commitment_links(user, commitment)
    commitment.visible_decisions = links.decisions
    commitment.visible_previous = links.previous.public_id if links.previous else None
    commitment.visible_next = links.next.public_id if links.next else None
    return commitment


def _links(user, agreement: Agreement, data: dict[str, Any]) -> dict[str, Any]:
    """Codes and ids of the request as the records they name, where the user sees them."""
    resolvers = {
        "responsible_party": lambda code: resolve_party(code, "responsible_party"),
        "responsible_unit": lambda pk: resolve_one(Unit.objects.all(), pk, "responsible_unit"),
        "responsible_contact": lambda pk: resolve_one(
            contact_visible_to(user), pk, "responsible_contact"
        ),
        "area": lambda pk: resolve_one(
            area_visible_to(user).filter(agreement=agreement), pk, "area"
        ),
    }
    return {name: resolve(data[name]) for name, resolve in resolvers.items() if name in data}


@router.get("/commitments", **op("List commitments", list[CommitmentOut], LIST))
@paginate(CursorPagination, ordering="due_order")
def commitment_list(request, filters: Query[CommitmentFilters]):
    """The commitments you may see, soonest due first (undated ones last). `status`
    also takes `overdue`: open, with its due date passed."""
    queryset = filters.filter(commitments_as_shown(request.auth))
    if filters.clause is not None:
        clauses = clause_visible_to(request.auth).filter(public_id=filters.clause)
        queryset = queryset.filter(clauses__in=clauses)
    if filters.status == OVERDUE:
        overdue = commitment_overdue(request.auth).values("pk")
        queryset = queryset.filter(pk__in=overdue)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = title_search(queryset, filters.q)
    return queryset


@router.get("/commitments/{commitment_id}", **op("Read a commitment", CommitmentOut, READ))
def commitment_detail(request, commitment_id: PublicId, response: HttpResponse):
    """The commitment; the ETag names its version, for If-Match on changes."""
    commitment = get_commitment_for_user(request.auth, commitment_id)
    return _commitment_out(request.auth, with_etag(response, commitment))


@router.post(
    "/agreements/{agreement_id}/commitments", **op("Add a commitment", CommitmentOut, CREATE, 201)
)
def commitment_new(request, agreement_id: PublicId, payload: CommitmentIn):
    """A new commitment under the agreement, owned by your party, which must be one of
    its parties. Officers and coordinators."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)

    def action():
        data = payload.model_dump(exclude={"title", "description", "clauses", "red_recipients"})
        data |= _links(user, agreement, data)
        handling = Handling.pop_from(data, red_recipients=resolve_users(payload.red_recipients))
        commitment = commitment_create(
            actor=user,
            agreement=agreement,
            title=given_texts(payload.title),
            description=given_texts(payload.description),
            clauses=resolve_many(clause_visible_to(user), payload.clauses, "clauses"),
            handling=handling,
            **data,
        )
        return commitment

    return create(
        request,
        model=Commitment,
        schema=CommitmentOut,
        action=action,
        shape=_commitment_out,
    )


@router.patch("/commitments/{commitment_id}", **op("Change a commitment", CommitmentOut, CHANGE))
def commitment_patch(
    request, commitment_id: PublicId, payload: CommitmentPatch, response: HttpResponse
):
    """Change the fields sent, and only those; sent unchanged, nothing is written. Needs
    If-Match; writers of the owning party only. Texts are merged by language; `clauses`
    replaces the list."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id, write=True)

    def apply(version: int) -> Commitment:
        changes = payload.model_dump(exclude_unset=True)
        clauses = changes.pop("clauses", None)
        changes |= _links(user, commitment.agreement, changes)
        changes = changes_to(commitment, changes, TEXTS)
        if clauses is not None:
            chosen = resolve_many(clause_visible_to(user), clauses, "clauses")
            clauses = clauses_after_change(user, commitment, chosen)
        if not changes and clauses is None:
            return commitment
        return commitment_update(
            actor=user,
            commitment=commitment,
            expected_version=version,
            clauses=clauses,
            **changes,
        )

    return _commitment_out(user, change(request, response, commitment, apply))


@router.post(
    "/commitments/{commitment_id}/status",
    **op("Change a commitment's status", CommitmentOut, CHANGE),
)
def commitment_status(
    request, commitment_id: PublicId, payload: CommitmentStatusIn, response: HttpResponse
):
    """Move the commitment along its workflow; `done` sets progress to 100 (with any
    other `progress`, 422). To change the progress alone, PATCH it. Needs If-Match;
    writers of the owning party only."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id, write=True)
    commitment = change_by(
        request,
        response,
        commitment,
        commitment_change_status,
        commitment=commitment,
        status=payload.status,
        progress=payload.progress,
    )
    return _commitment_out(user, commitment)


@router.post(
    "/commitments/{commitment_id}/publish", **op("Share a commitment", CommitmentOut, ACTION)
)
def commitment_publish(request, commitment_id: PublicId, response: HttpResponse):
    """Share an internal commitment with the agreement's other parties. Needs If-Match;
    coordinators of the owning party only."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id, write=True)
    return _commitment_out(user, publish(request, response, commitment))


@router.post(
    "/commitments/{commitment_id}/marking",
    **op("Change a commitment's marking", CommitmentOut, CHANGE),
)
def commitment_marking(
    request, commitment_id: PublicId, payload: MarkingIn, response: HttpResponse
):
    """Set the TLP marking; only coordinators lower it. TLP:RED needs recipients (you are
    added). Needs If-Match; writers of the owning party only."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id, write=True)
    return _commitment_out(user, set_marking(request, response, commitment, payload))


@router.get(
    "/commitments/{commitment_id}/indicator-values",
    **op("List a commitment's indicator values", list[IndicatorValueOut], READ),
)
@paginate(CursorPagination, ordering="period_start")
def indicator_value_list(request, commitment_id: PublicId):
    """The measured values of the commitment's indicator, by period."""
    commitment = get_commitment_for_user(request.auth, commitment_id)
    return commitment.indicator_values.all()


@router.post(
    "/commitments/{commitment_id}/indicator-values",
    **op("Record an indicator value", IndicatorValueOut, CREATE, 201),
)
def indicator_value_new(request, commitment_id: PublicId, payload: IndicatorValueIn):
    """The indicator's value for a period; a value already recorded for the period's start
    is replaced. Writers of the owning party only."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id)
    return create(
        request,
        model=IndicatorValue,
        schema=IndicatorValueOut,
        action=lambda: commitment_record_indicator(
            actor=user, commitment=commitment, **payload.model_dump()
        ),
        # Values have no door of their own: they are seen with their commitment.
        reread=lambda ids: get_visible(
            get_commitment_for_user(user, commitment_id).indicator_values.all(), ids[0]
        ),
    )
