"""A meeting's page, and what is done on it: status, attendance, minutes, decisions."""

from functools import partial

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from entente.accounts.selectors import contact_visible_to, unit_list
from entente.agreements.selectors import area_visible_to, clause_visible_to
from entente.core.access import can_write, membership_of, require_writer
from entente.core.enums import Marking
from entente.core.errors import ConflictError, ValidationError
from entente.core.pages import done, rebound, saved, signed_in
from entente.core.transitions import Workflow
from entente.meetings.enums import (
    DECISION_WORKFLOW,
    MEETING_WORKFLOW,
    AttendanceStatus,
    DecisionStatus,
    MeetingStatus,
)
from entente.meetings.forms import (
    AttendanceForm,
    CommitmentRows,
    DecisionForm,
    DecisionStatusForm,
    GuestForm,
    GuestStatusForm,
    MeetingStatusForm,
    MinutesForm,
    RowChoices,
)
from entente.meetings.models import Meeting
from entente.meetings.selectors import (
    get_decision_for_user,
    get_guest_for_user,
    get_meeting_for_user,
    meeting_parts,
)
from entente.meetings.services import attendance as attendance_services
from entente.meetings.services import decisions as decisions_services
from entente.meetings.services import meetings as meetings_services
from entente.meetings.views.common import (
    agenda_rights,
    agreement_parties,
    conflict,
    detail_url,
    red_recipient_choices,
    user_zone,
)

# The buttons that move a meeting or a decision on, by the status they move it to.
STATUS_ACTIONS = {
    MeetingStatus.HELD: gettext_lazy("Mark as held"),
    MeetingStatus.CANCELLED: gettext_lazy("Cancel the meeting"),
    MeetingStatus.PLANNED: gettext_lazy("Plan again"),
}
DECISION_ACTIONS = {
    DecisionStatus.IMPLEMENTED: gettext_lazy("Mark implemented"),
    DecisionStatus.DROPPED: gettext_lazy("Drop"),
    DecisionStatus.OPEN: gettext_lazy("Reopen"),
}


def _actions(workflow: Workflow, labels: dict, current: str) -> list[tuple[str, str]]:
    return [(value, labels[value]) for value, _label in workflow.choices_from(current)]


def _status_actions(meeting: Meeting) -> list[tuple[str, str, str | None]]:
    """The meeting's next statuses with their buttons, and for each the reason it cannot
    be reached yet (None when it can): the workflow's own conditions, which the service
    applies too, so the page never offers what the service refuses."""
    return [
        (value, label, MEETING_WORKFLOW.unmet(meeting, value))
        for value, label in _actions(MEETING_WORKFLOW, STATUS_ACTIONS, meeting.status)
    ]


def _took_place(meeting: Meeting) -> bool:
    return meeting.status != MeetingStatus.CANCELLED and meeting.starts_at <= timezone.now()


def _eligible_contacts(user, meeting, *, offered: bool = True):
    """Directory contacts the user may see, of the parties to the meeting's agreement;
    `offered`, only those whose attendance they may record: all for the meeting's own
    writers, their own party's for the other party's (attendance_set's rule, which
    refuses the others with 403)."""
    contacts = (
        contact_visible_to(user)
        .filter(unit__party__agreement_roles__agreement=meeting.agreement_id)
        .select_related("unit__party")
        .order_by("name", "pk")
    )
    if not offered:
        return contacts
    membership = membership_of(user)
    if membership is None or not membership.can_write:
        return contacts.none()
    if membership.party_id != meeting.owning_party_id:
        contacts = contacts.filter(unit__party=membership.party_id)
    return contacts


def _commitment_rows(user, meeting, decision, data=None, **kwargs) -> CommitmentRows:
    return CommitmentRows(data, decision=decision, options=_row_choices(user, meeting), **kwargs)


