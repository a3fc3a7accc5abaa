"""MFA enrolment bound to its session, recovery codes, and who may create API tokens."""

import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.accounts.enums import Role
from entente.accounts.models import ApiToken, RecoveryCode
from entente.accounts.recovery import recovery_codes_replace
from entente.accounts.selectors import recovery_codes_left
from entente.accounts.services import mfa_reset, token_create
from entente.accounts.tests.test_mfa import (
    SETUP,
    VERIFY,
    code_for,
    enrolled,
    pending,
    signed_in,
)
from entente.audit.models import AuditEvent
from entente.core.errors import PermissionDenied
from entente.testing import member

RECOVERY = "/accounts/mfa/recovery-codes/"
TOKENS_API = "/api/v1/tokens"
TOKENS_PAGE = "/accounts/tokens/"
REPLACED = (
    "This set-up was replaced by one started in another window or browser. "
    "Add the key shown now to your app and enter the code it gives."
)
SPENT = "That recovery code is wrong or was already used."


@pytest.fixture
def mfa_on(settings):
    settings.REQUIRE_MFA = True


def with_codes(user) -> tuple[TOTPDevice, list[str]]:
    return enrolled(user), recovery_codes_replace(actor=user, user=user)


def verified(user, device: TOTPDevice) -> Client:
    client = signed_in(user)
    assert client.post(VERIFY, {"otp_token": code_for(device)}).status_code == 302
    return client


# --- enrolment from two sessions ---------------------------------------------------------


def test_second_setup_voids_the_key_shown_to_the_first(cast, mfa_on):
    first, second = signed_in(cast.a_officer), signed_in(cast.a_officer)
    first_device = pending(first, cast.a_officer)
    first_secret = first.get(SETUP).context["secret"]  # a reload keeps this session's key
    first_code = code_for(first_device)
    second_secret = second.get(SETUP).context["secret"]
    assert second_secret != first_secret
    assert not TOTPDevice.objects.filter(pk=first_device.pk).exists()
    events = AuditEvent.objects.count()

    response = first.post(SETUP, {"otp_token": first_code, "next": "/"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"otp_token": [REPLACED]}
    # The first session is shown a key of its own again; nothing is confirmed.
    assert response.context["secret"] not in (first_secret, second_secret)
    assert list(TOTPDevice.objects.values_list("confirmed", flat=True)) == [False]
    assert AuditEvent.objects.count() == events
    assert first.get("/")["Location"] == f"{SETUP}?next=%2F"


def test_setup_is_confirmed_by_the_session_that_started_it(cast, mfa_on):
    first, second = signed_in(cast.a_officer), signed_in(cast.a_officer)
    pending(first, cast.a_officer)
    second.get(SETUP)
    device = TOTPDevice.objects.get(user=cast.a_officer)
    # A session that never started a set-up cannot confirm one either.
    response = signed_in(cast.a_officer).post(SETUP, {"otp_token": code_for(device)})
    assert response.context["form"].errors == {"otp_token": [REPLACED]}
    assert TOTPDevice.objects.filter(confirmed=True).count() == 0


def test_setup_by_the_latest_session_succeeds(cast, mfa_on):
    first, second = signed_in(cast.a_officer), signed_in(cast.a_officer)
    first.get(SETUP)
    device = pending(second, cast.a_officer)
    response = second.post(SETUP, {"otp_token": code_for(device)})
    assert response.templates[0].name == "accounts/mfa_recovery_codes.html"
    assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [(device.pk, True)]
    assert first.get(SETUP)["Location"] == f"{VERIFY}?next=%2F"


# --- recovery codes ----------------------------------------------------------------------


def test_recovery_codes_are_shown_once_and_stored_only_hashed(cast, mfa_on):
    client = signed_in(cast.a_officer)
    device = pending(client, cast.a_officer)
    response = client.post(SETUP, {"otp_token": code_for(device)})
    codes = response.context["codes"]
    assert len(set(codes)) == 10
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)
    page = response.content.decode()
    assert all(f"<code>{code}</code>" in page for code in codes)
    # Never again: the page of codes shows only how many are left.
    again = client.get(RECOVERY).content.decode()
    assert "You have 10 unused recovery codes." in again
    assert not any(code in again for code in codes)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_recoverycode")
        rows = json.dumps(cursor.fetchall(), default=str)
    trail = json.dumps(list(AuditEvent.objects.values_list("before", "after")))
    for code in codes:
        assert code not in rows and code.replace("-", "") not in rows
        assert code not in trail and code.replace("-", "") not in trail
    rows = list(RecoveryCode.objects.order_by("pk").values_list("salt", "code_hash"))
    assert [digest for _salt, digest in rows] == [
        hashlib.sha256(f"{salt}:{code.replace('-', '')}".encode()).hexdigest()
        for (salt, _digest), code in zip(rows, codes, strict=True)
    ]
    assert len({salt for salt, _digest in rows}) == 10


