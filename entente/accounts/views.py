"""The user's own account pages: the second sign-in step, personal API tokens, and
preferences (language, time zone).

After the password, `RequireMFAMiddleware` holds the session at `mfa_setup` (no
confirmed authenticator yet: enrol one) or `mfa_verify` (enter a code) until django-otp
marks the session verified.
"""

import base64
import datetime as dt
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.accounts.enums import MFA_CODE_FIELD, RECOVERY_CODE_FIELD
from entente.accounts.forms import MFACodeForm, PreferencesForm, RecoveryCodeForm, TokenCreateForm
from entente.accounts.preferences import party_zone_name, profile_of, profile_update
from entente.accounts.recovery import recovery_code_use, recovery_codes_replace
from entente.accounts.selectors import (
    get_token_for_user,
    mfa_device_for,
    mfa_pending_device_for,
    mfa_verified,
    recovery_codes_left,
    require_token_issuer,
    token_list_for,
)
from entente.accounts.services import (
    mfa_check_code,
    mfa_enrol,
    mfa_enrolment_start,
    mfa_replaced_message,
    request_refused,
    token_create,
    token_revoke,
)
from entente.core.pages import done, saved, signed_in

# --- the second factor --------------------------------------------------------------------


# The pending authenticator that this session's set-up page shows: only this session
# may confirm it (see mfa_enrolment_start).
_PENDING = "mfa_pending_device"


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _submit_code(form, check, field: str = MFA_CODE_FIELD) -> tuple[bool, Any]:
    """Run `check(code)` on a valid form: (True, its result), or (False, None) with the
    refusal put on the form."""
    if not form.is_valid():
        return False, None
    try:
        return True, check(form.cleaned_data[field])
    except ValidationError as exc:
        for message in exc.message_dict.get(field, exc.messages):
            form.add_error(field, message)
        return False, None


def _qr_data_uri(url: str) -> str:
    # A data URI in an <img>, because the CSP allows neither inline SVG styles nor scripts.
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def _grouped_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    # A new session key once the second factor is in, as Django does after the password.
    request.session.cycle_key()
    otp_login(request, device)


def _start_enrolment(request: HttpRequest) -> TOTPDevice:
    device = mfa_enrolment_start(actor=request.user)
    request.session[_PENDING] = device.pk
    return device


def _recovery_codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    # Rendered in answer to the POST that made them: they are never shown again.
    context = {"codes": codes, "next": next_url, "left": len(codes)}
    return render(request, "accounts/mfa_recovery_codes.html", context)


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if mfa_verified(request.user):
        return redirect(_next_url(request))
    if user_has_device(request.user):
        # A second device needs the first one: enrolment is not a way around a code.
        return redirect(f"{reverse('mfa-verify')}?{urlencode({'next': _next_url(request)})}")
    device = mfa_pending_device_for(request.user, request.session.get(_PENDING))
    form = MFACodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and device is None:
        # Another session started a set-up since this page was shown: its key is void.
        form.is_valid()
        form.add_error(MFA_CODE_FIELD, mfa_replaced_message())
    elif request.method == "POST":
        ok, enrolled = _submit_code(
            form, lambda code: mfa_enrol(actor=request.user, device=device, code=code)
        )
        if ok:
            device, codes = enrolled
            del request.session[_PENDING]
            _mark_verified(request, device)
            return _recovery_codes_page(request, codes, _next_url(request))
    # The page shows this session's pending key, or a new one that voids any other.
    device = mfa_pending_device_for(request.user, request.session.get(_PENDING))
    if device is None:
        device = _start_enrolment(request)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_code": _qr_data_uri(device.config_url),
        "secret": _grouped_secret(device),
    }
    return render(request, "accounts/mfa_setup.html", context)