def _row_choices(user, meeting) -> RowChoices:
    parties = agreement_parties(meeting.agreement)
    red = meeting.marking == Marking.RED
    return RowChoices(
        parties=parties,
        units=unit_list().filter(party__in=parties).order_by("party__code", "name", "pk"),
        clauses=clause_visible_to(user).filter(agreement=meeting.agreement_id),
        areas=area_visible_to(user).filter(agreement=meeting.agreement_id).order_by("code"),
        scope=meeting.scope,
        marking=meeting.marking,
        recipients=red_recipient_choices(parties) if red else None,
        red_recipients=tuple(meeting.red_recipients.all()) if red else (),
    )


@signed_in("GET")
def meeting_detail(request, pk):
    return _render_detail(request, get_meeting_for_user(request.user, pk))


def _render_detail(request, meeting, *, status=200, **overrides):
    user = request.user
    writable = can_write(user, meeting)
    parts = meeting_parts(user, meeting)
    contacts = _eligible_contacts(user, meeting)
    context = {
        "meeting": meeting,
        "can_write": writable,
        "took_place": _took_place(meeting),
        "user_zone": user_zone(user),
        "agenda": parts.agenda,
        "attendance": parts.attendance,
        "guests": parts.guests,
        "decisions": parts.decisions,
        "attendance_statuses": AttendanceStatus.choices,
        "attendance_form": overrides.pop("attendance_form", None)
        or AttendanceForm(contacts=contacts),
        "own_contacts": set(contacts.values_list("pk", flat=True)),
        "status_errors": overrides.pop("status_errors", []),
        "conflict": overrides.pop("conflict", None),
        **agenda_rights(user, meeting, parts.agenda),
    }
    if writable:
        context |= _detail_forms(user, meeting, parts.decisions) | overrides
    return render(request, "meetings/meeting_detail.html", context, status=status)


def _detail_forms(user, meeting, decisions) -> dict:
    choices_cache: dict = {}
    for decision in decisions:
        decision.actions = _actions(DECISION_WORKFLOW, DECISION_ACTIONS, decision.status)
        if decision.status == DecisionStatus.OPEN:
            decision.rows = _commitment_rows(user, meeting, decision, cache=choices_cache)
    return {
        "status_actions": _status_actions(meeting),
        "guest_form": GuestForm(),
        "decision_form": DecisionForm(),
        "minutes_form": MinutesForm.of(meeting),
    }


def _posted(request, meeting, form_name: str, form, save, message: str, anchor: str):
    """A form of the meeting page sent: `save(**cleaned_data)`, then back to the page at
    `anchor`; the page again with the form and its errors otherwise (400)."""
    if saved(form, lambda: save(**form.cleaned_data)) is None:
        return _render_detail(request, meeting, status=400, **{form_name: form})
    return done(request, message, detail_url(meeting, anchor))


def _status_changed(request, meeting, form, change, message: str, anchor: str = ""):
    """A status button pressed: `change(**cleaned_data)`, then back to the page; the page
    again saying why not (400), or what someone else changed meanwhile (409)."""
    if not form.is_valid():
        return _render_detail(request, meeting, status=400, status_errors=[_("Choose a status.")])
    try:
        change(**form.cleaned_data)
    except ConflictError as error:
        meeting = get_meeting_for_user(request.user, meeting.public_id)
        changed = conflict(meeting, error.changed)
        return _render_detail(request, meeting, status=409, conflict=changed)
    except ValidationError as error:
        return _render_detail(request, meeting, status=400, status_errors=error.messages)
    return done(request, message, detail_url(meeting, anchor))