def test_recovery_code_passes_verify_once(cast, mfa_on):
    device, codes = with_codes(cast.a_officer)
    client = signed_in(cast.a_officer)
    events = AuditEvent.objects.count()
    response = client.post(
        VERIFY, {"recovery_code": codes[3].upper(), "next": "/agreements/"}, follow=True
    )
    assert response.redirect_chain == [("/agreements/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "You used a recovery code: 9 are left. You can make new ones."
    ]
    assert recovery_codes_left(cast.a_officer) == 9
    event = AuditEvent.objects.get(seq=events + 1)
    used = RecoveryCode.objects.get(used_at__isnull=False)
    assert (event.action, event.actor, event.target_type, event.target_id) == (
        "mfa_recovery_use",
        cast.a_officer,
        "accounts.recoverycode",
        str(used.pk),
    )
    assert (event.before, event.after) == (
        {"used_at": None},
        {"used_at": used.used_at.isoformat(), "unused": 9},
    )

    later = signed_in(cast.a_officer)
    response = later.post(VERIFY, {"recovery_code": codes[3]})
    assert response.status_code == 200
    assert response.context["recovery_form"].errors == {"recovery_code": [SPENT]}
    assert response.context["form"].errors == {}
    assert later.get("/")["Location"] == f"{VERIFY}?next=%2F"
    failure = AuditEvent.objects.get(seq=events + 2)
    assert (failure.action, failure.target_type, failure.target_id, failure.after) == (
        "mfa_recovery_failure",
        "otp_totp.totpdevice",
        str(device.pk),
        {"failures": 1},
    )
    assert AuditEvent.objects.count() == events + 2
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("2345-6789-abcd-efgh", SPENT),
        (
            "0000-0000-0000-0000",
            "Enter a recovery code as it was shown to you, e.g. abcd-efgh-jkmn-pqrs.",
        ),
        ("", "This field is required."),
    ],
)
def test_wrong_recovery_code_is_refused(cast, mfa_on, code, error):
    with_codes(cast.a_officer)
    client = signed_in(cast.a_officer)
    response = client.post(VERIFY, {"recovery_code": code})
    assert response.context["recovery_form"].errors == {"recovery_code": [error]}
    assert recovery_codes_left(cast.a_officer) == 10


def test_recovery_code_waits_after_many_wrong_codes(cast, mfa_on):
    device, codes = with_codes(cast.a_officer)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    client = signed_in(cast.a_officer)
    response = client.post(VERIFY, {"recovery_code": codes[0]})
    assert response.context["recovery_form"].errors == {
        "recovery_code": ["Too many wrong codes. Wait 16 seconds, then try again."]
    }
    assert recovery_codes_left(cast.a_officer) == 10


def test_new_recovery_codes_replace_the_old_ones(cast, mfa_on):
    device, old = with_codes(cast.a_officer)
    client = verified(cast.a_officer, device)
    events = AuditEvent.objects.count()
    response = client.post(RECOVERY)
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(user=cast.a_officer).count() == 10
    event = AuditEvent.objects.get(seq=events + 1)
    assert (event.action, event.target_type, event.before, event.after) == (
        "mfa_recovery_codes",
        "auth.user",
        {"unused": 10},
        {"unused": 10},
    )
    refused = signed_in(cast.a_officer).post(VERIFY, {"recovery_code": old[0]})
    assert refused.context["recovery_form"].errors == {"recovery_code": [SPENT]}
    TOTPDevice.objects.update(throttling_failure_count=0)  # no wait after that wrong code
    assert signed_in(cast.a_officer).post(VERIFY, {"recovery_code": new[0]}).status_code == 302


