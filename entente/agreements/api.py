"""JSON API of agreements and their events, clauses and cooperation areas.

Thin by design: records come only through the selectors (`*_visible_to`,
`get_*_for_user`) and change only through the services, so the API sees, refuses and
audits exactly what the web pages do. What is left here is translating: codes,
usernames and ids in the request into records the caller may see (the resolvers of
entente.accounts.selectors and entente.apikit.endpoints), and records into the answer
with their ETag (`change`, `create`, `with_etag`). Commitments are in api_commitments.py;
files on any of them in entente.attachments.
"""

import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate

from entente.accounts.selectors import resolve_party, resolve_users
from entente.agreements.api_actions import publish, set_marking
from entente.agreements.filters import title_search
from entente.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementParty,
    Clause,
    CooperationArea,
)
from entente.agreements.schemas import (
    AgreementDetailOut,
    AgreementEventIn,
    AgreementEventOut,
    AgreementEventPatch,
    AgreementFilters,
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    AgreementStatusIn,
    AreaIn,
    AreaOut,
    AreaPatch,
    ClauseIn,
    ClauseOut,
    ClausePatch,
    MarkingIn,
)
from entente.agreements.selectors import (
    agreement_event_visible_to,
    agreement_visible_to,
    area_visible_to,
    clause_visible_to,
    get_agreement_event_for_user,
    get_agreement_for_user,
    get_area_for_user,
    get_clause_for_user,
)
from entente.agreements.services.agreements import (
    agreement_change_status,
    agreement_create,
    agreement_event_record,
    agreement_event_update,
    agreement_update,
    area_create,
    area_update,
    clause_create,
    clause_update,
)
from entente.apikit.endpoints import change, change_by, changes_to, create, resolve_one, with_etag
from entente.apikit.routes import ACTION, CHANGE, CREATE, EDIT, LIST, READ, listing, op
from entente.core.access import party_id_of, require_owner_writer
from entente.core.http import CursorPagination
from entente.core.models import Handling
from entente.core.schemas import PublicId, given_texts
from entente.core.translated import translated_fields

router = Router(tags=["agreements"])

# The texts of an agreement, and whether the reference language must have them.
TEXTS = {"title": True, "summary": False}


def _agreements(user) -> QuerySet[Agreement]:
    parents = agreement_visible_to(user).filter(pk=OuterRef("parent_id")).values("public_id")[:1]
    return (
        agreement_visible_to(user)
        .select_related("owning_party")
        .prefetch_related("red_recipients")
        .annotate(
            visible_parent=Subquery(parents),
            # Latest signed first, unsigned last: a non-null key for the cursor.
            signed_order=Coalesce("signed_on", Value(dt.date.min)),
        )
    )


def _events(user) -> QuerySet[AgreementEvent]:
    return (
        agreement_event_visible_to(user)
        .select_related("owning_party", "agreement")
        .prefetch_related("red_recipients")
        .order_by("date", "pk")
    )


def _clauses(user) -> QuerySet[Clause]:
    return (
        clause_visible_to(user)
        .select_related("owning_party", "agreement")
        .prefetch_related("red_recipients")
        .order_by("number", "pk")
    )


def agreement_with_visible_parts(user, agreement: Any) -> Agreement:
    """The agreement with the parts the user may see, as AgreementDetailOut shows them."""
    parent = agreement.parent_id
    visible = parent and agreement_visible_to(user).filter(pk=parent).exists()
    agreement.visible_parent = agreement.parent.public_id if visible else None
    agreement.visible_events = list(_events(user).filter(agreement=agreement))
    agreement.visible_clauses = list(_clauses(user).filter(agreement=agreement))
    agreement.visible_areas = list(area_visible_to(user).filter(agreement=agreement))
    return agreement


# --- agreements -------------------------------------------------------------------------


@router.get("/agreements", **op("List agreements", list[AgreementOut], LIST))
@paginate(CursorPagination, ordering="-signed_order")
def agreement_list(request, filters: Query[AgreementFilters]):
    """The agreements you may see, latest signed first (unsigned ones last)."""
    queryset = filters.filter(_agreements(request.auth))
    if filters.country:
        own = party_id_of(request.auth)
        counterparts = AgreementParty.objects.filter(party__country=filters.country.upper())
        counterparts = counterparts.exclude(party_id=own) if own else counterparts
        queryset = queryset.filter(pk__in=counterparts.values("agreement_id"))
    if filters.q:
        queryset = title_search(queryset, filters.q)
    return queryset


