"""Middleware of signed-in sessions: their preferences (language, time zone); a session cookie that names no live session is
refused (SessionRefusalMiddleware), and a session waits at the second sign-in step
(settings.REQUIRE_MFA: a TOTP code from an authenticator app) until it passes it.

Requests with a Bearer token are judged by the token alone, so the API's token clients
meet neither.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from entente.accounts.preferences import preferred_language, preferred_zone
from entente.accounts.selectors import mfa_verified
from entente.accounts.services import session_refused
from entente.accounts.sessions import session_cookie_fate, session_ended_remember
from entente.core.problems import problem


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(f"{get_script_prefix()}api/")


def _bearer(request: HttpRequest) -> bool:
    scheme, _sep, _credentials = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer"


class SessionRefusalMiddleware:
    """Refuse a session cookie that names no live session: signed out, signed out
    everywhere, ended by a password change, past its idle or absolute lifetime
    (SessionLifetimeMiddleware), or never issued.

    Without it such a request would go on as an anonymous one, and a replayed form
    would meet a silent redirect. Instead: a page asked for with GET or HEAD redirects
    to the sign-in page with a message, any other method gets 403 before its view runs
    (a replayed write never succeeds), and the API answers 401, unless a Bearer token
    judges the call. The cookie is deleted in the answer (SessionMiddleware deletes
    that of an empty session), and the first replay of each cookie is recorded as
    "session_refused", never with the cookie.

    Goes after AuthenticationMiddleware (a session whose user no longer passes is
    ended there) and MessageMiddleware, before anything that reads request.user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key or (_api(request) and _bearer(request)):
            return self.get_response(request)
        user_pk = request.session.get(SESSION_KEY)  # loads the session
        refusal = self._refusal(request, key, user_pk)
        if refusal is not None:
            reason, user = refusal
            session_refused(key=key, reason=reason, user=user, path=request.path)
            return self._answer(request)
        response = self.get_response(request)
        if user_pk is not None and request.session.session_key != key:
            # Signed out here, or the key cycled (a password change): a replay of the
            # old cookie can now be told from a made-up one.
            session_ended_remember([key], user_pk)
        return response

    @staticmethod
    def _refusal(request: HttpRequest, key: str, user_pk) -> tuple[str, object] | None:
        users = get_user_model().objects
        ended_for = getattr(request, "session_ended_for", None)
        if ended_for is not None:  # by SessionLifetimeMiddleware, just now
            return "expired", users.filter(pk=ended_for).first()
        if request.session.session_key is None:
            return session_cookie_fate(key)
        if user_pk is not None and not request.user.is_authenticated:
            # Live, but its user no longer passes: their password changed (Django has
            # emptied the session), or they were deactivated or removed.
            request.session.flush()
            return "ended", users.filter(pk=user_pk).first()
        return None  # live: signed in, or an anonymous one (a reset link's)

    @staticmethod
    def _answer(request: HttpRequest) -> HttpResponse:
        message = _("Your session has ended. Please sign in again.")
        if _api(request):
            return problem(
                request, 401, detail=message, headers={"WWW-Authenticate": 'Bearer realm="entente"'}
            )
        if request.method in ("GET", "HEAD"):
            messages.warning(request, message)
            login = resolve_url(settings.LOGIN_URL)
            if request.path == login:
                return redirect(login)  # the sign-in page again, not one that returns to it
            return redirect_to_login(request.get_full_path())
        return render(request, "403.html", {"exception": message}, status=403)


class RequireMFAMiddleware:
    """Holds a signed-in session at the MFA pages until a TOTP code has verified it.

    Goes after django_otp's OTPMiddleware. Pages redirect to `mfa-setup` (no confirmed
    authenticator yet) or `mfa-verify`; session calls to the JSON API answer 401; calls
    with a Bearer token pass, since the API judges them by the token alone. Reads
    settings.REQUIRE_MFA on every request, so tests can switch it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # Read by base.html: until verified, the header offers only the language and sign-out.
        pending = settings.REQUIRE_MFA and user.is_authenticated and not mfa_verified(user)
        # Set here alone, read by the template only: not an attribute HttpRequest declares.
        request.mfa_pending = pending  # type: ignore[attr-defined]
        if not pending or self._exempt(request):
            return self.get_response(request)
        if _api(request):
            return problem(
                request,
                401,
                detail=_(
                    "This session has not passed the second sign-in step: enter a code "
                    "at %(url)s, or send a token as 'Authorization: Bearer <token>'."
                )
                % {"url": reverse("mfa-verify")},
                headers={"WWW-Authenticate": 'Bearer realm="entente"'},
            )
        target = reverse("mfa-verify" if user_has_device(user) else "mfa-setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith(settings.STATIC_URL):
            return True
        if _api(request) and _bearer(request):
            return True
        open_pages = ("login", "logout", "mfa-setup", "mfa-verify", "set_language")
        return path in {reverse(name) for name in open_pages}


class PreferencesMiddleware:
    """Show the signed-in user's pages in their language and time zone: the ones chosen
    in their profile, else their browser's language (LocaleMiddleware, which runs
    before) and their party's zone. Pages that also show another zone (a meeting's own,
    the counterpart's) do so explicitly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        timezone.activate(preferred_zone(user))
        if language := preferred_language(user):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
