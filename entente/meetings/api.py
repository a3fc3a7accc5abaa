"""JSON API of meetings: schedule, status, minutes, agenda, attendance and decisions.

Reads go through the meetings selectors and writes through the meetings services, so
the API refuses what the web pages refuse, with the same messages and audit events.
A meeting carries an ETag (its version); its own fields (schedule, status, minutes)
change only with If-Match. Agenda items, attendance and decisions are not versioned.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Body, Path, Query, Router
from ninja.pagination import paginate

from entente.accounts.selectors import (
    contact_visible_to,
    get_contact_for_user,
    party_list,
    unit_list,
)
from entente.agreements.selectors import (
    area_visible_to,
    clause_visible_to,
    commitment_visible_to,
    get_agreement_for_user,
    require_party_to,
)
from entente.apikit.idempotency import idempotent
from entente.core.access import require_writer
from entente.core.enums import Language
from entente.core.http import CursorPagination, etag_for, require_if_match
from entente.core.problems import ApiProblem, problem_responses
from entente.meetings import services
from entente.meetings.models import Decision, Meeting
from entente.meetings.schemas import (
    AgendaItemIn,
    AgendaItemOut,
    AgendaItemsOut,
    AttendanceIn,
    AttendanceOut,
    CarryOverCandidatesOut,
    CarryOverIn,
    CommitmentSpecIn,
    DecisionCommitmentsOut,
    DecisionIn,
    DecisionOut,
    DecisionStatusIn,
    MeetingDetailOut,
    MeetingFilters,
    MeetingIn,
    MeetingOut,
    MeetingPatchIn,
    MeetingStatusIn,
    MinutesIn,
    given_texts,
)
from entente.meetings.selectors import (
    agenda_item_visible_to,
    attendance_visible_to,
    decision_visible_to,
    get_decision_for_user,
    get_meeting_for_user,
    meeting_carry_over_candidates,
    meeting_visible_to,
)

router = Router(tags=["meetings"])

READ = problem_responses(401, 404, 422, 429)
CREATE = problem_responses(400, 401, 403, 404, 413, 415, 422, 429)
CHANGE = problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429)


MeetingId = Path(description="The meeting's id.", ge=1, le=2**63 - 1)
DecisionId = Path(description="The decision's id.", ge=1, le=2**63 - 1)


# --- resolving what the client names ------------------------------------------------------


def _party(code: str, field: str):
    party = party_list().filter(code=code).first()
    if party is None:
        raise ValidationError({field: _("Unknown party: %(code)s.") % {"code": code}})
    return party


def _users(usernames: list[str], field: str) -> list:
    users = list(get_user_model().objects.filter(username__in=usernames, is_active=True))
    unknown = sorted(set(usernames) - {user.get_username() for user in users})
    if unknown:
        raise ValidationError(
            {field: _("Unknown user: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return users


def _visible(queryset: QuerySet, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise ValidationError({field: message})
    return record


def _with_etag(response: HttpResponse, record) -> None:
    response["ETag"] = etag_for(record)


def _with_location(response: HttpResponse, url_name: str, key: str) -> HttpResponse:
    if response.status_code == 201:
        pk = json.loads(response.content)["id"]
        response["Location"] = reverse(f"api:{url_name}", kwargs={key: pk})
    return response


def _with_commitment_ids(user, decisions: list[Decision]) -> list[Decision]:
    """Each decision's commitments that the user may see, in one query."""
    links = Decision.commitments.through.objects.filter(
        decision__in=[d.pk for d in decisions],
        commitment__in=commitment_visible_to(user).values("pk"),
    ).order_by("commitment_id")
    ids: dict[int, list[int]] = {}
    for decision_id, commitment_id in links.values_list("decision_id", "commitment_id"):
        ids.setdefault(decision_id, []).append(commitment_id)
    for decision in decisions:
        decision.visible_commitment_ids = ids.get(decision.pk, [])
    return decisions


