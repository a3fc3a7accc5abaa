"""At most settings.API_RATE_LIMIT requests a minute per token, per logged-in user, and
per client address for requests with neither; every request counts, refused ones
included. Counters live in Django's cache: the default per-process LocMemCache is right
for one server process; several processes or servers must share a cache (CACHES) for
the limit to hold across them."""

import hashlib
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from entente.core.problems import problem

RATE_WINDOW_SECONDS = 60


def _rate_identity(request: HttpRequest) -> str:
    # Decided before authentication, from what the request presents, so that refused
    # requests count too. An invalid token is counted under its own hash.
    authorization = request.headers.get("Authorization", "")
    scheme, _sep, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return "token:" + hashlib.sha256(credentials.strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "addr:" + request.META.get("REMOTE_ADDR", "")


def rate_limit_check(request: HttpRequest) -> HttpResponse | None:
    """Count the request; a 429 problem when its identity is over the limit."""
    limit = settings.API_RATE_LIMIT
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    key = f"entente:api-rate:{_rate_identity(request)}:{window}"
    # add() then incr() is atomic in every cache backend that matters (LocMem, Redis,
    # Memcached); a counter evicted in between is simply started again.
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS * 2)
        count = 1
    if count <= limit:
        return None
    retry_after = max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - now))
    return problem(
        request,
        429,
        detail=_("Too many requests: at most %(limit)d a minute. Try again in %(seconds)d seconds.")
        % {"limit": limit, "seconds": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


def rate_limit(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A ninja "view" decorator: wraps the whole operation, authentication included."""

    @wraps(run)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return rate_limit_check(request) or run(request, *args, **kwargs)

    return limited
