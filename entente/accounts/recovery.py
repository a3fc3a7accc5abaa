"""Recovery codes: ten one-time codes that stand in for an authenticator's code.

Made when an authenticator is enrolled and whenever the user asks for new ones (the
old ones then stop working); shown once and stored only as salted hashes (see
RecoveryCode). Every use and every new set is in the audit chain.
"""

import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.accounts.enums import RECOVERY_CODE_FIELD
from entente.accounts.models import RecoveryCode
from entente.accounts.selectors import mfa_wait_message
from entente.audit.services import audit_record, write_transaction
from entente.core.errors import PermissionDenied

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/i/l: codes are read off paper. 31 symbols ** 16 is about 2 ** 79.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_LENGTH = 16
_GROUP = 4


def recovery_code_normalise(text: str) -> str | None:
    """The code as stored (no spaces or dashes, lower case), or None when `text` cannot be
    a recovery code at all."""
    code = "".join(text.split()).replace("-", "").lower()
    if len(code) != _LENGTH or any(c not in _ALPHABET for c in code):
        return None
    return code


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _new_code() -> tuple[RecoveryCode, str]:
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    salt = secrets.token_hex(16)
    shown = "-".join(code[i : i + _GROUP] for i in range(0, _LENGTH, _GROUP))
    return RecoveryCode(salt=salt, code_hash=_digest(salt, code)), shown


def _unused(user):
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True)


def recovery_codes_replace(*, actor, user) -> list[str]:
    """Give `user` a new set of codes (their old ones stop working); returns them, to be
    shown once. Only the user does this, from a session past the second step, or within
    mfa_enrol. Records "mfa_recovery_codes" with how many unused codes were replaced."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied(_("Only its owner may make new recovery codes."))
    pairs = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    with write_transaction():
        before = _unused(user).count()
        RecoveryCode.objects.filter(user=user).delete()
        for code, _shown in pairs:
            code.user = user
        RecoveryCode.objects.bulk_create([code for code, _shown in pairs])
        audit_record(
            actor=actor,
            action="mfa_recovery_codes",
            target=user,
            before={"unused": before},
            after={"unused": RECOVERY_CODE_COUNT},
        )
    return [shown for _code, shown in pairs]


def recovery_code_use(*, actor, device: TOTPDevice, code: str) -> int:
    """Pass the second step with one of `actor`'s recovery codes instead of `device`'s
    code; the code is spent. Returns how many codes are left; records "mfa_recovery_use".

    A wrong code counts against `device`'s throttle, as a wrong authenticator code does.
    Raises ValidationError keyed by the recovery code field.
    """
    if actor is None or device.user_id != actor.pk:
        raise PermissionDenied(_("Only its owner may use a recovery code."))
    with write_transaction():
        current = TOTPDevice.objects.select_for_update(no_key=True).get(pk=device.pk)
        allowed, refusal = current.verify_is_allowed()
        match = allowed and _matching(actor, code)
        if match:
            match.used_at = timezone.now()
            match.save(update_fields=["used_at"])
            current.throttle_reset()
            left = _unused(actor).count()
            audit_record(
                actor=actor,
                action="mfa_recovery_use",
                target=match,
                before={"used_at": None},
                after={"used_at": match.used_at.isoformat(), "unused": left},
            )
            return left
        if allowed:
            current.throttle_increment()
            audit_failure(actor, current, "mfa_recovery_failure")
    if not allowed:
        raise ValidationError({RECOVERY_CODE_FIELD: mfa_wait_message(refusal["locked_until"])})
    raise ValidationError(
        {RECOVERY_CODE_FIELD: _("That recovery code is wrong or was already used.")}
    )


def audit_failure(actor, device: TOTPDevice, action: str) -> None:
    """Record a wrong code, inside the transaction that counted it on the device."""
    # Committed with the throttle's count, though the attempt is refused: brute force shows.
    audit_record(
        actor=actor,
        action=action,
        target=device,
        after={"failures": device.throttling_failure_count},
    )


def _matching(user, text: str) -> RecoveryCode | None:
    code = recovery_code_normalise(text)
    if code is None:
        return None
    # Locked with the device above, so two sessions cannot both spend one code.
    for candidate in _unused(user).select_for_update(no_key=True):
        if hmac.compare_digest(candidate.code_hash, _digest(candidate.salt, code)):
            return candidate
    return None


def recovery_codes_remove(*, actor, user) -> None:
    """Within an MFA reset (whose caller checked permission and holds the transaction):
    the user's codes go with their authenticators."""
    removed = RecoveryCode.objects.filter(user=user)
    unused = removed.filter(used_at__isnull=True).count()
    if removed.exists():
        audit_record(
            actor=actor,
            action="mfa_reset",
            target=user,
            before={"user": user.get_username(), "recovery_codes": unused},
        )
        removed.delete()
