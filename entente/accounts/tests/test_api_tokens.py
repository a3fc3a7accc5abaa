import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entente.accounts.models import ApiToken, Unit
from entente.accounts.selectors import token_authenticate
from entente.accounts.services import token_create, token_revoke
from entente.apikit.models import IdempotencyKey
from entente.audit.models import AuditEvent
from entente.core.errors import PermissionDenied, ValidationError
from entente.testing import UnitFactory

ME = "/api/v1/me"
TOKENS = "/api/v1/tokens"
CSRF = "k" * 32  # an unmasked CSRF secret: the cookie value, also accepted as the header


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def unauthorized(path: str) -> dict:
    return {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Log in, or send a valid token as 'Authorization: Bearer <token>'.",
        "instance": path,
    }


def iso(value: dt.datetime | None) -> str | None:
    # How the API writes datetimes: in UTC, to the millisecond, "Z".
    return None if value is None else DjangoJSONEncoder().default(value.astimezone(dt.UTC))


def token_json(token: ApiToken) -> dict:
    token.refresh_from_db()
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.key_prefix,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "last_used_at": iso(token.last_used_at),
        "revoked_at": iso(token.revoked_at),
        "read_only": token.read_only,
    }


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    return client


# --- authentication ----------------------------------------------------------------------


def test_me_with_bearer_token(client, cast):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    response = client.get(ME, **bearer(raw))
    assert response.status_code == 200
    assert response.json() == {"username": "a_officer", "party": "MA-DGSN", "role": "officer"}


def test_me_with_session(client, cast):
    client.force_login(cast.b_coordinator)
    response = client.get(ME)
    assert response.json() == {
        "username": "b_coordinator",
        "party": "NL-POL",
        "role": "coordinator",
    }


def test_me_without_credentials_is_401_problem(client, cast):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="entente"'
    assert response.json() == unauthorized(ME)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ent_00000000_not-a-token",
        "Bearer ",
        "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
        "Bearer " + "x" * 5000,
    ],
)
def test_me_with_bad_credentials_is_401_problem(client, cast, header):
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == unauthorized(ME)


def test_bad_token_is_401_even_beside_a_session(client, cast):
    client.force_login(cast.a_officer)
    response = client.get(ME, HTTP_AUTHORIZATION="Bearer ent_00000000_not-a-token")
    assert response.status_code == 401
    assert response.json() == unauthorized(ME)


def test_revoked_token_is_401(client, cast):
    token, raw = token_create(actor=cast.a_officer, name="ci")
    token_revoke(actor=cast.a_officer, token=token)
    response = client.get(ME, **bearer(raw))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == unauthorized(ME)


