"""What the meeting pages share: where a meeting's page is, conflicts, time zones."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from modeltranslation.translator import translator

from entente.accounts.models import Party
from entente.accounts.preferences import preferred_zone
from entente.core.access import membership_of
from entente.core.pages import conflict_rows
from entente.meetings.enums import MeetingStatus
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


def red_recipient_choices(parties):
    """Who may be named a TLP:RED recipient of a meeting's record: the active users of
    the agreement's `parties` (the services refuse anyone else)."""
    return (
        get_user_model()
        .objects.filter(membership__party__in=parties, is_active=True)
        .select_related("membership__party")
        .order_by("username")
    )


def user_zone(user) -> str:
    """The name of the zone the user reads times in (their own choice or their party's)."""
    return preferred_zone(user).key


def agenda_rights(user, meeting: Meeting, agenda) -> dict:
    """What `user` may do with a meeting's agenda, offered only while it is planned (the
    services refuse it afterwards): propose (any writer who sees the meeting), order it
    and carry items over (the meeting's own writers) and, per item (`item.editable`),
    edit or remove their party's own items."""
    membership = membership_of(user)
    writer = membership is not None and membership.can_write
    planned = meeting.status == MeetingStatus.PLANNED
    for item in agenda:
        item.editable = planned and writer and item.owning_party_id == membership.party_id
    return {
        "can_propose": planned and writer,
        "can_order": planned and writer and meeting.owning_party_id == membership.party_id,
        "agenda_planned": planned,
    }
