"""JSON API of agreements (with events, clauses, areas), commitments and attachments.

Thin by design: records come only through the selectors (`*_visible_to`,
`get_*_for_user`) and change only through the services, so the API sees, refuses and
audits exactly what the web pages do. What is left here is translating: codes,
usernames and ids in the request into records the caller may see, and records into
the response with their ETag.
"""

import datetime as dt
import json
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from entente.accounts.models import Party, Unit
from entente.accounts.selectors import contact_visible_to
from entente.agreements.filters import title_search
from entente.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementParty,
    Clause,
    Commitment,
)
from entente.agreements.schemas import (
    OVERDUE,
    AgreementDetailOut,
    AgreementEventIn,
    AgreementEventOut,
    AgreementFilters,
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    AgreementStatusIn,
    AreaIn,
    AreaOut,
    AttachmentOut,
    ClauseIn,
    ClauseOut,
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
    agreement_event_visible_to,
    agreement_visible_to,
    area_visible_to,
    clause_visible_to,
    commitment_overdue,
    commitment_visible_to,
    get_agreement_for_user,
    get_attachment_for_user,
    get_commitment_for_user,
)
from entente.agreements.services import (
    agreement_change_status,
    agreement_create,
    agreement_event_record,
    agreement_update,
    area_create,
    attachment_add,
    clause_create,
    commitment_change_status,
    commitment_create,
    commitment_record_indicator,
    commitment_update,
    record_publish,
    record_set_marking,
)
from entente.apikit.idempotency import idempotent
from entente.core.access import party_id_of, require_owner_writer
from entente.core.enums import Language
from entente.core.errors import ConflictError, NotFound, PreconditionFailed, ValidationError
from entente.core.http import CursorPagination, etag_for, require_if_match
from entente.core.problems import ApiProblem, problem_responses
from entente.core.translated import translated_fields

router = Router()

READ = problem_responses(401, 404, 422, 429)
LIST = problem_responses(401, 422, 429)
CREATE = problem_responses(400, 401, 403, 404, 413, 415, 422, 429)
CHANGE = problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429)
ACTION = problem_responses(401, 403, 404, 409, 412, 422, 428, 429)  # no body to parse

TRANSLATED = {
    Agreement: {"title": True, "summary": False},
    Commitment: {"title": True, "description": False},
}


# --- translating requests ---------------------------------------------------------------


def _texts(texts: Schema | None) -> dict[str, str]:
    return texts.model_dump(exclude_unset=True) if texts is not None else {}


def _party(code: str, field: str) -> Party:
    party = Party.objects.filter(code=code).first()
    if party is None:
        raise ValidationError({field: _("No such party: %(code)s.") % {"code": code}})
    return party


def _users(usernames: Iterable[str]) -> list:
    wanted = set(usernames)
    users = list(get_user_model().objects.filter(username__in=wanted, is_active=True))
    missing = sorted(wanted - {user.get_username() for user in users})
    if missing:
        raise ValidationError(
            {"red_recipients": _("No such user: %(names)s.") % {"names": ", ".join(missing)}}
        )
    return users


def _one(queryset: QuerySet, pk: int | None, field: str):
    """The record `pk` of a visibility-filtered queryset, for a field naming it; or 422."""
    if pk is None:
        return None
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise ValidationError({field: _("No such record: %(id)s.") % {"id": pk}})
    return record


