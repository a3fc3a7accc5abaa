"""A user's preferences: the language of the interface and the time zone times are shown
in, each with its default (the browser's language; the party's time zone).

`preferred_zone` is the one answer to "in which zone does this user read times"; the
preferences middleware activates it, and the language, on every request.
"""

import zoneinfo

from entente.accounts.models import Profile
from entente.audit.services import audit_record, write_transaction
from entente.core.access import membership_of
from entente.core.validation import refuse_unknown_changes, validate_instance

DEFAULT_ZONE = zoneinfo.ZoneInfo("UTC")


def profile_of(user) -> Profile | None:
    """The user's saved preferences; None while they have never saved any."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def party_zone_name(user) -> str | None:
    membership = membership_of(user)
    return membership.party.time_zone if membership else None


def preferred_zone(user) -> zoneinfo.ZoneInfo:
    """The zone the user reads times in: their own choice, else their party's, else UTC."""
    profile = profile_of(user)
    for name in ((profile.time_zone if profile else ""), party_zone_name(user)):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return DEFAULT_ZONE


def preferred_language(user) -> str:
    """The user's chosen interface language; "" when they leave it to their browser."""
    profile = profile_of(user)
    return profile.language if profile else ""


def profile_update(*, actor, **changes) -> Profile:
    """Save the actor's own preferences (`language`, `time_zone`; "" for the default)."""
    refuse_unknown_changes(changes, {"language", "time_zone"})
    with write_transaction():
        profile, _created = Profile.objects.select_for_update(no_key=True).get_or_create(user=actor)
        before = {name: getattr(profile, name) for name in changes}
        for name, value in changes.items():
            setattr(profile, name, value)
        validate_instance(profile)
        if before != changes:
            profile.save()
            audit_record(
                actor=actor, action="preferences", target=profile, before=before, after=changes
            )
    return profile
