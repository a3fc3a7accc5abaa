"""Template context every page of the web UI needs: the main navigation and the
signed-in user's membership."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entente.core.access import membership_of

# (label, URL name of the entry, what the current page's URL name starts with when it
# belongs to that entry). The audit trail, tokens and sign-in pages belong to none.
NAVIGATION = [
    (_("Dashboard"), "reports:dashboard", "reports:dashboard"),
    (_("Portfolio"), "reports:agreement-list", "reports:agreement-"),
    (_("Commitments"), "agreements:commitment-list", "agreements:commitment-"),
    (_("Meetings"), "meetings:meeting-list", "meetings:"),
    (_("Trainings"), "training:training-list", "training:"),
    (_("Requests"), "liaison:request-list", "liaison:"),
    (_("Calendar"), "reports:calendar", "reports:calendar"),
    (_("Directory"), "directory:party-list", "directory:"),
]


def navigation(request):
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    items = [
        {
            "label": label,
            "href": reverse(url_name),
            "current": current.startswith(section),
        }
        for label, url_name, section in NAVIGATION
    ]
    return {"main_nav": items, "membership": membership_of(getattr(request, "user", None))}
