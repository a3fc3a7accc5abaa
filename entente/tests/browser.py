"""Signing in from a browser test, one way for every test: through the sign-in form (what a
person does) or by a session made on the server (quicker, where the form is not tested)."""

from django.conf import settings
from django.test import Client

from entente.testing import PASSWORD


def sign_in(page, base: str, username: str, *, language: str | None = None) -> None:
    """Through the sign-in form, as `username`; `language` chosen first by its cookie,
    as the language menu does."""
    if language:
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
        )
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/")


def signed_in_as(page, base: str, user, *, language: str | None = None) -> None:
    """The browser holds a session of `user` made on the server (no sign-in form); any
    earlier cookies are dropped."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    cookies = [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base})
    page.context.add_cookies(cookies)
