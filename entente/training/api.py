"""JSON API of training activities, their participants and the reciprocity ledger.

Reads go through the training selectors and writes through the training services. An
activity carries an ETag (its version); its fields, status and evaluation change only
with If-Match. Participant figures are not versioned.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.pagination import paginate

from entente.accounts.selectors import party_list
from entente.agreements.selectors import area_visible_to, get_agreement_for_user, require_party_to
from entente.apikit.idempotency import idempotent
from entente.core.access import require_writer
from entente.core.enums import Language
from entente.core.errors import NotFound
from entente.core.http import CursorPagination, etag_for, require_if_match
from entente.core.problems import ApiProblem, problem_responses
from entente.training import services
from entente.training.models import TrainingActivity, TrainingParticipation
from entente.training.schemas import (
    BalanceRowOut,
    EvaluationIn,
    ParticipationIn,
    ParticipationOut,
    ReciprocityFilters,
    TrainingDetailOut,
    TrainingFilters,
    TrainingIn,
    TrainingOut,
    TrainingPatchIn,
    TrainingStatusIn,
)
from entente.training.selectors import (
    get_training_for_user,
    reciprocity_balance,
    training_visible_to,
)

router = Router(tags=["training"])

READ = problem_responses(401, 404, 422, 429)
CREATE = problem_responses(400, 401, 403, 404, 413, 415, 422, 429)
CHANGE = problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429)

TrainingId = Path(description="The training activity's id.", ge=1, le=2**63 - 1)


def _party(code: str, field: str):
    party = party_list().filter(code=code).first()
    if party is None:
        raise ValidationError({field: _("Unknown party: %(code)s.") % {"code": code}})
    return party


def _area(user, pk: int | None):
    if pk is None:
        return None
    area = area_visible_to(user).filter(pk=pk).first()
    if area is None:
        raise ValidationError({"area": _("Unknown area.")})
    return area


def _users(usernames: list[str], field: str) -> list:
    users = list(get_user_model().objects.filter(username__in=usernames, is_active=True))
    unknown = sorted(set(usernames) - {user.get_username() for user in users})
    if unknown:
        raise ValidationError(
            {field: _("Unknown user: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return users


def _search(queryset: QuerySet, q: str) -> QuerySet:
    for word in q.split()[:10]:
        match = Q(place__icontains=word)
        for lang in Language.values:
            match |= Q(**{f"title_{lang}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def _answer(response: HttpResponse, training: TrainingActivity) -> TrainingActivity:
    response["ETag"] = etag_for(training)
    return training


# --- activities -------------------------------------------------------------------------


@router.get(
    "/trainings",
    summary="List training activities",
    response={200: list[TrainingOut], **problem_responses(401, 422, 429)},
)
@paginate(CursorPagination, ordering="-starts_on")
def training_list(request: HttpRequest, filters: Query[TrainingFilters]):
    """Training activities you may see, latest start first."""
    trainings = training_visible_to(request.auth).prefetch_related("red_recipients")
    exact = {
        "agreement_id": filters.agreement,
        "area_id": filters.area,
        "status": filters.status,
        "marking": filters.marking,
        "starts_on__gte": filters.starts_after,
        "starts_on__lt": filters.starts_before,
    }
    trainings = trainings.filter(**{k: v for k, v in exact.items() if v is not None})
    if filters.party:
        trainings = trainings.filter(
            Q(host_party__code=filters.party) | Q(sending_party__code=filters.party)
        )
    if filters.q:
        trainings = _search(trainings, filters.q)
    return trainings


@router.get(
    "/trainings/{training_id}",
    summary="Get a training activity",
    url_name="training-detail",
    response={200: TrainingDetailOut, **READ},
)
def training_detail(request: HttpRequest, response: HttpResponse, training_id: int = TrainingId):
    """A training activity with the participants each party sends or hosts."""
    training = get_training_for_user(request.auth, training_id)
    prefetch_related_objects(
        [training],
        Prefetch("participations", queryset=TrainingParticipation.objects.select_related("party")),
        "red_recipients",
    )
    return _answer(response, training)


@router.post(
    "/agreements/{agreement_id}/trainings",
    summary="Plan a training activity",
    response={201: TrainingOut, **CREATE},
)
def training_create(
    request: HttpRequest, payload: TrainingIn, agreement_id: int = Path(ge=1, le=2**63 - 1)
):
    """Plan a training activity under an agreement your party is a party to; your party
    owns it."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    require_writer(user)
    require_party_to(user, agreement)

    def create() -> TrainingActivity:
        return services.training_create(
            actor=user,
            agreement=agreement,
            kind=payload.kind,
            title=payload.title.model_dump(exclude_unset=True),
            reference_language=payload.reference_language,
            host_party=_party(payload.host_party, "host_party"),
            sending_party=_party(payload.sending_party, "sending_party"),
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            area=_area(user, payload.area),
            place=payload.place,
            scope=payload.scope,
            marking=payload.marking,
            red_recipients=_users(payload.red_recipients, "red_recipients"),
        )

    response = idempotent(request, status=201, schema=TrainingOut, action=create)
    if response.status_code == 201:
        pk = json.loads(response.content)["id"]
        response["Location"] = reverse("api:training-detail", kwargs={"training_id": pk})
    return response


