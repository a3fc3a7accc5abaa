"""Changing one's password and resetting it by e-mail (issue 10, item 3): Django's views
in the site's style, every change audited, the reset silent about who has an account,
and a link that does not hold refused with 400 and recorded."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from entente.audit.models import AuditEvent
from entente.testing import PASSWORD

NEW = "violet tractor umbrella 42"
CHANGE = "/accounts/password/change/"
RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"
LINK = re.compile(r"http://testserver(/accounts/password/reset/[^/]+/[^/]+/)")


@pytest.fixture
def officer(cast):
    cast.a_officer.email = "officer@dgsn.example"
    cast.a_officer.save()
    return cast.a_officer


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def events() -> list[tuple]:
    rows = AuditEvent.objects.filter(action__startswith="password").order_by("seq")
    return [(e.actor_name, e.action, e.target_type, e.target_id, e.after) for e in rows]


def without_csrf(response) -> str:
    """The page, less the CSRF tokens (new for every client)."""
    return re.sub(r'(content|value)="[A-Za-z0-9]{64}"', "", response.content.decode())


def can_sign_in(user, password: str) -> bool:
    return get_user_model().objects.get(pk=user.pk).check_password(password)


def test_password_change_is_audited_and_ends_other_sessions(officer):
    client, other = signed_in(officer), signed_in(officer)
    page = client.get(CHANGE)
    assert page.status_code == 200
    assert page.templates[0].name == "registration/password_change_form.html"
    response = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/change/done/")
    assert can_sign_in(officer, NEW)
    assert events() == [("a_officer", "password_change", "auth.user", str(officer.pk), None)]
    # This session goes on; the other one was opened under the old password.
    assert client.get("/").status_code == 200
    assert other.get("/")["Location"] == "/accounts/login/?next=/"


def test_password_change_applies_the_policy(officer):
    client = signed_in(officer)
    response = client.post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": "a_officer1", "new_password2": "a_officer1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_password2": [
            "The password is too similar to the username.",
            "This password is too short. It must contain at least 12 characters.",
        ]
    }
    assert can_sign_in(officer, PASSWORD)
    assert events() == []


def test_password_change_needs_a_signed_in_user(db):
    response = Client().get(CHANGE)
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/accounts/password/change/",
    )


def test_reset_by_email_sets_a_new_password(officer):
    client = Client()
    response = client.post(RESET, {"email": "OFFICER@dgsn.example"})
    assert (response.status_code, response["Location"]) == (302, SENT)
    assert [(m.to, m.subject, m.from_email) for m in mail.outbox] == [
        (["officer@dgsn.example"], "Entente: choose a new password", "entente@localhost")
    ]
    link = LINK.search(mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    assert form_url.endswith("/set-password/")
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/done/")
    assert can_sign_in(officer, NEW)
    assert events() == [
        ("system", "password_reset_mail", "auth.user", str(officer.pk), None),
        ("a_officer", "password_reset", "auth.user", str(officer.pk), None),
    ]
    # The link worked once.
    refused = Client().get(link)
    assert refused.status_code == 400
    assert events()[-1] == (
        "system",
        "password_reset_refused",
        "auth.user",
        str(officer.pk),
        {"reason": "invalid_or_expired_link"},
    )


def test_reset_answers_the_same_for_an_unknown_address(officer):
    known = Client().post(RESET, {"email": "officer@dgsn.example"}, follow=True)
    unknown = Client().post(RESET, {"email": "nobody@dgsn.example"}, follow=True)
    assert unknown.redirect_chain == known.redirect_chain == [(SENT, 302)]
    assert unknown.status_code == known.status_code == 200
    assert without_csrf(unknown) == without_csrf(known)
    assert [m.to for m in mail.outbox] == [["officer@dgsn.example"]]


def test_reset_mails_nothing_to_an_inactive_account(officer):
    officer.is_active = False
    officer.save()
    response = Client().post(RESET, {"email": "officer@dgsn.example"})
    assert (response.status_code, response["Location"]) == (302, SENT)
    assert mail.outbox == []
    assert events() == []


def test_tampered_reset_link_is_refused_and_audited(officer):
    Client().post(RESET, {"email": "officer@dgsn.example"})
    link = LINK.search(mail.outbox[0].body).group(1)
    uid, token = link.rstrip("/").split("/")[-2:]
    tampered = Client().get(f"/accounts/password/reset/{uid}/{token[:-1]}x/")
    assert tampered.status_code == 400
    assert "This link does not work" in tampered.content.decode()
    stranger = Client().get(f"/accounts/password/reset/OTk5OQ/{token}/")  # uid 9999
    assert stranger.status_code == 400
    # Straight to the form without the link's token in the session: refused too.
    posted = Client().post(
        f"/accounts/password/reset/{uid}/set-password/",
        {"new_password1": NEW, "new_password2": NEW},
    )
    assert posted.status_code == 400
    assert can_sign_in(officer, PASSWORD)
    refused = [e for e in events() if e[1] == "password_reset_refused"]
    assert [e[3] for e in refused] == [str(officer.pk), "None", str(officer.pk)]


def test_expired_reset_link_is_refused(officer):
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        Client().post(RESET, {"email": "officer@dgsn.example"})
        link = LINK.search(mail.outbox[0].body).group(1)
        clock.shift(dt.timedelta(minutes=61))
        assert Client().get(link).status_code == 400


def test_sign_in_page_and_header_link_to_the_password_pages(officer):
    assert 'href="/accounts/password/reset/"' in Client().get("/accounts/login/").content.decode()
    assert f'href="{CHANGE}"' in signed_in(officer).get("/").content.decode()
