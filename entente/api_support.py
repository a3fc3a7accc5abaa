"""What every JSON API operation relies on: authentication, rate limits, idempotency.

- `API_AUTH`: a personal token (`Authorization: Bearer ent_...`) or the Django session
  (with its CSRF token on unsafe methods). `request.auth` is the user.
- `rate_limit`: at most settings.API_RATE_LIMIT requests a minute per token, per
  logged-in user, and per client address for requests with neither; every request
  counts, refused ones included. Counters live in Django's cache: the default
  per-process LocMemCache is right for one server process; several processes or
  servers must share a cache (CACHES) for the limit to hold across them.
- `idempotent`: POST operations that create records run once per Idempotency-Key.
- `EntenteAPI`: a NinjaAPI answering every error as application/problem+json.
"""

import datetime as dt
import hashlib
import json
import math
import time
from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from entente.accounts.models import IdempotencyKey
from entente.accounts.selectors import token_authenticate
from entente.audit.services import write_transaction
from entente.core.problems import (
    PROBLEM_CONTENT_TYPE,
    ApiProblem,
    JsonParser,
    Problem,
    install_problem_handlers,
    problem,
)

# ---------------------------------------------------------------- JSON


class ApiJSONEncoder(NinjaJSONEncoder):
    """Datetimes always in UTC (`2025-01-31T09:00:00.123Z`), whatever zone they carry."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            o = o.astimezone(dt.UTC)
        return super().default(o)


class ApiRenderer(JSONRenderer):
    encoder_class = ApiJSONEncoder


# ---------------------------------------------------------------- authentication


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ent_<prefix>_<secret>`, a personal API token."""

    def authenticate(self, request: HttpRequest, token: str):
        return token_authenticate(token)


