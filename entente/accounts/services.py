"""Writes to accounts: personal API tokens.

Every function takes the acting user, checks permission, validates, saves and appends
an audit event in one transaction (see entente.audit.services).
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import ApiToken
from entente.accounts.selectors import TOKEN_PREFIX, token_hash
from entente.audit.services import audit_record, audited_update, snapshot
from entente.core.errors import PermissionDenied
from entente.core.validation import validate_instance

# Never written to the audit chain: the hash of a token is as good as the token
# for anyone who can try guesses offline.
_SECRET_FIELDS = frozenset({"key_hash"})


def _token_snapshot(token: ApiToken) -> dict:
    return {k: v for k, v in snapshot(token).items() if k not in _SECRET_FIELDS}


def token_create(
    *, actor, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token for `actor`; returns it with its plaintext, shown once.

    The token reads `ent_<prefix>_<secret>`; only its SHA-256 is stored.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Only an active user may create an API token."))
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValidationError({"expires_at": [_("Give the expiry with its time zone.")]})
        if expires_at <= timezone.now():
            raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
        expires_at = expires_at.astimezone(dt.UTC)  # as it reads back, also in the audit
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=actor,
        name=name.strip(),
        key_prefix=prefix,
        key_hash=token_hash(raw),
        expires_at=expires_at,
    )
    with transaction.atomic():
        validate_instance(token)
        token.save()
        audit_record(actor=actor, action="create", target=token, after=_token_snapshot(token))
    return token, raw


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
