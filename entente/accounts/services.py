"""Writes to accounts: parties, units, contacts, memberships, personal API tokens and
the second factor (TOTP authenticators), through the services the README's
architecture describes; refused requests are recorded here too.
"""

import datetime as dt
import re
import secrets
import zoneinfo
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.accounts.enums import MFA_CODE_FIELD, MFA_DEVICE_NAME, Role
from entente.accounts.models import ApiToken, Contact, Membership, Party, Unit
from entente.accounts.passwords import invite_mail_send
from entente.accounts.recovery import (
    audit_failure,
    recovery_codes_remove,
    recovery_codes_replace,
)
from entente.accounts.selectors import (
    TOKEN_PREFIX,
    credential_stamp,
    mfa_wait_message,
    token_for,
    token_hash,
)
from entente.accounts.sessions import remembered_for, session_key_digest, sessions_end
from entente.apikit.ratelimit import window_count
from entente.audit.services import (
    audit_record,
    audited_create,
    audited_create_owned,
    audited_delete,
    audited_update,
    snapshot,
    write_transaction,
)
from entente.core.access import (
    membership_of,
    require_visible,
)
from entente.core.enums import Scope
from entente.core.errors import PermissionDenied
from entente.core.models import Handling
from entente.core.translated import translated_fields
from entente.core.validation import refuse_unknown_changes, validate_instance

# Never written to the audit chain: the hash of a token is as good as the token
# for anyone who can try guesses offline; the credential stamp fingerprints a password hash.
_SECRET_FIELDS = frozenset({"key_hash", "credential_stamp"})


def _token_snapshot(token: ApiToken) -> dict:
    return {k: v for k, v in snapshot(token).items() if k not in _SECRET_FIELDS}


def token_create(
    *,
    actor,
    name: str,
    expires_at: dt.datetime | None = None,
    read_only: bool = False,
) -> tuple[ApiToken, str]:
    """Create a personal API token for `actor`; returns it with its plaintext, shown once.

    The token reads `ent_<prefix>_<secret>`; only its SHA-256 is stored. It expires at
    `expires_at`, by default settings.TOKEN_DEFAULT_DAYS from now, at most
    settings.TOKEN_MAX_DAYS from now. Tokens come from a signed-in session or the
    `entente token` command, never from another token, and stop working when their
    owner's password, role or membership changes (credential_stamp).
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Only an active user may create an API token."))
    expires_at = _token_expiry(expires_at)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=actor,
        name=name.strip(),
        key_prefix=prefix,
        key_hash=token_hash(raw),
        expires_at=expires_at,
        read_only=read_only,
        credential_stamp=credential_stamp(actor),
    )
    with write_transaction():
        validate_instance(token)
        token.save()
        audit_record(actor=actor, action="create", target=token, after=_token_snapshot(token))
    return token, raw


def _token_expiry(expires_at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    latest = now + dt.timedelta(days=settings.TOKEN_MAX_DAYS)
    if expires_at is None:
        expires_at = min(now + dt.timedelta(days=settings.TOKEN_DEFAULT_DAYS), latest)
    elif timezone.is_naive(expires_at):
        raise ValidationError({"expires_at": [_("Give the expiry with its time zone.")]})
    if expires_at <= now:
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    if expires_at > latest:
        message = _("A token works for at most %(days)d days: expire it by %(moment)s UTC.")
        moment = latest.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(
            {"expires_at": [message % {"days": settings.TOKEN_MAX_DAYS, "moment": moment}]}
        )
    return expires_at.astimezone(dt.UTC)  # as it reads back, also in the audit


def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking a revoked token changes nothing."""
    if actor is None or token.user_id != actor.pk:
        raise PermissionDenied(_("Only its owner may revoke a token."))
    if token.revoked_at is not None:
        return token
    # key_hash never changes, so it is never in the before/after of this update.
    return audited_update(
        actor=actor, instance=token, changes={"revoked_at": timezone.now()}, action="revoke"
    )


# --- the organisation: parties, units, contacts, memberships ----------------------------


def require_operator(actor) -> None:
    """The technical operator (a superuser); 403 for anyone else."""
    if actor is None or not actor.is_superuser:
        raise PermissionDenied(_("Only the technical operator may do this."))


def _is_party_admin(actor, party_id) -> bool:
    membership = membership_of(actor)
    return (
        membership is not None
        and membership.party_id == party_id
        and membership.role == Role.PARTY_ADMIN
    )


def require_party_admin(actor, party: Party) -> None:
    """The operator, or the party administrator of `party`; 403 for anyone else."""
    if actor is not None and actor.is_superuser:
        return
    if not _is_party_admin(actor, party.pk):
        raise PermissionDenied(_("Only the party administrator may do this."))