class SessionAuth(APIKeyCookie):
    """The Django session of a logged-in user; unsafe methods need the CSRF token.

    Unlike ninja's `django_auth`, the CSRF check only runs when there is a session
    user to authenticate, so a token client without cookies is never refused for
    CSRF, and an anonymous request answers 401 rather than 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        if "Authorization" in request.headers:
            return None  # judged by its credentials alone, never by a cookie beside them
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and check_csrf(request):
            raise ApiProblem(
                403,
                _(
                    "CSRF token missing or incorrect: send the csrftoken cookie's value "
                    "in the X-CSRFToken header."
                ),
            )
        return user


# Token first: a request that carries a token is judged by it alone.
API_AUTH = [TokenAuth(), SessionAuth()]


# ---------------------------------------------------------------- rate limits

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


# ---------------------------------------------------------------- idempotency

IDEMPOTENCY_KEY_TTL = dt.timedelta(hours=24)
IDEMPOTENCY_HEADER = "Idempotency-Key"


def _request_fingerprint(request: HttpRequest) -> str:
    # The same JSON with other whitespace or key order is the same request.
    try:
        canonical = json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":"))
        data = canonical.encode()
    except (ValueError, UnicodeDecodeError):
        data = request.body
    return hashlib.sha256(data).hexdigest()


def _render(schema: type[Schema], result: Any) -> Any:
    # The same JSON the API answers elsewhere, as plain values to store.
    return json.loads(json.dumps(schema.model_validate(result).model_dump(), cls=ApiJSONEncoder))


def _json_response(status: int, body: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def idempotent(
    request: HttpRequest,
    *,
    status: int,
    schema: type[Schema],
    action: Callable[[], Any],
    redact: Collection[str] = (),
) -> HttpResponse:
    """Run `action` (a service call) once per Idempotency-Key, and answer its result.

    Without the header, `action` simply runs. With it, the first request runs `action`
    and stores the answer (`schema` applied to its result) in the same transaction; a
    retry with the same key and the same JSON body gets the stored answer again, with
    `Idempotent-Replayed: true`, and creates nothing. The same key with another body,
    method or path answers 422. Only successful answers are stored: when `action`
    raises, nothing is kept and the key may be used again. Keys are honoured for 24
    hours. Fields named in `redact` (secrets shown once) are stored as null, so a
    replay answers null for them.
    """
    key = request.headers.get(IDEMPOTENCY_HEADER)
    user = getattr(request, "auth", None)
    if key is None or user is None:
        return _json_response(status, _render(schema, action()))
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ApiProblem(400, _("Idempotency-Key must be 1 to 255 printable characters."))
    fingerprint = _request_fingerprint(request)
    with write_transaction():
        IdempotencyKey.objects.filter(
            user=user, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_KEY_TTL
        ).delete()
        try:
            # Claimed first: a concurrent retry waits on this row, then replays it.
            with write_transaction():
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "",
                    path=request.path[:500],
                    request_hash=fingerprint,
                )
        except IntegrityError:
            stored = IdempotencyKey.objects.get(user=user, key=key)
            if (stored.method, stored.path, stored.request_hash) != (
                request.method,
                request.path[:500],
                fingerprint,
            ):
                raise ApiProblem(
                    422,
                    _(
                        "This Idempotency-Key was already used for a different request; "
                        "use a new key for a new request."
                    ),
                ) from None
            assert stored.response_status is not None  # set in the transaction that made it
            response = _json_response(stored.response_status, stored.response_body)
            response["Idempotent-Replayed"] = "true"
            return response
        body = _render(schema, action())
        record.response_status = status
        record.response_body = {**body, **dict.fromkeys(redact)}
        record.save(update_fields=["response_status", "response_body"])
    return _json_response(status, body)


# ---------------------------------------------------------------- the API class

IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string", "minLength": 1},
    "description": (
        "The ETag of the version you read (from the record's GET); 412 when the record "
        "has changed since, 428 without it."
    ),
}


class EntenteAPI(NinjaAPI):
    """NinjaAPI with problem+json errors, JSON-only bodies, rate limits and token auth.

    - validation errors name the field as the client sent it: `body.name`, not
      ninja's `body.<parameter>.name`;
    - unknown paths and wrong methods answer problems too;
    - the OpenAPI document types problem responses as application/problem+json.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("auth", API_AUTH)
        kwargs.setdefault("parser", JsonParser())
        kwargs.setdefault("renderer", ApiRenderer())
        # Swagger UI from ninja's bundled static files (ninja in INSTALLED_APPS), no CDN;
        # no validator badge, which would load an image from validator.swagger.io.
        kwargs.setdefault("docs", Swagger(settings={"validatorUrl": None}))
        super().__init__(**kwargs)
        self.add_decorator(rate_limit, mode="view")

    def set_default_exception_handlers(self) -> None:
        install_problem_handlers(self)

    def validation_error_from_error_contexts(self, error_contexts):
        exc = super().validation_error_from_error_contexts(error_contexts)
        single_body_names = {
            getattr(context.model, "__read_from_single_attr__", None) for context in error_contexts
        } - {None}
        for error in exc.errors:
            loc = list(error["loc"])
            if len(loc) > 1 and loc[0] == "body" and loc[1] in single_body_names:
                del loc[1]
            error["loc"] = tuple(loc)
        return exc

    def get_openapi_operation_id(self, operation) -> str:
        # "accounts_token_list": stable names for generated clients, without the
        # module path ninja would put in front.
        module = operation.view_func.__module__.split(".")
        app = module[1] if len(module) > 2 and module[0] == "entente" else module[-1]
        return f"{app}_{operation.view_func.__name__}"

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            pattern.callback = _problem_for_not_allowed(pattern.callback)
        urls.append(re_path(r"^.*$", _not_found, name="not-found"))
        return urls

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problem_ref = f"#/components/schemas/{Problem.__name__}"
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                # Read by require_if_match, not by ninja: documented here, on every
                # operation that answers 428 without it.
                responses = operation.get("responses", {})
                if 428 in responses or "428" in responses:
                    parameters = operation.setdefault("parameters", [])
                    if IF_MATCH_PARAMETER not in parameters:
                        parameters.append(IF_MATCH_PARAMETER)
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    for media_type in list(content):
                        if content[media_type].get("schema", {}).get("$ref") == problem_ref:
                            content[PROBLEM_CONTENT_TYPE] = content.pop(media_type)
        return schema


def _problem_for_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return problem(
                request,
                405,
                detail=_("This path does not answer %(method)s.") % {"method": request.method},
                headers={"Allow": response["Allow"]},
            )
        return response

    return wrapped


@csrf_exempt
def _not_found(request: HttpRequest) -> HttpResponse:
    return problem(request, 404, detail=_("There is no such path in this API."))
