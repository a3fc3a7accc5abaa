"""Template context every page of the web UI needs: the main navigation and the
signed-in user's membership."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from entente.core.access import membership_of

# (label, URL name, path used until that URL name exists). The pages behind most of
# these entries are still being written; each entry switches to its named URL as soon
# as the app that owns it registers the name, with no change here.
NAVIGATION = [
    (_("Dashboard"), "reports:dashboard", "/"),
    (_("Portfolio"), "agreements:agreement-list", "/agreements/"),
    (_("Commitments"), "agreements:commitment-list", "/commitments/"),
    (_("Meetings"), "meetings:meeting-list", "/meetings/"),
    (_("Trainings"), "training:training-list", "/trainings/"),
    (_("Requests"), "liaison:request-list", "/requests/"),
    (_("Calendar"), "reports:calendar", "/calendar/"),
]


def _href(url_name: str, fallback: str) -> str:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return fallback


def _is_current(href: str, path: str) -> bool:
    if href == "/":
        return path == "/"
    return path.startswith(href)


def navigation(request):
    path = request.path
    items = []
    for label, url_name, fallback in NAVIGATION:
        href = _href(url_name, fallback)
        items.append({"label": label, "href": href, "current": _is_current(href, path)})
    user = getattr(request, "user", None)
    return {"main_nav": items, "membership": membership_of(user)}
