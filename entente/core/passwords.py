"""The password policy (settings.AUTH_PASSWORD_VALIDATORS) where no form applies it."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ImproperlyConfigured, ValidationError


def validate_demo_password(value: str, usernames: Iterable[str] = ()) -> None:
    """Refuse a demo password (ENTENTE_DEMO_PASSWORD) that the policy would refuse for
    any of the demo users named, the operator included, in one line that says why.

    Raises ImproperlyConfigured, which `entente` prints as
    `entente: error: configuration: ENTENTE_DEMO_PASSWORD is too weak: ...`.
    """
    user_model = get_user_model()
    users: list[Any] = [user_model(username=name) for name in usernames] or [None]
    reasons: list[str] = []
    for user in users:
        try:
            password_validation.validate_password(value, user)
        except ValidationError as error:
            reasons += [reason for reason in error.messages if reason not in reasons]
    if reasons:
        raise ImproperlyConfigured("ENTENTE_DEMO_PASSWORD is too weak: " + " ".join(reasons))