def _search(queryset: QuerySet, q: str) -> QuerySet:
    for word in q.split()[:10]:
        match = Q(place__icontains=word)
        for lang in Language.values:
            match |= Q(**{f"title_{lang}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


# --- meetings ---------------------------------------------------------------------------


@router.get(
    "/meetings",
    summary="List meetings",
    response={200: list[MeetingOut], **problem_responses(401, 422, 429)},
)
@paginate(CursorPagination, ordering="-starts_at")
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]):
    """Meetings you may see, latest start first."""
    meetings = meeting_visible_to(request.auth).prefetch_related("red_recipients")
    exact = {
        "agreement_id": filters.agreement,
        "kind": filters.kind,
        "status": filters.status,
        "host_party__code": filters.host_party,
        "marking": filters.marking,
        "starts_at__gte": filters.starts_after,
        "starts_at__lt": filters.starts_before,
    }
    meetings = meetings.filter(**{k: v for k, v in exact.items() if v is not None})
    if filters.q:
        meetings = _search(meetings, filters.q)
    return meetings


@router.get(
    "/meetings/{meeting_id}",
    summary="Get a meeting",
    url_name="meeting-detail",
    response={200: MeetingDetailOut, **READ},
)
def meeting_detail(request: HttpRequest, response: HttpResponse, meeting_id: int = MeetingId):
    """A meeting with its agenda, attendance and decisions (and the ids of the
    commitments each decision gave rise to), as far as you may see them."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id)
    meeting.visible_agenda_items = list(
        agenda_item_visible_to(user).filter(meeting=meeting).order_by("position")
    )
    meeting.visible_attendance = list(
        attendance_visible_to(user)
        .filter(meeting=meeting)
        .select_related("contact__unit__party")
        .order_by("contact__name", "pk")
    )
    meeting.visible_decisions = _with_commitment_ids(
        user, list(decision_visible_to(user).filter(meeting=meeting).order_by("number"))
    )
    _with_etag(response, meeting)
    return meeting


@router.post(
    "/agreements/{agreement_id}/meetings",
    summary="Schedule a meeting",
    response={201: MeetingOut, **CREATE},
)
def meeting_create(
    request: HttpRequest,
    payload: MeetingIn,
    agreement_id: int = Path(ge=1, le=2**63 - 1),
):
    """Schedule a meeting under an agreement your party is a party to; your party owns it.
    Times without a UTC offset are read in the meeting's own time zone."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    require_writer(user)
    require_party_to(user, agreement)

    def create() -> Meeting:
        return services.meeting_create(
            actor=user,
            agreement=agreement,
            kind=payload.kind,
            title=given_texts(payload.title),
            reference_language=payload.reference_language,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            time_zone=payload.time_zone,
            host_party=_party(payload.host_party, "host_party"),
            place=payload.place,
            online_url=payload.online_url,
            scope=payload.scope,
            marking=payload.marking,
            red_recipients=_users(payload.red_recipients, "red_recipients"),
        )

    response = idempotent(request, status=201, schema=MeetingOut, action=create)
    return _with_location(response, "meeting-detail", "meeting_id")


