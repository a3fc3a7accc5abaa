"""Writes for a user's own password: changing it, resetting it by e-mail, and the
refusals of reset links that do not hold. Each is an event in the audit chain.

The pages are Django's own (entente.accounts.password_views); their forms check the
password against settings.AUTH_PASSWORD_VALIDATORS before anything here runs. Other
sessions of the user end with the change: Django signs a session with a hash of the
password it was opened under.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model

from entente.apikit.ratelimit import window_count
from entente.audit.services import audit_record, write_transaction

_HOUR = 3600


def password_set(*, actor, user, password: str, action: str):
    """Give `user` the (already validated) `password`; audited as `action`, without it."""
    with write_transaction():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action=action, target=user)
    return user


def password_reset_mailed(*, user) -> None:
    """Record that a reset link went to `user`'s address: someone asked for it, and a
    run of these is worth a look. The asker is not known, so the actor is nobody."""
    with write_transaction():
        audit_record(actor=None, action="password_reset_mail", target=user)


def password_reset_link_refused(*, user) -> None:
    """Record a reset link that was tampered with, used already or expired. `user` is
    whom the link names, if anyone; the link's token never goes into the chain."""
    target = user if user is not None else get_user_model()()
    with write_transaction():
        audit_record(
            actor=None,
            action="password_reset_refused",
            target=target,
            after={"reason": "invalid_or_expired_link"},
        )


def password_reset_allowed(*, email: str, address: str | None) -> bool:
    """Count a request for a reset link against the client's address and against the
    e-mail address asked for: False once either has asked more than
    settings.RESET_PER_HOUR times this hour, so that no more mail goes out.

    The first refusal of each in the hour is recorded as "password_reset_limited",
    against the account with that e-mail address if there is one (an unknown address
    never enters the chain)."""
    limit = settings.RESET_PER_HOUR
    email = email.strip().lower()
    counts = {
        by: window_count(
            f"entente:reset-rate:{by}:{hashlib.sha256(value.encode()).hexdigest()[:32]}", _HOUR
        )
        for by, value in (("address", address), ("email", email))
        if value
    }
    first_refusals = [by for by, count in counts.items() if count == limit + 1]
    if first_refusals:
        users = get_user_model().objects
        user = users.filter(email__iexact=email).order_by("pk").first() or users.model()
        with write_transaction():
            for by in first_refusals:
                audit_record(
                    actor=None,
                    action="password_reset_limited",
                    target=user,
                    after={"limited": by, "ip_address": address},
                )
    return all(count <= limit for count in counts.values())
