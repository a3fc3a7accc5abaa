"""Refused requests leave a trace: a tampered CSRF token, an unknown, forged or expired
API token each answer a 4xx and append one audit event, never holding the secret."""

import datetime as dt

import time_machine
from django.test import Client

from entente.accounts.services import token_create, token_revoke
from entente.audit.models import AuditEvent

ME = "/api/v1/me"


def refusals(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_a_form_without_its_csrf_token_is_refused_and_recorded(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.a_officer)
    response = client.post("/accounts/tokens/", {"name": "ci"})
    assert response.status_code == 403
    [event] = refusals("csrf_refused")
    assert (event.actor, event.target_type, event.target_id) == (
        cast.a_officer,
        "auth.user",
        str(cast.a_officer.pk),
    )
    assert event.after == {"path": "/accounts/tokens/"}


def test_an_anonymous_form_without_its_csrf_token_is_recorded_without_actor(db):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    [event] = refusals("csrf_refused")
    assert (event.actor, event.actor_name, event.target_id) == (None, "system", "None")


def test_a_forged_token_is_refused_and_recorded_by_its_prefix_only(db):
    forged = "ent_deadbeef_" + "x" * 43
    response = Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401
    [event] = refusals("api_token_refused")
    assert event.after == {"prefix": "deadbeef"}
    assert "x" * 43 not in str(event.after) + event.target_id


def test_a_malformed_token_is_recorded_without_a_prefix(db):
    response = Client().get(ME, HTTP_AUTHORIZATION="Bearer <script>")
    assert response.status_code == 401
    [event] = refusals("api_token_refused")
    assert event.after == {"prefix": ""}


def test_expired_and_revoked_tokens_are_recorded_against_the_token(cast):
    expired, expired_raw = token_create(actor=cast.a_officer, name="short")
    revoked, revoked_raw = token_create(actor=cast.a_officer, name="gone")
    token_revoke(actor=cast.a_officer, token=revoked)
    with time_machine.travel(expired.expires_at + dt.timedelta(seconds=1)):
        assert Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {expired_raw}").status_code == 401
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {revoked_raw}").status_code == 401
    events = refusals("api_token_refused")
    assert [(e.target_type, e.target_id) for e in events] == [
        ("accounts.apitoken", str(expired.pk)),
        ("accounts.apitoken", str(revoked.pk)),
    ]
    assert [e.after for e in events] == [
        {"prefix": expired.key_prefix},
        {"prefix": revoked.key_prefix},
    ]


def test_a_working_token_records_nothing(cast):
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert refusals("api_token_refused") == []


def test_a_flood_of_refusals_is_recorded_up_to_the_budget_then_once(db, settings):
    """Anyone may send forged tokens: past the budget a minute, one event says so, and
    the chain stops growing, while every request is still refused."""
    settings.REFUSALS_PER_MINUTE = 3
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, 10, tzinfo=dt.UTC), tick=False):
        statuses = [
            Client().get(ME, HTTP_AUTHORIZATION=f"Bearer ent_{n:08x}_x").status_code
            for n in range(6)
        ]
        assert Client(enforce_csrf_checks=True).post("/accounts/login/").status_code == 403
    assert statuses == [401] * 6
    assert [e.after for e in refusals("api_token_refused")] == [
        {"prefix": "00000000"},
        {"prefix": "00000001"},
        {"prefix": "00000002"},
    ]
    [suppressed] = refusals("refusals_suppressed")
    assert suppressed.after == {"action": "api_token_refused", "limit": 3}
    assert len(refusals("csrf_refused")) == 1  # each kind has its own budget
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 1, 10, tzinfo=dt.UTC), tick=False):
        Client().get(ME, HTTP_AUTHORIZATION="Bearer ent_0000000a_x")
    assert len(refusals("api_token_refused")) == 4  # a new minute, a new budget
