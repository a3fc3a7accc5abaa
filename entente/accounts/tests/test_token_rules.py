"""Token rules (issue 10, item 7): every token expires, within a maximum; it never
outlives the credential that made it; read-only tokens; every answer in the contract."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import override_settings

from entente.accounts.enums import Role
from entente.accounts.models import ApiToken, Membership
from entente.accounts.selectors import token_authenticate
from entente.accounts.services import membership_set, token_create
from entente.audit.models import AuditEvent

ME = "/api/v1/me"
TOKENS = "/api/v1/tokens"
NOW = dt.datetime(2030, 6, 1, tzinfo=dt.UTC)

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_token(client, body: dict, **headers):
    return client.post(TOKENS, body, content_type="application/json", **headers)


def field_errors(response) -> list[dict]:
    assert response.status_code == 422
    return response.json()["errors"]


# --- expiry: a default, a maximum, never "never" ---------------------------------------------


@override_settings(TOKEN_DEFAULT_DAYS=90, TOKEN_MAX_DAYS=365)
def test_a_token_without_an_expiry_gets_the_default_one(client, cast):
    client.force_login(cast.a_officer)
    response = post_token(client, {"name": "ci"})
    assert response.status_code == 201
    assert response.json()["expires_at"] == "2030-08-30T00:00:00Z"  # 90 days on
    assert ApiToken.objects.get().expires_at == NOW + dt.timedelta(days=90)


@override_settings(TOKEN_MAX_DAYS=365)
def test_a_token_longer_than_the_maximum_or_never_expiring_is_refused(client, cast):
    client.force_login(cast.a_officer)
    too_long = post_token(client, {"name": "ci", "expires_at": "2031-06-01T00:00:01Z"})
    assert field_errors(too_long) == [
        {
            "field": "expires_at",
            "message": "A token works for at most 365 days: expire it by 2031-06-01 00:00 UTC.",
        }
    ]
    never = post_token(client, {"name": "ci", "expires_at": None})
    assert [error["field"] for error in field_errors(never)] == ["body.expires_at"]
    at_most = post_token(client, {"name": "ci", "expires_at": "2031-06-01T00:00:00Z"})
    assert at_most.status_code == 201
    assert ApiToken.objects.count() == 1
    assert AuditEvent.objects.filter(target_type="accounts.apitoken").count() == 1


def test_an_expired_token_answers_401(client, cast):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    with time_machine.travel(NOW + dt.timedelta(days=90, seconds=1), tick=False):
        assert client.get(ME, **bearer(raw)).status_code == 401


# --- a token never outlives the credential that made it --------------------------------------


def test_deactivating_the_owner_stops_the_token(client, cast):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    assert client.get(ME, **bearer(raw)).status_code == 200
    get_user_model().objects.filter(pk=cast.a_officer.pk).update(is_active=False)
    assert client.get(ME, **bearer(raw)).status_code == 401


def test_a_password_change_after_the_token_stops_it(client, cast):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    user = get_user_model().objects.get(pk=cast.a_officer.pk)
    user.set_password("a new and long passphrase")
    user.save()
    assert client.get(ME, **bearer(raw)).status_code == 401
    # A token made with the new password works.
    _token, fresh = token_create(actor=user, name="after")
    assert client.get(ME, **bearer(fresh)).status_code == 200


def test_a_role_change_or_removed_membership_stops_the_token(client, cast):
    operator = get_user_model().objects.create_superuser("operator", password="x" * 20)
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    _token, other = token_create(actor=cast.a_reader, name="ci")
    membership_set(actor=operator, user=cast.a_officer, party=cast.a, role=Role.READER)
    assert client.get(ME, **bearer(raw)).status_code == 401
    assert client.get(ME, **bearer(other)).status_code == 200
    Membership.objects.filter(user=cast.a_reader).delete()
    assert client.get(ME, **bearer(other)).status_code == 401


def test_the_credential_check_costs_no_extra_query(cast, django_assert_num_queries):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    token_authenticate(raw)  # sets last_used_at
    with django_assert_num_queries(1):
        assert token_authenticate(raw) == cast.a_officer


def test_the_credential_stamp_is_not_in_the_audit(cast):
    token, _raw = token_create(actor=cast.a_officer, name="ci", read_only=True)
    event = AuditEvent.objects.get(target_type="accounts.apitoken")
    assert "credential_stamp" not in event.after
    assert event.after["read_only"] is True
    assert len(token.credential_stamp) == 64


# --- read-only tokens ------------------------------------------------------------------------


def test_a_read_only_token_reads_but_changes_nothing(client, cast):
    token, raw = token_create(actor=cast.a_coordinator, name="dashboard", read_only=True)
    assert client.get(ME, **bearer(raw)).status_code == 200
    assert (
        client.get(f"/api/v1/agreements/{cast.agreement.public_id}", **bearer(raw)).status_code
        == 200
    )
    refusals = [
        post_token(client, {"name": "more"}, **bearer(raw)),
        client.patch(
            f"/api/v1/agreements/{cast.agreement.public_id}",
            {"title": "Changed"},
            content_type="application/json",
            HTTP_IF_MATCH='"1"',
            **bearer(raw),
        ),
        client.delete(f"{TOKENS}/{token.pk}", **bearer(raw)),
    ]
    assert [r.status_code for r in refusals] == [403, 403, 403]
    assert refusals[0].json()["detail"] == "This token is read-only: it may not change anything."
    token.refresh_from_db()
    assert (ApiToken.objects.count(), token.revoked_at) == (1, None)
    assert AuditEvent.objects.filter(action__in=["update", "revoke"]).count() == 0


def test_a_read_only_token_is_created_through_the_api(client, cast):
    client.force_login(cast.a_officer)
    response = post_token(client, {"name": "dashboard", "read_only": True})
    assert (response.status_code, response.json()["read_only"]) == (201, True)
    assert ApiToken.objects.get().read_only is True


# --- the contract ----------------------------------------------------------------------------


def test_a_malformed_token_id_answers_a_documented_422(client, cast):
    client.force_login(cast.a_officer)
    response = client.delete(f"{TOKENS}/not-a-number")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.token_id"
    document = client.get("/api/v1/openapi.json").json()
    operations = document["paths"]["/api/v1/tokens/{token_id}"]
    assert set(operations["delete"]["responses"]) == {"204", "401", "403", "404", "422", "429"}
    assert set(document["paths"]["/api/v1/tokens"]["post"]["responses"]) == {
        "201",
        "400",
        "401",
        "403",
        "413",
        "415",
        "422",
        "429",
    }


def test_a_token_request_too_large_answers_a_documented_413(client, cast):
    client.force_login(cast.a_officer)
    body = '{"name": "%s"}' % ("x" * (3 * 1024 * 1024))
    response = client.post(TOKENS, body, content_type="application/json")
    assert response.status_code == 413
    assert ApiToken.objects.count() == 0
    document = client.get("/api/v1/openapi.json").json()
    assert "413" in document["paths"]["/api/v1/tokens"]["post"]["responses"]
