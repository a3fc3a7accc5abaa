import base64
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.accounts.services import mfa_enrol, mfa_reset, token_create
from entente.audit.models import AuditEvent
from entente.core.errors import PermissionDenied
from entente.testing import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
SETUP = "/accounts/mfa/setup/"
VERIFY = "/accounts/mfa/verify/"
WRONG_CODE = "That code is wrong or has expired. Enter the code your app shows now."


@pytest.fixture
def mfa_on(settings):
    settings.REQUIRE_MFA = True


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
    return f"{value:06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def signed_in(user) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def pending(client: Client, user) -> TOTPDevice:
    assert client.get(SETUP).status_code == 200
    return TOTPDevice.objects.get(user=user, confirmed=False)


# --- sign-in -----------------------------------------------------------------------------


def test_sign_in_without_device_redirects_to_setup(cast, mfa_on):
    response = Client().post(LOGIN, {"username": "a_officer", "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/", 302), (f"{SETUP}?next=%2F", 302)]
    assert response.templates[0].name == "accounts/mfa_setup.html"


def test_sign_in_with_device_redirects_to_verify(cast, mfa_on):
    enrolled(cast.a_officer)
    response = signed_in(cast.a_officer).get("/")
    assert (response.status_code, response["Location"]) == (302, f"{VERIFY}?next=%2F")


def test_sign_in_without_mfa_required_goes_straight_through(cast):
    client = signed_in(cast.a_officer)
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.count() == 0


# --- setup -------------------------------------------------------------------------------


def test_setup_shows_qr_code_and_secret(cast, mfa_on):
    client = signed_in(cast.a_officer)
    response = client.get(SETUP)
    device = TOTPDevice.objects.get(user=cast.a_officer)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert device.confirmed is False
    assert response.context["secret"].replace(" ", "") == secret
    assert response.context["qr_code"].startswith("data:image/svg+xml;base64,")
    assert f'<img src="{response.context["qr_code"]}"' in response.content.decode()
    # Reloading the page shows the same pending key, not a new one.
    assert client.get(SETUP).context["secret"] == response.context["secret"]
    assert TOTPDevice.objects.filter(user=cast.a_officer).count() == 1


def test_setup_with_wrong_code_shows_error(cast, mfa_on):
    client = signed_in(cast.a_officer)
    device = pending(client, cast.a_officer)
    events = AuditEvent.objects.count()
    response = client.post(SETUP, {"otp_token": wrong_code_for(device), "next": "/"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"otp_token": [WRONG_CODE]}
    device.refresh_from_db()
    assert (device.confirmed, device.throttling_failure_count) == (False, 1)
    # The wrong code is in the audit chain, the device's key is not.
    event = AuditEvent.objects.get(seq=events + 1)
    assert (event.action, event.actor, event.target_id, event.before, event.after) == (
        "mfa_failure",
        cast.a_officer,
        str(device.pk),
        None,
        {"failures": 1},
    )
    assert AuditEvent.objects.count() == events + 1
    assert client.get("/")["Location"] == f"{SETUP}?next=%2F"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("abcdef", "Enter the 6-digit code that your authenticator app shows."),
        ("12345", "Enter the 6-digit code that your authenticator app shows."),
        ("１２３４５６", "Enter the 6-digit code that your authenticator app shows."),
        ("", "This field is required."),
        ("9" * 40, "Ensure this value has at most 16 characters (it has 40)."),
    ],
)
def test_setup_with_garbage_shows_error(cast, mfa_on, code, error):
    client = signed_in(cast.a_officer)
    pending(client, cast.a_officer)
    response = client.post(SETUP, {"otp_token": code})
    assert response.status_code == 200
    assert response.context["form"].errors == {"otp_token": [error]}


def test_setup_with_right_code_confirms_device_and_shows_recovery_codes(cast, mfa_on):
    client = signed_in(cast.a_officer)
    device = pending(client, cast.a_officer)
    events = AuditEvent.objects.count()
    response = client.post(SETUP, {"otp_token": code_for(device), "next": "/agreements/"})
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/mfa_recovery_codes.html"
    assert len(response.context["codes"]) == 10
    assert '<a class="button" href="/agreements/">' in response.content.decode()
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEvent.objects.count() == events + 2
    enrol, codes = AuditEvent.objects.order_by("seq")[events:]
    assert (enrol.action, enrol.actor, enrol.target_type, enrol.target_id) == (
        "mfa_enrol",
        cast.a_officer,
        "otp_totp.totpdevice",
        str(device.pk),
    )
    assert (enrol.before, enrol.after) == ({"confirmed": False}, {"confirmed": True})
    assert device.key not in json.dumps([enrol.before, enrol.after])
    assert (codes.action, codes.target_type, codes.target_id, codes.before, codes.after) == (
        "mfa_recovery_codes",
        "auth.user",
        str(cast.a_officer.pk),
        {"unused": 0},
        {"unused": 10},
    )


def test_setup_with_code_spaced_out_is_accepted(cast, mfa_on):
    client = signed_in(cast.a_officer)
    device = pending(client, cast.a_officer)
    code = code_for(device)
    response = client.post(SETUP, {"otp_token": f" {code[:3]} {code[3:]} "})
    assert response.templates[0].name == "accounts/mfa_recovery_codes.html"
    assert client.get("/").status_code == 200


def test_setup_with_device_already_confirmed_redirects_to_verify(cast, mfa_on):
    enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    response = client.get(SETUP)
    assert (response.status_code, response["Location"]) == (302, f"{VERIFY}?next=%2F")
    assert TOTPDevice.objects.filter(user=cast.a_officer).count() == 1


