"""The lockout answer on the sign-in page, and the party administrator's list of locked
members with a button to unlock each (see entente.accounts.lockout)."""

import math

from axes.helpers import get_client_username
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.accounts.lockout import (
    client_address,
    get_member_for_party_admin,
    locked_members,
    locked_until,
    lockout_unlock_user,
    party_admin_membership,
)
from entente.core.pages import signed_in

LOCKED_STATUS = 429  # Too Many Requests


def lockout_message(until) -> str:
    now = timezone.now()
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    message = ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute, after %(time)s (%(zone)s).",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes, after %(time)s (%(zone)s).",
        minutes,
    )
    return message % {
        "minutes": minutes,
        "time": formats.time_format(timezone.localtime(until), "TIME_FORMAT"),
        "zone": timezone.get_current_timezone_name(),
    }


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """django-axes' answer to a refused sign-in (settings.AXES_LOCKOUT_CALLABLE): the
    sign-in page saying when to try again, the same whichever of the username or the
    address is locked and whether or not the account exists."""
    username = get_client_username(request, credentials)
    until = locked_until(username=username, ip_address=client_address(request))
    if until is None:  # the lock ended between the refusal and this answer
        until = timezone.now()
    messages.error(request, lockout_message(until))
    context = {"form": AuthenticationForm(request), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=LOCKED_STATUS)


@signed_in("GET")
def lockout_list(request: HttpRequest) -> HttpResponse:
    membership = party_admin_membership(request.user)
    rows = locked_members(membership.party)
    return render(request, "accounts/lockout_list.html", {"rows": rows})


@signed_in("POST")
def lockout_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_member_for_party_admin(request.user, pk)
    lockout_unlock_user(actor=request.user, user=user)
    messages.success(
        request, _("%(name)s can sign in again.") % {"name": user.get_full_name() or user}
    )
    return redirect("lockout-list")
