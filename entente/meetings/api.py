"""JSON API of meetings: schedule, status, minutes, agenda, attendance and decisions.

Reads go through the meetings selectors and writes through the meetings services, so
the API refuses what the web pages refuse, with the same messages and audit events.
A meeting carries an ETag (its version); its own fields (schedule, status, minutes)
change only with If-Match. Agenda items, attendance and decisions are not versioned.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Body, Query, Router
from ninja.pagination import paginate

from entente.accounts.selectors import (
    contact_visible_to,
    get_contact_for_user,
    resolve_party,
    resolve_users,
    unit_list,
)
from entente.agreements.selectors import (
    area_visible_to,
    clause_visible_to,
    commitment_visible_to,
    get_agreement_for_user,
    get_commitment_for_user,
    require_party_to,
)
from entente.apikit.endpoints import (
    change,
    change_by,
    changer,
    create,
    resolve_many,
    resolve_one,
    with_etag,
)
from entente.apikit.routes import CHANGE, CREATE, LIST, READ, REMOVE, op
from entente.core.http import CursorPagination
from entente.core.models import Handling
from entente.core.schemas import PublicId, given_texts
from entente.meetings.models import AgendaItem, Decision, Guest, Meeting
from entente.meetings.schemas import (
    AgendaItemId,
    AgendaItemIn,
    AgendaItemOut,
    AgendaItemPatchIn,
    AgendaItemsOut,
    AgendaPositionIn,
    AttendanceIn,
    AttendanceOut,
    CarryOverCandidatesOut,
    CarryOverIn,
    CommitmentSpecIn,
    DecisionCommitmentsOut,
    DecisionId,
    DecisionIn,
    DecisionOut,
    DecisionStatusIn,
    GuestId,
    GuestIn,
    GuestOut,
    GuestStatusIn,
    MeetingDetailOut,
    MeetingFilters,
    MeetingId,
    MeetingIn,
    MeetingOut,
    MeetingPatchIn,
    MeetingStatusIn,
    MinutesIn,
)
from entente.meetings.selectors import (
    decision_visible_to,
    get_agenda_item_for_user,
    get_decision_for_user,
    get_guest_for_user,
    get_meeting_for_user,
    meeting_carry_over_candidates,
    meeting_parts,
    meeting_search,
    meeting_visible_to,
    with_visible_commitments,
)
from entente.meetings.services import agenda as agenda_services
from entente.meetings.services import attendance as attendance_services
from entente.meetings.services import decisions as decisions_services
from entente.meetings.services import meetings as meetings_services

router = Router(tags=["meetings"])


# --- meetings ---------------------------------------------------------------------------


@router.get("/meetings", **op("List meetings", list[MeetingOut], LIST))
@paginate(CursorPagination, ordering="-starts_at")
def meeting_list(request, filters: Query[MeetingFilters]):
    """Meetings you may see, latest start first."""
    meetings = meeting_visible_to(request.auth).prefetch_related("red_recipients")
    meetings = filters.filter(meetings)
    return meeting_search(meetings, (filters.q or "").split()[:10])


@router.get("/meetings/{meeting_id}", **op("Get a meeting", MeetingDetailOut, READ))
def meeting_detail(request, response: HttpResponse, meeting_id: PublicId = MeetingId):
    """A meeting with its agenda, attendance and decisions (and the ids of the
    commitments each decision gave rise to), as far as you may see them."""
    meeting = get_meeting_for_user(request.auth, meeting_id)
    meeting.parts = meeting_parts(request.auth, meeting)  # type: ignore[attr-defined]
    return with_etag(response, meeting)


@router.post(
    "/agreements/{agreement_id}/meetings", **op("Schedule a meeting", MeetingOut, CREATE, 201)
)
def meeting_create(request, payload: MeetingIn, agreement_id: PublicId):
    """Schedule a meeting under an agreement your party is a party to; your party owns it.
    Times without a UTC offset are read in the meeting's own time zone."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    require_party_to(user, agreement)
    fields = payload.model_dump(exclude={"title", "host_party", "red_recipients"})
    handling = Handling.pop_from(
        fields, red_recipients=resolve_users(payload.red_recipients, "red_recipients")
    )

    def schedule() -> Meeting:
        return meetings_services.meeting_create(
            actor=user,
            agreement=agreement,
            title=given_texts(payload.title),
            host_party=resolve_party(payload.host_party, "host_party"),
            handling=handling,
            **fields,
        )

    return create(request, model=Meeting, schema=MeetingOut, action=schedule)


