"""Lockout after repeated failed sign-ins, per username and per client address
(django-axes, entente.accounts.lockout): the message says when to try again and never
whether the account exists; the party administrator and the operator unlock; every
failure, lockout, refusal and unlock is in the audit chain."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import entente
from entente.accounts.enums import Role
from entente.audit.models import AuditEvent
from entente.testing import PASSWORD, UserFactory, member

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
LOGIN = "/accounts/login/"
HOME = "/"
WRONG = "not the password at all"
INVALID = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)
LOCKOUTS_LINK = 'href="/accounts/lockouts/"'
LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes, after 08:15 (UTC)."


@pytest.fixture(autouse=True)
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def attempt(username: str, password: str, address: str = "10.0.0.1", path: str = LOGIN):
    client = Client(REMOTE_ADDR=address)
    response = client.post(path, {"username": username, "password": password})
    response.signed_in = SESSION_KEY in client.session  # type: ignore[attr-defined]
    return response


def fail(username: str, times: int = 5, address: str = "10.0.0.1"):
    return [attempt(username, WRONG, address) for _ in range(times)]


def errors(response) -> list[str]:
    """The sign-in page's messages and form errors, as the user reads them."""
    text = response.content.decode()
    found = re.findall(r'class="message message-error">\s*<strong>Error:</strong>\s*([^<]*)', text)
    found += re.findall(r'<ul class="errorlist nonfield"><li>([^<]*)</li>', text)
    return [" ".join(item.split()).replace("&#x27;", "'") for item in found]


def page_text(response, username: str) -> str:
    """The page without what differs from one request to the next: CSRF tokens, and the
    username the user typed (echoed in the form)."""
    text = re.sub(r'(value|content)="[A-Za-z0-9]{64}"', "", response.content.decode())
    return text.replace(f'value="{username}"', 'value="NAME"')


def actions() -> list[tuple]:
    return list(
        AuditEvent.objects.order_by("seq").values_list(
            "action", "actor_name", "target_type", "after"
        )
    )


def test_five_failures_lock_the_account_even_for_the_right_password(cast, clock):
    answers = fail("a_officer")
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert errors(answers[0]) == [INVALID]
    assert errors(answers[4]) == [LOCKED]

    locked = attempt("a_officer", PASSWORD, address="10.0.0.2")
    assert (locked.status_code, errors(locked), locked.signed_in) == (429, [LOCKED], False)


def test_four_failures_do_not_lock(cast, clock):
    fail("a_officer", times=4)
    response = attempt("a_officer", PASSWORD)
    assert (response.status_code, response.signed_in) == (302, True)


def test_a_success_clears_the_username_count(cast, clock):
    fail("a_officer", times=4)
    assert attempt("a_officer", PASSWORD, address="10.0.0.2").signed_in
    fail("a_officer", times=4, address="10.0.0.3")
    assert attempt("a_officer", PASSWORD, address="10.0.0.4").signed_in


def test_five_failures_from_one_address_lock_it_across_usernames(cast, clock):
    for name in ["ghost1", "ghost2", "a_reader", "ghost4", "ghost5"]:
        attempt(name, WRONG, address="10.9.9.9")

    refused = attempt("a_officer", PASSWORD, address="10.9.9.9")
    assert (refused.status_code, errors(refused), refused.signed_in) == (429, [LOCKED], False)
    # The usernames were not locked: from another address they sign in.
    assert attempt("a_officer", PASSWORD, address="10.0.0.2").signed_in
    assert attempt("a_reader", PASSWORD, address="10.0.0.3").signed_in


def test_a_sign_in_from_an_address_does_not_clear_its_count(cast, clock):
    """One valid account must not let its holder go on guessing others' passwords."""
    for name in ["ghost1", "ghost2", "ghost3", "ghost4"]:
        attempt(name, WRONG, address="10.9.9.9")
    assert attempt("a_reader", PASSWORD, address="10.9.9.9").signed_in
    attempt("ghost5", WRONG, address="10.9.9.9")
    assert attempt("a_officer", PASSWORD, address="10.9.9.9").status_code == 429


