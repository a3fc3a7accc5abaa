import re

from django.urls import reverse

from entente.accounts.models import ApiToken
from entente.accounts.selectors import token_authenticate
from entente.accounts.services import token_create

URL = "/accounts/tokens/"


def test_token_page_creates_a_token_shown_once(client, cast):
    client.force_login(cast.a_reader)
    response = client.post(URL, {"name": "case system", "expires_in_days": "30"})
    assert response.status_code == 200
    raw = re.search(r'<code class="token-value">(ent_[^<]+)</code>', response.text).group(1)
    assert token_authenticate(raw) == cast.a_reader
    token = ApiToken.objects.get(user=cast.a_reader)
    assert (token.name, raw.startswith(f"ent_{token.key_prefix}_")) == ("case system", True)
    assert raw not in client.get(URL).text


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
