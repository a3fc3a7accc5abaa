"""A session cookie that names no live session is refused, not taken for an anonymous
visit (issue 10, "Bad input": replayed sessions): a page redirects to the sign-in page
with a message, a write gets 403 before its view runs, the API 401; the cookie is
deleted, and the first replay of each cookie is one "session_refused" event."""

import datetime as dt

import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from entente.accounts.models import ApiToken
from entente.accounts.services import token_create
from entente.accounts.sessions import sessions_end
from entente.audit.models import AuditEvent

SECRET = "correct horse battery staple"
LOGIN = "/accounts/login/"
TOKENS = "/accounts/tokens/"
ME = "/api/v1/me"
ENDED = "Your session has ended. Please sign in again."
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def signed_in(user) -> Client:
    user.set_password(SECRET)
    user.save()
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": SECRET})
    assert (response.status_code, response["Location"]) == (302, "/")
    return client


def replay(key: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = key
    return client


def refusals() -> list[tuple]:
    return [
        (e.actor, e.target_type, e.target_id, e.after)
        for e in AuditEvent.objects.filter(action="session_refused").order_by("seq")
    ]


def refused(user, reason: str, path: str = "/") -> tuple:
    return (None, "auth.user", str(user.pk), {"reason": reason, "path": path})


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def assert_cookie_deleted(response) -> None:
    cookie = response.cookies["sessionid"]
    assert (cookie.value, cookie["max-age"]) == ("", 0)


def test_a_signed_out_session_replayed_on_a_page_redirects_with_a_message(cast):
    client = signed_in(cast.a_officer)
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code == 302

    response = replay(key).get("/", follow=True)

    assert response.redirect_chain == [("/accounts/login/?next=/", 302)]
    assert messages_on(response) == [ENDED]
    assert refusals() == [refused(cast.a_officer, "ended")]


def test_the_refusal_deletes_the_stale_cookie(cast):
    client = signed_in(cast.a_officer)
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")

    response = replay(key).get("/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")
    assert_cookie_deleted(response)


def test_a_replayed_write_is_refused_with_403_and_writes_nothing(cast):
    client = signed_in(cast.a_officer)
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")

    response = replay(key).post(TOKENS, {"name": "replayed"})

    assert response.status_code == 403
    assert ENDED in response.content.decode()
    assert_cookie_deleted(response)
    assert list(ApiToken.objects.all()) == []
    assert refusals() == [refused(cast.a_officer, "ended", TOKENS)]


def test_a_dead_session_on_the_api_answers_401_problem(cast):
    client = signed_in(cast.a_officer)
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")

    response = replay(key).get(ME)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == ENDED
    assert_cookie_deleted(response)
    assert refusals() == [refused(cast.a_officer, "ended", ME)]


def test_a_token_call_carrying_a_dead_cookie_is_judged_by_its_token(cast):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    client = replay("x" * 32)
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert refusals() == []


def test_two_replays_of_one_cookie_make_one_event(cast):
    client = signed_in(cast.a_officer)
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")

    statuses = [replay(key).get("/").status_code, replay(key).post(TOKENS).status_code]

    assert statuses == [302, 403]
    assert refusals() == [refused(cast.a_officer, "ended")]


def test_an_idle_session_is_refused_as_expired(cast):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(cast.a_officer)
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=30))
        response = client.get("/", follow=True)
    assert response.redirect_chain == [("/accounts/login/?next=/", 302)]
    assert messages_on(response) == [ENDED]
    assert refusals() == [refused(cast.a_officer, "expired")]


def test_a_session_past_its_absolute_lifetime_is_refused_as_expired(cast, settings):
    settings.SESSION_MAX_HOURS = 1
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(cast.a_officer)
        statuses = []
        for _ in range(2):
            clock.shift(dt.timedelta(minutes=25))
            statuses.append(client.get("/").status_code)
        clock.shift(dt.timedelta(minutes=15))
        response = client.post(TOKENS, {"name": "late"})
    assert statuses == [200, 200]
    assert response.status_code == 403
    assert list(ApiToken.objects.all()) == []
    assert refusals() == [refused(cast.a_officer, "expired", TOKENS)]


def test_a_session_signed_out_everywhere_is_refused_as_ended(cast):
    client = signed_in(cast.a_officer)
    sessions_end(actor=None, user=cast.a_officer, reason="deactivated")

    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")
    assert refusals() == [refused(cast.a_officer, "ended")]


def test_another_session_of_a_user_whose_password_changed_is_refused_as_ended(cast):
    other = signed_in(cast.a_officer)
    cast.a_officer.set_password("another long passphrase")
    cast.a_officer.save()

    assert other.get("/").status_code == 302
    assert refusals() == [refused(cast.a_officer, "ended")]


def test_a_dead_cookie_on_the_sign_in_page_leads_back_to_it_plainly(db):
    response = replay("madeup" * 6).get(LOGIN, follow=True)

    assert response.redirect_chain == [(LOGIN, 302)]
    assert messages_on(response) == [ENDED]


def test_a_made_up_key_is_refused_as_unknown(db):
    response = replay("madeup" * 6).get("/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")
    assert refusals() == [(None, "auth.user", "None", {"reason": "unknown", "path": "/"})]


def test_the_event_never_holds_the_cookie(cast):
    client = signed_in(cast.a_officer)
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay(key).get("/")
    [event] = AuditEvent.objects.filter(action="session_refused")
    assert key not in str(event.after) + event.target_id


def test_a_live_session_is_untouched(cast):
    client = signed_in(cast.a_officer)
    key = client.cookies["sessionid"].value

    response = client.get("/")

    assert response.status_code == 200
    assert response.cookies["sessionid"].value == key
    assert refusals() == []


def test_a_live_anonymous_session_is_untouched(db):
    session = SessionStore()
    session["_password_reset_token"] = "set-password"
    session.create()

    response = replay(session.session_key).get(LOGIN)

    assert response.status_code == 200
    assert SESSION_KEY not in session
    assert refusals() == []