@router.patch("/meetings/{meeting_id}", **op("Change a meeting", MeetingOut, CHANGE))
def meeting_update(
    request, response: HttpResponse, payload: MeetingPatchIn, meeting_id: PublicId = MeetingId
):
    """Change the kind, title, schedule, place or host of a meeting (If-Match): only the
    fields sent, and the title only in the languages sent. Sending none changes nothing."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)

    def update(version: int) -> Meeting:
        changes = payload.model_dump(exclude_unset=True)
        if "host_party" in changes:
            changes["host_party"] = resolve_party(changes["host_party"], "host_party")
        return meetings_services.meeting_update(
            actor=user, meeting=meeting, expected_version=version, **changes
        )

    return change(request, response, meeting, update)


@router.post("/meetings/{meeting_id}/status", **op("Change a meeting's status", MeetingOut, CHANGE))
def meeting_status(
    request, response: HttpResponse, payload: MeetingStatusIn, meeting_id: PublicId = MeetingId
):
    """Mark a meeting held (once it has started) or cancelled, or plan it again (If-Match)."""
    return _change(
        request,
        response,
        meeting_id,
        meetings_services.meeting_change_status,
        status=payload.status,
    )


@router.put(
    "/meetings/{meeting_id}/minutes", **op("Record a meeting's minutes", MeetingOut, CHANGE)
)
def meeting_minutes(
    request, response: HttpResponse, payload: MinutesIn, meeting_id: PublicId = MeetingId
):
    """Record the minutes per language of a meeting that took place (If-Match); the
    languages sent replace theirs, the others are kept."""
    minutes = given_texts(payload.minutes)
    return _change(request, response, meeting_id, meetings_services.minutes_record, minutes=minutes)


# `service(**values)` on the meeting, at the version the client names (If-Match).
_change = changer(get_meeting_for_user, "meeting")


# --- agenda -----------------------------------------------------------------------------


@router.post(
    "/meetings/{meeting_id}/agenda-items", **op("Add an agenda item", AgendaItemOut, CREATE, 201)
)
def agenda_item_create(request, payload: AgendaItemIn, meeting_id: PublicId = MeetingId):
    """Propose a point for the agenda, owned by your party: any writer who may see the
    meeting. The meeting's own party may carry an open commitment of the agreement or a
    decision of an earlier meeting. An internal item is seen only by your party."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id)

    def add() -> AgendaItem:
        item = agenda_services.agenda_item_add(
            actor=user,
            meeting=meeting,
            title=payload.title,
            notes=payload.notes,
            scope=payload.scope,
            marking=payload.marking,
            red_recipients=resolve_users(payload.red_recipients),
            carried_commitment=resolve_one(
                commitment_visible_to(user), payload.carried_commitment, "carried_commitment"
            ),
            carried_decision=resolve_one(
                decision_visible_to(user), payload.carried_decision, "carried_decision"
            ),
        )
        return get_agenda_item_for_user(user, item.public_id)  # numbered among what user sees

    return create(request, model=AgendaItem, schema=AgendaItemOut, action=add)


@router.patch("/agenda-items/{item_id}", **op("Change an agenda item", AgendaItemOut, CHANGE))
def agenda_item_update(
    request, response: HttpResponse, payload: AgendaItemPatchIn, item_id: PublicId = AgendaItemId
):
    """Change the title or notes of an item of your party while the meeting is planned
    (If-Match): only the fields sent."""
    user = request.auth
    item = get_agenda_item_for_user(user, item_id, write=True)
    changes = payload.model_dump(exclude_unset=True)
    change_by(request, response, item, agenda_services.agenda_item_update, item=item, **changes)
    return get_agenda_item_for_user(user, item_id)