@router.patch(
    "/trainings/{training_id}",
    summary="Change a training activity",
    response={200: TrainingOut, **CHANGE},
)
def training_update(
    request: HttpRequest,
    response: HttpResponse,
    payload: TrainingPatchIn,
    training_id: int = TrainingId,
):
    """Change the kind, title, parties, dates, area or place of an activity (If-Match);
    a title sent in some languages keeps the others."""
    user = request.auth
    training = get_training_for_user(user, training_id, write=True)
    version = require_if_match(request, training)
    changes = payload.model_dump(exclude_unset=True)
    if not changes:
        raise ApiProblem(
            422,
            _("The input is not valid."),
            errors=[{"field": None, "message": _("Send at least one field to change.")}],
        )
    for field in ("host_party", "sending_party"):
        if field in changes:
            changes[field] = _party(changes[field], field)
    if "area" in changes:
        changes["area"] = _area(user, changes["area"])
    updated = services.training_update(
        actor=user, training=training, expected_version=version, **changes
    )
    return _answer(response, updated)


@router.post(
    "/trainings/{training_id}/status",
    summary="Change a training activity's status",
    response={200: TrainingOut, **CHANGE},
)
def training_status(
    request: HttpRequest,
    response: HttpResponse,
    payload: TrainingStatusIn,
    training_id: int = TrainingId,
):
    """Confirm, hold (once it has started), cancel or re-plan an activity (If-Match)."""
    training = get_training_for_user(request.auth, training_id, write=True)
    version = require_if_match(request, training)
    updated = services.training_change_status(
        actor=request.auth, training=training, status=payload.status, expected_version=version
    )
    return _answer(response, updated)


@router.put(
    "/trainings/{training_id}/participations/{party_code}",
    summary="Record a party's participants",
    response={200: ParticipationOut, **CREATE},
)
def participation_put(
    request: HttpRequest,
    payload: ParticipationIn,
    training_id: int = TrainingId,
    party_code: str = Path(max_length=32, pattern=r"^[-a-zA-Z0-9_]+$"),
):
    """How many officers of the host or the sending party take part; replaces any
    earlier figure for that party."""
    training = get_training_for_user(request.auth, training_id, write=True)
    party = party_list().filter(code=party_code).first()
    if party is None:
        raise NotFound(_("No such party."))
    return services.participation_set(
        actor=request.auth, training=training, party=party, count=payload.count, names=payload.names
    )


@router.put(
    "/trainings/{training_id}/evaluation",
    summary="Record a training activity's evaluation",
    response={200: TrainingOut, **CHANGE},
)
def training_evaluation(
    request: HttpRequest,
    response: HttpResponse,
    payload: EvaluationIn,
    training_id: int = TrainingId,
):
    """Record how a held activity went (If-Match)."""
    training = get_training_for_user(request.auth, training_id, write=True)
    version = require_if_match(request, training)
    updated = services.training_record_evaluation(
        actor=request.auth,
        training=training,
        evaluation=payload.evaluation,
        expected_version=version,
    )
    return _answer(response, updated)


# --- reciprocity ------------------------------------------------------------------------


@router.get(
    "/reciprocity",
    summary="Reciprocity balance",
    response={200: list[BalanceRowOut], **READ},
)
def reciprocity(request: HttpRequest, filters: Query[ReciprocityFilters]):
    """Officers each party hosted and sent, per year, counting only the activities you
    may see (never cancelled ones); rows by year, then party code."""
    agreement = None
    if filters.agreement is not None:
        agreement = get_agreement_for_user(request.auth, filters.agreement)
    return reciprocity_balance(request.auth, agreement=agreement)
