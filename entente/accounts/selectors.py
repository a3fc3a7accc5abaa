"""Reads of accounts: the directory, memberships, personal API tokens and the second factor."""

import datetime as dt
import hashlib
import hmac
import math
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.accounts.enums import Role
from entente.accounts.models import ApiToken, Contact, Membership, Party, RecoveryCode, Unit
from entente.core.access import get_owned_for_user, membership_of, party_id_of, visible_to
from entente.core.errors import NotFound, PermissionDenied, ValidationError
from entente.core.registry import record_type

TOKEN_PREFIX = "ent_"
# Longer than any token we issue; longer input is refused before hashing it.
TOKEN_MAX_LENGTH = 128
# last_used_at is kept to the minute, so reads do not turn into a write each time.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def credential_stamp(user) -> str:
    """A fingerprint of what a token's owner signed in with and acts as: their password
    hash (changed by any new password) and their party and role. Not keyed by SECRET_KEY,
    so rotating that key leaves tokens working."""
    membership = membership_of(user)
    party, role = (membership.party_id, membership.role) if membership else ("", "")
    return hashlib.sha256(f"{user.password}\x00{party}\x00{role}".encode()).hexdigest()


def token_for(raw: str) -> ApiToken | None:
    """The working token `raw` names, with its user; None when it is unknown, revoked or
    expired, or when its owner was deactivated or their credential changed since."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > TOKEN_MAX_LENGTH:
        return None
    digest = token_hash(raw)
    # The lookup is by the hash of a 256-bit secret, so its timing reveals nothing
    # useful; the comparison below is constant-time all the same. One query: the
    # membership comes along for the credential check.
    token = ApiToken.objects.select_related("user__membership").filter(key_hash=digest).first()
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if not hmac.compare_digest(token.credential_stamp, credential_stamp(token.user)):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Bookkeeping, not a change of the record: not audited.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_authenticate(raw: str):
    """The active user a working token belongs to, or None (see token_for)."""
    token = token_for(raw)
    return token.user if token is not None else None


def token_list_for(user) -> QuerySet[ApiToken]:
    """Every token of `user`, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def get_token_for_user(user, pk) -> ApiToken:
    """One of the user's own tokens; anybody else's token does not exist for them."""
    try:
        return token_list_for(user).get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such token.")) from None


def party_list() -> QuerySet[Party]:
    """Every party: parties are public, to every user."""
    return Party.objects.all()


def unit_list() -> QuerySet[Unit]:
    """Every unit of every party, with its party."""
    return Unit.objects.select_related("party")


def contact_visible_to(user) -> QuerySet[Contact]:
    """The directory: every shared contact, and the internal ones of the user's party."""
    return visible_to(Contact.objects.all(), user).select_related("unit__party")


def get_contact_for_user(user, pk, *, write: bool = False) -> Contact:
    return get_owned_for_user(contact_visible_to(user), user, pk, write=write)


def directory_parties_for(user) -> QuerySet[Party]:
    """The parties whose directory `user` may open: their own, and every party to an
    agreement they may see."""
    party_id = party_id_of(user)
    if party_id is None:
        return Party.objects.none()
    # Agreements sit above accounts: their selector comes from the record registry.
    agreements = record_type("agreements.agreement").visible(user)
    return (
        Party.objects.filter(
            Q(pk=party_id)
            | Q(agreement_roles__agreement__in=agreements.filter(agreement_parties__party=party_id))
        )
        .distinct()
        .order_by("code")
    )


def get_directory_party(user, code: str) -> Party:
    """A party whose directory `user` may open; 404 for any other."""
    party = directory_parties_for(user).filter(code=code).first()
    if party is None:
        raise NotFound(_("No such party."))
    return party


def get_party_for_admin(user, code: str) -> Party:
    """The party `code`, for the pages that manage its directory and members: its party
    administrator passes; its other members get 403; anybody else 404."""
    membership = membership_of(user)
    if membership is None or membership.party.code != code:
        raise NotFound(_("No such party."))
    if membership.role != Role.PARTY_ADMIN:
        raise PermissionDenied(_("Only the party administrator may do this."))
    return membership.party


def directory_of(user, party: Party) -> tuple[list[Unit], list[Contact]]:
    """The units of `party` and the contacts of it that `user` may see (the contact
    rule: shared ones, and internal ones of their own party), each with its unit."""
    units = list(Unit.objects.filter(party=party).order_by("name"))
    contacts = list(contact_visible_to(user).filter(owning_party=party).order_by("name", "pk"))
    return units, contacts


def get_unit_of(party: Party, pk) -> Unit:
    try:
        return Unit.objects.select_related("party").get(party=party, pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such unit.")) from None


def get_member_of(party: Party, username: str) -> Membership:
    """A member of `party`, by username; 404 for anybody else."""
    membership = (
        Membership.objects.select_related("user", "unit", "party")
        .filter(party=party, user__username=username)
        .first()
    )
    if membership is None:
        raise NotFound(_("No such member of your party."))
    return membership


def membership_list_for(user) -> QuerySet[Membership]:
    """The members of the user's party, for its party administrator (and coordinators)."""
    membership = membership_of(user)
    if membership is None or membership.role not in (Role.PARTY_ADMIN, Role.COORDINATOR):
        return Membership.objects.none()
    return Membership.objects.filter(party_id=membership.party_id).select_related("user", "unit")


def resolve_users(usernames: Iterable[str], field: str = "red_recipients") -> list:
    """The active users named in a request field; 422 naming the field and the unknown
    names otherwise."""
    wanted = set(usernames)
    users = list(get_user_model().objects.filter(username__in=wanted, is_active=True))
    missing = sorted(wanted - {user.get_username() for user in users})
    if missing:
        raise ValidationError(
            {field: _("No such user: %(names)s.") % {"names": ", ".join(missing)}}
        )
    return users


def resolve_party(code: str, field: str) -> Party:
    """The party a request field names by code; 422 naming the field otherwise."""
    party = Party.objects.filter(code=code).first()
    if party is None:
        raise ValidationError({field: _("No such party: %(code)s.") % {"code": code}})
    return party


def mfa_device_for(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, the one that checks their codes."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def mfa_verified(user) -> bool:
    """Whether this session's user has passed the second sign-in step."""
    # OTPMiddleware installs is_verified; without it no session counts as verified.
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def mfa_pending_device_for(user, pk) -> TOTPDevice | None:
    """The pending authenticator `pk` of `user`, if it is still the one being set up."""
    if pk is None:
        return None
    return TOTPDevice.objects.filter(user=user, pk=pk, confirmed=False).first()


def mfa_wait_message(locked_until: dt.datetime) -> str:
    """How long to wait after too many wrong codes."""
    wait = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    message = ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then try again.",
        "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
        wait,
    )
    return message % {"seconds": wait}


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def require_token_issuer(request) -> None:
    """Refuse (403) a request that may not create an API token.

    Tokens come from a signed-in session, past the second step when it is required, or
    from the `entente token` command: never from another token, which would let a token
    outlive or outreach the credential that made it.
    """
    scheme, _sep, _credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        raise PermissionDenied(
            _("An API token cannot create tokens. Sign in and create one on your tokens page.")
        )
    if settings.REQUIRE_MFA and not mfa_verified(request.user):
        raise PermissionDenied(
            _("Enter a code from your authenticator app before you create a token.")
        )
