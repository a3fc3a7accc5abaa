"""The second sign-in step: a TOTP code from an authenticator app (settings.REQUIRE_MFA).

After the password, `RequireMFAMiddleware` holds the session at `/accounts/mfa/setup/`
(no confirmed device yet: enrol one) or `/accounts/mfa/verify/` (enter a code) until
django-otp marks the session verified. Requests with a Bearer token are judged by the
token alone, so the API's token clients never meet this step.
"""

import base64
import math

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.audit.services import audit_record, write_transaction
from entente.core.errors import PermissionDenied, ValidationError
from entente.core.problems import problem

DEVICE_NAME = "authenticator"
CODE_FIELD = "otp_token"

# ---------------------------------------------------------------- services


def mfa_check_code(*, device: TOTPDevice, code: str) -> None:
    """Accept `code` from `device` or raise ValidationError keyed by the code field.

    django-otp counts each wrong code on the device and makes the next attempt wait
    1, 2, 4... seconds, and refuses a code that was already used.
    """
    with write_transaction():
        # Locked so that two concurrent submissions cannot both use one code.
        current = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, refusal = current.verify_is_allowed()
        accepted = allowed and current.verify_token(code)
    if not allowed:
        wait = max(1, math.ceil((refusal["locked_until"] - timezone.now()).total_seconds()))
        message = ngettext(
            "Too many wrong codes. Wait %(seconds)d second, then try again.",
            "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
            wait,
        )
        raise ValidationError({CODE_FIELD: message % {"seconds": wait}})
    if not accepted:
        raise ValidationError(
            {CODE_FIELD: _("That code is wrong or has expired. Enter the code your app shows now.")}
        )


def mfa_enrol(*, actor, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm `actor`'s pending authenticator once it has produced a valid code.

    Records "mfa_enrol" in the audit chain; the device's key never goes there.
    """
    if actor is None or device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied(_("Only its owner may confirm a pending authenticator."))
    # Checked outside the enrolment transaction: a wrong code must still count against
    # the device when the enrolment fails.
    mfa_check_code(device=device, code=code)
    with write_transaction():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=actor,
            action="mfa_enrol",
            target=device,
            before={"confirmed": False},
            after={"confirmed": True},
        )
    return device


def mfa_reset(*, actor, user) -> int:
    """Remove a user's authenticators (lost phone): they enrol again at next sign-in.

    Only the technical operator may do this; each removal is in the audit chain.
    """
    if actor is None or not actor.is_superuser:
        raise PermissionDenied(_("Only the technical operator may reset a second factor."))
    with write_transaction():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user))
        for device in devices:
            audit_record(
                actor=actor,
                action="mfa_reset",
                target=device,
                before={"user": user.get_username(), "confirmed": device.confirmed},
            )
            device.delete()
    return len(devices)


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed authenticator, made on first use; it verifies nothing yet."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


# ---------------------------------------------------------------- views


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        code = "".join(self.cleaned_data["otp_token"].split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(
                gettext_lazy("Enter the 6-digit code that your authenticator app shows.")
            )
        return code


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _is_verified(user) -> bool:
    # OTPMiddleware installs is_verified; without it no session counts as verified.
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _submit_code(request: HttpRequest, form: CodeForm, check) -> bool:
    """Run `check(code)` on a valid form, putting its refusal on the form."""
    if not form.is_valid():
        return False
    try:
        check(form.cleaned_data[CODE_FIELD])
    except ValidationError as exc:
        for message in exc.message_dict.get(CODE_FIELD, exc.messages):
            form.add_error(CODE_FIELD, message)
        return False
    return True


def _qr_data_uri(url: str) -> str:
    # A data URI in an <img>, because the CSP allows neither inline SVG styles nor scripts.
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def _grouped_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    # A new session key once the second factor is in, as Django does after the password.
    request.session.cycle_key()
    otp_login(request, device)
    return redirect(_next_url(request))


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if _is_verified(request.user):
        return redirect(_next_url(request))
    if user_has_device(request.user):
        # A second device needs the first one: enrolment is not a way around a code.
        return redirect(f"{reverse('mfa-verify')}?{urlencode({'next': _next_url(request)})}")
    device = pending_device(request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _submit_code(
        request, form, lambda code: mfa_enrol(actor=request.user, device=device, code=code)
    ):
        device.refresh_from_db()
        return _verified(request, device)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_code": _qr_data_uri(device.config_url),
        "secret": _grouped_secret(device),
    }
    return render(request, "accounts/mfa_setup.html", context)


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if _is_verified(request.user):
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first()
    if device is None:
        return redirect(f"{reverse('mfa-setup')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _submit_code(
        request, form, lambda code: mfa_check_code(device=device, code=code)
    ):
        return _verified(request, device)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


# ---------------------------------------------------------------- middleware


class RequireMFAMiddleware:
    """Holds a signed-in session at the MFA pages until a TOTP code has verified it.

    Goes after django_otp's OTPMiddleware. Pages redirect; session calls to the JSON API
    answer 401; calls with a Bearer token pass, since the API judges them by the token
    alone. Reads settings.REQUIRE_MFA on every request, so tests can switch it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.REQUIRE_MFA or self._exempt(request):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated or _is_verified(user):
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
