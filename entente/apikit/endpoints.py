"""What an endpoint does around its service call, written once.

An endpoint reads as its own specification: load the record through its door, then

    return change_by(request, response, meeting, meeting_change_status,
                     meeting=meeting, status=payload.status)

for a change (If-Match checked, 412 when another write won the race, the new ETag set;
`change` takes a function of the version instead, for more than one service call), or
`create(request, model=..., schema=..., action=...)` for a POST that makes a record
(Idempotency-Key honoured, ETag set, and Location where the record registry knows its
API path). Ids, codes and usernames in the request become records through the
resolvers, which answer 422 naming the field. How a route is documented (its summary
and the problems it answers) is in routes.py.
"""

import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any, TypeVar, cast, overload
from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema

from entente.apikit.idempotency import Reread, idempotent
from entente.apikit.routes import READ  # noqa: F401  (attachments/api.py imports it here)
from entente.core.errors import ConflictError, PreconditionFailed, ValidationError
from entente.core.http import Versioned, etag_for, require_if_match
from entente.core.registry import record_type_of, record_types
from entente.core.schemas import texts_of
from entente.core.translated import translated_fields

API_ROOT = "/api/v1"  # where entente/urls.py mounts the API

M = TypeVar("M", bound=Versioned)
R = TypeVar("R", bound=Model)


def with_etag(response: HttpResponse, record: M) -> M:
    """Name the record's version in the answer's ETag; the record, for returning."""
    response["ETag"] = etag_for(record)
    return record


@contextmanager
def still_matching(record: Versioned):
    """A change that lost the race between the If-Match check and the service's locked
    re-read failed the client's precondition all the same: 412, like any stale If-Match,
    so that a client handles one answer for "someone changed it first"."""
    try:
        yield
    except ConflictError as exc:
        current = etag_for(
            cast(Any, type(record))(public_id=record.public_id, version=exc.current_version)
        )
        raise PreconditionFailed(
            _("The record has changed since you read it; it is now at %(etag)s.")
            % {"etag": current},
            current_etag=current,
        ) from exc


def change(request: HttpRequest, response: HttpResponse, record: M, apply: Callable[[int], M]) -> M:
    """Run `apply(version)`, the service call, if If-Match names the record's current
    version (428 without it, 412 when stale); the changed record, its ETag set."""
    expected = require_if_match(request, record)
    with still_matching(record):
        record = apply(expected)
    return with_etag(response, record)


def change_by(
    request: HttpRequest,
    response: HttpResponse,
    record: M,
    service: Callable[..., M],
    /,
    **arguments: Any,
) -> M:
    """`change` through `service(actor=<the caller>, expected_version=..., **arguments)`,
    the arguments naming `record` as the service calls it (`meeting=meeting`)."""
    return change(
        request,
        response,
        record,
        lambda version: service(
            actor=cast(Any, request).auth, expected_version=version, **arguments
        ),
    )


def changer(door: Callable[..., M], name: str) -> Callable[..., M]:
    """`change_by` on the record its `door` gives for writing, named `name` to the service:
    with `_change = changer(get_meeting_for_user, "meeting")`, an endpoint answers
    `_change(request, response, meeting_id, meeting_change_status, status=payload.status)`."""

    def change_record(
        request: HttpRequest,
        response: HttpResponse,
        record_id: Any,
        service: Callable[..., M],
        /,
        **arguments: Any,
    ) -> M:
        record = door(cast(Any, request).auth, record_id, write=True)
        return change_by(request, response, record, service, **{name: record}, **arguments)

    return change_record