def test_unknown_usernames_get_the_same_answers_as_real_ones(cast, clock):
    real = fail("a_officer", times=6, address="10.0.0.1")
    ghost = fail("nobody-here", times=6, address="10.0.0.2")
    assert [a.status_code for a in ghost] == [a.status_code for a in real]
    assert [page_text(a, "nobody-here") for a in ghost] == [page_text(a, "a_officer") for a in real]
    assert errors(ghost[5]) == [LOCKED]


def test_the_admin_sign_in_shares_the_lockout(cast, clock):
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    for _ in range(5):
        attempt(operator.username, WRONG, path="/admin/login/")
    response = attempt(operator.username, PASSWORD, address="10.0.0.2", path="/admin/login/")
    assert (response.status_code, errors(response), response.signed_in) == (429, [LOCKED], False)


def test_the_lock_ends_after_the_configured_minutes(cast, clock):
    fail("a_officer")
    clock.shift(dt.timedelta(minutes=14, seconds=59))
    early = attempt("a_officer", PASSWORD)
    assert (early.status_code, errors(early)) == (
        429,
        ["Too many failed sign-in attempts. Try again in 1 minute, after 08:15 (UTC)."],
    )
    clock.shift(dt.timedelta(seconds=2))  # "after 08:15"
    assert attempt("a_officer", PASSWORD).signed_in