def _recovery_check(request: HttpRequest, device: TOTPDevice, code: str) -> None:
    left = recovery_code_use(actor=request.user, device=device, code=code)
    messages.warning(
        request,
        ngettext(
            "You used a recovery code: %(count)d is left. You can make new ones.",
            "You used a recovery code: %(count)d are left. You can make new ones.",
            left,
        )
        % {"count": left},
    )


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if mfa_verified(request.user):
        return redirect(_next_url(request))
    device = mfa_device_for(request.user)
    if device is None:
        return redirect(f"{reverse('mfa-setup')}?{urlencode({'next': _next_url(request)})}")
    post = request.POST if request.method == "POST" else None
    by_recovery = post is not None and RECOVERY_CODE_FIELD in post
    form = MFACodeForm(None if by_recovery else post)
    recovery_form = RecoveryCodeForm(post if by_recovery else None)
    if by_recovery:
        ok, _left = _submit_code(
            recovery_form,
            lambda code: _recovery_check(request, device, code),
            field=RECOVERY_CODE_FIELD,
        )
    elif post is not None:
        ok, _none = _submit_code(form, lambda code: mfa_check_code(device=device, code=code))
    else:
        ok = False
    if ok:
        _mark_verified(request, device)
        return redirect(_next_url(request))
    context = {"form": form, "recovery_form": recovery_form, "next": _next_url(request)}
    return render(request, "accounts/mfa_verify.html", context)


@signed_in("GET", "POST")
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; POST makes a new set (the old ones stop working)."""
    if mfa_device_for(request.user) is None:
        return redirect("mfa-setup")
    if request.method == "POST":
        codes = recovery_codes_replace(actor=request.user, user=request.user)
        return _recovery_codes_page(request, codes, reverse("mfa-recovery-codes"))
    context = {"codes": None, "left": recovery_codes_left(request.user)}
    return render(request, "accounts/mfa_recovery_codes.html", context)


# --- personal API tokens: list, create (shown once), revoke --------------------------------


# The new token's plaintext waits in the session for the page after the redirect, which
# shows it once and forgets it: a reload neither shows it again nor makes another token.
NEW_TOKEN_SESSION_KEY = "accounts:new_token"


@signed_in("GET", "POST")
def token_list(request):
    if request.method == "POST":
        require_token_issuer(request)
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _create_token(request, form):
        return redirect("token-list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/token_list.html",
        {
            "tokens": token_list_for(request.user),
            "form": form,
            "created": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        },
        status=status,
    )


def _create_token(request, form: TokenCreateForm) -> bool:
    """Create the token the form asks for, its plaintext kept for the next page; or put
    the refusal on the form."""
    days = form.cleaned_data["expires_in_days"]
    try:
        _token, raw = token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            read_only=form.cleaned_data["read_only"],
        )
    except ValidationError as error:
        fields = {"expires_at": "expires_in_days"}
        for field, problems in error.message_dict.items():
            field = fields.get(field, field)
            form.add_error(field if field in form.fields else None, problems)
        return False
    request.session[NEW_TOKEN_SESSION_KEY] = raw
    return True


@signed_in("POST")
def token_revoke_view(request, pk):
    token = get_token_for_user(request.user, pk)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("token-list")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted with a missing or tampered CSRF token: refused (403) as Django does,
    and recorded, with who sent it when they are signed in."""
    user = request.user if request.user.is_authenticated else None
    request_refused(
        actor=user, action="csrf_refused", target=user, after={"path": request.path[:200]}
    )
    return django_csrf_failure(request, reason)


# --- preferences --------------------------------------------------------------------------


@signed_in("GET", "POST")
def preferences(request: HttpRequest) -> HttpResponse:
    """The user's own language and time zone."""
    profile = profile_of(request.user)
    initial = {"language": profile.language, "time_zone": profile.time_zone} if profile else {}
    form = PreferencesForm(
        request.POST or None, initial=initial, party_zone=party_zone_name(request.user)
    )
    if request.method == "POST" and (
        saved(form, lambda: profile_update(actor=request.user, **form.cleaned_data)) is not None
    ):
        translation.activate(form.cleaned_data["language"] or translation.get_language())
        response = done(request, _("Your preferences are saved."), reverse("preferences"))
        _remember_language(response, form.cleaned_data["language"])
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also keeps a signed-in user's choice in their
    profile (the switch would otherwise be undone by it on the next page)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        profile_update(actor=request.user, language=language)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