def create(
    request: HttpRequest,
    *,
    model: type[Model],
    schema: type[Schema],
    action: Callable[[], Any],
    reread: Reread | None = None,
    shape: Callable[[Any, Any], Any] | None = None,
) -> HttpResponse:
    """Run `action` (the service call) once per Idempotency-Key and answer 201 with
    its result, the new record's ETag and, where its type has an API path in the record
    registry, its Location.

    A replay answers `reread(ids)`, the records made read again for the caller; by
    default the one record of `model`, through its door in the record registry.
    `shape(user, record)` adds what the answer shows beyond the record (the parts of it
    the caller may see), to the first answer and a replay alike.
    """
    if reread is None:
        reread = reread_through_door(request, model)
    if shape is not None:
        action, reread = _shaped(cast(Any, request).auth, shape, action, reread)
    response = idempotent(request, status=201, schema=schema, action=action, reread=reread)
    if response.status_code == 201:
        # From the body, first answer or replay alike: the record as the caller sees it.
        body = json.loads(response.content)
        if "version" in body:
            response["ETag"] = etag_for(
                cast(Any, model)(public_id=body["id"], version=body["version"])
            )
        path = next((t.api_path for t in record_types() if t.model is model), None)
        if path:
            response["Location"] = API_ROOT + path.format(id=body["id"])
    return response


def _shaped(user, shape, action: Callable[[], Any], reread: Reread):
    """`action` and `reread` with `shape(user, record)` applied to what they give."""
    return (lambda: shape(user, action())), (lambda ids: shape(user, reread(ids)))


def reread_through_door(request: HttpRequest, model: type[Model]) -> Reread:
    """Reads the one record made, of `model`, through its registered door for the caller."""
    door = record_type_of(model).door  # a model without a door needs its own `reread`
    return lambda ids: door(cast(Any, request).auth, ids[0])


def changes_to(
    record: Model, changes: dict[str, Any], texts: dict[str, bool] | None = None
) -> dict[str, Any]:
    """The requested changes that differ from the record as it is. `texts` names those
    sent per language (text name -> whether the reference language must have it): they
    become the per-language columns they change (see `_text_columns`)."""
    changes = dict(changes)
    columns = _text_columns(record, changes, texts) if texts else {}
    return {
        name: value for name, value in changes.items() if getattr(record, name) != value
    } | columns


def _text_columns(record: Any, changes: dict[str, Any], texts: dict[str, bool]) -> dict[str, Any]:
    """The per-language columns a PATCH changes, taking the `texts` out of `changes`;
    checked as a whole, so the text in the (possibly new) reference language stays
    required."""
    language = changes.get("reference_language", record.reference_language)
    columns: dict[str, Any] = {}
    for name, needed in texts.items():
        sent = changes.pop(name, None) or {}
        if not sent and "reference_language" not in changes:
            continue
        merged = texts_of(record, name) | sent
        columns |= translated_fields(name, merged, reference_language=language, required=needed)
    return {k: v for k, v in columns.items() if v != (getattr(record, k) or "")}


def _with_public_ids(queryset: QuerySet[R], ids: Iterable[Any]) -> QuerySet[R]:
    """Records named by their public id; units, the one kind still named by its key, by pk."""
    if any(field.name == "public_id" for field in queryset.model._meta.fields):
        return queryset.filter(public_id__in=ids)
    return queryset.filter(pk__in=ids)


@overload
def resolve_one(queryset: QuerySet[R], pk: None, field: str) -> None: ...
@overload
def resolve_one(queryset: QuerySet[R], pk: UUID | int | str, field: str) -> R: ...
def resolve_one(queryset: QuerySet[R], pk: Any, field: str) -> R | None:
    """The record `pk` of a visibility-filtered queryset, for the request field naming
    it; None for None; 422 naming the field when there is no such record to see."""
    if pk is None:
        return None
    record = _with_public_ids(queryset, [pk]).first()
    if record is None:
        raise ValidationError({field: _("No such record: %(id)s.") % {"id": pk}})
    return record


def resolve_many(queryset: QuerySet[R], ids: Iterable[Any], field: str) -> list[R]:
    """Every record of `ids` in a visibility-filtered queryset; 422 naming the field
    and the missing ids otherwise."""
    wanted = set(ids)
    records = list(_with_public_ids(queryset, wanted))
    named = {getattr(record, "public_id", record.pk) for record in records}
    missing = sorted(wanted - named, key=str)
    if missing:
        raise ValidationError(
            {field: _("No such record: %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
        )
    return records