def test_the_limit_and_the_window_are_settings(cast, clock, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
    fail("a_officer", times=2)
    refused = attempt("a_officer", PASSWORD)
    assert errors(refused) == [
        "Too many failed sign-in attempts. Try again in 30 minutes, after 08:30 (UTC)."
    ]
    clock.shift(dt.timedelta(minutes=30, seconds=1))
    assert attempt("a_officer", PASSWORD).signed_in


def test_failures_lockout_and_refusals_are_audited(cast, clock):
    fail("a_officer")
    attempt("a_officer", PASSWORD)
    user = ("auth.user", str(cast.a_officer.pk))
    assert [(a, actor, t) for a, actor, t, _ in actions()] == [
        ("login_failed", "system", "auth.user"),
    ] * 5 + [("lockout", "system", "auth.user"), ("login_refused_locked", "system", "auth.user")]
    assert {tuple(e) for e in AuditEvent.objects.values_list("target_type", "target_id")} == {user}
    assert [after for *_, after in actions()] == [{"ip_address": "10.0.0.1"}] * 5 + [
        {"ip_address": "10.0.0.1", "until": "2026-03-02T08:15:00+00:00"}
    ] * 2


def test_an_unknown_username_never_enters_the_audit_chain(cast, clock):
    fail("hunter2-typed-as-a-name", times=6)
    assert [a for a, *_ in actions()] == ["login_failed"] * 5 + [
        "lockout",
        "login_refused_locked",
    ]
    assert set(AuditEvent.objects.values_list("target_type", flat=True)) == {"axes.accessattempt"}
    assert "hunter2" not in str(list(AuditEvent.objects.values_list("before", "after")))


def test_the_operator_unlocks_a_user_by_command(cast, clock):
    operator = UserFactory(username="operator", is_superuser=True)
    fail("a_officer")
    call_command("unlock", "a_officer", "--operator", "operator")
    assert attempt("a_officer", PASSWORD).signed_in
    event = AuditEvent.objects.get(action="unlock")
    assert (event.actor, event.target_type, event.target_id, event.before, event.after) == (
        operator,
        "auth.user",
        str(cast.a_officer.pk),
        {"failures": 5},
        {"failures": 0},
    )


def test_the_operator_unlocks_an_address_by_command(cast, clock):
    UserFactory(username="operator", is_superuser=True)
    for name in ["ghost1", "ghost2", "ghost3", "ghost3", "ghost3"]:
        attempt(name, WRONG, address="10.9.9.9")
    call_command("unlock", "--address", "10.9.9.9", "--operator", "operator")
    assert attempt("a_officer", PASSWORD, address="10.9.9.9").signed_in
    unlocks = AuditEvent.objects.filter(action="unlock").order_by("seq")
    assert sorted(e.before["failures"] for e in unlocks) == [1, 1, 3]
    assert {(e.target_type, e.actor_name, e.before["ip_address"]) for e in unlocks} == {
        ("axes.accessattempt", "operator", "10.9.9.9")
    }


def test_only_the_operator_unlocks_by_command(cast, clock):
    fail("a_officer")
    with pytest.raises(CommandError, match="give either USER or --address IP"):
        call_command("unlock", "--operator", "a_reader")
    with pytest.raises(CommandError, match="Give an IP address."):
        UserFactory(username="operator", is_superuser=True)
        call_command("unlock", "--address", "not-an-ip", "--operator", "operator")
    assert attempt("a_officer", PASSWORD).status_code == 429
    assert not AuditEvent.objects.filter(action="unlock").exists()


@pytest.fixture
def a_admin(cast):
    return member("a_admin", cast.a, Role.PARTY_ADMIN, cast.a_cell)


def test_the_party_admin_sees_and_unlocks_a_locked_member(cast, clock, client, a_admin):
    fail("a_officer")
    fail("b_officer", address="10.0.0.2")
    client.force_login(a_admin)
    assert LOCKOUTS_LINK in client.get("/accounts/tokens/").content.decode()
    page = client.get("/accounts/lockouts/")
    assert page.status_code == 200
    assert [(user.username, until) for user, until in page.context["rows"]] == [
        ("a_officer", START + dt.timedelta(minutes=15))
    ]

    response = client.post(f"/accounts/lockouts/{cast.a_officer.pk}/unlock/")
    assert response.status_code == 302
    assert attempt("a_officer", PASSWORD, address="10.0.0.3").signed_in
    event = AuditEvent.objects.get(action="unlock")
    assert (event.actor, event.target_id) == (a_admin, str(cast.a_officer.pk))
    assert client.get("/accounts/lockouts/").context["rows"] == []


def test_the_party_admin_cannot_unlock_another_partys_member(cast, clock, client, a_admin):
    fail("b_officer")
    client.force_login(a_admin)
    response = client.post(f"/accounts/lockouts/{cast.b_officer.pk}/unlock/")
    assert response.status_code == 404
    assert attempt("b_officer", PASSWORD).status_code == 429
    assert not AuditEvent.objects.filter(action="unlock").exists()


def test_other_members_may_not_unlock(cast, clock, client):
    fail("a_officer")
    client.force_login(cast.a_coordinator)
    assert LOCKOUTS_LINK not in client.get("/accounts/tokens/").content.decode()
    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post(f"/accounts/lockouts/{cast.a_officer.pk}/unlock/").status_code == 403
    assert attempt("a_officer", PASSWORD).status_code == 429
    assert not AuditEvent.objects.filter(action="unlock").exists()


def test_the_limit_and_the_window_come_from_the_environment(tmp_path):
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        ENTENTE_DATA_DIR=str(tmp_path),
        ENTENTE_LOCKOUT_FAILURES="3",
        ENTENTE_LOCKOUT_MINUTES="7",
        DJANGO_SETTINGS_MODULE="entente.settings",
        PYTHONPATH=str(Path(entente.__file__).resolve().parent.parent),
    )
    script = "from entente import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout) == (0, "3 0:07:00\n")


def test_the_locked_members_page_queries_do_not_grow_with_members(cast, clock, client, a_admin):
    client.force_login(a_admin)
    fail("a_officer")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/accounts/lockouts/").context["rows"]) == 1
    fail("a_reader", address="10.0.0.2")
    fail("a_coordinator", address="10.0.0.3")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/accounts/lockouts/").context["rows"]) == 3
    assert len(many) == len(few)