@signed_in("POST")
def meeting_status(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    return _status_changed(
        request,
        meeting,
        MeetingStatusForm(request.POST),
        lambda status, version: meetings_services.meeting_change_status(
            actor=request.user, meeting=meeting, status=status, expected_version=version
        ),
        _("The meeting's status is changed."),
    )


@signed_in("POST")
def attendance_set(request, pk):
    """Either party's writers, for the contacts `_eligible_contacts` offers them."""
    meeting = get_meeting_for_user(request.user, pk)
    require_writer(request.user)
    contacts = _eligible_contacts(request.user, meeting, offered=False)
    form = AttendanceForm(request.POST, contacts=contacts)
    save = partial(attendance_services.attendance_set, actor=request.user, meeting=meeting)
    message = _("Attendance is recorded.")
    return _posted(request, meeting, "attendance_form", form, save, message, "attendance")


@signed_in("POST")
def guest_add(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    save = partial(attendance_services.guest_add, actor=request.user, meeting=meeting)
    message = _("The guest is recorded.")
    return _posted(request, meeting, "guest_form", GuestForm(request.POST), save, message, "guests")


@signed_in("POST")
def guest_status(request, pk):
    guest = get_guest_for_user(request.user, pk, write=True)
    meeting = get_meeting_for_user(request.user, guest.meeting.public_id)
    return _status_changed(
        request,
        meeting,
        GuestStatusForm(request.POST),
        partial(attendance_services.guest_set_status, actor=request.user, guest=guest),
        _("Attendance is recorded."),
        "guests",
    )


@signed_in("POST")
def guest_remove(request, pk):
    guest = get_guest_for_user(request.user, pk, write=True)
    meeting = guest.meeting
    attendance_services.guest_remove(actor=request.user, guest=guest)
    return done(request, _("The guest is removed."), detail_url(meeting, "guests"))


@signed_in("POST")
def minutes_edit(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = MinutesForm.of(meeting, request.POST)

    def record():
        version = form.cleaned_data["version"]
        minutes = form.changes(meeting)
        return meetings_services.minutes_record(
            actor=request.user, meeting=meeting, minutes=minutes, expected_version=version
        )

    try:
        updated = saved(form, record, {"meeting": "minutes"})
    except ConflictError as error:
        meeting = get_meeting_for_user(request.user, pk)
        form = rebound(form, error.current_version, reference_language=meeting.reference_language)
        changed = conflict(meeting, error.changed)
        return _render_detail(request, meeting, status=409, minutes_form=form, conflict=changed)
    if updated is None:
        return _render_detail(request, meeting, status=400, minutes_form=form)
    return done(request, _("The minutes are saved."), detail_url(meeting, "minutes"))


@signed_in("POST")
def decision_create(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    save = partial(decisions_services.decision_record, actor=request.user, meeting=meeting)
    message = _("The decision is recorded.")
    return _posted(
        request, meeting, "decision_form", DecisionForm(request.POST), save, message, "decisions"
    )


@signed_in("POST")
def decision_status(request, pk):
    decision = get_decision_for_user(request.user, pk, write=True)
    return _status_changed(
        request,
        get_meeting_for_user(request.user, decision.meeting.public_id),
        DecisionStatusForm(request.POST),
        partial(decisions_services.decision_change_status, actor=request.user, decision=decision),
        _("The decision's status is changed."),
        "decisions",
    )


@signed_in("GET", "POST")
def decision_commitments(request, pk):
    """Turn a decision into one or more commitments in one step (all or nothing)."""
    decision = get_decision_for_user(request.user, pk, write=True)
    meeting = get_meeting_for_user(request.user, decision.meeting.public_id)
    if request.method == "GET":
        rows = _commitment_rows(request.user, meeting, decision)
        return _render_rows(request, meeting, decision, rows)
    rows = _commitment_rows(request.user, meeting, decision, request.POST)
    if "add_row" in request.POST:
        initial, count = rows.with_extra_row()
        rows = _commitment_rows(request.user, meeting, decision, initial=initial, rows=count)
        return _render_rows(request, meeting, decision, rows)
    if rows.is_valid():
        try:
            created = decisions_services.decision_to_commitments(
                actor=request.user,
                decision=decision,
                commitments=rows.specs(reference_language=meeting.reference_language),
            )
        except ValidationError as error:
            rows.apply_errors(error)
        else:
            message = ngettext(
                "%(count)d commitment was created from decision %(number)d.",
                "%(count)d commitments were created from decision %(number)d.",
                len(created),
            ) % {"count": len(created), "number": decision.number}
            return done(request, message, decision.get_absolute_url())
    return _render_rows(request, meeting, decision, rows, status=400)


def _render_rows(request, meeting, decision, rows, *, status=200):
    context = {"meeting": meeting, "decision": decision, "rows": rows}
    return render(request, "meetings/decision_commitments.html", context, status=status)
