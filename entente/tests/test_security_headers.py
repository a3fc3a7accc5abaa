"""Signed-in answers are never stored by a cache; X-Forwarded-* is believed only from
the proxies named in ENTENTE_TRUSTED_PROXIES (entente.core.security)."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from entente.accounts.services import token_create
from entente.core.security import TrustedProxyMiddleware

NO_STORE = "private, no-store"


def test_signed_in_pages_and_api_answers_are_not_stored(client, cast):
    client.force_login(cast.a_officer)
    answers = {url: client.get(url) for url in ["/", "/api/v1/me", "/api/v1/tokens"]}
    assert {url: (r.status_code, r["Cache-Control"]) for url, r in answers.items()} == {
        "/": (200, NO_STORE),
        "/api/v1/me": (200, NO_STORE),
        "/api/v1/tokens": (200, NO_STORE),
    }


def test_refusals_to_a_signed_in_user_are_not_stored_either(client, cast):
    client.force_login(cast.a_officer)
    response = client.get("/no-such-page/")
    assert (response.status_code, response["Cache-Control"]) == (404, NO_STORE)
    response = client.delete("/api/v1/tokens/999999")
    assert (response.status_code, response["Cache-Control"]) == (404, NO_STORE)


def test_token_answers_are_not_stored(client, cast):
    _token, raw = token_create(actor=cast.a_reader, name="ci")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert (response.status_code, response["Cache-Control"]) == (200, NO_STORE)
    # Even a refused token: the answer was meant for whoever holds it.
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ent_forged")
    assert (response.status_code, response["Cache-Control"]) == (401, NO_STORE)


def test_anonymous_public_answers_keep_their_own_caching(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "Cache-Control" not in response


def test_a_cache_control_that_already_forbids_storing_is_kept(client, cast):
    # Django's auth views say it in their own words (never_cache); they are left alone.
    client.force_login(cast.a_officer)
    response = client.get("/accounts/logout/")  # GET is refused: 405, signed in
    assert (response.status_code, response["Cache-Control"]) == (
        405,
        "max-age=0, no-cache, no-store, must-revalidate, private",
    )


# --- trusted proxies ---------------------------------------------------------------------


def seen(meta: dict, **overrides) -> tuple[str, bool, str | None]:
    """What the application sees behind TrustedProxyMiddleware: address, HTTPS, and the
    X-Forwarded-For left for it."""
    request = RequestFactory().get("/", **meta)
    request.META.update(overrides)
    found = {}

    def view(request):
        found["addr"] = request.META["REMOTE_ADDR"]
        found["secure"] = request.is_secure()
        found["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")
        return HttpResponse()

    TrustedProxyMiddleware(view)(request)
    return found["addr"], found["secure"], found["xff"]


@pytest.fixture
def behind_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.7/32"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_client_address_and_scheme_from_a_trusted_proxy(behind_proxies):
    forwarded = {"HTTP_X_FORWARDED_FOR": "198.51.100.20", "HTTP_X_FORWARDED_PROTO": "https"}
    assert seen(forwarded, REMOTE_ADDR="10.0.0.5") == ("198.51.100.20", True, "198.51.100.20")


def test_forged_hops_left_of_the_client_are_ignored(behind_proxies):
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    forwarded = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.20, 192.0.2.7"}
    assert seen(forwarded, REMOTE_ADDR="10.0.0.5")[0] == "198.51.100.20"


def test_all_hops_trusted_gives_the_first(behind_proxies):
    forwarded = {"HTTP_X_FORWARDED_FOR": "10.0.0.9, 192.0.2.7"}
    assert seen(forwarded, REMOTE_ADDR="10.0.0.5")[0] == "10.0.0.9"


def test_garbage_in_the_chain_stops_the_walk(behind_proxies):
    forwarded = {"HTTP_X_FORWARDED_FOR": "198.51.100.20, not-an-address, 192.0.2.7"}
    assert seen(forwarded, REMOTE_ADDR="10.0.0.5")[0] == "192.0.2.7"
    assert seen({"HTTP_X_FORWARDED_FOR": "junk"}, REMOTE_ADDR="10.0.0.5")[0] == "10.0.0.5"


def test_ipv6_and_mapped_addresses(behind_proxies, settings):
    settings.TRUSTED_PROXIES = ["::1/128"]
    forwarded = {"HTTP_X_FORWARDED_FOR": "[2001:db8::5]"}
    assert seen(forwarded, REMOTE_ADDR="::1")[0] == "2001:db8::5"
    forwarded = {"HTTP_X_FORWARDED_FOR": "::ffff:198.51.100.20"}
    assert seen(forwarded, REMOTE_ADDR="::1")[0] == "198.51.100.20"


def test_headers_from_an_untrusted_peer_are_dropped(behind_proxies):
    forged = {"HTTP_X_FORWARDED_FOR": "10.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}
    assert seen(forged, REMOTE_ADDR="203.0.113.9") == ("203.0.113.9", False, None)


def test_no_proxy_named_believes_nobody(settings):
    assert settings.TRUSTED_PROXIES == []
    forged = {"HTTP_X_FORWARDED_FOR": "10.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}
    assert seen(forged, REMOTE_ADDR="127.0.0.1") == ("127.0.0.1", False, None)


def test_https_redirect_cannot_be_dodged_with_a_forged_scheme(client, db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5/32"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.5")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    forged = client.get(
        "/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9"
    )
    assert (forged.status_code, forged["Location"]) == (
        301,
        "https://testserver/accounts/login/",
    )