def _clauses(user, ids: Iterable[int]) -> list[Clause]:
    wanted = set(ids)
    clauses = list(clause_visible_to(user).filter(pk__in=wanted))
    missing = sorted(wanted - {clause.pk for clause in clauses})
    if missing:
        raise ValidationError(
            {"clauses": _("No such clause: %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
        )
    return clauses


def _text_changes(record, changes: dict[str, Any]) -> dict[str, Any]:
    """The per-language columns a PATCH changes (taking the texts out of `changes`),
    checked as a whole: the text in the (possibly new) reference language stays required."""
    language = changes.get("reference_language", record.reference_language)
    columns: dict[str, Any] = {}
    for name, required in TRANSLATED[type(record)].items():
        texts = changes.pop(name, None) or {}
        if not texts and "reference_language" not in changes:
            continue
        merged = {lang: getattr(record, f"{name}_{lang}") or "" for lang in Language.values}
        merged.update(texts)
        columns |= translated_fields(name, merged, reference_language=language, required=required)
    return {k: v for k, v in columns.items() if v != (getattr(record, k) or "")}


def _changed(record, changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if getattr(record, k) != v}


# --- building responses -----------------------------------------------------------------


@contextmanager
def _still_matching(record):
    """A change that lost the race between the If-Match check and the service's locked
    re-read failed the client's precondition all the same: 412, like any stale If-Match,
    so that a client handles one answer for "someone changed it first"."""
    try:
        yield
    except ConflictError as exc:
        current = etag_for(type(record)(pk=record.pk, version=exc.current_version))
        raise PreconditionFailed(
            _("The record has changed since you read it; it is now at %(etag)s.")
            % {"etag": current},
            current_etag=current,
        ) from exc


def _with_etag(response: HttpResponse, record) -> None:
    response["ETag"] = etag_for(record)


def _created(response: HttpResponse, model: type, path: str | None = None) -> HttpResponse:
    """Location and ETag of a 201 answer, from its body: a replay has no record at hand."""
    if response.status_code == 201:
        body = json.loads(response.content)
        response["ETag"] = etag_for(model(pk=body["id"], version=body["version"]))
        if path:
            response["Location"] = path.format(id=body["id"])
    return response


def _agreements(user) -> QuerySet[Agreement]:
    parents = agreement_visible_to(user).filter(pk=OuterRef("parent_id")).values("pk")[:1]
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


def _agreement_out(user, agreement: Any) -> Agreement:
    """The agreement with the parts the user may see, as AgreementDetailOut shows them."""
    agreement.visible_parent = (
        agreement.parent_id
        if agreement.parent_id
        and agreement_visible_to(user).filter(pk=agreement.parent_id).exists()
        else None
    )
    agreement.visible_events = list(_events(user).filter(agreement=agreement))
    agreement.visible_clauses = list(_clause_list(user).filter(agreement=agreement))
    agreement.visible_areas = list(area_visible_to(user).filter(agreement=agreement))
    return agreement


def _events(user):
    return (
        agreement_event_visible_to(user)
        .select_related("owning_party")
        .prefetch_related("red_recipients")
        .order_by("date", "pk")
    )


def _clause_list(user):
    return (
        clause_visible_to(user)
        .select_related("owning_party")
        .prefetch_related("red_recipients")
        .order_by("number", "pk")
    )


def _commitments(user) -> QuerySet[Commitment]:
    contacts = contact_visible_to(user).filter(pk=OuterRef("responsible_contact_id"))
    return (
        commitment_visible_to(user)
        .prefetch_related(
            Prefetch("clauses", queryset=clause_visible_to(user), to_attr="visible_clauses"),
            "red_recipients",
        )
        .annotate(
            visible_contact=Subquery(contacts.values("pk")[:1]),
            # Soonest due first, undated last: a non-null key for the cursor.
            due_order=Coalesce("due_date", Value(dt.date.max)),
        )
    )


def _commitment_out(user, commitment: Any) -> Commitment:
    """The commitment with the links the user may see, as CommitmentOut shows them.

    Built on the instance a service returned rather than read again, so that the answer
    shows the version this request wrote even when another one follows at once."""
    commitment.visible_clauses = list(clause_visible_to(user).filter(commitments=commitment))
    contact = commitment.responsible_contact_id
    visible = contact is not None and contact_visible_to(user).filter(pk=contact).exists()
    commitment.visible_contact = contact if visible else None
    return commitment


# --- agreements -------------------------------------------------------------------------


@router.get(
    "/agreements",
    summary="List agreements",
    tags=["agreements"],
    response={200: list[AgreementOut], **LIST},
)
@paginate(CursorPagination, ordering="-signed_order")
def agreement_list(request, filters: Query[AgreementFilters]):
    """The agreements you may see, latest signed first (unsigned ones last)."""
    queryset = _agreements(request.auth)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.instrument_type:
        queryset = queryset.filter(instrument_type=filters.instrument_type)
    if filters.country:
        own = party_id_of(request.auth)
        counterparts = AgreementParty.objects.filter(party__country=filters.country.upper())
        counterparts = counterparts.exclude(party_id=own) if own else counterparts
        queryset = queryset.filter(pk__in=counterparts.values("agreement_id"))
    if filters.q:
        queryset = title_search(queryset, filters.q)
    return queryset


@router.get(
    "/agreements/{agreement_id}",
    summary="Read an agreement",
    tags=["agreements"],
    response={200: AgreementDetailOut, **READ},
)
def agreement_detail(request, agreement_id: int, response: HttpResponse):
    """The agreement with its parties, signatories, and the events, clauses and areas you
    may see. The ETag names its version, for If-Match on changes."""
    agreement = get_agreement_for_user(request.auth, agreement_id)
    _with_etag(response, agreement)
    return _agreement_out(request.auth, agreement)


@router.post(
    "/agreements",
    summary="Record an agreement",
    tags=["agreements"],
    response={201: AgreementDetailOut, **CREATE},
)
def agreement_new(request, payload: AgreementIn):
    """A new agreement owned by your party, which must be one of its parties.
    Coordinators only."""
    user = request.auth

    def create():
        data = payload.model_dump(exclude={"title", "summary", "parties", "red_recipients"})
        if payload.summary is not None:
            data |= translated_fields(
                "summary",
                _texts(payload.summary),
                reference_language=payload.reference_language,
                required=False,
            )
        data["parent"] = _one(agreement_visible_to(user), payload.parent, "parent")
        agreement = agreement_create(
            actor=user,
            title=_texts(payload.title),
            parties=[_party(code, "parties") for code in dict.fromkeys(payload.parties)],
            red_recipients=_users(payload.red_recipients),
            **data,
        )
        return _agreement_out(user, agreement)

    response = idempotent(request, status=201, schema=AgreementDetailOut, action=create)
    return _created(response, Agreement, "/api/v1/agreements/{id}")


@router.patch(
    "/agreements/{agreement_id}",
    summary="Change an agreement",
    tags=["agreements"],
    response={200: AgreementDetailOut, **CHANGE},
)
def agreement_patch(request, agreement_id: int, payload: AgreementPatch, response: HttpResponse):
    """Change the fields sent, and only those. Needs If-Match; coordinators of the owning
    party only. Texts are merged by language."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id, write=True)
    expected = require_if_match(request, agreement)
    changes = payload.model_dump(exclude_unset=True)
    if "parent" in changes:
        changes["parent"] = _one(agreement_visible_to(user), changes["parent"], "parent")
    texts = _text_changes(agreement, changes)
    changes = _changed(agreement, changes) | texts
    if changes:
        with _still_matching(agreement):
            agreement = agreement_update(
                actor=user, agreement=agreement, expected_version=expected, **changes
            )
    _with_etag(response, agreement)
    return _agreement_out(user, agreement)


@router.post(
    "/agreements/{agreement_id}/status",
    summary="Change an agreement's status",
    tags=["agreements"],
    response={200: AgreementDetailOut, **CHANGE},
)
def agreement_status(
    request, agreement_id: int, payload: AgreementStatusIn, response: HttpResponse
):
    """Move the agreement along its lifecycle (draft, signed, in force, ...). Needs
    If-Match; coordinators of the owning party only."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id, write=True)
    expected = require_if_match(request, agreement)
    with _still_matching(agreement):
        agreement = agreement_change_status(
            actor=user, agreement=agreement, status=payload.status, expected_version=expected
        )
    _with_etag(response, agreement)
    return _agreement_out(user, agreement)


@router.post(
    "/agreements/{agreement_id}/publish",
    summary="Share an agreement",
    tags=["agreements"],
    response={200: AgreementDetailOut, **ACTION},
)
def agreement_publish(request, agreement_id: int, response: HttpResponse):
    """Share an internal agreement with its other parties. Needs If-Match; coordinators
    of the owning party only."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id, write=True)
    expected = require_if_match(request, agreement)
    with _still_matching(agreement):
        agreement = record_publish(actor=user, record=agreement, expected_version=expected)
    _with_etag(response, agreement)
    return _agreement_out(user, agreement)


@router.post(
    "/agreements/{agreement_id}/marking",
    summary="Change an agreement's marking",
    tags=["agreements"],
    response={200: AgreementDetailOut, **CHANGE},
)
def agreement_marking(request, agreement_id: int, payload: MarkingIn, response: HttpResponse):
    """Set the TLP marking; only coordinators lower it. TLP:RED needs recipients (you are
    added). Needs If-Match."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    require_owner_writer(user, agreement)
    expected = require_if_match(request, agreement)
    with _still_matching(agreement):
        agreement = record_set_marking(
            actor=user,
            record=agreement,
            marking=payload.marking,
            red_recipients=_users(payload.red_recipients),
            expected_version=expected,
        )
    _with_etag(response, agreement)
    return _agreement_out(user, agreement)


# --- events, clauses, areas -------------------------------------------------------------


@router.get(
    "/agreements/{agreement_id}/events",
    summary="List an agreement's events",
    tags=["agreements"],
    response={200: list[AgreementEventOut], **READ},
)
@paginate(CursorPagination, ordering="date")
def agreement_event_list(request, agreement_id: int):
    """The dated steps of the agreement's life that you may see, oldest first."""
    agreement = get_agreement_for_user(request.auth, agreement_id)
    return _events(request.auth).filter(agreement=agreement)


@router.post(
    "/agreements/{agreement_id}/events",
    summary="Record an agreement event",
    tags=["agreements"],
    response={201: AgreementEventOut, **CREATE},
)
def agreement_event_new(request, agreement_id: int, payload: AgreementEventIn):
    """A dated step (signed, ratified, entered into force...), owned by your party, which
    must be a party to the agreement. Officers and coordinators."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)

    def create():
        data = payload.model_dump()
        if payload.party is None:
            data.pop("party")
        else:
            data["party"] = _party(payload.party, "party")
        return agreement_event_record(actor=user, agreement=agreement, **data)

    response = idempotent(request, status=201, schema=AgreementEventOut, action=create)
    return _created(response, AgreementEvent)


@router.get(
    "/agreements/{agreement_id}/clauses",
    summary="List an agreement's clauses",
    tags=["agreements"],
    response={200: list[ClauseOut], **READ},
)
@paginate(CursorPagination, ordering="number")
def clause_list(request, agreement_id: int):
    """The agreement's articles you may see, by number."""
    agreement = get_agreement_for_user(request.auth, agreement_id)
    return _clause_list(request.auth).filter(agreement=agreement)


@router.post(
    "/agreements/{agreement_id}/clauses",
    summary="Add a clause",
    tags=["agreements"],
    response={201: ClauseOut, **CREATE},
)
def clause_new(request, agreement_id: int, payload: ClauseIn):
    """An article of the agreement's text. Coordinators of the owning party only."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)

    def create():
        return clause_create(
            actor=user,
            agreement=agreement,
            number=payload.number,
            heading=_texts(payload.heading),
            text=_texts(payload.text),
            reference_language=payload.reference_language,
            scope=payload.scope,
            marking=payload.marking,
        )

    response = idempotent(request, status=201, schema=ClauseOut, action=create)
    return _created(response, Clause)


@router.get(
    "/agreements/{agreement_id}/areas",
    summary="List an agreement's cooperation areas",
    tags=["agreements"],
    response={200: list[AreaOut], **READ},
)
@paginate(CursorPagination, ordering="code")
def area_list(request, agreement_id: int):
    """The fields of cooperation the agreement covers, by code."""
    agreement = get_agreement_for_user(request.auth, agreement_id)
    return area_visible_to(request.auth).filter(agreement=agreement)


@router.post(
    "/agreements/{agreement_id}/areas",
    summary="Add a cooperation area",
    tags=["agreements"],
    response={201: AreaOut, **CREATE},
)
def area_new(request, agreement_id: int, payload: AreaIn):
    """A field of cooperation of the agreement. Coordinators of the owning party only."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)

    def create():
        return area_create(
            actor=user,
            agreement=agreement,
            code=payload.code,
            name=_texts(payload.name),
            reference_language=payload.reference_language,
        )

    return idempotent(request, status=201, schema=AreaOut, action=create)


# --- commitments ------------------------------------------------------------------------


@router.get(
    "/commitments",
    summary="List commitments",
    tags=["commitments"],
    response={200: list[CommitmentOut], **LIST},
)
@paginate(CursorPagination, ordering="due_order")
def commitment_list(request, filters: Query[CommitmentFilters]):
    """The commitments you may see, soonest due first (undated ones last). `status`
    also takes `overdue`: open, with its due date passed."""
    queryset = _commitments(request.auth)
    lookups = {
        "agreement_id": filters.agreement,
        "area_id": filters.area,
        "responsible_party__code": filters.responsible_party,
        "marking": filters.marking,
        "due_date__gte": filters.due_after,
        "due_date__lte": filters.due_before,
    }
    queryset = queryset.filter(**{k: v for k, v in lookups.items() if v is not None})
    if filters.status == OVERDUE:
        overdue = commitment_overdue(request.auth).values("pk")
        queryset = queryset.filter(pk__in=overdue)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = title_search(queryset, filters.q)
    return queryset


@router.get(
    "/commitments/{commitment_id}",
    summary="Read a commitment",
    tags=["commitments"],
    response={200: CommitmentOut, **READ},
)
def commitment_detail(request, commitment_id: int, response: HttpResponse):
    """The commitment; the ETag names its version, for If-Match on changes."""
    commitment = get_commitment_for_user(request.auth, commitment_id)
    _with_etag(response, commitment)
    return _commitment_out(request.auth, commitment)


def _commitment_links(user, agreement: Agreement, data: dict[str, Any]) -> dict[str, Any]:
    """Codes and ids of the request as the records they name, where the user sees them."""
    links: dict[str, Any] = {}
    if "responsible_party" in data:
        links["responsible_party"] = _party(data["responsible_party"], "responsible_party")
    if "responsible_unit" in data:
        links["responsible_unit"] = _one(
            Unit.objects.all(), data["responsible_unit"], "responsible_unit"
        )
    if "responsible_contact" in data:
        links["responsible_contact"] = _one(
            contact_visible_to(user), data["responsible_contact"], "responsible_contact"
        )
    if "area" in data:
        links["area"] = _one(
            area_visible_to(user).filter(agreement=agreement), data["area"], "area"
        )
    return links


@router.post(
    "/agreements/{agreement_id}/commitments",
    summary="Add a commitment",
    tags=["commitments"],
    response={201: CommitmentOut, **CREATE},
)
def commitment_new(request, agreement_id: int, payload: CommitmentIn):
    """A new commitment under the agreement, owned by your party, which must be one of
    its parties. Officers and coordinators."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)

    def create():
        data = payload.model_dump(exclude={"title", "description", "clauses", "red_recipients"})
        data |= _commitment_links(user, agreement, data)
        commitment = commitment_create(
            actor=user,
            agreement=agreement,
            title=_texts(payload.title),
            description=_texts(payload.description),
            clauses=_clauses(user, payload.clauses),
            red_recipients=_users(payload.red_recipients),
            **data,
        )
        return _commitment_out(user, commitment)

    response = idempotent(request, status=201, schema=CommitmentOut, action=create)
    return _created(response, Commitment, "/api/v1/commitments/{id}")


def _clause_change(user, commitment: Commitment, ids: list[int]) -> list[Clause] | None:
    """The new clause list, keeping links to clauses the user cannot see; None if the
    same as now (as on the web page)."""
    current = set(commitment.clauses.values_list("pk", flat=True))
    hidden = current - set(
        clause_visible_to(user).filter(pk__in=current).values_list("pk", flat=True)
    )
    chosen = _clauses(user, ids)
    if {c.pk for c in chosen} | hidden == current:
        return None
    return chosen + list(commitment.clauses.filter(pk__in=hidden))


@router.patch(
    "/commitments/{commitment_id}",
    summary="Change a commitment",
    tags=["commitments"],
    response={200: CommitmentOut, **CHANGE},
)
def commitment_patch(request, commitment_id: int, payload: CommitmentPatch, response: HttpResponse):
    """Change the fields sent, and only those. Needs If-Match; writers of the owning
    party only. Texts are merged by language; `clauses` replaces the list."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id, write=True)
    expected = require_if_match(request, commitment)
    changes = payload.model_dump(exclude_unset=True)
    clauses = changes.pop("clauses", None)
    changes |= _commitment_links(user, commitment.agreement, changes)
    texts = _text_changes(commitment, changes)
    changes = _changed(commitment, changes) | texts
    clause_list = None if clauses is None else _clause_change(user, commitment, clauses)
    if changes or clause_list is not None:
        with _still_matching(commitment):
            commitment = commitment_update(
                actor=user,
                commitment=commitment,
                expected_version=expected,
                clauses=clause_list,
                **changes,
            )
    _with_etag(response, commitment)
    return _commitment_out(user, commitment)


@router.post(
    "/commitments/{commitment_id}/status",
    summary="Change a commitment's status",
    tags=["commitments"],
    response={200: CommitmentOut, **CHANGE},
)
def commitment_status(
    request, commitment_id: int, payload: CommitmentStatusIn, response: HttpResponse
):
    """Move the commitment along its workflow; `done` sets progress to 100. Needs
    If-Match; writers of the owning party only."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id, write=True)
    expected = require_if_match(request, commitment)
    with _still_matching(commitment):
        commitment = commitment_change_status(
            actor=user,
            commitment=commitment,
            status=payload.status,
            progress=payload.progress,
            expected_version=expected,
        )
    _with_etag(response, commitment)
    return _commitment_out(user, commitment)


@router.post(
    "/commitments/{commitment_id}/publish",
    summary="Share a commitment",
    tags=["commitments"],
    response={200: CommitmentOut, **ACTION},
)
def commitment_publish(request, commitment_id: int, response: HttpResponse):
    """Share an internal commitment with the agreement's other parties. Needs If-Match;
    coordinators of the owning party only."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id, write=True)
    expected = require_if_match(request, commitment)
    with _still_matching(commitment):
        commitment = record_publish(actor=user, record=commitment, expected_version=expected)
    _with_etag(response, commitment)
    return _commitment_out(user, commitment)


@router.post(
    "/commitments/{commitment_id}/marking",
    summary="Change a commitment's marking",
    tags=["commitments"],
    response={200: CommitmentOut, **CHANGE},
)
def commitment_marking(request, commitment_id: int, payload: MarkingIn, response: HttpResponse):
    """Set the TLP marking; only coordinators lower it. TLP:RED needs recipients (you are
    added). Needs If-Match; writers of the owning party only."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id, write=True)
    expected = require_if_match(request, commitment)
    with _still_matching(commitment):
        commitment = record_set_marking(
            actor=user,
            record=commitment,
            marking=payload.marking,
            red_recipients=_users(payload.red_recipients),
            expected_version=expected,
        )
    _with_etag(response, commitment)
    return _commitment_out(user, commitment)


@router.get(
    "/commitments/{commitment_id}/indicator-values",
    summary="List a commitment's indicator values",
    tags=["commitments"],
    response={200: list[IndicatorValueOut], **READ},
)
@paginate(CursorPagination, ordering="period_start")
def indicator_value_list(request, commitment_id: int):
    """The measured values of the commitment's indicator, by period."""
    commitment = get_commitment_for_user(request.auth, commitment_id)
    return commitment.indicator_values.all()


@router.post(
    "/commitments/{commitment_id}/indicator-values",
    summary="Record an indicator value",
    tags=["commitments"],
    response={201: IndicatorValueOut, **CREATE},
)
def indicator_value_new(request, commitment_id: int, payload: IndicatorValueIn):
    """The indicator's value for a period; a value already recorded for the period's start
    is replaced. Writers of the owning party only."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id)

    def record():
        return commitment_record_indicator(
            actor=user, commitment=commitment, **payload.model_dump()
        )

    return idempotent(request, status=201, schema=IndicatorValueOut, action=record)


# --- attachments ------------------------------------------------------------------------


def _upload(request, target, file: UploadedFile | None, response: HttpResponse) -> tuple:
    # The file parameter is optional to ninja so that a body that is not multipart gets
    # 415 here, after authentication, rather than 422 for a missing field.
    if request.content_type != "multipart/form-data":
        raise ApiProblem(
            415,
            _("Send the file as multipart/form-data, not %(type)s.")
            % {"type": request.content_type or _("a body without a Content-Type")},
            headers={"Accept-Post": "multipart/form-data"},
        )
    if file is None:
        raise ApiProblem(
            422,
            _("The input is not valid."),
            errors=[{"field": "body.file", "message": _("Send the file in the field 'file'.")}],
        )
    # Not through `idempotent`: its fingerprint reads the raw body, which Django no
    # longer has once it has parsed a multipart upload.
    try:
        attachment = attachment_add(actor=request.auth, target=target, upload=file)
    except ValidationError as exc:
        too_big = getattr(exc, "error_dict", {}).get("file")
        if too_big:
            raise ApiProblem(413, " ".join(m for e in too_big for m in e.messages)) from exc
        raise
    attachment = get_attachment_for_user(request.auth, attachment.pk)
    response["Location"] = f"/api/v1/attachments/{attachment.pk}"
    _with_etag(response, attachment)
    return Status(201, attachment)


UPLOAD = problem_responses(401, 403, 404, 413, 415, 422, 429)
# Optional to ninja (see `_upload`); documented as required by UPLOAD_DOC.
UPLOADED_FILE = File(None)
UPLOAD_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
        "required": True,
    }
}


@router.post(
    "/agreements/{agreement_id}/attachments",
    summary="Attach a file to an agreement",
    tags=["attachments"],
    response={201: AttachmentOut, **UPLOAD},
    openapi_extra=UPLOAD_DOC,
)
def agreement_attachment_new(
    request, agreement_id: int, response: HttpResponse, file: UploadedFile = UPLOADED_FILE
):
    """Upload a file (multipart/form-data, field `file`) to the agreement; it takes the
    agreement's scope and marking. Writers of a party to the agreement. Idempotency-Key
    is not honoured on uploads."""
    return _upload(request, get_agreement_for_user(request.auth, agreement_id), file, response)


@router.post(
    "/commitments/{commitment_id}/attachments",
    summary="Attach a file to a commitment",
    tags=["attachments"],
    response={201: AttachmentOut, **UPLOAD},
    openapi_extra=UPLOAD_DOC,
)
def commitment_attachment_new(
    request, commitment_id: int, response: HttpResponse, file: UploadedFile = UPLOADED_FILE
):
    """Upload evidence (multipart/form-data, field `file`) to the commitment; it takes
    the commitment's scope and marking. Writers of a party to the agreement.
    Idempotency-Key is not honoured on uploads."""
    return _upload(request, get_commitment_for_user(request.auth, commitment_id), file, response)


@router.get(
    "/attachments/{attachment_id}",
    summary="Read an attachment's details",
    tags=["attachments"],
    response={200: AttachmentOut, **READ},
)
def attachment_detail(request, attachment_id: int, response: HttpResponse):
    """What the file is, its size and SHA-256, and the record it is on."""
    attachment = get_attachment_for_user(request.auth, attachment_id)
    _with_etag(response, attachment)
    return attachment


@router.get(
    "/attachments/{attachment_id}/content",
    summary="Download an attachment",
    tags=["attachments"],
    response={200: None, **READ},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with the content type it was uploaded with.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def attachment_content(request, attachment_id: int):
    """The file itself, as an attachment; never cached by shared caches."""
    attachment = get_attachment_for_user(request.auth, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise NotFound(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = etag_for(attachment)
    return response
