"""A meeting's agenda: its items, proposing one, editing, removing and ordering them,
and carrying over what is still open."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.core.access import can_write, require_writer
from entente.core.pages import done, form_page, form_shown, saved, signed_in
from entente.meetings.forms import AgendaItemEditForm, AgendaItemForm, AgendaMoveForm, CarryOverForm
from entente.meetings.selectors import (
    agenda_item_visible_to,
    get_agenda_item_for_user,
    get_meeting_for_user,
    meeting_carry_over_candidates,
)
from entente.meetings.services import agenda as agenda_services
from entente.meetings.views.common import agenda_rights, detail_url


@signed_in("GET")
def meeting_agenda(request, pk):
    return _render_agenda(request, get_meeting_for_user(request.user, pk))


def _render_agenda(request, meeting, *, status=200, **overrides):
    agenda = list(agenda_item_visible_to(request.user).filter(meeting=meeting).order_by("position"))
    rights = agenda_rights(request.user, meeting, agenda)
    context = {"meeting": meeting, "agenda": agenda, **rights}
    if rights["can_propose"]:
        context["item_form"] = AgendaItemForm(meeting=meeting)
    if rights["can_order"] and can_write(request.user, meeting):
        candidates = meeting_carry_over_candidates(request.user, meeting)
        context["carry_form"] = CarryOverForm(candidates=candidates)
    return render(request, "meetings/meeting_agenda.html", context | overrides, status=status)


def _agenda_form_posted(request, meeting, form, form_name: str, service, message):
    """`service(actor, meeting, **the form's data)`; back to the agenda saying
    `message(result)`, or the agenda again with the form (as `form_name`) and its errors."""
    result = saved(form, lambda: service(actor=request.user, meeting=meeting, **form.cleaned_data))
    if result is None:
        return _render_agenda(request, meeting, status=400, **{form_name: form})
    return done(
        request, message(result), reverse("meetings:meeting-agenda", args=[meeting.public_id])
    )


@signed_in("POST")
def agenda_add(request, pk):
    """Propose an item: any writer who sees the meeting."""
    meeting = get_meeting_for_user(request.user, pk)
    require_writer(request.user)
    form = AgendaItemForm(request.POST, meeting=meeting)
    return _agenda_form_posted(
        request,
        meeting,
        form,
        "item_form",
        agenda_services.agenda_item_add,
        lambda _item: _("The item is on the agenda."),
    )


@signed_in("POST")
def agenda_carry_over(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    candidates = meeting_carry_over_candidates(request.user, meeting)
    form = CarryOverForm(request.POST, candidates=candidates)

    def message(items):
        return ngettext(
            "%(count)d item was carried over to the agenda.",
            "%(count)d items were carried over to the agenda.",
            len(items),
        ) % {"count": len(items)}

    return _agenda_form_posted(
        request, meeting, form, "carry_form", agenda_services.agenda_carry_over, message
    )


@signed_in("GET", "POST")
def agenda_item_edit(request, pk):
    """Change the title or notes of an item of one's own party."""
    item = get_agenda_item_for_user(request.user, pk, write=True)
    form = AgendaItemEditForm.of(item, request.POST if request.method == "POST" else None)

    def update():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return agenda_services.agenda_item_update(
            actor=request.user, item=item, expected_version=version, **data
        )

    def show(form, *, status=None):
        template = "meetings/agenda_item_edit.html"
        return form_shown(request, template, form, status, meeting=item.meeting, item=item)

    stale = _("Someone else changed this item meanwhile; check it and save again.")
    url = detail_url(item.meeting, "agenda")
    message = _("The agenda item is saved.")
    return form_page(request, form, update, show, message=message, url=url, stale=stale)


@signed_in("POST")
def agenda_item_remove(request, pk):
    item = get_agenda_item_for_user(request.user, pk, write=True)
    meeting = item.meeting
    try:
        agenda_services.agenda_item_remove(actor=request.user, item=item)
    except ValidationError as error:
        return _render_agenda(request, meeting, status=400, agenda_errors=error.messages)
    return done(request, _("The item is off the agenda."), detail_url(meeting, "agenda"))


@signed_in("POST")
def agenda_item_move(request, pk):
    """Move an item among those the host's writer sees; the service says who may."""
    item = get_agenda_item_for_user(request.user, pk)
    meeting = get_meeting_for_user(request.user, item.meeting.public_id, write=True)
    form = AgendaMoveForm(request.POST)
    moved = saved(
        form,
        lambda: agenda_services.agenda_item_move(
            actor=request.user, item=item, position=form.cleaned_data["position"]
        ),
    )
    if moved is None:
        errors = [message for messages in form.errors.values() for message in messages]
        return _render_agenda(request, meeting, status=400, agenda_errors=errors)
    return done(request, _("The agenda is reordered."), detail_url(meeting, "agenda"))
