"""What the meeting pages share: where a meeting's page is, saving a form, conflicts."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils import timezone
from modeltranslation.translator import translator

from entente.accounts.models import Party
from entente.core.access import membership_of
from entente.core.errors import ValidationError
from entente.core.pages import apply_errors, conflict_rows
from entente.meetings.models import Meeting

T = TypeVar("T")


def detail_url(meeting: Meeting, anchor: str = "") -> str:
    return f"{meeting.get_absolute_url()}#{anchor}" if anchor else meeting.get_absolute_url()


def saved(form: forms.Form, save: Callable[[], T], aliases=None) -> T | None:
    """What `save` (the service call) returns when the form is valid and the service
    accepts it; None otherwise, the service's refusal put on the form."""
    if not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as error:
        apply_errors(form, error, aliases)
        return None


def done(request, message: str, url: str) -> HttpResponseRedirect:
    messages.success(request, message)
    return HttpResponseRedirect(url)


def conflict(meeting: Meeting, changed: dict) -> list[dict[str, str]]:
    """What someone else changed, times on the meeting's clock. The untranslated columns
    only mirror one language; the per-language ones say it."""
    mirrored = translator.get_options_for_model(Meeting).all_fields
    with timezone.override(meeting.time_zone):
        return conflict_rows(meeting, {k: v for k, v in changed.items() if k not in mirrored})


def agreement_parties(agreement):
    # Parties are public records; these are the ones of this agreement.
    return Party.objects.filter(agreement_roles__agreement=agreement).order_by("code")


def user_zone(user) -> str | None:
    membership = membership_of(user)
    return membership.party.time_zone if membership else None
