"""POST operations that create records run once per Idempotency-Key.

Only what a replay needs is kept: the status and the ids of the records made. A replay
reads those records again through their doors, for the user replaying, so the answer
obeys the access rules of now; no answer body is ever stored. Keys are honoured for
settings.IDEMPOTENCY_HOURS, and deleted after: as new keys are written, and by
`entente purge_idempotency`.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema

from entente.apikit.models import IdempotencyKey
from entente.apikit.renderers import ApiJSONEncoder
from entente.audit.services import write_transaction
from entente.core.problems import ApiProblem

IDEMPOTENCY_HEADER = "Idempotency-Key"

# Re-reads the records of these ids, for the user replaying: the result `action` gave.
Reread = Callable[[list[int]], Any]


def idempotency_cutoff() -> dt.datetime:
    """Keys made before this are no longer honoured."""
    return timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_HOURS)


def purge_expired_keys() -> int:
    """Delete the keys no longer honoured; how many were deleted."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=idempotency_cutoff()).delete()
    return deleted


def _request_fingerprint(request: HttpRequest) -> str:
    # The same JSON with other whitespace or key order is the same request.
    try:
        canonical = json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":"))
        data = canonical.encode()
    except (ValueError, UnicodeDecodeError):
        data = request.body
    return hashlib.sha256(data).hexdigest()


def _render(schema: type[Schema], result: Any) -> Any:
    # The same JSON the API answers elsewhere, as plain values.
    return json.loads(json.dumps(schema.model_validate(result).model_dump(), cls=ApiJSONEncoder))


def _json_response(status: int, body: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def record_ids(body: Any) -> list[int]:
    """The ids of the records an answer shows: its own `id`, or those of the records
    listed in it (`{"items": [{"id": 1}, ...]}`)."""
    if "id" in body:
        return [body["id"]]
    return [
        item["id"]
        for value in body.values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict) and "id" in item
    ]


def idempotent(
    request: HttpRequest,
    *,
    status: int,
    schema: type[Schema],
    action: Callable[[], Any],
    reread: Reread,
) -> HttpResponse:
    """Run `action` (a service call) once per Idempotency-Key, and answer its result.

    Without the header, `action` simply runs. With it, the first request runs `action`
    and keeps, in the same transaction, the status and the ids of the records made
    (`record_ids`); a retry by the same user with the same key and JSON body gets
    `reread(ids)` instead, with `Idempotent-Replayed: true`, and creates nothing. The
    same key with another body, method or path answers 422; another user's key is
    another key. When `action` raises, nothing is kept and the key may be used again.
    """
    key = request.headers.get(IDEMPOTENCY_HEADER)
    user = getattr(request, "auth", None)
    if key is None or user is None:
        return _json_response(status, _render(schema, action()))
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ApiProblem(400, _("Idempotency-Key must be 1 to 255 printable characters."))
    fingerprint = _request_fingerprint(request)
    with write_transaction():
        purge_expired_keys()  # this user's expired key among them
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
            return _replay(request, IdempotencyKey.objects.get(user=user, key=key), schema, reread)
        body = _render(schema, action())
        record.response_status = status
        record.record_ids = record_ids(body)
        record.save(update_fields=["response_status", "record_ids"])
    return _json_response(status, body)


def _replay(
    request: HttpRequest, stored: IdempotencyKey, schema: type[Schema], reread: Reread
) -> HttpResponse:
    if (stored.method, stored.path, stored.request_hash) != (
        request.method,
        request.path[:500],
        _request_fingerprint(request),
    ):
        raise ApiProblem(
            422,
            _(
                "This Idempotency-Key was already used for a different request; "
                "use a new key for a new request."
            ),
        )
    assert stored.response_status is not None  # set in the transaction that made it
    # Through the records' doors: NotFound (404) for what the user may no longer see.
    response = _json_response(stored.response_status, _render(schema, reread(stored.record_ids)))
    response["Idempotent-Replayed"] = "true"
    return response