@router.patch(
    "/meetings/{meeting_id}",
    summary="Change a meeting",
    response={200: MeetingOut, **CHANGE},
)
def meeting_update(
    request: HttpRequest,
    response: HttpResponse,
    payload: MeetingPatchIn,
    meeting_id: int = MeetingId,
):
    """Change the kind, title, schedule, place or host of a meeting (If-Match)."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)
    version = require_if_match(request, meeting)
    changes = payload.model_dump(exclude_unset=True)
    if not changes:
        raise ApiProblem(
            422,
            _("The input is not valid."),
            errors=[{"field": None, "message": _("Send at least one field to change.")}],
        )
    if "title" in changes:
        changes["title"] = given_texts(payload.title)
    if "host_party" in changes:
        changes["host_party"] = _party(changes["host_party"], "host_party")
    updated = services.meeting_update(
        actor=user, meeting=meeting, expected_version=version, **changes
    )
    _with_etag(response, updated)
    return updated


@router.post(
    "/meetings/{meeting_id}/status",
    summary="Change a meeting's status",
    response={200: MeetingOut, **CHANGE},
)
def meeting_status(
    request: HttpRequest,
    response: HttpResponse,
    payload: MeetingStatusIn,
    meeting_id: int = MeetingId,
):
    """Mark a meeting held (once it has started) or cancelled, or plan it again (If-Match)."""
    meeting = get_meeting_for_user(request.auth, meeting_id, write=True)
    version = require_if_match(request, meeting)
    updated = services.meeting_change_status(
        actor=request.auth, meeting=meeting, status=payload.status, expected_version=version
    )
    _with_etag(response, updated)
    return updated


@router.put(
    "/meetings/{meeting_id}/minutes",
    summary="Record a meeting's minutes",
    response={200: MeetingOut, **CHANGE},
)
def meeting_minutes(
    request: HttpRequest, response: HttpResponse, payload: MinutesIn, meeting_id: int = MeetingId
):
    """Record the minutes per language of a meeting that took place (If-Match); the
    languages sent replace theirs, the others are kept."""
    meeting = get_meeting_for_user(request.auth, meeting_id, write=True)
    version = require_if_match(request, meeting)
    updated = services.minutes_record(
        actor=request.auth,
        meeting=meeting,
        minutes=given_texts(payload.minutes),
        expected_version=version,
    )
    _with_etag(response, updated)
    return updated


# --- agenda -----------------------------------------------------------------------------


@router.post(
    "/meetings/{meeting_id}/agenda-items",
    summary="Add an agenda item",
    response={201: AgendaItemOut, **CREATE},
)
def agenda_item_create(request: HttpRequest, payload: AgendaItemIn, meeting_id: int = MeetingId):
    """Append a point to the agenda, possibly carrying an open commitment of the
    agreement or a decision of an earlier meeting."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)

    def create():
        return services.agenda_item_add(
            actor=user,
            meeting=meeting,
            title=payload.title,
            notes=payload.notes,
            carried_commitment=_visible(
                commitment_visible_to(user),
                payload.carried_commitment,
                "carried_commitment",
                _("Choose a commitment of this meeting's agreement."),
            ),
            carried_decision=_visible(
                decision_visible_to(user),
                payload.carried_decision,
                "carried_decision",
                _("Choose a decision of an earlier meeting under this agreement."),
            ),
        )

    return idempotent(request, status=201, schema=AgendaItemOut, action=create)


@router.get(
    "/meetings/{meeting_id}/carry-over-candidates",
    summary="List what may be carried over",
    response={200: CarryOverCandidatesOut, **READ},
)
def carry_over_candidates(request: HttpRequest, meeting_id: int = MeetingId):
    """Open commitments of the meeting's agreement and open decisions of its earlier
    meetings that are not on the agenda yet."""
    meeting = get_meeting_for_user(request.auth, meeting_id)
    candidates = meeting_carry_over_candidates(request.auth, meeting)
    return {"commitments": candidates.commitments, "decisions": candidates.decisions}


@router.post(
    "/meetings/{meeting_id}/carry-over",
    summary="Carry items over to the agenda",
    response={201: AgendaItemsOut, **CREATE},
)
def carry_over(request: HttpRequest, payload: CarryOverIn, meeting_id: int = MeetingId):
    """Put chosen carry-over candidates on the agenda, one item each, all or nothing."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)

    def create() -> dict:
        commitments = list(commitment_visible_to(user).filter(pk__in=payload.commitments))
        decisions = list(decision_visible_to(user).filter(pk__in=payload.decisions))
        # Ids the user may not see are refused like any other non-candidate.
        if len(commitments) != len(set(payload.commitments)):
            raise ValidationError(
                {
                    "commitments": _(
                        "Only open commitments of this agreement not yet on the agenda "
                        "can be carried over."
                    )
                }
            )
        if len(decisions) != len(set(payload.decisions)):
            raise ValidationError(
                {
                    "decisions": _(
                        "Only open decisions of earlier meetings not yet on the agenda "
                        "can be carried over."
                    )
                }
            )
        items = services.agenda_carry_over(
            actor=user, meeting=meeting, commitments=commitments, decisions=decisions
        )
        return {"items": items}

    return idempotent(request, status=201, schema=AgendaItemsOut, action=create)


# --- attendance -------------------------------------------------------------------------


@router.put(
    "/meetings/{meeting_id}/attendance/{contact_id}",
    summary="Invite a contact or record attendance",
    response={200: AttendanceOut, **CREATE},
)
def attendance_put(
    request: HttpRequest,
    payload: AttendanceIn,
    meeting_id: int = MeetingId,
    contact_id: int = Path(ge=1, le=2**63 - 1),
):
    """Invite a contact of the directory, or record that they attended or were excused."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)
    contact = get_contact_for_user(user, contact_id)
    return services.attendance_set(
        actor=user, meeting=meeting, contact=contact, status=payload.status
    )