@router.delete("/agenda-items/{item_id}", **op("Remove an agenda item", None, REMOVE, 204))
def agenda_item_delete(request, item_id: PublicId = AgendaItemId):
    """Take an item of your party off the agenda while the meeting is planned."""
    item = get_agenda_item_for_user(request.auth, item_id, write=True)
    agenda_services.agenda_item_remove(actor=request.auth, item=item)
    return HttpResponse(status=204)


@router.post("/agenda-items/{item_id}/position", **op("Move an agenda item", AgendaItemOut, CREATE))
def agenda_item_position(request, payload: AgendaPositionIn, item_id: PublicId = AgendaItemId):
    """Put an item at a place among the items you see (1 first), while the meeting is
    planned: writers of the party that keeps the meeting order its agenda. Items you do
    not see keep their places."""
    user = request.auth
    item = get_agenda_item_for_user(user, item_id)
    agenda_services.agenda_item_move(actor=user, item=item, position=payload.position)
    return get_agenda_item_for_user(user, item_id)


@router.get(
    "/meetings/{meeting_id}/carry-over-candidates",
    **op("List what may be carried over", CarryOverCandidatesOut, READ),
)
def carry_over_candidates(request, meeting_id: PublicId = MeetingId):
    """Open commitments of the meeting's agreement and open decisions of its earlier
    meetings that are not on the agenda yet."""
    meeting = get_meeting_for_user(request.auth, meeting_id)
    return meeting_carry_over_candidates(request.auth, meeting)


@router.post(
    "/meetings/{meeting_id}/carry-over",
    **op("Carry items over to the agenda", AgendaItemsOut, CREATE, 201),
)
def carry_over(request, payload: CarryOverIn, meeting_id: PublicId = MeetingId):
    """Put chosen carry-over candidates on the agenda, one item each, all or nothing."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)

    def carry() -> dict:
        items = agenda_services.agenda_carry_over(
            actor=user,
            meeting=meeting,
            commitments=resolve_many(
                commitment_visible_to(user), payload.commitments, "commitments"
            ),
            decisions=resolve_many(decision_visible_to(user), payload.decisions, "decisions"),
        )
        return reread([item.public_id for item in items])

    def reread(ids) -> dict:  # numbered among what user sees
        return {"items": [get_agenda_item_for_user(user, pk) for pk in ids]}

    return create(request, model=AgendaItem, schema=AgendaItemsOut, action=carry, reread=reread)


# --- attendance -------------------------------------------------------------------------


@router.put(
    "/meetings/{meeting_id}/attendance/{contact_id}",
    **op("Invite a contact or record attendance", AttendanceOut, CREATE),
)
def attendance_put(
    request,
    payload: AttendanceIn,
    contact_id: PublicId,
    meeting_id: PublicId = MeetingId,
):
    """Invite a contact of the directory, or record that they attended or were excused:
    writers of the party that keeps the meeting for any contact they may see of a party
    to the agreement, writers of the other party for their own party's contacts."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id)
    contact = get_contact_for_user(user, contact_id)
    return attendance_services.attendance_set(
        actor=user, meeting=meeting, contact=contact, status=payload.status
    )


