"""JSON API of training activities, their participants and the reciprocity ledger.

Reads go through the training selectors and writes through the training services. An
activity carries an ETag (its version); its fields, status and evaluation change only
with If-Match. Participant figures are not versioned.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.pagination import paginate

from entente.accounts.selectors import party_list, resolve_party, resolve_users
from entente.agreements.selectors import area_visible_to, get_agreement_for_user, require_party_to
from entente.apikit.endpoints import change, changer, create, resolve_one, with_etag
from entente.apikit.routes import CHANGE, CREATE, LIST, READ, op
from entente.core.errors import NotFound
from entente.core.http import CursorPagination
from entente.core.models import Handling
from entente.core.schemas import PublicId
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
    TrainingId,
    TrainingIn,
    TrainingOut,
    TrainingPatchIn,
    TrainingStatusIn,
)
from entente.training.selectors import (
    get_training_for_user,
    reciprocity_balance,
    training_search,
    training_visible_to,
)

router = Router(tags=["training"])


def _resolved(user, changes: dict) -> dict:
    """The changes with the parties and the area the client names as records."""
    resolved = dict(changes)
    for field in ("host_party", "sending_party"):
        if field in resolved:
            resolved[field] = resolve_party(resolved[field], field)
    if "area" in resolved:
        resolved["area"] = resolve_one(area_visible_to(user), resolved["area"], "area")
    return resolved


# `service(**fields)` on the training (its owning party's writers only), under If-Match.
_change = changer(get_training_for_user, "training")


# --- activities -------------------------------------------------------------------------


@router.get("/trainings", **op("List training activities", list[TrainingOut], LIST))
@paginate(CursorPagination, ordering="-starts_on")
def training_list(request, filters: Query[TrainingFilters]):
    """Training activities you may see, latest start first."""
    trainings = training_visible_to(request.auth).prefetch_related("red_recipients")
    trainings = filters.filter(trainings)
    if filters.q:
        trainings = training_search(trainings, filters.q)
    return trainings


@router.get(
    "/trainings/{training_id}",
    url_name="training-detail",
    **op("Get a training activity", TrainingDetailOut, READ),
)
def training_detail(request, response: HttpResponse, training_id: PublicId = TrainingId):
    """A training activity with the participants each party sends or hosts."""
    training = get_training_for_user(request.auth, training_id)
    prefetch_related_objects(
        [training],
        Prefetch("participations", queryset=TrainingParticipation.objects.select_related("party")),
        "red_recipients",
    )
    return with_etag(response, training)


@router.post(
    "/agreements/{agreement_id}/trainings",
    **op("Plan a training activity", TrainingOut, CREATE, 201),
)
def training_create(request, payload: TrainingIn, agreement_id: PublicId):
    """Plan a training activity under an agreement your party is a party to; your party
    owns it."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    require_party_to(user, agreement)

    def plan() -> TrainingActivity:
        return services.training_create(
            actor=user,
            agreement=agreement,
            kind=payload.kind,
            title=payload.title.model_dump(exclude_unset=True),
            reference_language=payload.reference_language,
            host_party=resolve_party(payload.host_party, "host_party"),
            sending_party=resolve_party(payload.sending_party, "sending_party"),
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            area=resolve_one(area_visible_to(user), payload.area, "area"),
            place=payload.place,
            handling=Handling(
                scope=payload.scope,
                marking=payload.marking,
                red_recipients=resolve_users(payload.red_recipients, "red_recipients"),
            ),
        )

    return create(request, model=TrainingActivity, schema=TrainingOut, action=plan)


@router.patch("/trainings/{training_id}", **op("Change a training activity", TrainingOut, CHANGE))
def training_update(
    request, response: HttpResponse, payload: TrainingPatchIn, training_id: PublicId = TrainingId
):
    """Change the kind, title, parties, dates, area or place of an activity (If-Match);
    a title sent in some languages keeps the others. Sending no field changes nothing."""
    user = request.auth
    training = get_training_for_user(user, training_id, write=True)
    changes = payload.model_dump(exclude_unset=True)

    def update(version: int) -> TrainingActivity:
        if not changes:
            return training  # as it is: no new version, no audit event
        return services.training_update(
            actor=user, training=training, expected_version=version, **_resolved(user, changes)
        )

    return change(request, response, training, update)


@router.post(
    "/trainings/{training_id}/status",
    **op("Change a training activity's status", TrainingOut, CHANGE),
)
def training_status(
    request, response: HttpResponse, payload: TrainingStatusIn, training_id: PublicId = TrainingId
):
    """Confirm, hold (once it has started), cancel or re-plan an activity (If-Match)."""
    return _change(
        request, response, training_id, services.training_change_status, status=payload.status
    )


@router.put(
    "/trainings/{training_id}/participations/{party_code}",
    **op("Record a party's participants", ParticipationOut, CREATE),
)
def participation_put(
    request,
    payload: ParticipationIn,
    training_id: PublicId = TrainingId,
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
    **op("Record a training activity's evaluation", TrainingOut, CHANGE),
)
def training_evaluation(
    request, response: HttpResponse, payload: EvaluationIn, training_id: PublicId = TrainingId
):
    """Record how a held activity went (If-Match)."""
    return _change(
        request,
        response,
        training_id,
        services.training_record_evaluation,
        evaluation=payload.evaluation,
    )


# --- reciprocity ------------------------------------------------------------------------


@router.get("/reciprocity", **op("Reciprocity balance", list[BalanceRowOut], READ))
def reciprocity(request, filters: Query[ReciprocityFilters]):
    """Officers each party hosted and sent, per year, counting only the activities you
    may see (never cancelled ones); rows by year, then party code."""
    agreement = None
    if filters.agreement is not None:
        agreement = get_agreement_for_user(request.auth, filters.agreement)
    return reciprocity_balance(request.auth, agreement=agreement)
