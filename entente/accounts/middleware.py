"""The second sign-in step (settings.REQUIRE_MFA): a TOTP code from an authenticator app.

Requests with a Bearer token are judged by the token alone, so the API's token clients
never meet this step.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from entente.accounts.selectors import mfa_verified
from entente.core.problems import problem


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
        if not settings.REQUIRE_MFA or self._exempt(request):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated or mfa_verified(user):
            return self.get_response(request)
        if request.path.startswith(f"{get_script_prefix()}api/"):
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
        if path.startswith(f"{get_script_prefix()}api/"):
            scheme, _sep, _credentials = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() == "bearer":
                return True
        open_pages = ("login", "logout", "mfa-setup", "mfa-verify", "set_language")
        return path in {reverse(name) for name in open_pages}