@router.get("/agreements/{agreement_id}", **op("Read an agreement", AgreementDetailOut, READ))
def agreement_detail(request, agreement_id: PublicId, response: HttpResponse):
    """The agreement with its parties, signatories, and the events, clauses and areas you
    may see. The ETag names its version, for If-Match on changes."""
    agreement = get_agreement_for_user(request.auth, agreement_id)
    return agreement_with_visible_parts(request.auth, with_etag(response, agreement))


@router.post("/agreements", **op("Record an agreement", AgreementDetailOut, CREATE, 201))
def agreement_new(request, payload: AgreementIn):
    """A new agreement owned by your party, which must be one of its parties.
    Coordinators only."""
    user = request.auth

    def action():
        data = payload.model_dump(exclude={"title", "summary", "parties", "red_recipients"})
        if payload.summary is not None:
            data |= translated_fields(
                "summary",
                given_texts(payload.summary),
                reference_language=payload.reference_language,
                required=False,
            )
        data["parent"] = resolve_one(agreement_visible_to(user), payload.parent, "parent")
        handling = Handling.pop_from(data, red_recipients=resolve_users(payload.red_recipients))
        agreement = agreement_create(
            actor=user,
            title=given_texts(payload.title),
            parties=[resolve_party(code, "parties") for code in dict.fromkeys(payload.parties)],
            handling=handling,
            **data,
        )
        return agreement

    return create(
        request,
        model=Agreement,
        schema=AgreementDetailOut,
        action=action,
        shape=agreement_with_visible_parts,
    )


@router.patch("/agreements/{agreement_id}", **op("Change an agreement", AgreementDetailOut, CHANGE))
def agreement_patch(
    request, agreement_id: PublicId, payload: AgreementPatch, response: HttpResponse
):
    """Change the fields sent, and only those; sent unchanged, nothing is written. Needs
    If-Match; coordinators of the owning party only. Texts are merged by language."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id, write=True)

    def apply(version: int) -> Agreement:
        changes = payload.model_dump(exclude_unset=True)
        if "parent" in changes:
            changes["parent"] = resolve_one(agreement_visible_to(user), changes["parent"], "parent")
        changes = changes_to(agreement, changes, TEXTS)
        if not changes:
            return agreement
        return agreement_update(
            actor=user, agreement=agreement, expected_version=version, **changes
        )

    return agreement_with_visible_parts(user, change(request, response, agreement, apply))


@router.post(
    "/agreements/{agreement_id}/status",
    **op("Change an agreement's status", AgreementDetailOut, CHANGE),
)
def agreement_status(
    request, agreement_id: PublicId, payload: AgreementStatusIn, response: HttpResponse
):
    """Move the agreement along its lifecycle (draft, signed, in force, ...). Needs
    If-Match; coordinators of the owning party only."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id, write=True)
    agreement = change_by(
        request,
        response,
        agreement,
        agreement_change_status,
        agreement=agreement,
        status=payload.status,
    )
    return agreement_with_visible_parts(user, agreement)


@router.post(
    "/agreements/{agreement_id}/publish", **op("Share an agreement", AgreementDetailOut, ACTION)
)
def agreement_publish(request, agreement_id: PublicId, response: HttpResponse):
    """Share an internal agreement with its other parties. Needs If-Match; coordinators
    of the owning party only."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id, write=True)
    return agreement_with_visible_parts(user, publish(request, response, agreement))


@router.post(
    "/agreements/{agreement_id}/marking",
    **op("Change an agreement's marking", AgreementDetailOut, CHANGE),
)
def agreement_marking(request, agreement_id: PublicId, payload: MarkingIn, response: HttpResponse):
    """Set the TLP marking; only coordinators lower it. TLP:RED needs recipients (you are
    added). Needs If-Match."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    require_owner_writer(user, agreement)
    return agreement_with_visible_parts(user, set_marking(request, response, agreement, payload))


# --- events, clauses, areas -------------------------------------------------------------


def _parts(path: str, summary: str, out: Any, ordering: str):
    """The route of a page of the agreement's `path` that the caller may see."""
    return listing(router, f"/agreements/{{agreement_id}}/{path}", summary, out, ordering)


def _of_agreement(request, agreement_id: PublicId, visible) -> QuerySet:
    """`visible(user)` under the agreement: 404 unless the user may see it."""
    agreement = get_agreement_for_user(request.auth, agreement_id)
    return visible(request.auth).filter(agreement=agreement)


@_parts("events", "List an agreement's events", AgreementEventOut, "date")
def agreement_event_list(request, agreement_id: PublicId):
    """The dated steps of the agreement's life that you may see, oldest first."""
    return _of_agreement(request, agreement_id, _events)


