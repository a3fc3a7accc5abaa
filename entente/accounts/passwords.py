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
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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


def invite_mail_send(*, user, site_url: str) -> None:
    """Mail a newly invited `user` the link to choose their password: Django's password
    reset link (the same token and page as a forgotten password), so no password is
    ever chosen for them or sent. `site_url` is the site's address, scheme and host."""
    context = {
        "user": user,
        "site_url": site_url.rstrip("/"),
        "path": reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        ),
    }
    subject = "".join(render_to_string("registration/invite_subject.txt", context).splitlines())
    body = render_to_string("registration/invite_email.txt", context)
    send_mail(subject, body, None, [user.email])
