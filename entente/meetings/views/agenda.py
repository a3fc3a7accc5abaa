"""A meeting's agenda: its items, adding one, and carrying over what is still open."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.core.access import can_write
from entente.core.pages import done, saved, signed_in
from entente.meetings import services
from entente.meetings.forms import AgendaItemForm, CarryOverForm
from entente.meetings.selectors import (
    agenda_item_visible_to,
    get_meeting_for_user,
    meeting_carry_over_candidates,
)


def _agenda_url(meeting) -> str:
    return reverse("meetings:meeting-agenda", args=[meeting.public_id])


@signed_in("GET")
def meeting_agenda(request, pk):
    return _render_agenda(request, get_meeting_for_user(request.user, pk))


def _render_agenda(request, meeting, *, status=200, **overrides):
    agenda = agenda_item_visible_to(request.user).filter(meeting=meeting)
    context = {
        "meeting": meeting,
        "can_write": can_write(request.user, meeting),
        "agenda": agenda.order_by("position"),
    }
    if context["can_write"]:
        candidates = meeting_carry_over_candidates(request.user, meeting)
        context |= {
            "item_form": AgendaItemForm(),
            "carry_form": CarryOverForm(candidates=candidates),
        } | overrides
    return render(request, "meetings/meeting_agenda.html", context, status=status)


@signed_in("POST")
def agenda_add(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = AgendaItemForm(request.POST)
    item = saved(
        form,
        lambda: services.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data),
    )
    if item is None:
        return _render_agenda(request, meeting, status=400, item_form=form)
    return done(request, _("The item is on the agenda."), _agenda_url(meeting))


@signed_in("POST")
def agenda_carry_over(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    candidates = meeting_carry_over_candidates(request.user, meeting)
    form = CarryOverForm(request.POST, candidates=candidates)
    items = saved(
        form,
        lambda: services.agenda_carry_over(
            actor=request.user, meeting=meeting, **form.cleaned_data
        ),
    )
    if items is None:
        return _render_agenda(request, meeting, status=400, carry_form=form)
    message = ngettext(
        "%(count)d item was carried over to the agenda.",
        "%(count)d items were carried over to the agenda.",
        len(items),
    ) % {"count": len(items)}
    return done(request, message, _agenda_url(meeting))