def require_admin_of(actor, user, message: str | None = None) -> None:
    """The operator, or the party administrator of `user`'s party (the operator alone
    for a user of no party); 403 with `message` for anyone else."""
    if actor is not None and actor.is_superuser:
        return
    membership = membership_of(user)
    if membership is None or not _is_party_admin(actor, membership.party_id):
        raise PermissionDenied(
            message or _("Only the party administrator or the technical operator may do this.")
        )


def audited_removal(*, actor, action: str, rows: Iterable, before, after=None) -> list:
    """Delete each of `rows`, recording `action` against each with `before(row)` (and
    `after(row)`), in the caller's transaction, which should hold the rows locked.

    What is recorded is chosen by the caller, never the row's snapshot: a row may hold
    a secret (an authenticator's key)."""
    rows = list(rows)
    for row in rows:
        audit_record(
            actor=actor,
            action=action,
            target=row,
            before=before(row),
            after=after(row) if after is not None else None,
        )
        row.delete()
    return rows


def party_create(
    *,
    actor,
    code: str,
    name: Mapping[str, str],
    country: str,
    time_zone: str,
    reference_language: str = "en",
) -> Party:
    """Register a new party (a state agency or ministry); operator only."""
    require_operator(actor)
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": _("Unknown time zone.")})
    party = Party(
        code=code,
        country=country.upper(),
        time_zone=time_zone,
        reference_language=reference_language,
        **translated_fields("name", name, reference_language=reference_language),
    )
    return audited_create(actor=actor, instance=party)


def unit_create(
    *, actor, party: Party, name: str, is_contact_cell: bool = False, email: str = ""
) -> Unit:
    require_party_admin(actor, party)
    unit = Unit(party=party, name=name.strip(), is_contact_cell=is_contact_cell, email=email)
    return audited_create(actor=actor, instance=unit)


def unit_update(*, actor, unit: Unit, **changes) -> Unit:
    """Rename a unit, mark or unmark it as a contact cell, change its address; the
    party administrator of its party."""
    require_party_admin(actor, unit.party)
    refuse_unknown_changes(changes, {"name", "is_contact_cell", "email"})
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    return audited_update(actor=actor, instance=unit, changes=changes)


# A directory contact is kept by the party administrator of the party that owns it: the
# directory is the party's people, which that administrator manages.
_CONTACT_FIELDS = frozenset({"title", "email", "phone", "languages", "time_zone", "user"})


def _require_contact_keeper(actor, contact: Contact) -> None:
    if contact.pk is not None:
        require_visible(actor, contact)  # another party's internal contact stays unknown
    if not _is_party_admin(actor, contact.owning_party_id):
        raise PermissionDenied(_("Only the party administrator may change the directory."))


def _own_unit(unit: Unit, party_id: int) -> None:
    if unit.party_id != party_id:
        raise ValidationError({"unit": _("Contacts are added to units of your own party.")})


def contact_create(
    *,
    actor,
    unit: Unit,
    name: str,
    handling: Handling = Handling(),
    **fields,
) -> Contact:
    """Add a person to the directory of the actor's own party (its party administrator);
    a shared contact is seen by the other parties, an internal one only by its own."""
    membership = membership_of(actor)
    if membership is None:
        raise PermissionDenied(_("Only the party administrator may change the directory."))
    party_id = membership.party_id
    refuse_unknown_changes(fields, _CONTACT_FIELDS)
    contact = Contact(
        unit=unit,
        owning_party_id=party_id,
        name=name.strip(),
        **fields,
    )
    _require_contact_keeper(actor, contact)
    _own_unit(unit, party_id)
    return audited_create_owned(actor=actor, instance=contact, party_id=party_id, handling=handling)


def contact_update(*, actor, contact: Contact, expected_version: int, **changes) -> Contact:
    """Change a contact of the directory; `scope` shares it with the other parties or
    keeps it internal."""
    _require_contact_keeper(actor, contact)
    refuse_unknown_changes(changes, {"name", "unit", "scope"} | _CONTACT_FIELDS)
    unit = changes.get("unit")
    if unit is not None:
        _own_unit(unit, contact.owning_party_id)
    if changes.get("scope", Scope.SHARED) not in Scope.values:
        raise ValidationError({"scope": _("Unknown scope.")})
    return audited_update(
        actor=actor, instance=contact, changes=changes, expected_version=expected_version
    )


def contact_remove(*, actor, contact: Contact) -> None:
    """Remove a contact from the directory, unless a record names it (an attendance
    list, a commitment): those keep it, and the refusal says so (422, not 500)."""
    _require_contact_keeper(actor, contact)
    try:
        audited_delete(actor=actor, instance=contact, action="delete")
    except ProtectedError:
        raise ValidationError(
            _(
                "%(name)s is named on an attendance list or a commitment, so the record "
                "keeps them: edit the contact instead of removing it."
            )
            % {"name": contact.name}
        ) from None