@router.post("/meetings/{meeting_id}/guests", **op("Add a guest", GuestOut, CREATE, 201))
def guest_create(request, payload: GuestIn, meeting_id: PublicId = MeetingId):
    """Name someone from neither party's directory as invited to, at or excused from
    the meeting, with their organisation: writers of the party that keeps it."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)

    def add() -> Guest:
        return attendance_services.guest_add(actor=user, meeting=meeting, **payload.model_dump())

    return create(request, model=Guest, schema=GuestOut, action=add)


@router.post("/guests/{guest_id}/status", **op("Record a guest's attendance", GuestOut, CREATE))
def guest_status(request, payload: GuestStatusIn, guest_id: PublicId = GuestId):
    """Record whether a guest attended or was excused."""
    user = request.auth
    guest = get_guest_for_user(user, guest_id, write=True)
    return attendance_services.guest_set_status(actor=user, guest=guest, status=payload.status)


@router.delete("/guests/{guest_id}", **op("Remove a guest", None, REMOVE, 204))
def guest_delete(request, guest_id: PublicId = GuestId):
    guest = get_guest_for_user(request.auth, guest_id, write=True)
    attendance_services.guest_remove(actor=request.auth, guest=guest)
    return HttpResponse(status=204)


# --- decisions --------------------------------------------------------------------------


@router.post(
    "/meetings/{meeting_id}/decisions", **op("Record a decision", DecisionOut, CREATE, 201)
)
def decision_create(request, payload: DecisionIn, meeting_id: PublicId = MeetingId):
    """Record a decision of a meeting that took place; decisions are numbered 1, 2, ..."""
    user = request.auth
    meeting = get_meeting_for_user(user, meeting_id, write=True)

    def record() -> Decision:
        return decisions_services.decision_record(actor=user, meeting=meeting, text=payload.text)

    return create(
        request,
        model=Decision,
        schema=DecisionOut,
        action=record,
        shape=_decision_out,
    )


@router.post(
    "/decisions/{decision_id}/status", **op("Change a decision's status", DecisionOut, CREATE)
)
def decision_status(request, payload: DecisionStatusIn, decision_id: PublicId = DecisionId):
    """Mark a decision implemented or dropped, or reopen it."""
    user = request.auth
    decision = get_decision_for_user(user, decision_id, write=True)
    return _decision_out(
        user,
        decisions_services.decision_change_status(
            actor=user, decision=decision, status=payload.status
        ),
    )


def _decision_out(user, decision: Decision) -> Decision:
    return with_visible_commitments(user, [decision])[0]


@router.post(
    "/decisions/{decision_id}/commitments",
    **op("Turn a decision into commitments", DecisionCommitmentsOut, CREATE, 201),
)
def decision_commitments(
    request,
    payload: list[CommitmentSpecIn] = Body(..., max_length=50),  # noqa: B008
    decision_id: PublicId = DecisionId,
):
    """Create one or more commitments under the meeting's agreement from a decision, all
    or nothing. Errors name the commitment by its index in the list:
    `commitments.1.due_date`."""
    user = request.auth
    decision = get_decision_for_user(user, decision_id, write=True)

    def make() -> dict:
        specs = _commitment_specs(user, payload)
        created = decisions_services.decision_to_commitments(
            actor=user, decision=decision, commitments=specs
        )
        return {"commitments": created}

    return create(
        request,
        model=Decision,
        schema=DecisionCommitmentsOut,
        action=make,
        reread=lambda ids: {"commitments": [get_commitment_for_user(user, pk) for pk in ids]},
    )


def _commitment_specs(user, payload: list[CommitmentSpecIn]) -> list[dict]:
    """The specs as commitment_create's arguments, every named record looked up;
    every spec's unknown references are reported at once."""
    specs: list[dict] = []
    errors: dict[str, list[str]] = {}
    for index, spec in enumerate(payload):
        try:
            specs.append(_commitment_spec(user, spec))
        except ValidationError as error:
            errors |= {f"commitments.{index}.{k}": v for k, v in error.message_dict.items()}
    if errors:
        raise ValidationError(errors)
    return specs


def _commitment_spec(user, spec: CommitmentSpecIn) -> dict:
    values = spec.model_dump(exclude_unset=True)
    values["title"] = given_texts(spec.title)
    if "description" in values:
        values["description"] = given_texts(spec.description)
    lookups = {
        "responsible_party": lambda code: resolve_party(code, "responsible_party"),
        "area": lambda pk: resolve_one(area_visible_to(user), pk, "area"),
        "responsible_unit": lambda pk: resolve_one(unit_list(), pk, "responsible_unit"),
        "responsible_contact": lambda pk: resolve_one(
            contact_visible_to(user), pk, "responsible_contact"
        ),
        "clauses": lambda ids: resolve_many(clause_visible_to(user), ids, "clauses"),
        "red_recipients": lambda names: resolve_users(names, "red_recipients"),
    }
    errors: dict[str, list[str]] = {}
    for name, lookup in lookups.items():
        if name in values:
            try:
                values[name] = lookup(values[name])
            except ValidationError as error:
                errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    return values
