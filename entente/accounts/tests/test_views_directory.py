"""The directory pages and the party administrator's pages that keep it (issue 11, item
2): who sees what, who may change what, and what a refusal says."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from entente.accounts.enums import Role
from entente.accounts.models import Contact, Membership, Unit
from entente.accounts.services import contact_create
from entente.agreements.services.commitments import commitment_create
from entente.audit.models import AuditEvent
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.testing import PASSWORD, member

A = "/directory/MA-DGSN/"
FORBIDDEN = "Only the party administrator may do this."


@pytest.fixture
def admins(cast):
    cast.a_admin = member("a_admin", cast.a, Role.PARTY_ADMIN, cast.a_cell)
    cast.b_admin = member("b_admin", cast.b, Role.PARTY_ADMIN, cast.b_cell)
    return cast


@pytest.fixture
def contacts(admins):
    shared = contact_create(
        actor=admins.a_admin,
        unit=admins.a_cell,
        name="Officer A. (illustrative)",
        title="Duty officer",
        phone="+212 5 37 00 00 00",
        email="duty@example.org",
        languages="ar,fr",
        time_zone="Africa/Casablanca",
    )
    internal = contact_create(
        actor=admins.a_admin,
        unit=admins.a_cell,
        name="Handler H. (illustrative)",
        handling=Handling(scope="internal"),
    )
    return shared, internal


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def events(action: str) -> list[tuple[str, str, dict | None]]:
    found = AuditEvent.objects.filter(action=action).order_by("seq")
    return [(e.actor_name, e.target_type, e.after) for e in found]


# --- reading ---------------------------------------------------------------------------


def test_directory_list_shows_own_party_and_parties_to_its_agreements(admins):
    def codes(user):
        body = text(client_of(user).get("/directory/"))
        return re.findall(r'href="/directory/([^/"]+)/"', body)

    assert codes(admins.a_officer) == ["MA-DGSN", "NL-POL"]
    assert codes(admins.b_officer) == ["MA-DGSN", "NL-POL"]
    assert codes(admins.c_officer) == ["XX-OUT"]


def test_party_page_shows_the_other_party_only_its_shared_contacts(admins, contacts):
    shared, internal = contacts
    own = client_of(admins.a_reader).get(A)
    assert own.status_code == 200
    assert (shared.name in text(own), internal.name in text(own)) == (True, True)
    assert "2 contacts" in text(own)
    other = client_of(admins.b_officer).get(A)
    assert other.status_code == 200
    assert (shared.name in text(other), internal.name in text(other)) == (True, False)
    assert "1 contact" in text(other)
    assert "Handler" not in text(other)
    for value in (
        "Duty officer",
        "+212 5 37 00 00 00",
        "duty@example.org",
        "ar,fr",
        "Africa/Casablanca",
    ):
        assert value in text(other)
    outsider = client_of(admins.c_officer).get(A)
    assert outsider.status_code == 404


def test_party_page_marks_contact_cells_and_management_only_for_its_admin(admins):
    Unit.objects.create(party=admins.a, name="Analysis unit", is_contact_cell=False)
    admin_page = text(client_of(admins.a_admin).get(A))
    officer_page = text(client_of(admins.a_officer).get(A))
    assert admin_page.count('badge badge-info">Contact cell') == 1
    assert officer_page.count('badge badge-info">Contact cell') == 1
    assert ("Add a contact" in admin_page, "Add a contact" in officer_page) == (True, False)


def test_management_pages_answer_their_admin_403_to_members_404_to_others(admins, contacts):
    shared, _internal = contacts
    unit = admins.a_cell
    pages = [
        f"{A}units/new/",
        f"{A}units/{unit.pk}/",
        f"{A}contacts/new/",
        f"{A}contacts/{shared.public_id}/",
        f"{A}members/",
    ]
    expected = {
        "a_admin": 200,
        "a_officer": 403,
        "a_coordinator": 403,
        "a_reader": 403,
        "b_admin": 404,
        "b_officer": 404,
        "c_officer": 404,
    }
    users = get_user_model().objects
    for username, status in expected.items():
        client = client_of(users.get(username=username))
        for url in pages:
            response = client.get(url)
            assert (url, username, response.status_code) == (url, username, status)
            if status == 403:
                assert FORBIDDEN in text(response)
    posts = [
        (f"{A}contacts/{shared.public_id}/remove/", {}),
        (f"{A}members/a_reader/role/", {"a_reader-role": "officer"}),
        (f"{A}members/a_reader/deactivate/", {}),
    ]
    before = AuditEvent.objects.count()
    for username, status in (("a_officer", 403), ("b_admin", 404)):
        client = client_of(users.get(username=username))
        for url, data in posts:
            assert client.post(url, data).status_code == status
    assert AuditEvent.objects.count() == before
    assert Contact.objects.filter(pk=shared.pk).exists()


# --- units ---------------------------------------------------------------------------------


def test_unit_added_renamed_and_marked_as_contact_cell(admins):
    client = client_of(admins.a_admin)
    response = client.post(f"{A}units/new/", {"name": "Analysis unit", "email": ""})
    assert (response.status_code, response["Location"]) == (302, A)
    unit = Unit.objects.get(name="Analysis unit")
    assert unit.is_contact_cell is False
    response = client.post(
        f"{A}units/{unit.pk}/", {"name": "Analysis cell", "is_contact_cell": "on", "email": ""}
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.is_contact_cell) == ("Analysis cell", True)
    changes = [after for _a, _t, after in events("update")]
    assert [{k: v for k, v in after.items() if k != "updated_at"} for after in changes] == [
        {"name": "Analysis cell", "is_contact_cell": True}
    ]
    assert events("create")[-1][:2] == ("a_admin", "accounts.unit")


def test_unit_of_another_party_is_not_found(admins):
    response = client_of(admins.a_admin).get(f"{A}units/{admins.b_cell.pk}/")
    assert response.status_code == 404


# --- contacts ------------------------------------------------------------------------------


def contact_form(**overrides) -> dict:
    return {
        "name": "Officer B. (illustrative)",
        "title": "Analyst",
        "unit": "",
        "email": "b@example.org",
        "phone": "+31 70 123 45 67",
        "languages": "NL, en",
        "time_zone": "Europe/Amsterdam",
        "scope": "shared",
    } | overrides


def test_contact_added_by_party_admin_is_audited(admins):
    client = client_of(admins.b_admin)
    url = "/directory/NL-POL/contacts/new/"
    response = client.post(url, contact_form(unit=admins.b_cell.pk))
    assert (response.status_code, response["Location"]) == (302, "/directory/NL-POL/")
    contact = Contact.objects.get()
    assert (
        contact.owning_party,
        contact.unit,
        contact.languages,
        contact.time_zone,
        contact.scope,
    ) == (admins.b, admins.b_cell, "nl,en", "Europe/Amsterdam", "shared")
    assert events("create")[-1][:2] == ("b_admin", "accounts.contact")


def test_contact_bad_phone_email_time_zone_are_refused_on_their_fields(admins):
    client = client_of(admins.a_admin)
    response = client.post(
        f"{A}contacts/new/",
        contact_form(
            unit=admins.a_cell.pk,
            phone="call the desk",
            email="not-an-address",
            time_zone="Mars/Base",
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    response = client.post(
        f"{A}contacts/new/",
        contact_form(
            unit=admins.a_cell.pk, phone="call the desk", time_zone="Mars/Base", languages="Arabic"
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "phone": ["Enter a phone number in digits, e.g. +31 70 123 45 67."],
        "time_zone": ["Unknown time zone: give its IANA name, e.g. Europe/Amsterdam."],
        "languages": ["Enter language codes separated by commas, e.g. ar,fr."],
    }
    assert Contact.objects.count() == 0


def test_contact_unit_of_another_party_is_not_offered(admins):
    response = client_of(admins.a_admin).post(
        f"{A}contacts/new/", contact_form(unit=admins.b_cell.pk)
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "unit": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_contact_unshared_disappears_for_the_other_party(admins, contacts):
    shared, _internal = contacts
    client = client_of(admins.a_admin)
    data = contact_form(unit=admins.a_cell.pk, name=shared.name, scope="internal", version=1)
    response = client.post(f"{A}contacts/{shared.public_id}/", data)
    assert response.status_code == 302
    shared.refresh_from_db()
    assert (shared.scope, shared.version) == (Scope.INTERNAL, 2)
    other = text(client_of(admins.b_officer).get(A))
    assert (shared.name in other, "0 contacts" in other) == (False, True)


def test_contact_edit_of_a_stale_version_shows_the_conflict(admins, contacts):
    shared, _internal = contacts
    client = client_of(admins.a_admin)
    data = contact_form(unit=admins.a_cell.pk, name=shared.name, version=1)
    assert client.post(f"{A}contacts/{shared.public_id}/", data).status_code == 302
    response = client.post(f"{A}contacts/{shared.public_id}/", data | {"phone": "+212 600"})
    assert response.status_code == 409
    assert Contact.objects.get(pk=shared.pk).phone == "+31 70 123 45 67"


def test_other_partys_contact_cannot_be_edited_under_your_code(admins):
    theirs = contact_create(actor=admins.b_admin, unit=admins.b_cell, name="Officer N.")
    response = client_of(admins.a_admin).get(f"{A}contacts/{theirs.public_id}/")
    assert response.status_code == 404


def test_unused_contact_is_removed_and_audited(admins, contacts):
    _shared, internal = contacts
    response = client_of(admins.a_admin).post(f"{A}contacts/{internal.public_id}/remove/")
    assert (response.status_code, response["Location"]) == (302, A)
    assert not Contact.objects.filter(pk=internal.pk).exists()
    assert [(actor, target) for actor, target, _after in events("delete")] == [
        ("a_admin", "accounts.contact")
    ]


def test_contact_named_by_a_commitment_is_not_removed(admins, contacts):
    shared, _internal = contacts
    commitment_create(
        actor=admins.a_officer,
        agreement=admins.agreement,
        title={"en": "Designate the contact cell"},
        responsible_party=admins.a,
        responsible_contact=shared,
        due_date=dt.date(2031, 1, 1),
    )
    before = AuditEvent.objects.count()
    response = client_of(admins.a_admin).post(f"{A}contacts/{shared.public_id}/remove/")
    assert response.status_code == 422
    assert (
        "Officer A. (illustrative) is named on an attendance list or a commitment, so the "
        "record keeps them: edit the contact instead of removing it."
    ) in text(response)
    assert Contact.objects.filter(pk=shared.pk).exists()
    assert AuditEvent.objects.count() == before


# --- members -------------------------------------------------------------------------------


def test_invite_mails_a_set_password_link_and_is_audited(admins):
    client = client_of(admins.a_admin)
    data = {
        "username": "newcomer",
        "first_name": "New",
        "last_name": "Comer",
        "email": "newcomer@example.org",
        "role": "officer",
        "unit": admins.a_cell.pk,
    }
    response = client.post(f"{A}members/", data)
    assert (response.status_code, response["Location"]) == (302, f"{A}members/")
    user = get_user_model().objects.get(username="newcomer")
    membership = Membership.objects.get(user=user)
    assert (membership.party, membership.role, membership.unit) == (
        admins.a,
        "officer",
        admins.a_cell,
    )
    assert [m.to for m in mail.outbox] == [["newcomer@example.org"]]
    assert mail.outbox[0].subject == "Entente: you are invited, choose your password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    assert events("invite") == [
        (
            "a_admin",
            "auth.user",
            {"username": "newcomer", "email": "newcomer@example.org", "party": "MA-DGSN"},
        )
    ]
    assert events("create")[-1][:2] == ("a_admin", "accounts.membership")
    # The link is Django's reset link: it lets the invitee choose a password, once.
    invitee = Client()
    form = invitee.get(link.group(1), follow=True)
    assert form.status_code == 200
    chosen = "a new and long passphrase 42"
    done = invitee.post(
        form.redirect_chain[-1][0], {"new_password1": chosen, "new_password2": chosen}
    )
    assert done.status_code == 302
    assert Client().login(username="newcomer", password=chosen) is True


def test_invite_refuses_a_taken_username_or_address(admins):
    client = client_of(admins.a_admin)
    admins.a_officer.email = "officer@example.org"
    admins.a_officer.save()
    data = {"username": "a_reader", "email": "officer@example.org", "role": "reader"}
    response = client.post(f"{A}members/", data)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "username": ["A user with that username already exists."],
        "email": ["A user already has this e-mail address."],
    }
    assert mail.outbox == []


def signed_in(user) -> Client:
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/").status_code == 200
    return client


def test_role_change_signs_the_member_out_everywhere(admins):
    session = signed_in(admins.a_reader)
    response = client_of(admins.a_admin).post(
        f"{A}members/a_reader/role/", {"a_reader-role": "officer"}
    )
    assert (response.status_code, response["Location"]) == (302, f"{A}members/")
    assert Membership.objects.get(user=admins.a_reader).role == "officer"
    assert session.get("/").status_code == 302
    assert [after for _a, _t, after in events("sessions_end")] == [
        {"reason": "role_changed", "sessions": 1}
    ]


def test_deactivation_signs_the_member_out_everywhere(admins):
    session = signed_in(admins.a_officer)
    response = client_of(admins.a_admin).post(f"{A}members/a_officer/deactivate/")
    assert (response.status_code, response["Location"]) == (302, f"{A}members/")
    admins.a_officer.refresh_from_db()
    assert admins.a_officer.is_active is False
    assert session.get("/").status_code == 302
    assert [after for _a, _t, after in events("deactivate")] == [{"is_active": False}]
    assert [after for _a, _t, after in events("sessions_end")] == [
        {"reason": "deactivated", "sessions": 1}
    ]


def test_admin_cannot_deactivate_or_demote_themselves(admins):
    client = client_of(admins.a_admin)
    response = client.post(f"{A}members/a_admin/deactivate/")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in text(response)
    response = client.post(f"{A}members/a_admin/role/", {"a_admin-role": "reader"})
    assert response.status_code == 400
    assert "You cannot change your own role." in text(response)
    assert Membership.objects.get(user=admins.a_admin).role == Role.PARTY_ADMIN


def test_member_of_another_party_is_not_found(admins):
    response = client_of(admins.a_admin).post(f"{A}members/b_officer/deactivate/")
    assert response.status_code == 404
    assert get_user_model().objects.get(username="b_officer").is_active is True
