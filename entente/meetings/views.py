"""The meeting pages: list, schedule, edit, and the meeting loop on a meeting's page.

Records come only through the selectors (`meeting_visible_to`, `get_meeting_for_user`,
...), so another party's internal meeting answers 404 and a visible meeting the user
may not change answers 403. Writes go through the services; their ValidationErrors
are put next to the field they name, and a stale version re-renders the form with
what changed instead of overwriting it.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from modeltranslation.translator import translator

from entente.accounts.models import Party
from entente.accounts.selectors import contact_visible_to
from entente.agreements.selectors import (
    agreement_visible_to,
    area_visible_to,
    commitment_visible_to,
    get_agreement_for_user,
    require_party_to,
)
from entente.core.access import can_write, membership_of, require_writer
from entente.core.enums import Language
from entente.core.errors import ConflictError, ValidationError
from entente.meetings import services
from entente.meetings.enums import MEETING_TRANSITIONS, DecisionStatus, MeetingStatus
from entente.meetings.filters import DEFAULT_ORDER, MeetingFilter
from entente.meetings.forms import (
    LOCAL_INPUT_FORMAT,
    AgendaItemForm,
    AttendanceForm,
    CarryOverForm,
    CommitmentRows,
    DecisionForm,
    DecisionStatusForm,
    MeetingForm,
    MeetingStatusForm,
    MinutesForm,
    apply_errors,
)
from entente.meetings.models import Meeting
from entente.meetings.selectors import (
    agenda_item_visible_to,
    attendance_visible_to,
    decision_visible_to,
    get_decision_for_user,
    get_meeting_for_user,
    meeting_carry_over_candidates,
    meeting_visible_to,
)

PAGE_SIZE = 25


# --- helpers ----------------------------------------------------------------------------


def _url_or_none(name: str, *args) -> str | None:
    # Pages of other apps are linked once they exist.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _detail_url(meeting) -> str:
    return reverse("meetings:meeting-detail", args=[meeting.pk])


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def _agreement_parties(agreement):
    # Parties are public records; these are the ones of this agreement.
    return Party.objects.filter(agreement_roles__agreement=agreement).order_by("code")


def _eligible_contacts(user, meeting):
    """Directory contacts the user may see, of the parties to the meeting's agreement."""
    return (
        contact_visible_to(user)
        .filter(unit__party__agreement_roles__agreement=meeting.agreement_id)
        .select_related("unit__party")
        .order_by("name", "pk")
    )


def _user_zone(user) -> str | None:
    membership = membership_of(user)
    return membership.party.time_zone if membership else None


def _local_input(value: dt.datetime, zone: str) -> str:
    return timezone.localtime(value, ZoneInfo(zone)).strftime(LOCAL_INPUT_FORMAT)


def _describe_changes(meeting: Meeting, changed: dict) -> list[tuple[str, str]]:
    """What someone else changed, as (field label, current value) for the conflict note."""
    rows = []
    # The untranslated column only mirrors one language; the per-language ones say it.
    mirrored = set(translator.get_options_for_model(Meeting).all_fields)
    for name, value in changed.items():
        field_name = name.removesuffix("_id")
        if field_name in mirrored:
            continue
        try:
            field = Meeting._meta.get_field(field_name)
        except FieldDoesNotExist:
            continue
        if field.is_relation and value is not None:
            value = str(field.related_model._default_manager.filter(pk=value).first() or value)
        elif field_name in ("starts_at", "ends_at") and value:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            value = timezone.localtime(parsed, ZoneInfo(meeting.time_zone)).strftime(
                "%Y-%m-%d %H:%M"
            )
        elif field.choices:
            value = dict(field.flatchoices).get(value, value)
        rows.append((str(field.verbose_name), "" if value is None else str(value)))
    return rows


def _changed_texts(record, name: str, values: dict[str, str]) -> dict[str, str]:
    """Only the languages the user changed: an untouched empty translation stays as it is."""
    return {
        code: text
        for code, text in values.items()
        if text != (getattr(record, f"{name}_{code}") or "")
    }


def _with_version(data, version: int):
    data = data.copy()
    data["version"] = str(version)
    return data


