"""The meeting list, and the forms that schedule and edit a meeting."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from entente.agreements.selectors import (
    agreement_visible_to,
    get_agreement_for_user,
    require_party_to,
)
from entente.core.access import membership_of
from entente.core.enums import Language
from entente.core.errors import ConflictError
from entente.core.filters import menu_of
from entente.core.models import Handling
from entente.core.pages import done, rebound, saved, signed_in
from entente.core.pagination import page_of
from entente.meetings.filters import meeting_filter
from entente.meetings.forms import MeetingForm
from entente.meetings.selectors import get_meeting_for_user
from entente.meetings.services import meetings as meetings_services
from entente.meetings.views.common import (
    agreement_parties,
    conflict,
    detail_url,
    red_recipient_choices,
    user_zone,
)


@signed_in("GET")
def meeting_list(request):
    filterset = meeting_filter(request.GET, request)
    context = {
        "filter": filterset,
        "page": page_of(request, filterset.qs),
        "user_zone": user_zone(request.user),
        "schedulable": _schedulable_agreements(request.user),
    }
    return render(request, "meetings/meeting_list.html", context)


def _schedulable_agreements(user) -> dict:
    """Agreements under which the user may schedule a meeting (writers of a party)."""
    membership = membership_of(user)
    if membership is None or not membership.can_write:
        return menu_of([])
    return menu_of(
        agreement_visible_to(user)
        .filter(agreement_parties__party=membership.party_id)
        .prefetch_related(None)
        .order_by("title")
    )


def _form_choices(agreement, *zones: str) -> dict:
    parties = agreement_parties(agreement)
    return {"parties": parties, "zones": [*(p.time_zone for p in parties), *zones]}


def _render_form(request, form, agreement, meeting=None, *, conflict=None, status=200):
    context = {"form": form, "agreement": agreement, "meeting": meeting, "conflict": conflict}
    return render(request, "meetings/meeting_form.html", context, status=status)


@signed_in("GET", "POST")
def meeting_create(request, agreement_pk):
    agreement = get_agreement_for_user(request.user, agreement_pk)
    membership = require_party_to(request.user, agreement)
    choices = _form_choices(agreement)
    recipients = red_recipient_choices(choices["parties"])
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in Language.values else "en"
    initial = {
        "time_zone": membership.party.time_zone,
        "host_party": membership.party_id,
        "reference_language": language,
    }
    form = MeetingForm(request.POST or None, initial=initial, recipients=recipients, **choices)
    if request.method == "POST":
        meeting = saved(
            form,
            lambda: meetings_services.meeting_create(
                actor=request.user,
                agreement=agreement,
                title=form.titles(),
                reference_language=form.cleaned_data["reference_language"],
                handling=Handling.pop_from(dict(form.cleaned_data)),
                **form.schedule(),
            ),
            {"title": f"title_{form['reference_language'].value()}"},
        )
        if meeting is not None:
            return done(request, _("The meeting is scheduled."), detail_url(meeting))
    return _render_form(request, form, agreement, status=400 if form.errors else 200)


@signed_in("GET", "POST")
def meeting_edit(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    choices = _form_choices(meeting.agreement, meeting.time_zone) | {"editing": True}
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_for(meeting), **choices)
    if request.method != "POST":
        return _render_form(request, form, meeting.agreement, meeting)
    try:
        updated = saved(
            form,
            lambda: meetings_services.meeting_update(
                actor=request.user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
                **form.changes(meeting),
            ),
            {"title": f"title_{meeting.reference_language}"},
        )
    except ConflictError as error:
        meeting = get_meeting_for_user(request.user, pk)
        form = rebound(form, error.current_version, **choices)
        changed = conflict(meeting, error.changed)
        return _render_form(request, form, meeting.agreement, meeting, conflict=changed, status=409)
    if updated is None:
        return _render_form(request, form, meeting.agreement, meeting, status=400)
    return done(request, _("The meeting is saved."), detail_url(updated))