# --- the party's members: invitations, roles, deactivation --------------------------------


def membership_set(*, actor, user, party: Party, role: str, unit: Unit | None = None) -> Membership:
    """Give `user` their one membership, or change its role or unit within the party; a
    change of role signs them out everywhere."""
    require_party_admin(actor, party)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if unit is not None and unit.party_id != party.pk:
        raise ValidationError({"unit": _("The unit belongs to another party.")})
    existing = Membership.objects.filter(user=user).first()
    if existing is None:
        return audited_create(
            actor=actor, instance=Membership(user=user, party=party, role=role, unit=unit)
        )
    if existing.party_id != party.pk:
        raise ValidationError({"user": _("This user is a member of another party.")})
    with write_transaction():
        membership = audited_update(
            actor=actor, instance=existing, changes={"role": role, "unit": unit}
        )
        if existing.role != role:
            # Their sessions were granted under the old role: they sign in again.
            sessions_end(actor=actor, user=user, reason="role_changed")
    return membership


def member_invite(
    *,
    actor,
    party: Party,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    unit: Unit | None = None,
    site_url: str,
) -> Membership:
    """Give a new person an account of `party` with `role`, and mail them the link to
    choose their password (Django's reset link; see passwords.invite_mail_send). Their
    password until then is random and shown to nobody. Recorded as "invite" against the
    user, and the membership's "create"."""
    require_party_admin(actor, party)
    User = get_user_model()
    user = User(
        username=username.strip(),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    user.set_password(secrets.token_urlsafe(32))
    errors: dict[str, list[str]] = {}
    try:
        validate_instance(user)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not user.email:
        errors.setdefault("email", []).append(_("An invitation needs an e-mail address."))
    elif User.objects.filter(email__iexact=user.email).exists():
        # A reset link goes to every account with the address: one account each.
        errors.setdefault("email", []).append(_("A user already has this e-mail address."))
    if role not in Role.values:
        errors.setdefault("role", []).append(_("Unknown role."))
    if unit is not None and unit.party_id != party.pk:
        errors.setdefault("unit", []).append(_("The unit belongs to another party."))
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        user.save()
        audit_record(
            actor=actor,
            action="invite",
            target=user,
            after={"username": user.username, "email": user.email, "party": party.code},
        )
        membership = audited_create(
            actor=actor, instance=Membership(user=user, party=party, role=role, unit=unit)
        )
    invite_mail_send(user=user, site_url=site_url)
    return membership


def member_role_set(*, actor, membership: Membership, role: str) -> Membership:
    """Change a member's role (membership_set, which signs them out everywhere); not
    one's own, so that a party never loses its administrator by a slip."""
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError({"role": _("You cannot change your own role.")})
    return membership_set(
        actor=actor,
        user=membership.user,
        party=membership.party,
        role=role,
        unit=membership.unit,
    )


def member_deactivate(*, actor, user) -> None:
    """Stop a member from signing in, and end every session they hold (in the same
    transaction); their name stays on what they wrote. Never one's own account."""
    require_admin_of(actor, user)
    if user.pk == getattr(actor, "pk", None):
        raise ValidationError({"user": _("You cannot deactivate your own account.")})
    if not user.is_active:
        return
    with write_transaction():
        audited_update(
            actor=actor, instance=user, changes={"is_active": False}, action="deactivate"
        )
        sessions_end(actor=actor, user=user, reason="deactivated")


# --- the second factor: TOTP authenticators ---------------------------------------------


def mfa_check_code(*, device: TOTPDevice, code: str) -> None:
    """Accept `code` from `device` or raise ValidationError keyed by the code field.

    django-otp counts each wrong code on the device and makes the next attempt wait
    1, 2, 4... seconds, and refuses a code that was already used.
    """
    with write_transaction():
        # Locked so that two concurrent submissions cannot both use one code.
        current = TOTPDevice.objects.select_for_update(no_key=True).filter(pk=device.pk).first()
        if current is None:  # replaced by an enrolment in another session, or reset
            raise ValidationError({MFA_CODE_FIELD: mfa_replaced_message()})
        allowed, refusal = current.verify_is_allowed()
        accepted = allowed and current.verify_token(code)
        if allowed and not accepted:
            audit_failure(current.user, current, "mfa_failure")
    if not allowed:
        raise ValidationError({MFA_CODE_FIELD: mfa_wait_message(refusal["locked_until"])})
    if not accepted:
        raise ValidationError(
            {
                MFA_CODE_FIELD: _(
                    "That code is wrong or has expired. Enter the code your app shows now."
                )
            }
        )


def mfa_replaced_message() -> str:
    return _(
        "This set-up was replaced by one started in another window or browser. "
        "Add the key shown now to your app and enter the code it gives."
    )


def mfa_enrolment_start(*, actor) -> TOTPDevice:
    """A new pending authenticator for `actor`, to be confirmed by the session that asked.

    Any other pending one is removed: only the latest set-up can be confirmed, so a
    second session that knows the password cannot confirm a key shown to the first.
    Nothing is audited: a pending authenticator verifies nothing.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Sign in to set up an authenticator."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name=MFA_DEVICE_NAME, confirmed=False)


def mfa_enrol(*, actor, device: TOTPDevice, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm `actor`'s pending authenticator once it has produced a valid code, and
    give them a set of recovery codes; returns the device and the codes, shown once.

    Records "mfa_enrol" and "mfa_recovery_codes"; the device's key never goes there.
    """
    if actor is None or device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied(_("Only its owner may confirm a pending authenticator."))
    # Checked outside the enrolment transaction: a wrong code must still count against
    # the device when the enrolment fails.
    mfa_check_code(device=device, code=code)
    with write_transaction():
        try:
            device = audited_update(
                actor=actor, instance=device, changes={"confirmed": True}, action="mfa_enrol"
            )
        except TOTPDevice.DoesNotExist:  # replaced by a set-up started since
            raise ValidationError({MFA_CODE_FIELD: mfa_replaced_message()}) from None
        codes = recovery_codes_replace(actor=actor, user=actor)
    return device, codes


def mfa_reset(*, actor, user) -> int:
    """Remove a user's authenticators and recovery codes (lost phone): they enrol again
    at next sign-in.

    The technical operator, or the party administrator of the user's party, may do this;
    each removal is in the audit chain.
    """
    require_admin_of(
        actor,
        user,
        _("Only the party administrator or the technical operator may reset a second factor."),
    )
    with write_transaction():
        devices = audited_removal(
            actor=actor,
            action="mfa_reset",
            rows=TOTPDevice.objects.select_for_update(no_key=True).filter(user=user),
            before=lambda device: {"user": user.get_username(), "confirmed": device.confirmed},
        )
        recovery_codes_remove(actor=actor, user=user)
    return len(devices)


# --- refused requests ------------------------------------------------------------------


def request_refused(*, actor, action: str, target=None, after: dict | None = None) -> None:
    """Record a refused request (a tampered CSRF token, an unknown or expired API token):
    by whom when known, against what when known, never with the secret itself.

    Anyone can send refused requests, so their events are budgeted: past
    settings.REFUSALS_PER_MINUTE of one action in a minute, one "refusals_suppressed"
    event says so and the rest of that minute's go unrecorded (still refused), so that
    a flood cannot grow the append-only chain without bound.
    """
    limit = settings.REFUSALS_PER_MINUTE
    count = window_count(f"entente:refusals:{action}", 60)
    if count > limit + 1:
        return
    if count == limit + 1:
        action, after = "refusals_suppressed", {"action": action, "limit": limit}
        actor = target = None
    with write_transaction():
        audit_record(
            actor=actor,
            action=action,
            target=target if target is not None else get_user_model()(),
            after=after,
        )


def session_refused(*, key: str, reason: str, user=None, path: str = "") -> bool:
    """Record a refused session cookie `key` as "session_refused" with `reason` (ended,
    expired, unknown), against `user` when known; never the key. One event per key while
    a session could have lived, however often it is replayed: returns whether this was
    the one."""
    with write_transaction():
        # In the event's transaction: the key is marked if and only if the event is written.
        if not cache.add(f"entente:session-refused:{session_key_digest(key)}", 1, remembered_for()):
            return False
        request_refused(
            actor=None,
            action="session_refused",
            target=user,
            after={"reason": reason, "path": path[:200]},
        )
    return True


def token_authenticate_or_refuse(raw: str) -> ApiToken | None:
    """The working token `raw` names (selectors.token_for); a token that does not work is
    recorded, against the token its prefix names if any (revoked, expired, its owner's
    credential changed since), and by that prefix only."""
    token = token_for(raw)
    if token is None:
        prefix = raw.removeprefix(TOKEN_PREFIX).split("_", 1)[0]
        prefix = prefix if re.fullmatch(r"[0-9a-f]{8}", prefix) else ""
        named = ApiToken.objects.filter(key_prefix=prefix).first() if prefix else None
        request_refused(
            actor=None, action="api_token_refused", target=named, after={"prefix": prefix}
        )
    return token