# --- list -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def meeting_list(request):
    queryset = meeting_visible_to(request.user).order_by(*DEFAULT_ORDER)
    filterset = MeetingFilter(request.GET or None, queryset=queryset, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "filter": filterset,
            "page": page,
            "user_zone": _user_zone(request.user),
            "schedulable": _schedulable_agreements(request.user),
        },
    )


def _schedulable_agreements(user):
    """Agreements under which the user may schedule a meeting (writers of a party)."""
    membership = membership_of(user)
    if membership is None or not membership.can_write:
        return []
    return list(
        agreement_visible_to(user)
        .filter(agreement_parties__party=membership.party_id)
        .prefetch_related(None)
        .order_by("title")
    )


# --- create and edit --------------------------------------------------------------------


def _meeting_form_choices(agreement) -> dict:
    parties = _agreement_parties(agreement)
    return {"parties": parties, "zones": [p.time_zone for p in parties]}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, agreement_pk):
    agreement = get_agreement_for_user(request.user, agreement_pk)
    membership = require_writer(request.user)
    require_party_to(request.user, agreement)
    choices = _meeting_form_choices(agreement)
    recipients = (
        get_user_model()
        .objects.filter(membership__party__in=choices["parties"], is_active=True)
        .select_related("membership__party")
        .order_by("username")
    )
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in Language.values else "en"
    initial = {
        "time_zone": membership.party.time_zone,
        "host_party": membership.party_id,
        "reference_language": language,
    }
    form = MeetingForm(request.POST or None, initial=initial, recipients=recipients, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user,
                agreement=agreement,
                title=form.titles(),
                reference_language=data["reference_language"],
                scope=data["scope"],
                marking=data["marking"],
                red_recipients=data["red_recipients"],
                **form.schedule(),
            )
        except ValidationError as error:
            apply_errors(form, _error_dict(error), {"title": f"title_{data['reference_language']}"})
        else:
            messages.success(request, _("The meeting is scheduled."))
            return HttpResponseRedirect(_detail_url(meeting))
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "agreement": agreement, "meeting": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    choices = _meeting_form_choices(meeting.agreement)
    choices["zones"].append(meeting.time_zone)
    initial = {
        "kind": meeting.kind,
        "starts_at": _local_input(meeting.starts_at, meeting.time_zone),
        "ends_at": _local_input(meeting.ends_at, meeting.time_zone),
        "time_zone": meeting.time_zone,
        "host_party": meeting.host_party_id,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "version": meeting.version,
    } | {f"title_{code}": getattr(meeting, f"title_{code}") or "" for code in Language.values}
    form = MeetingForm(request.POST or None, initial=initial, editing=True, **choices)
    conflict = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_update(
                actor=request.user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
                **_title_change(meeting, form),
                **form.schedule(),
            )
        except ConflictError as error:
            conflict = _describe_changes(meeting, error.changed)
            form = MeetingForm(
                _with_version(request.POST, error.current_version), editing=True, **choices
            )
            form.is_valid()
            status = 409
        except ValidationError as error:
            apply_errors(form, _error_dict(error), {"title": f"title_{meeting.reference_language}"})
        else:
            messages.success(request, _("The meeting is saved."))
            return HttpResponseRedirect(_detail_url(meeting))
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "agreement": meeting.agreement, "meeting": meeting, "conflict": conflict},
        status=status,
    )


def _title_change(meeting, form) -> dict:
    titles = _changed_texts(meeting, "title", form.titles())
    return {"title": titles} if titles else {}


# --- the meeting page -------------------------------------------------------------------

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


def _took_place(meeting: Meeting) -> bool:
    return meeting.status != MeetingStatus.CANCELLED and meeting.starts_at <= timezone.now()