def test_recovery_codes_page_needs_an_authenticator(cast):
    client = Client()
    client.force_login(cast.a_officer)
    assert client.get(RECOVERY)["Location"] == SETUP
    assert client.post(RECOVERY)["Location"] == SETUP
    assert RecoveryCode.objects.count() == 0


def test_mfa_reset_removes_recovery_codes(cast, django_user_model):
    django_user_model.objects.create_superuser("root", password="x")
    with_codes(cast.a_officer)
    with_codes(cast.b_officer)
    call_command("mfa", "reset", "a_officer", "--operator", "root")
    assert RecoveryCode.objects.filter(user=cast.a_officer).count() == 0
    assert RecoveryCode.objects.filter(user=cast.b_officer).count() == 10
    event = AuditEvent.objects.get(action="mfa_reset", target_type="auth.user")
    assert (event.actor_name, event.target_id, event.before) == (
        "root",
        str(cast.a_officer.pk),
        {"user": "a_officer", "recovery_codes": 10},
    )


# --- who may create an API token ----------------------------------------------------------


def test_token_cannot_create_a_token(cast, mfa_on):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    events = AuditEvent.objects.count()
    response = Client().post(
        TOKENS_API,
        {"name": "child"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert response.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "An API token cannot create tokens. Sign in and create one on your tokens page.",
        "instance": TOKENS_API,
    }
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["ci"]
    assert AuditEvent.objects.count() == events


def test_unverified_session_cannot_create_a_token(cast, mfa_on, settings):
    enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    # The middleware holds the session at the second step...
    assert (
        client.post(TOKENS_API, {"name": "x"}, content_type="application/json").status_code == 401
    )
    assert client.post(TOKENS_PAGE, {"name": "x"})["Location"] == VERIFY
    # ...and the token's own door refuses too, should a page ever be let through.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("RequireMFAMiddleware")]
    client = signed_in(cast.a_officer)
    response = client.post(TOKENS_API, {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Enter a code from your authenticator app before you create a token."
    )
    response = client.post(TOKENS_PAGE, {"name": "x"})
    assert response.status_code == 403
    assert "Enter a code from your authenticator app before you create a token." in (
        response.content.decode()
    )
    assert ApiToken.objects.count() == 0


def test_verified_session_creates_a_token(cast, mfa_on):
    client = verified(cast.a_officer, enrolled(cast.a_officer))
    response = client.post(TOKENS_API, {"name": "laptop"}, content_type="application/json")
    assert response.status_code == 201
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["laptop"]


def test_session_creates_a_token_when_mfa_is_not_required(cast):
    client = Client()
    client.force_login(cast.a_officer)
    response = client.post(TOKENS_API, {"name": "laptop"}, content_type="application/json")
    assert response.status_code == 201


def test_party_admin_resets_only_their_own_partys_members(cast):
    admin_a = member("a_admin", cast.a, Role.PARTY_ADMIN)
    with_codes(cast.a_officer)
    with_codes(cast.b_officer)
    for actor, user in [(admin_a, cast.b_officer), (cast.a_coordinator, cast.a_officer)]:
        with pytest.raises(PermissionDenied) as refused:
            mfa_reset(actor=actor, user=user)
        assert str(refused.value) == (
            "Only the party administrator or the technical operator may reset a second factor."
        )
    assert TOTPDevice.objects.count() == 2
    assert mfa_reset(actor=admin_a, user=cast.a_officer) == 1
    assert list(TOTPDevice.objects.values_list("user__username", flat=True)) == ["b_officer"]
    assert set(RecoveryCode.objects.values_list("user__username", flat=True)) == {"b_officer"}
    assert [
        (e.actor_name, e.action, e.target_type)
        for e in AuditEvent.objects.filter(action="mfa_reset").order_by("seq")
    ] == [("a_admin", "mfa_reset", "otp_totp.totpdevice"), ("a_admin", "mfa_reset", "auth.user")]
