"""The admin is for people and structure only, every save audited (issue 9, finding 6)."""

import pytest
from django.contrib.auth.models import User

from entente.accounts.enums import Role
from entente.accounts.models import Contact, Membership
from entente.agreements.services.commitments import commitment_create
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.testing import PASSWORD

ALLOWED = {
    "accounts.Contact",
    "accounts.Membership",
    "accounts.Party",
    "accounts.Unit",
    "audit.AuditEvent",
    "auth.User",
}


@pytest.fixture
def operator(client, db):
    user = User.objects.create_superuser("operator", "op@example.org", PASSWORD)
    client.force_login(user)
    return user


def events_since(seq: int) -> list[tuple]:
    events = AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
    return [(e.action, e.target_type, e.actor_name) for e in events]


def head() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def test_the_admin_index_lists_people_and_structure_only(client, cast, operator):
    response = client.get("/admin/")
    assert response.status_code == 200
    listed = {
        f"{app['app_label']}.{model['object_name']}"
        for app in response.context["app_list"]
        for model in app["models"]
    }
    assert listed == ALLOWED


@pytest.mark.parametrize(
    "path",
    [
        "/admin/meetings/meeting/",
        "/admin/meetings/decision/",
        "/admin/agreements/commitment/",
        "/admin/agreements/agreement/",
        "/admin/attachments/attachment/",
        "/admin/liaison/liaisonrequest/",
        "/admin/training/trainingactivity/",
        "/admin/otp_totp/totpdevice/",
    ],
)
def test_content_has_no_admin(client, cast, operator, path):
    assert client.get(path).status_code == 404


def test_a_user_change_through_the_admin_is_audited_without_the_password(client, cast, operator):
    user = cast.a_officer
    seq = head()
    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": "a_officer",
            "first_name": "Amina",
            "last_name": "",
            "email": "amina@example.org",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert events_since(seq) == [("admin_update", "auth.user", "operator")]
    event = AuditEvent.objects.get(seq__gt=seq)
    assert (event.before["first_name"], event.after["first_name"]) == ("", "Amina")
    assert "password" not in event.before and "password" not in event.after


def test_a_password_set_through_the_admin_is_audited_without_the_hash(client, cast, operator):
    user = cast.a_officer
    seq = head()
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "Another-long-pass-42", "password2": "Another-long-pass-42"},
    )
    assert response.status_code == 302
    assert events_since(seq) == [("admin_password", "auth.user", "operator")]
    event = AuditEvent.objects.get(seq__gt=seq)
    assert (event.before, event.after) == (None, None)


def test_a_user_is_deactivated_not_deleted(client, cast, operator):
    user = cast.a_officer
    assert client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


def test_a_membership_change_through_the_admin_is_audited(client, cast, operator):
    membership = cast.a_officer.membership
    seq = head()
    response = client.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {
            "user": cast.a_officer.pk,
            "party": cast.a.pk,
            "role": Role.READER,
            "unit": cast.a_cell.pk,
        },
    )
    assert response.status_code == 302
    assert events_since(seq) == [("admin_update", "accounts.membership", "operator")]
    event = AuditEvent.objects.get(seq__gt=seq)
    assert (event.before["role"], event.after["role"]) == (Role.OFFICER, Role.READER)
    assert Membership.objects.get(pk=membership.pk).role == Role.READER


def contact(cast, **fields) -> Contact:
    return Contact.objects.create(
        unit=cast.a_cell, owning_party=cast.a, name="Desk officer", **fields
    )


def test_the_operator_sees_the_shared_directory_only(client, cast, operator):
    shared = contact(cast, scope=Scope.SHARED, marking=Marking.GREEN)
    internal = contact(cast, scope=Scope.INTERNAL, marking=Marking.GREEN, title="Inside")
    red = contact(cast, scope=Scope.SHARED, marking=Marking.RED, title="Source handler")
    page = client.get("/admin/accounts/contact/")
    assert list(page.context["cl"].result_list) == [shared]
    for hidden in (internal, red):
        assert client.get(f"/admin/accounts/contact/{hidden.pk}/change/").status_code == 302


def test_a_contact_change_through_the_admin_is_audited_and_versioned(client, cast, operator):
    desk = contact(cast, scope=Scope.SHARED, marking=Marking.GREEN)
    seq = head()
    response = client.post(
        f"/admin/accounts/contact/{desk.pk}/change/",
        {"unit": cast.a_cell.pk, "name": "Duty desk", "title": "", "email": "", "phone": ""},
    )
    assert response.status_code == 302
    assert events_since(seq) == [("admin_update", "accounts.contact", "operator")]
    desk.refresh_from_db()
    assert (desk.name, desk.version, desk.scope, desk.marking) == (
        "Duty desk",
        2,
        Scope.SHARED,
        Marking.GREEN,
    )
    response = client.post(
        f"/admin/accounts/contact/{desk.pk}/change/",
        {"unit": cast.b_cell.pk, "name": "Moved", "title": "", "email": "", "phone": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "unit": ["A contact stays with a unit of its own party."]
    }
    assert events_since(seq) == [("admin_update", "accounts.contact", "operator")]


def test_a_contact_added_through_the_admin_joins_the_shared_directory(client, cast, operator):
    seq = head()
    response = client.post(
        "/admin/accounts/contact/add/",
        {"unit": cast.b_cell.pk, "name": "Night desk", "title": "", "email": "", "phone": ""},
    )
    assert response.status_code == 302
    desk = Contact.objects.get()
    assert (desk.owning_party, desk.scope, desk.marking, desk.version) == (
        cast.b,
        Scope.SHARED,
        Marking.GREEN,
        1,
    )
    assert events_since(seq) == [("admin_create", "accounts.contact", "operator")]


def test_the_audit_admin_shows_metadata_not_record_texts(client, cast, operator):
    commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "We lack the budget"},
        responsible_party=cast.a,
    )
    event = AuditEvent.objects.get(target_type="agreements.commitment")
    for path in ("/admin/audit/auditevent/", f"/admin/audit/auditevent/{event.pk}/change/"):
        response = client.get(path)
        assert (response.status_code, "We lack the budget" in response.text) == (200, False)
        assert event.hash in response.text
