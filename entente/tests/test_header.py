"""The header: before the second sign-in step it offers only the brand, the language and
signing out; once signed in fully, the menu with the navigation and search."""

import re

from django.urls import reverse

from entente.accounts.tests.test_mfa import code_for, enrolled, mfa_on, signed_in  # noqa: F401

VERIFY = reverse("mfa-verify")


def header_of(response) -> str:
    header = re.search(r"<header.*?</header>", response.content.decode(), re.S)
    assert header is not None, "the page has a header"
    return header.group(0)


def links_and_forms(header: str) -> list[str]:
    return re.findall(r'<(?:a [^>]*href|form [^>]*action)="([^"]*)"', header)


def test_the_mfa_page_header_offers_only_language_and_sign_out(cast, mfa_on):  # noqa: F811
    enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    header = header_of(client.get(VERIFY))
    assert links_and_forms(header) == ["/", reverse("set_language"), reverse("logout")]
    assert "main-nav" not in header


def test_a_verified_session_gets_the_menu_with_navigation_and_search(cast, mfa_on):  # noqa: F811
    device = enrolled(cast.a_officer)
    client = signed_in(cast.a_officer)
    client.post(VERIFY, {"otp_token": code_for(device), "next": "/"})
    header = header_of(client.get(reverse("meetings:meeting-list")))
    assert links_and_forms(header) == [
        "/",
        reverse("set_language"),
        reverse("reports:dashboard"),
        reverse("reports:agreement-list"),
        reverse("agreements:commitment-list"),
        reverse("meetings:meeting-list"),
        reverse("training:training-list"),
        reverse("liaison:request-list"),
        reverse("reports:calendar"),
        reverse("directory:party-list"),
        reverse("records:record-search"),
        reverse("notices:notice-list"),
        reverse("preferences"),
        reverse("notices:notice-preferences"),
        reverse("token-list"),
        reverse("mfa-recovery-codes"),
        reverse("password_change"),
        reverse("logout"),
    ]
    assert f'<a href="{reverse("meetings:meeting-list")}" aria-current="page">' in header