@login_required
@require_http_methods(["GET"])
def meeting_detail(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    return _render_detail(request, meeting)


def _decisions(user, meeting):
    decisions = list(
        decision_visible_to(user)
        .filter(meeting=meeting)
        .order_by("number")
        .prefetch_related(
            # Only the commitments the user may see: a shared decision can have given
            # rise to an internal commitment of its party.
            Prefetch(
                "commitments",
                queryset=commitment_visible_to(user).order_by("pk"),
                to_attr="visible_commitments",
            )
        )
    )
    for decision in decisions:
        for commitment in decision.visible_commitments:
            commitment.url = _url_or_none("agreements:commitment-detail", commitment.pk)
    return decisions


def _commitment_rows(user, meeting, decision, data=None, **kwargs) -> CommitmentRows:
    return CommitmentRows(
        data,
        decision=decision,
        parties=_agreement_parties(meeting.agreement),
        areas=area_visible_to(user).filter(agreement=meeting.agreement_id).order_by("code"),
        default_scope=meeting.scope,
        **kwargs,
    )


def _render_detail(request, meeting, *, status=200, **overrides):
    user = request.user
    writable = can_write(user, meeting)
    decisions = _decisions(user, meeting)
    context = {
        "meeting": meeting,
        "can_write": writable,
        "took_place": _took_place(meeting),
        "user_zone": _user_zone(user),
        "agreement_url": _url_or_none("agreements:agreement-detail", meeting.agreement_id),
        "history_url": _url_or_none("audit:record-trail", "meetings.meeting", meeting.pk),
        "agenda": agenda_item_visible_to(user).filter(meeting=meeting).order_by("position"),
        "attendance": attendance_visible_to(user)
        .filter(meeting=meeting)
        .order_by("contact__name", "pk"),
        "decisions": decisions,
        "status_errors": overrides.pop("status_errors", []),
        "conflict": overrides.pop("conflict", None),
    }
    if writable:
        context |= _detail_forms(request, meeting, decisions, overrides)
    return render(request, "meetings/meeting_detail.html", context, status=status)


def _detail_forms(request, meeting, decisions, overrides) -> dict:
    user = request.user
    choices_cache: dict = {}
    for decision in decisions:
        decision.actions = _decision_actions(decision)
        if decision.status == DecisionStatus.OPEN:
            decision.rows = _commitment_rows(user, meeting, decision, choices=choices_cache)
    forms = {
        "status_actions": [
            (value, STATUS_ACTIONS[value]) for value in sorted(MEETING_TRANSITIONS[meeting.status])
        ],
        "attendance_statuses": AttendanceForm.base_fields["status"].choices,
        "attendance_form": AttendanceForm(contacts=_eligible_contacts(user, meeting)),
        "decision_form": DecisionForm(),
        "minutes_form": _minutes_form(meeting),
    }
    return forms | overrides


def _decision_actions(decision) -> list:
    return [
        (value, DECISION_ACTIONS[value])
        for value in sorted(services.DECISION_TRANSITIONS[decision.status])
    ]


def _minutes_form(meeting, data=None) -> MinutesForm:
    initial = {"version": meeting.version} | {
        f"minutes_{code}": getattr(meeting, f"minutes_{code}") or "" for code in Language.values
    }
    return MinutesForm(data, initial=initial, reference_language=meeting.reference_language)


@login_required
@require_POST
def meeting_status(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = MeetingStatusForm(request.POST)
    if not form.is_valid():
        errors = [_("Choose a status.")]
        return _render_detail(request, meeting, status=400, status_errors=errors)
    try:
        services.meeting_change_status(
            actor=request.user,
            meeting=meeting,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except ConflictError as error:
        meeting = get_meeting_for_user(request.user, pk)
        conflict = _describe_changes(meeting, error.changed)
        return _render_detail(request, meeting, status=409, conflict=conflict)
    except ValidationError as error:
        errors = [m for messages_ in _error_dict(error).values() for m in messages_]
        return _render_detail(request, meeting, status=400, status_errors=errors)
    messages.success(request, _("The meeting's status is changed."))
    return HttpResponseRedirect(_detail_url(meeting))


@login_required
@require_POST
def attendance_set(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = AttendanceForm(request.POST, contacts=_eligible_contacts(request.user, meeting))
    if form.is_valid():
        try:
            services.attendance_set(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, _error_dict(error))
        else:
            messages.success(request, _("Attendance is recorded."))
            return HttpResponseRedirect(_detail_url(meeting) + "#attendance")
    return _render_detail(request, meeting, status=400, attendance_form=form)


@login_required
@require_POST
def minutes_edit(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = _minutes_form(meeting, request.POST)
    if not form.is_valid():
        return _render_detail(request, meeting, status=400, minutes_form=form)
    try:
        services.minutes_record(
            actor=request.user,
            meeting=meeting,
            minutes=_changed_texts(meeting, "minutes", form.minutes()),
            expected_version=form.cleaned_data["version"],
        )
    except ConflictError as error:
        meeting = get_meeting_for_user(request.user, pk)
        form = _minutes_form(meeting, _with_version(request.POST, error.current_version))
        conflict = _describe_changes(meeting, error.changed)
        return _render_detail(request, meeting, status=409, minutes_form=form, conflict=conflict)
    except ValidationError as error:
        apply_errors(form, _error_dict(error), {"meeting": "minutes"})
        return _render_detail(request, meeting, status=400, minutes_form=form)
    messages.success(request, _("The minutes are saved."))
    return HttpResponseRedirect(_detail_url(meeting) + "#minutes")


@login_required
@require_POST
def decision_create(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision_record(
                actor=request.user, meeting=meeting, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            apply_errors(form, _error_dict(error))
        else:
            messages.success(request, _("The decision is recorded."))
            return HttpResponseRedirect(_detail_url(meeting) + "#decisions")
    return _render_detail(request, meeting, status=400, decision_form=form)


@login_required
@require_POST
def decision_status(request, pk):
    decision = get_decision_for_user(request.user, pk, write=True)
    meeting = get_meeting_for_user(request.user, decision.meeting_id)
    form = DecisionStatusForm(request.POST)
    errors = [_("Choose a status.")]
    if form.is_valid():
        try:
            services.decision_change_status(
                actor=request.user, decision=decision, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            errors = [m for messages_ in _error_dict(error).values() for m in messages_]
        else:
            messages.success(request, _("The decision's status is changed."))
            return HttpResponseRedirect(_detail_url(meeting) + "#decisions")
    return _render_detail(request, meeting, status=400, status_errors=errors)


@login_required
@require_http_methods(["GET", "POST"])
def decision_commitments(request, pk):
    """Turn a decision into one or more commitments in one step (all or nothing)."""
    decision = get_decision_for_user(request.user, pk, write=True)
    meeting = get_meeting_for_user(request.user, decision.meeting_id)
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
            created = services.decision_to_commitments(
                actor=request.user,
                decision=decision,
                commitments=rows.specs(reference_language=meeting.reference_language),
            )
        except ValidationError as error:
            rows.apply_errors(_error_dict(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d commitment was created from decision %(number)d.",
                    "%(count)d commitments were created from decision %(number)d.",
                    len(created),
                )
                % {"count": len(created), "number": decision.number},
            )
            return HttpResponseRedirect(_detail_url(meeting) + f"#decision-{decision.pk}")
    return _render_rows(request, meeting, decision, rows, status=400)


def _render_rows(request, meeting, decision, rows, *, status=200):
    return render(
        request,
        "meetings/decision_commitments.html",
        {"meeting": meeting, "decision": decision, "rows": rows},
        status=status,
    )


# --- agenda -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def meeting_agenda(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    return _render_agenda(request, meeting)


def _render_agenda(request, meeting, *, status=200, **overrides):
    user = request.user
    writable = can_write(user, meeting)
    context = {
        "meeting": meeting,
        "can_write": writable,
        "agenda": agenda_item_visible_to(user).filter(meeting=meeting).order_by("position"),
    }
    if writable:
        candidates = meeting_carry_over_candidates(user, meeting)
        context |= {
            "item_form": AgendaItemForm(),
            "carry_form": CarryOverForm(candidates=candidates),
        } | overrides
    return render(request, "meetings/meeting_agenda.html", context, status=status)


@login_required
@require_POST
def agenda_add(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, _error_dict(error))
        else:
            messages.success(request, _("The item is on the agenda."))
            return HttpResponseRedirect(reverse("meetings:meeting-agenda", args=[meeting.pk]))
    return _render_agenda(request, meeting, status=400, item_form=form)


@login_required
@require_POST
def agenda_carry_over(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    candidates = meeting_carry_over_candidates(request.user, meeting)
    form = CarryOverForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            items = services.agenda_carry_over(
                actor=request.user,
                meeting=meeting,
                commitments=form.cleaned_data["commitments"],
                decisions=form.cleaned_data["decisions"],
            )
        except ValidationError as error:
            apply_errors(form, _error_dict(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d item was carried over to the agenda.",
                    "%(count)d items were carried over to the agenda.",
                    len(items),
                )
                % {"count": len(items)},
            )
            return HttpResponseRedirect(reverse("meetings:meeting-agenda", args=[meeting.pk]))
    return _render_agenda(request, meeting, status=400, carry_form=form)