def test_expired_token_is_401(client, cast):
    token, raw = token_create(
        actor=cast.a_officer, name="ci", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    assert client.get(ME, **bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = client.get(ME, **bearer(raw))
    assert response.status_code == 401
    assert response.json() == unauthorized(ME)


def test_token_of_inactive_user_is_refused(cast):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    cast.a_officer.is_active = False
    cast.a_officer.save()
    assert token_authenticate(raw) is None


def test_token_use_is_recorded_to_the_minute(cast):
    token, raw = token_create(actor=cast.a_officer, name="ci")
    assert token_authenticate(raw) == cast.a_officer
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert token_authenticate(raw) == cast.a_officer
    token.refresh_from_db()
    assert token.last_used_at == first_use  # within the minute: no write
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_session_post_needs_csrf_token(cast):
    client = csrf_client(cast.a_officer)
    response = client.post(TOKENS, {"name": "laptop"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": (
            "CSRF token missing or incorrect: send the csrftoken cookie's value in the "
            "X-CSRFToken header."
        ),
        "instance": TOKENS,
    }
    assert ApiToken.objects.count() == 0

    response = client.post(
        TOKENS, {"name": "laptop"}, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF
    )
    assert response.status_code == 201
    assert ApiToken.objects.get().name == "laptop"


def test_token_delete_needs_no_csrf_token(cast):
    # Tokens do not create tokens (see test_mfa_recovery): an unsafe call with one is a revoke.
    token, raw = token_create(actor=cast.a_officer, name="ci")
    client = Client(enforce_csrf_checks=True)
    response = client.delete(f"{TOKENS}/{token.pk}", **bearer(raw))
    assert response.status_code == 204


def test_session_get_needs_no_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.a_reader)
    assert client.get(ME).status_code == 200


# --- tokens ----------------------------------------------------------------------------------


@time_machine.travel("2030-06-01T00:00:00Z", tick=False)
def test_token_create_shows_token_once_and_stores_only_its_hash(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(
        TOKENS,
        {"name": "reporting", "expires_at": "2031-01-01T10:00:00+01:00"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    raw = body.pop("token")
    token = ApiToken.objects.get()
    assert body == token_json(token)
    assert body["expires_at"] == "2031-01-01T09:00:00Z"
    assert raw.startswith(f"ent_{token.key_prefix}_")
    assert len(raw) == len("ent_") + 8 + 1 + 43
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()

    # Nowhere in the database: not in the token row, not in the audit chain.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        row = cursor.fetchone()
    secret = raw.rsplit("_", 1)[1]
    assert not any(secret in str(value) for value in row)
    event = AuditEvent.objects.get(target_type="accounts.apitoken")
    assert (event.action, event.actor_name, event.before) == ("create", "a_officer", None)
    assert event.after == {
        "id": token.pk,
        "user_id": cast.a_officer.pk,
        "name": "reporting",
        "key_prefix": token.key_prefix,
        "created_at": iso(token.created_at),
        "expires_at": "2031-01-01T09:00:00Z",
        "last_used_at": None,
        "revoked_at": None,
        "read_only": False,
    }

    # The token works, and the list never shows it again.
    assert client.logout() is None
    listing = client.get(TOKENS, **bearer(raw)).json()
    assert listing == {"items": [token_json(token)], "next_cursor": None}


def test_token_create_refuses_invalid_input(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(
        TOKENS,
        {"name": "", "expires_at": "2001-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.name", "message": "String should have at least 1 character"}
    ]
    response = client.post(
        TOKENS,
        {"name": "old", "expires_at": "2001-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The input is not valid.",
        "instance": TOKENS,
        "errors": [{"field": "expires_at", "message": "The expiry must be in the future."}],
    }
    assert ApiToken.objects.count() == 0


def test_token_list_shows_only_own_tokens_newest_first(client, cast):
    older, _ = token_create(actor=cast.a_officer, name="older")
    newer, _ = token_create(actor=cast.a_officer, name="newer")
    token_create(actor=cast.b_officer, name="theirs")
    token_revoke(actor=cast.a_officer, token=older)
    client.force_login(cast.a_officer)
    response = client.get(TOKENS)
    assert response.json() == {"items": [token_json(newer), token_json(older)], "next_cursor": None}


def test_token_list_pages_through_equal_timestamps_without_gaps(client, cast):
    tokens = [token_create(actor=cast.a_officer, name=f"t{i}")[0] for i in range(5)]
    ApiToken.objects.update(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    client.force_login(cast.a_officer)
    seen, cursor = [], None
    for _page in range(5):
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get(TOKENS, query).json()
        seen += [item["name"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [t.name for t in reversed(tokens)]


def test_token_revoke(client, cast):
    token, raw = token_create(actor=cast.a_officer, name="ci")
    client.force_login(cast.a_officer)
    response = client.delete(f"{TOKENS}/{token.pk}")
    assert response.status_code == 204
    assert response.content == b""
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(ME).status_code == 200  # the session still works
    assert client.get(ME, **bearer(raw)).status_code == 401
    revoke, refused = AuditEvent.objects.filter(target_type="accounts.apitoken").order_by("seq")[1:]
    assert (refused.action, refused.after) == ("api_token_refused", {"prefix": token.key_prefix})
    assert (revoke.action, revoke.before, revoke.after) == (
        "revoke",
        {"revoked_at": None},
        {"revoked_at": iso(token.revoked_at)},
    )


@pytest.mark.parametrize("who", ["a_coordinator", "b_officer"])
def test_token_revoke_of_someone_elses_token_is_404(client, cast, who):
    token, raw = token_create(actor=cast.a_officer, name="ci")
    client.force_login(getattr(cast, who))
    response = client.delete(f"{TOKENS}/{token.pk}")
    assert response.status_code == 404
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No such token.",
        "instance": f"{TOKENS}/{token.pk}",
    }
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_revoke_service_refuses_other_users(cast):
    token, _raw = token_create(actor=cast.a_officer, name="ci")
    with pytest.raises(PermissionDenied):
        token_revoke(actor=cast.a_coordinator, token=token)


def test_token_post_with_idempotency_key_creates_one_token(client, cast):
    client.force_login(cast.a_officer)

    def post(body):
        return client.post(
            TOKENS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
        )

    first = post({"name": "sync"})
    again = post({"name": "sync"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    token = ApiToken.objects.get()
    assert first.json() == token_json(token) | {"token": first.json()["token"]}
    # The token is shown once: a replay answers the same record without it.
    assert again.json() == token_json(token) | {"token": None}
    assert IdempotencyKey.objects.get().record_ids == [token.pk]  # no body kept

    other = post({"name": "something else"})
    assert other.status_code == 422
    assert other.json() == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": (
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new request."
        ),
        "instance": TOKENS,
    }
    assert ApiToken.objects.count() == 1


def test_idempotency_keys_are_per_user_and_expire(client, cast):
    client.force_login(cast.a_officer)
    body = {"name": "sync"}
    assert (
        client.post(
            TOKENS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
        ).status_code
        == 201
    )
    client.force_login(cast.b_officer)
    response = client.post(TOKENS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert "Idempotent-Replayed" not in response
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    response = client.post(TOKENS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert "Idempotent-Replayed" not in response
    assert ApiToken.objects.count() == 3


def test_failed_request_does_not_use_up_the_idempotency_key(client, cast):
    client.force_login(cast.a_officer)
    past = {"name": "x", "expires_at": "2001-01-01T00:00:00Z"}
    response = client.post(TOKENS, past, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    response = client.post(
        TOKENS, {"name": "x"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


# --- parties and units -----------------------------------------------------------------------


def test_parties_lists_every_party(client, cast):
    client.force_login(cast.c_officer)
    response = client.get("/api/v1/parties")
    assert response.json() == {
        "items": [
            {
                "code": "MA-DGSN",
                "names": {"en": "DGSN-DGST"},
                "reference_language": "en",
                "country": "MA",
                "time_zone": "Africa/Casablanca",
            },
            {
                "code": "NL-POL",
                "names": {"en": "Netherlands Police"},
                "reference_language": "en",
                "country": "NL",
                "time_zone": "Europe/Amsterdam",
            },
            {
                "code": "XX-OUT",
                "names": {"en": "Outsider"},
                "reference_language": "en",
                "country": "BE",
                "time_zone": "Europe/Brussels",
            },
        ],
        "next_cursor": None,
    }


def test_units_pages_in_name_order(client, cast):
    client.force_login(cast.a_reader)
    first = client.get("/api/v1/units", {"limit": 2}).json()
    assert first["items"] == [
        {
            "id": cast.a_cell.pk,
            "party": "MA-DGSN",
            "name": "Contact cell MA",
            "is_contact_cell": True,
        },
        {
            "id": cast.b_cell.pk,
            "party": "NL-POL",
            "name": "Contact cell NL",
            "is_contact_cell": True,
        },
    ]
    # A unit inserted before the cursor does not shift the next page.
    UnitFactory(party=cast.a, name="Analysis", is_contact_cell=False)
    second = client.get("/api/v1/units", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert second == {
        "items": [
            {
                "id": cast.c_cell.pk,
                "party": "XX-OUT",
                "name": "Contact cell XX",
                "is_contact_cell": True,
            }
        ],
        "next_cursor": None,
    }


def test_units_query_count_does_not_grow_with_rows(client, cast):
    _token, raw = token_create(actor=cast.a_reader, name="ci")
    client.get("/api/v1/units", **bearer(raw))  # records the token's first use
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/units", **bearer(raw)).status_code == 200
    for i in range(10):
        UnitFactory(party=cast.b, name=f"Unit {i}")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/units", **bearer(raw)).json()
    assert len(body["items"]) == Unit.objects.count() == 13
    assert len(many) == len(few)


# --- the token command -----------------------------------------------------------------------


def test_token_command_creates_and_prints_token_once(cast, capsys):
    call_command(
        "token", "create", "--user", "a_officer", "--name", "backup", "--expires-days", "30"
    )
    out, err = capsys.readouterr()
    raw = out.strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (cast.a_officer, "backup")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(
        minutes=1
    )
    assert err.startswith(f"Token {token.pk} (backup) for a_officer, expires ")
    assert token_authenticate(raw) == cast.a_officer


def test_token_command_revokes(cast, capsys):
    token, raw = token_create(actor=cast.a_officer, name="ci")
    call_command("token", "revoke", "--user", "a_officer", str(token.pk))
    assert capsys.readouterr().out == f"Revoked token {token.pk} (ci) of a_officer.\n"
    assert token_authenticate(raw) is None


def test_token_command_refuses_other_users_token_and_bad_input(cast):
    token, _raw = token_create(actor=cast.a_officer, name="ci")
    with pytest.raises(CommandError, match=f"^b_officer has no token {token.pk}.$"):
        call_command("token", "revoke", "--user", "b_officer", str(token.pk))
    with pytest.raises(CommandError, match="^No user 'nobody'.$"):
        call_command("token", "create", "--user", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="^name: This field cannot be blank.$"):
        call_command("token", "create", "--user", "a_officer", "--name", " ")
    with pytest.raises(CommandError, match="^--expires-days must be at least 1.$"):
        call_command("token", "create", "--user", "a_officer", "--name", "x", "--expires-days", "0")
    assert ApiToken.objects.count() == 1


def test_token_expiry_needs_a_time_zone(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(
        TOKENS, {"name": "x", "expires_at": "2031-01-01T10:00:00"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.expires_at", "message": "Input should have timezone info"}
    ]
    with pytest.raises(ValidationError) as raised:
        token_create(actor=cast.a_officer, name="x", expires_at=dt.datetime(2031, 1, 1))
    assert raised.value.message_dict == {"expires_at": ["Give the expiry with its time zone."]}
