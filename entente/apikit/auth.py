"""Who is calling: a personal token (`Authorization: Bearer ent_...`) or the Django
session (with its CSRF token on unsafe methods). `request.auth` is the user."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from entente.core.problems import ApiProblem

# The accounts app, which keeps the tokens, sets this at start-up (AppConfig.ready):
# the toolkit sits below it and does not import it. It answers the working token (with
# `user`, `read_only` and `expires_at`) or None.
_token_authenticator: Callable[[str], Any] | None = None

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def set_token_authenticator(authenticate: Callable[[str], Any]) -> None:
    """Name the function that turns a bearer token into the working token (or None)."""
    global _token_authenticator
    _token_authenticator = authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ent_<prefix>_<secret>`, a personal API token.

    A read-only token answers 403 to any unsafe method.
    """

    def authenticate(self, request: HttpRequest, token: str):
        if _token_authenticator is None:
            raise ImproperlyConfigured("No token authenticator: is entente.accounts installed?")
        found = _token_authenticator(token)
        if found is None:
            return None
        if found.read_only and request.method not in SAFE_METHODS:
            raise ApiProblem(403, _("This token is read-only: it may not change anything."))
        return found.user


class SessionAuth(APIKeyCookie):
    """The Django session of a logged-in user; unsafe methods need the CSRF token.

    Unlike ninja's `django_auth`, the CSRF check only runs when there is a session
    user to authenticate, so a token client without cookies is never refused for
    CSRF, and an anonymous request answers 401 rather than 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        if "Authorization" in request.headers:
            return None  # judged by its credentials alone, never by a cookie beside them
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and check_csrf(request):
            raise ApiProblem(
                403,
                _(
                    "CSRF token missing or incorrect: send the csrftoken cookie's value "
                    "in the X-CSRFToken header."
                ),
            )
        return user


# Token first: a request that carries a token is judged by it alone.
API_AUTH = [TokenAuth(), SessionAuth()]