def test_enrol_of_another_users_device_is_refused(cast, mfa_on):
    device = TOTPDevice.objects.create(user=cast.a_officer, name="authenticator", confirmed=False)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        mfa_enrol(actor=cast.b_officer, device=device, code=code_for(device))
    device.refresh_from_db()
    assert device.confirmed is False
    assert AuditEvent.objects.count() == events


# --- verify ------------------------------------------------------------------------------


def test_later_session_verifies_with_code_and_reaches_page(cast, mfa_on):
    device = enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    assert client.get("/agreements/")["Location"] == f"{VERIFY}?next=%2Fagreements%2F"
    response = client.post(VERIFY, {"otp_token": code_for(device), "next": "/agreements/"})
    assert (response.status_code, response["Location"]) == (302, "/agreements/")
    assert client.get("/").status_code == 200
    assert client.get(VERIFY)["Location"] == "/"


def test_verify_with_wrong_code_shows_error(cast, mfa_on):
    device = enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    response = client.post(VERIFY, {"otp_token": wrong_code_for(device)})
    assert response.status_code == 200
    assert response.context["form"].errors == {"otp_token": [WRONG_CODE]}
    assert client.get("/")["Location"] == f"{VERIFY}?next=%2F"


def test_verify_after_many_wrong_codes_asks_to_wait(cast, mfa_on):
    device = enrolled(cast.a_officer)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    client = signed_in(cast.a_officer)
    response = client.post(VERIFY, {"otp_token": code_for(device)})
    assert response.context["form"].errors == {
        "otp_token": ["Too many wrong codes. Wait 16 seconds, then try again."]
    }
    assert client.get("/")["Location"] == f"{VERIFY}?next=%2F"


def test_verify_refuses_a_code_already_used(cast, mfa_on):
    client = signed_in(cast.a_officer)
    device = pending(client, cast.a_officer)
    code = code_for(device)
    client.post(SETUP, {"otp_token": code})
    later = signed_in(cast.a_officer)
    response = later.post(VERIFY, {"otp_token": code})
    assert response.context["form"].errors == {"otp_token": [WRONG_CODE]}


def test_verify_without_device_redirects_to_setup(cast, mfa_on):
    response = signed_in(cast.a_officer).get(VERIFY)
    assert (response.status_code, response["Location"]) == (302, f"{SETUP}?next=%2F")


def test_verify_ignores_next_to_another_site(cast, mfa_on):
    device = enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    response = client.post(VERIFY, {"otp_token": code_for(device), "next": "https://evil.test/"})
    assert response["Location"] == "/"


# --- what waits for verification ---------------------------------------------------------


def test_page_before_verification_redirects(cast, mfa_on):
    enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    assert client.get("/calendar/?month=2025-01")["Location"] == (
        f"{VERIFY}?next=%2Fcalendar%2F%3Fmonth%3D2025-01"
    )
    # A form sent before verification is not replayed after it.
    assert client.post("/agreements/", {"title": "x"})["Location"] == VERIFY


def test_admin_before_verification_redirects(cast, mfa_on):
    staff = UserFactory(username="operator", is_staff=True, is_superuser=True)
    enrolled(staff)
    client = Client()
    client.post("/admin/login/", {"username": "operator", "password": PASSWORD})
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"


def test_open_pages_before_verification(cast, mfa_on):
    enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    assert client.get(VERIFY).status_code == 200
    response = client.post("/i18n/setlang/", {"language": "fr", "next": VERIFY})
    assert (response.status_code, response["Location"]) == (302, VERIFY)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/")["Location"] == "/accounts/login/?next=/"


def test_session_api_call_before_verification_answers_401(cast, mfa_on):
    enrolled(cast.a_officer)
    response = signed_in(cast.a_officer).get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": (
            "This session has not passed the second sign-in step: enter a code at "
            "/accounts/mfa/verify/, or send a token as 'Authorization: Bearer <token>'."
        ),
        "instance": "/api/v1/me",
    }


def test_api_with_bearer_token_is_not_blocked(cast, mfa_on):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    enrolled(cast.a_officer)
    unverified_session = signed_in(cast.a_officer)
    for client in (Client(), unverified_session):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200
        assert response.json() == {
            "username": "a_officer",
            "party": "MA-DGSN",
            "role": "officer",
        }


def test_session_api_call_after_verification_passes(cast, mfa_on):
    device = enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    client.post(VERIFY, {"otp_token": code_for(device)})
    assert client.get("/api/v1/me").json()["username"] == "a_officer"


def test_mfa_reset_by_operator_removes_devices_and_is_audited(cast, django_user_model, capsys):
    django_user_model.objects.create_superuser("root", password="x")
    TOTPDevice.objects.create(user=cast.a_officer, name="phone", confirmed=True)
    with pytest.raises(PermissionDenied):
        mfa_reset(actor=cast.a_coordinator, user=cast.a_officer)
    call_command("mfa", "reset", "a_officer", "--operator", "root")
    assert capsys.readouterr().out.strip() == (
        "a_officer: 1 authenticator(s) removed; enrol again at sign-in."
    )
    assert TOTPDevice.objects.filter(user=cast.a_officer).count() == 0
    event = AuditEvent.objects.get(action="mfa_reset")
    assert (event.actor_name, event.before) == ("root", {"user": "a_officer", "confirmed": True})
