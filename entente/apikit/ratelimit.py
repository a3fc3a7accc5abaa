"""At most settings.API_RATE_LIMIT requests a minute per token, per logged-in user, and
per client address for requests with neither; every request counts, refused ones
included. Counters live in Django's default cache, which settings.CACHES puts in the
database, so that every server process and every server counts against one budget."""

import hashlib
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
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
    count = _count(f"entente:api-rate:{_rate_identity(request)}:{window}")
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


def window_count(name: str, seconds: int) -> int:
    """Add one to the counter `name` for the current window of `seconds` (windows start
    at multiples of `seconds` since the epoch) and return it: one count for every
    server process, like the API's."""
    window = int(time.time() // seconds)
    return _count(f"{name}:{window}", timeout=seconds * 2)


def _count(key: str, timeout: int = RATE_WINDOW_SECONDS * 2) -> int:
    """Add one to the counter `key` (started at 0 when missing) and return it; the counter
    lapses `timeout` seconds after it started."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, DatabaseCache):
        # add() then incr() is atomic in LocMem, Redis and Memcached.
        return _add_one(key, timeout)
    # The database cache's incr() reads, then writes: two processes could both read 5
    # and write 6. One transaction that holds the counter's row makes it one step.
    alias = router.db_for_write(backend.cache_model_class)
    connection = connections[alias]
    with transaction.atomic(using=alias):
        cache.add(key, 0, timeout=timeout)
        # On SQLite, settings open every transaction with BEGIN IMMEDIATE, which has
        # already taken the database's write lock; elsewhere the row is locked.
        if connection.features.has_select_for_update:
            table = connection.ops.quote_name(backend._table)  # type: ignore[attr-defined]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608
                    [backend.make_and_validate_key(key)],
                )
        return _add_one(key, timeout)


def _add_one(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # Evicted between add() and incr(): this request starts the count again.
        cache.set(key, 1, timeout=timeout)
        return 1


def rate_limit(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A ninja "view" decorator: wraps the whole operation, authentication included."""

    @wraps(run)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return rate_limit_check(request) or run(request, *args, **kwargs)

    return limited
