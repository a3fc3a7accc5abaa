"""A signed-in session ends after 30 minutes without a request and 12 hours after its
sign-in, however active (entente.core.security.SessionLifetimeMiddleware)."""

import datetime as dt

import pytest
import time_machine

from entente.accounts.services import token_create

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
SECRET = "correct horse battery staple"
LOGIN = "/accounts/login/"
ME = "/api/v1/me"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client, user):
    user.set_password(SECRET)
    user.save()
    response = client.post(LOGIN, {"username": user.username, "password": SECRET})
    assert (response.status_code, response["Location"]) == (302, "/")


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def test_session_survives_activity_within_the_idle_timeout(client, cast, clock):
    sign_in(client, cast.a_officer)
    statuses = []
    for _ in range(4):
        clock.shift(minutes(29))
        statuses.append(client.get("/").status_code)
    assert statuses == [200, 200, 200, 200]


def test_session_ends_after_30_idle_minutes(client, cast, clock):
    sign_in(client, cast.a_officer)
    assert client.get("/").status_code == 200
    session_cookie = client.cookies["sessionid"].value
    clock.shift(minutes(30))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")
    assert client.get(ME).status_code == 401
    # Replaying the old session cookie does not bring it back.
    client.cookies["sessionid"] = session_cookie
    assert client.get(ME).status_code == 401


def test_idle_timeout_is_a_setting(client, cast, clock, settings):
    settings.SESSION_IDLE_MINUTES = 5
    sign_in(client, cast.a_officer)
    clock.shift(minutes(4))
    assert client.get(ME).status_code == 200
    clock.shift(minutes(5))
    assert client.get(ME).status_code == 401


def test_session_ends_12_hours_after_sign_in_however_active(client, cast, clock):
    sign_in(client, cast.a_officer)
    statuses = []
    for _ in range(35):  # a request every 20 minutes until 11 h 40
        clock.shift(minutes(20))
        statuses.append(client.get(ME).status_code)
    assert statuses == [200] * 35
    clock.shift(minutes(20))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")
    assert client.get(ME).status_code == 401
    # Signing in again starts anew.
    sign_in(client, cast.a_officer)
    clock.shift(minutes(20))
    assert client.get(ME).status_code == 200


def test_absolute_lifetime_is_a_setting(client, cast, clock, settings):
    settings.SESSION_MAX_HOURS = 1
    sign_in(client, cast.a_officer)
    clock.shift(minutes(25))
    assert client.get(ME).status_code == 200
    clock.shift(minutes(25))
    assert client.get(ME).status_code == 200
    clock.shift(minutes(10))
    assert client.get(ME).status_code == 401


def test_token_clients_get_no_session(client, cast, clock):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