@router.post(
    "/agreements/{agreement_id}/events",
    **op("Record an agreement event", AgreementEventOut, CREATE, 201),
)
def agreement_event_new(request, agreement_id: PublicId, payload: AgreementEventIn):
    """A dated step (signed, ratified, entered into force...), owned by your party, which
    must be a party to the agreement. Officers and coordinators."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)

    def action():
        data = payload.model_dump(exclude={"party"})
        if payload.party is not None:
            data["party"] = resolve_party(payload.party, "party")
        handling = Handling.pop_from(data)
        return agreement_event_record(actor=user, agreement=agreement, handling=handling, **data)

    return create(request, model=AgreementEvent, schema=AgreementEventOut, action=action)


@_parts("clauses", "List an agreement's clauses", ClauseOut, "number")
def clause_list(request, agreement_id: PublicId):
    """The agreement's articles you may see, by number."""
    return _of_agreement(request, agreement_id, _clauses)


@router.post("/agreements/{agreement_id}/clauses", **op("Add a clause", ClauseOut, CREATE, 201))
def clause_new(request, agreement_id: PublicId, payload: ClauseIn):
    """An article of the agreement's text. Coordinators of the owning party only."""
    fields = payload.model_dump(exclude={"heading", "text"})
    texts = {"heading": given_texts(payload.heading), "text": given_texts(payload.text)}
    handling = Handling.pop_from(fields)
    return _add(
        request,
        agreement_id,
        clause_create,
        Clause,
        ClauseOut,
        handling=handling,
        **fields,
        **texts,
    )


@_parts("areas", "List an agreement's cooperation areas", AreaOut, "code")
def area_list(request, agreement_id: PublicId):
    """The fields of cooperation the agreement covers, by code."""
    return _of_agreement(request, agreement_id, area_visible_to)


@router.post(
    "/agreements/{agreement_id}/areas", **op("Add a cooperation area", AreaOut, CREATE, 201)
)
def area_new(request, agreement_id: PublicId, payload: AreaIn):
    """A field of cooperation of the agreement. Coordinators of the owning party only."""
    fields = payload.model_dump(exclude={"name"}) | {"name": given_texts(payload.name)}
    return _add(request, agreement_id, area_create, CooperationArea, AreaOut, **fields)


@router.patch("/events/{event_id}", **op("Change an agreement event", AgreementEventOut, CHANGE))
def agreement_event_patch(
    request, event_id: PublicId, payload: AgreementEventPatch, response: HttpResponse
):
    """Correct the fields sent (a date better known, its source...). Needs If-Match;
    writers of the party that recorded the event only."""
    user = request.auth
    event = get_agreement_event_for_user(user, event_id, write=True)

    def apply(version: int) -> AgreementEvent:
        changes = payload.model_dump(exclude_unset=True)
        if changes.get("party") is not None:
            changes["party"] = resolve_party(changes["party"], "party")
        changes = changes_to(event, changes)
        if not changes:
            return event
        return agreement_event_update(actor=user, event=event, expected_version=version, **changes)

    return change(request, response, event, apply)


@router.patch("/clauses/{clause_id}", **op("Change a clause", ClauseOut, CHANGE))
def clause_patch(request, clause_id: PublicId, payload: ClausePatch, response: HttpResponse):
    """Change the fields sent; texts are merged by language. Needs If-Match;
    coordinators of the owning party only."""
    user = request.auth
    clause = get_clause_for_user(user, clause_id, write=True)

    def apply(version: int) -> Clause:
        changes = payload.model_dump(exclude_unset=True)
        changes = changes_to(clause, changes, {"heading": False, "text": False})
        if not changes:
            return clause
        return clause_update(actor=user, clause=clause, expected_version=version, **changes)

    return change(request, response, clause, apply)


@router.patch("/areas/{area_id}", **op("Change a cooperation area", AreaOut, EDIT))
def area_patch(request, area_id: PublicId, payload: AreaPatch):
    """Change the fields sent; the name is merged by language. Areas have no version:
    no If-Match. Coordinators of the agreement's owning party only."""
    user = request.auth
    area = get_area_for_user(user, area_id, write=True)
    changes = payload.model_dump(exclude_unset=True)
    return area_update(actor=user, area=area, **changes_to(area, changes, {"name": True}))


def _add(request, agreement_id: PublicId, service, model, schema, **fields) -> HttpResponse:
    """`service(**fields)` for the caller under the agreement (404 unless they see it),
    once per Idempotency-Key."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    return create(
        request,
        model=model,
        schema=schema,
        action=lambda: service(actor=user, agreement=agreement, **fields),
    )
