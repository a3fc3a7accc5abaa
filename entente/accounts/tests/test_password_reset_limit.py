"""Requests for a password reset link are limited per client address and per e-mail
address (settings.RESET_PER_HOUR an hour): past the limit the page answers as ever but
no mail goes out, and the first refusal of each in the hour is recorded."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from entente.accounts.tests.test_passwords import without_csrf
from entente.audit.models import AuditEvent

RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"
OFFICER = "officer@dgsn.example"
# Just after the start of an hour, so that no test straddles two windows.
START = dt.datetime(2026, 3, 2, 8, 0, 1, tzinfo=dt.UTC)


@pytest.fixture
def officer(cast):
    cast.a_officer.email = OFFICER
    cast.a_officer.save()
    return cast.a_officer


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def ask(email: str, address: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(RESET, {"email": email})


def limited() -> list[tuple]:
    rows = AuditEvent.objects.filter(action="password_reset_limited").order_by("seq")
    return [(e.actor_name, e.target_type, e.target_id, e.after) for e in rows]


def test_past_five_an_hour_for_one_address_no_more_mail_goes_out(officer, clock):
    answers = [ask(OFFICER, f"192.0.2.{n}") for n in range(1, 8)]

    assert [(a.status_code, a["Location"]) for a in answers] == [(302, SENT)] * 7
    assert [m.to for m in mail.outbox] == [[OFFICER]] * 5
    assert limited() == [
        ("system", "auth.user", str(officer.pk), {"limited": "email", "ip_address": "192.0.2.6"})
    ]


def test_the_email_is_counted_whatever_its_case(officer, clock):
    for n in range(1, 7):
        ask(OFFICER.upper() if n % 2 else OFFICER, f"192.0.2.{n}")
    assert len(mail.outbox) == 5


def test_past_five_an_hour_from_one_client_no_more_mail_goes_out(officer, clock):
    for n in range(5):
        assert ask(f"nobody{n}@dgsn.example").status_code == 302

    answer = ask(OFFICER)

    assert (answer.status_code, answer["Location"]) == (302, SENT)
    assert mail.outbox == []
    assert limited() == [
        ("system", "auth.user", str(officer.pk), {"limited": "address", "ip_address": "192.0.2.1"})
    ]


def test_an_unknown_address_never_enters_the_audit_chain(db, clock):
    for _ in range(7):
        ask("nobody@dgsn.example")
    events = limited()
    assert events == [
        ("system", "auth.user", "None", {"limited": "address", "ip_address": "192.0.2.1"}),
        ("system", "auth.user", "None", {"limited": "email", "ip_address": "192.0.2.1"}),
    ]
    assert "nobody" not in str(events)


def test_the_limited_answer_is_the_ordinary_one(officer, clock):
    for _ in range(5):
        ask(OFFICER)
    ordinary = Client(REMOTE_ADDR="192.0.2.99").post(
        RESET, {"email": "x@dgsn.example"}, follow=True
    )
    refused = Client(REMOTE_ADDR="192.0.2.1").post(RESET, {"email": OFFICER}, follow=True)
    assert (refused.status_code, refused.redirect_chain) == (200, [(SENT, 302)])
    assert without_csrf(refused) == without_csrf(ordinary)


def test_the_next_hour_opens_again(officer, clock):
    for _ in range(6):
        ask(OFFICER)
    assert len(mail.outbox) == 5
    clock.shift(dt.timedelta(hours=1))

    ask(OFFICER)

    assert len(mail.outbox) == 6


def test_the_limit_is_a_setting(officer, clock, settings):
    settings.RESET_PER_HOUR = 1
    ask(OFFICER)
    ask(OFFICER, "192.0.2.2")
    assert len(mail.outbox) == 1
