"""POST operations that create records run once per Idempotency-Key."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Collection
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema

from entente.apikit.models import IdempotencyKey
from entente.apikit.renderers import ApiJSONEncoder
from entente.audit.services import write_transaction
from entente.core.problems import ApiProblem

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
