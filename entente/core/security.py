"""Middleware for running in the open: who the client is behind a reverse proxy, how long
a signed-in session lasts, and keeping signed-in answers out of every cache."""

import functools
import ipaddress
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

Handler = Callable[[HttpRequest], HttpResponse]


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]  # [2001:db8::1], as some proxies write IPv6 addresses
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


class TrustedProxyMiddleware:
    """Believe X-Forwarded-For and X-Forwarded-Proto only from settings.TRUSTED_PROXIES.

    When the direct peer is a trusted proxy, REMOTE_ADDR becomes the nearest address in
    X-Forwarded-For that is not itself a trusted proxy (read from the right: each proxy
    appends the peer it saw, and only what trusted proxies appended can be believed).
    From any other peer both headers are removed, so that neither a forged address nor
    a forged scheme (settings.SECURE_PROXY_SSL_HEADER) reaches the rest of Django.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        trusted = _networks(tuple(settings.TRUSTED_PROXIES))
        peer = _address(meta.get("REMOTE_ADDR", ""))
        if trusted and peer is not None and any(peer in net for net in trusted):
            client = self._client(meta.get("HTTP_X_FORWARDED_FOR", ""), trusted)
            if client is not None:
                meta["REMOTE_ADDR"] = str(client)
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)

    @staticmethod
    def _client(forwarded_for: str, trusted: tuple[IPNetwork, ...]) -> IPAddress | None:
        client = None
        for hop in reversed(forwarded_for.split(",")):
            address = _address(hop)
            if address is None:
                # Garbage: whatever stands left of it cannot be trusted either.
                break
            client = address
            if not any(address in net for net in trusted):
                break
        return client


# Seconds since the epoch, kept in the session (JSON) of a signed-in user.
SIGNED_IN_AT = "entente_signed_in_at"
LAST_SEEN_AT = "entente_last_seen_at"


class SessionLifetimeMiddleware:
    """End a signed-in session after settings.SESSION_IDLE_MINUTES without a request, and
    settings.SESSION_MAX_HOURS after its sign-in however active it has been.

    The ended session is emptied before anything reads it, and whose it was is left in
    request.session_ended_for (the user's key) for the refusal further in
    (entente.accounts.middleware.SessionRefusalMiddleware). The stored
    session and its cookie lapse on the idle timeout too (SESSION_COOKIE_AGE, renewed
    by every request: SESSION_SAVE_EVERY_REQUEST), so that one left alone is also
    refused by Django itself.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        now = int(time.time())
        if SESSION_KEY in session and self._ended(session, now):
            request.session_ended_for = session[SESSION_KEY]  # type: ignore[attr-defined]
            session.flush()
        response = self.get_response(request)
        if SESSION_KEY in session:
            # Also just after the sign-in itself, which the view has done by now.
            session.setdefault(SIGNED_IN_AT, now)
            # Saved with the session, which every request saves anyway.
            session[LAST_SEEN_AT] = now
        return response

    @staticmethod
    def _ended(session, now: int) -> bool:
        signed_in = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN_AT)
        if signed_in is None or last_seen is None:
            return False  # signed in before this middleware: stamped on the way out
        return (
            now - signed_in >= settings.SESSION_MAX_HOURS * 3600
            or now - last_seen >= settings.SESSION_IDLE_MINUTES * 60
        )


class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in session or to a request
    that carries credentials (an API token): such answers hold what only that user may
    see, and must stay out of shared caches and the browser's disk cache alike."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or "HTTP_AUTHORIZATION" in request.META) and "no-store" not in response.get(
            "Cache-Control", ""
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
