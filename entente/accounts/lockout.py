"""Lockout after repeated failed sign-ins, on django-axes: its counters, our audit.

django-axes counts failures per username and, separately, per client address, and
refuses a sign-in (before the password is checked) while either has reached
settings.AXES_FAILURE_LIMIT within settings.AXES_COOLOFF_TIME. Unknown usernames are
counted and locked like real ones, so the answer never tells whether an account exists.

This module adds what Entente needs around it: every failure, lockout and refusal in the
audit chain (AuditedAxesHandler), when a lock ends (`locked_until`), and the two audited
unlocks, by the party administrator of the user's party or by the operator.
"""

import datetime as dt
import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.enums import Role
from entente.accounts.models import Membership, Party
from entente.accounts.services import audited_removal, require_admin_of, require_operator
from entente.audit.services import audit_record, write_transaction
from entente.core.access import membership_of
from entente.core.errors import NotFound, PermissionDenied, ValidationError


def client_address(request: HttpRequest) -> str | None:
    """The client's address as entente.core.security.TrustedProxyMiddleware settled it."""
    return request.META.get("REMOTE_ADDR") or None


# --- reads ---------------------------------------------------------------------------------


def _recent():
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - get_cool_off())


def _lock_end(failures_newest_first) -> dt.datetime | None:
    # Failures leave the window oldest first: the lock holds until the newest failures
    # alone fall below the limit, i.e. until the one that completes the limit (counting
    # from the newest) is older than the window.
    total = 0
    for at, failures in failures_newest_first:
        total += failures
        if total >= settings.AXES_FAILURE_LIMIT:
            return at + get_cool_off()
    return None


def _failures(attempts):
    return attempts.order_by("-attempt_time").values_list("attempt_time", "failures_since_start")


def locked_until(*, username: str | None, ip_address: str | None) -> dt.datetime | None:
    """When sign-in reopens for this username and address, or None if it is open."""
    ends = [
        _lock_end(_failures(_recent().filter(**{field: value})))
        for field, value in (("username", username), ("ip_address", ip_address))
        if value
    ]
    return max((end for end in ends if end is not None), default=None)


def locked_members(party: Party) -> list[tuple]:
    """(user, locked until) for each member of `party` whose username is locked, by name;
    two queries whatever the number of members."""
    users = get_user_model().objects.filter(membership__party=party)
    by_name = {user.get_username(): user for user in users}
    recent: dict[str, list] = {}
    rows = _recent().filter(username__in=by_name).order_by("-attempt_time")
    for name, at, failures in rows.values_list("username", "attempt_time", "failures_since_start"):
        recent.setdefault(name, []).append((at, failures))
    ends = {name: _lock_end(failures) for name, failures in recent.items()}
    return [(by_name[name], end) for name, end in sorted(ends.items()) if end is not None]


def party_admin_membership(actor) -> Membership:
    """The actor's membership if they are a party administrator; 403 otherwise."""
    membership = membership_of(actor)
    if membership is None or membership.role != Role.PARTY_ADMIN:
        raise PermissionDenied(_("Only the party administrator may do this."))
    return membership


def get_member_for_party_admin(actor, pk):
    """A member of the party administrator's own party: 404 for anyone else's user, 403
    for a signed-in user who is not a party administrator."""
    membership = party_admin_membership(actor)
    member = (
        Membership.objects.select_related("user")
        .filter(party_id=membership.party_id, user_id=pk)
        .first()
    )
    if member is None:
        raise NotFound(_("No such member of your party."))
    return member.user


# --- writes --------------------------------------------------------------------------------


def lockout_unlock_user(*, actor, user) -> int:
    """Clear `user`'s failed sign-ins (and so their lockout); returns how many are cleared.

    The party administrator of the user's party or the operator; recorded as "unlock".
    """
    require_admin_of(actor, user)
    with write_transaction():
        attempts = AccessAttempt.objects.select_for_update(no_key=True).filter(
            username=user.get_username()
        )
        failures = sum(attempts.values_list("failures_since_start", flat=True))
        if not failures:
            return 0
        attempts.delete()
        audit_record(
            actor=actor,
            action="unlock",
            target=user,
            before={"failures": failures},
            after={"failures": 0},
        )
    return failures


def lockout_unlock_address(*, actor, address: str) -> int:
    """Clear the failed sign-ins from client `address`; operator only; returns how many.

    One "unlock" event per cleared counter (one per username tried from the address).
    """
    require_operator(actor)
    try:
        address = str(ipaddress.ip_address(address.strip()))
    except ValueError:
        raise ValidationError({"address": _("Give an IP address.")}) from None
    with write_transaction():
        attempts = audited_removal(
            actor=actor,
            action="unlock",
            rows=AccessAttempt.objects.select_for_update(no_key=True).filter(ip_address=address),
            before=lambda attempt: {
                "ip_address": address,
                "failures": attempt.failures_since_start,
            },
            after=lambda attempt: {"ip_address": address, "failures": 0},
        )
    return sum(attempt.failures_since_start for attempt in attempts)


# --- the handler django-axes calls on every sign-in, failed or not ------------------------


def _audit_target(username: str | None, ip_address: str | None):
    """The user when the username is an account's; otherwise the newest counter of the
    username or address, so that an unknown username (perhaps a password typed in the
    wrong field) never enters the permanent chain."""
    users = get_user_model().objects
    user = users.filter(**{users.model.USERNAME_FIELD: username}).first() if username else None
    if user is not None:
        return user
    return (
        AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=ip_address))
        .order_by("-attempt_time")
        .first()
    )


class AuditedAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, writing each failure, lockout and refusal to the
    audit chain in the transaction that counts it (actor: none, the system)."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        # Set by the backend when it refused a locked-out sign-in before any password check.
        refused = request.axes_locked_out
        with write_transaction():
            super().user_login_failed(sender, credentials, request, **kwargs)
            self._audit(request, credentials, refused)
        return None

    @staticmethod
    def _audit(request, credentials, refused: bool) -> None:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        target = _audit_target(username, address)
        if target is None:  # nothing was counted (cannot happen with our parameters)
            return
        if refused:
            actions = ["login_refused_locked"]
        elif request.axes_locked_out:
            actions = ["login_failed", "lockout"]
        else:
            actions = ["login_failed"]
        until = locked_until(username=username, ip_address=address)
        for action in actions:
            after = {"ip_address": address}
            if action != "login_failed" and until is not None:
                after["until"] = until.isoformat()
            audit_record(actor=None, action=action, target=target, after=after)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        # The username's failures only: its address keeps its count (see settings).
        AccessAttempt.objects.filter(username=user.get_username()).delete()
