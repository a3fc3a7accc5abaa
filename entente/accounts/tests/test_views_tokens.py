import datetime as dt
import re

import time_machine
from django.test import override_settings
from django.urls import reverse

from entente.accounts.models import ApiToken
from entente.accounts.selectors import token_authenticate
from entente.accounts.services import token_create

URL = "/accounts/tokens/"


def new_token(response) -> str | None:
    found = re.search(
        r'<code class="token-value" id="new-token-value">(ent_[^<]+)</code>', response.text
    )
    return found.group(1) if found else None


@time_machine.travel("2030-06-01T00:00:00Z", tick=False)
def test_token_page_creates_a_token_shown_once_after_a_redirect(client, cast):
    client.force_login(cast.a_reader)
    response = client.post(URL, {"name": "case system", "expires_in_days": "30"})
    # Post, redirect, get: a reload of the page that shows the token posts nothing.
    assert (response.status_code, response.url) == (302, URL)
    page = client.get(URL)
    raw = new_token(page)
    assert token_authenticate(raw) == cast.a_reader
    token = ApiToken.objects.get(user=cast.a_reader)
    assert (token.name, raw.startswith(f"ent_{token.key_prefix}_")) == ("case system", True)
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert 'data-copy="new-token-value"' in page.text
    # Shown once: the reload shows no token, and no second one was made.
    reload = client.get(URL)
    assert (new_token(reload), raw in reload.text) == (None, False)
    assert ApiToken.objects.count() == 1


@override_settings(TOKEN_DEFAULT_DAYS=7, TOKEN_MAX_DAYS=30)
@time_machine.travel("2030-06-01T00:00:00Z", tick=False)
def test_token_page_gives_the_default_expiry_and_refuses_beyond_the_maximum(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(URL, {"name": "too long", "expires_in_days": "31"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["expires_in_days"]
    assert errors["expires_in_days"][0].startswith("A token works for at most 30 days")
    assert ApiToken.objects.count() == 0

    assert client.post(URL, {"name": "default", "read_only": "on"}).status_code == 302
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    assert token.read_only is True
    assert "read-only" in client.get(URL).text


def test_token_page_lists_only_own_tokens(client, cast):
    token_create(actor=cast.b_officer, name="theirs")
    token_create(actor=cast.a_officer, name="mine")
    client.force_login(cast.a_officer)
    response = client.get(URL)
    assert [t.name for t in response.context["tokens"]] == ["mine"]
    assert "theirs" not in response.text


def test_token_page_refuses_a_bad_form_next_to_the_field(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(URL, {"name": "", "expires_in_days": "0"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["This field is required."],
        "expires_in_days": ["Ensure this value is greater than or equal to 1."],
    }
    assert ApiToken.objects.count() == 0


def test_token_revoke_by_owner_only(client, cast):
    token, raw = token_create(actor=cast.a_officer, name="mine")
    revoke = reverse("token-revoke", args=[token.pk])
    client.force_login(cast.b_officer)
    assert client.post(revoke).status_code == 404
    assert token_authenticate(raw) == cast.a_officer
    client.force_login(cast.a_officer)
    assert client.get(revoke).status_code == 405
    response = client.post(revoke)
    assert (response.status_code, response.url) == (302, URL)
    assert token_authenticate(raw) is None


def test_token_page_needs_sign_in(client, db):
    response = client.get(URL)
    assert (response.status_code, response.url) == (302, f"/accounts/login/?next={URL}")
