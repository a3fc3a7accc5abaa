"""A user who is deactivated, or whose role, party or membership changes, is signed out
of every session at once (issue 10, item 4), and that is in the audit chain."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from entente.accounts.enums import Role
from entente.accounts.models import Membership
from entente.accounts.services import membership_set
from entente.audit.models import AuditEvent
from entente.testing import PASSWORD, member

SIGN_IN = "/accounts/login/?next=/"


@pytest.fixture
def operator(db):
    user = User.objects.create_superuser("operator", "op@example.org", PASSWORD)
    client = Client()
    client.force_login(user)
    return client


def signed_in(user, count: int = 2) -> list[Client]:
    """`count` browsers, each with its own session of `user`."""
    clients = [Client() for _ in range(count)]
    for client in clients:
        assert (
            client.post(
                "/accounts/login/", {"username": user.username, "password": PASSWORD}
            ).status_code
            == 302
        )
        assert client.get("/").status_code == 200
    return clients


def landing(clients: list[Client]) -> list[tuple[int, str]]:
    answers = [client.get("/") for client in clients]
    return [(r.status_code, r.get("Location", "")) for r in answers]


def session_events() -> list[tuple]:
    events = AuditEvent.objects.filter(action="sessions_end").order_by("seq")
    return [(e.actor_name, e.target_type, e.target_id, e.after) for e in events]


def test_role_change_by_party_admin_signs_the_user_out_everywhere(cast):
    admin = member("a_admin", cast.a, Role.PARTY_ADMIN, cast.a_cell)
    clients = signed_in(cast.a_officer)
    bystander = signed_in(cast.a_reader, 1)
    membership_set(actor=admin, user=cast.a_officer, party=cast.a, role=Role.READER)
    assert landing(clients) == [(302, SIGN_IN), (302, SIGN_IN)]
    assert landing(bystander) == [(200, "")]
    assert session_events() == [
        ("a_admin", "auth.user", str(cast.a_officer.pk), {"reason": "role_changed", "sessions": 2})
    ]


def test_same_role_new_unit_keeps_the_sessions(cast):
    admin = member("a_admin", cast.a, Role.PARTY_ADMIN, cast.a_cell)
    clients = signed_in(cast.a_officer, 1)
    membership_set(actor=admin, user=cast.a_officer, party=cast.a, role=Role.OFFICER, unit=None)
    assert landing(clients) == [(200, "")]
    assert session_events() == []


def test_deactivation_in_the_admin_signs_out_everywhere_for_good(cast, operator):
    user = cast.a_officer
    clients = signed_in(user)
    response = operator.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": user.username,
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    # Reactivated, the old sessions do not come back: they were deleted, not suspended.
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert landing(clients) == [(302, SIGN_IN), (302, SIGN_IN)]
    assert session_events() == [
        ("operator", "auth.user", str(user.pk), {"reason": "deactivated", "sessions": 2})
    ]


def test_party_change_in_the_admin_signs_out_everywhere(cast, operator):
    membership = cast.a_officer.membership
    clients = signed_in(cast.a_officer, 1)
    response = operator.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {"user": cast.a_officer.pk, "party": cast.b.pk, "role": Role.OFFICER, "unit": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert landing(clients) == [(302, SIGN_IN)]
    assert session_events() == [
        ("operator", "auth.user", str(cast.a_officer.pk), {"reason": "role_changed", "sessions": 1})
    ]


def test_membership_removed_in_the_admin_signs_out_everywhere(cast, operator):
    membership = cast.a_officer.membership
    clients = signed_in(cast.a_officer, 1)
    response = operator.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert landing(clients) == [(302, SIGN_IN)]
    assert session_events() == [
        (
            "operator",
            "auth.user",
            str(cast.a_officer.pk),
            {"reason": "membership_removed", "sessions": 1},
        )
    ]


def test_editing_a_name_in_the_admin_keeps_the_sessions(cast, operator):
    user = cast.a_officer
    clients = signed_in(user, 1)
    response = operator.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": "Amal",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302
    assert landing(clients) == [(200, "")]
    assert session_events() == []