# --- decisions --------------------------------------------------------------------------


@router.post(
    "/meetings/{meeting_id}/decisions",
    summary="Record a decision",
    response={201: DecisionOut, **CREATE},
)
def decision_create(request: HttpRequest, payload: DecisionIn, meeting_id: int = MeetingId):
    """Record a decision of a meeting that took place; decisions are numbered 1, 2, ..."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)

    def create() -> Decision:
        decision = services.decision_record(actor=user, meeting=meeting, text=payload.text)
        return _with_commitment_ids(user, [decision])[0]

    return idempotent(request, status=201, schema=DecisionOut, action=create)


@router.post(
    "/decisions/{decision_id}/status",
    summary="Change a decision's status",
    response={200: DecisionOut, **CREATE},
)
def decision_status(request: HttpRequest, payload: DecisionStatusIn, decision_id: int = DecisionId):
    """Mark a decision implemented or dropped, or reopen it."""
    user = request.auth
    decision = get_decision_for_user(user, decision_id, write=True)
    updated = services.decision_change_status(actor=user, decision=decision, status=payload.status)
    return _with_commitment_ids(user, [updated])[0]


@router.post(
    "/decisions/{decision_id}/commitments",
    summary="Turn a decision into commitments",
    response={201: DecisionCommitmentsOut, **CREATE},
)
def decision_commitments(
    request: HttpRequest,
    payload: list[CommitmentSpecIn] = Body(..., max_length=50),  # noqa: B008
    decision_id: int = DecisionId,
):
    """Create one or more commitments under the meeting's agreement from a decision, all
    or nothing. Errors name the commitment by its index in the list:
    `commitments.1.due_date`."""
    user = request.auth
    decision = get_decision_for_user(user, decision_id, write=True)

    def create() -> dict:
        specs = _commitment_specs(user, payload)
        created = services.decision_to_commitments(actor=user, decision=decision, commitments=specs)
        return {"commitments": created}

    return idempotent(request, status=201, schema=DecisionCommitmentsOut, action=create)


def _commitment_specs(user, payload: list[CommitmentSpecIn]) -> list[dict]:
    """The specs as commitment_create's arguments, every named record looked up;
    every spec's unknown references are reported at once."""
    specs, errors = [], {}
    for index, spec in enumerate(payload):
        try:
            specs.append(_commitment_spec(user, spec))
        except ValidationError as error:
            errors |= {f"commitments.{index}.{k}": v for k, v in error.message_dict.items()}
    if errors:
        raise ValidationError(errors)
    return specs


def _commitment_spec(user, spec: CommitmentSpecIn) -> dict:
    given = spec.model_dump(exclude_unset=True)
    values = dict(given)
    values["title"] = given_texts(spec.title)
    if "description" in given:
        values["description"] = given_texts(spec.description)
    errors = {}
    lookups = {
        "responsible_party": lambda code: _party(code, "responsible_party"),
        "area": lambda pk: _visible(area_visible_to(user), pk, "area", _("Unknown area.")),
        "responsible_unit": lambda pk: _visible(
            unit_list(), pk, "responsible_unit", _("Unknown unit.")
        ),
        "responsible_contact": lambda pk: _visible(
            contact_visible_to(user), pk, "responsible_contact", _("Unknown contact.")
        ),
        "red_recipients": lambda names: _users(names, "red_recipients"),
    }
    for name, lookup in lookups.items():
        if name in given:
            try:
                values[name] = lookup(given[name])
            except ValidationError as error:
                errors |= error.message_dict
    if "clauses" in given:
        clauses = list(clause_visible_to(user).filter(pk__in=given["clauses"]))
        if len(clauses) != len(set(given["clauses"])):
            errors["clauses"] = [_("Unknown clause.")]
        values["clauses"] = clauses
    if errors:
        raise ValidationError(errors)
    return values
