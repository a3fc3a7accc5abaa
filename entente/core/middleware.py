import zoneinfo

from django.utils import timezone

from entente.core.access import membership_of


class PartyTimeZoneMiddleware:
    """Show every time in the signed-in user's party's time zone (Casablanca, Amsterdam);
    pages that also show another zone (a meeting's own) do so explicitly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = membership_of(getattr(request, "user", None))
        try:
            zone = zoneinfo.ZoneInfo(membership.party.time_zone) if membership else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
