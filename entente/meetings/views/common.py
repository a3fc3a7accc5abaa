"""What the meeting pages share: where a meeting's page is, conflicts, time zones."""

from django.utils import timezone
from modeltranslation.translator import translator

from entente.accounts.models import Party
from entente.core.access import membership_of
from entente.core.pages import conflict_rows
from entente.meetings.models import Meeting


def detail_url(meeting: Meeting, anchor: str = "") -> str:
    return f"{meeting.get_absolute_url()}#{anchor}" if anchor else meeting.get_absolute_url()


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
