"""HTTP helpers for API operations: ETags and If-Match, and cursor pagination.

ETags are strong: `"<model>-<public id>-v<version>"`, e.g. `"agreement-6e13f4d9-...-v3"`.
They name the stored version of a record (PartyOwned.version), which every audited update
raises by one. Strong, because RFC 9110 (13.1.1) compares If-Match strongly, so a weak
tag could never match. A `W/` prefix in If-Match is tolerated all the same: reverse
proxies weaken tags when they compress a response, and the version it names is exact.

A change (PATCH, PUT, DELETE, state-change POST) on a versioned record must send
If-Match: `require_if_match` answers 428 without it and 412 when it names another
version, and returns the version to pass on to the service as `expected_version`, so
that a write racing between the check and the service's locked re-read still fails
(409, ConflictError) instead of overwriting.

Request values whose OpenAPI description must match what is accepted exactly (dates,
moments, amounts) have their types here: `Day`, `AwareMoment`, `LocalMoment`, `Amount`.
"""

import base64
import binascii
import contextlib
import datetime as dt
import json
import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Protocol
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field as ModelField
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    StrictBool,
    StrictInt,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from entente.core.errors import PreconditionFailed, PreconditionRequired
from entente.core.problems import ApiProblem


class Versioned(Protocol):
    """A record with a version number that every audited update raises by one."""

    public_id: Any
    version: int
    _meta: ClassVar[Any]


def etag_for(record: Versioned) -> str:
    """The strong ETag of the record's current version: `"agreement-<public id>-v3"`."""
    return f'"{record._meta.model_name}-{record.public_id}-v{record.version}"'


def require_if_match(request: HttpRequest, record: Versioned) -> int:
    """The version the client last read, checked against `record`; 428 or 412 otherwise."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            _("Send If-Match with the ETag of the version you read, to change this record.")
        )
    current = etag_for(record)
    for tag in (t.strip() for t in header.split(",")):
        if tag == "*" or tag.removeprefix("W/") == current:
            return record.version
    raise PreconditionFailed(
        _("The record has changed since you read it; it is now at %(etag)s.") % {"etag": current},
        current_etag=current,
    )


# ---------------------------------------------------------------- request values
#
# Pydantic, in its lax mode, also reads numbers as dates (seconds since 1970), `true`
# and "5" as integers, 0 and "yes" as booleans, and date-times without the "T"; the
# OpenAPI document promises JSON integers, booleans and RFC 3339 strings. These types
# accept exactly what the document describes. In JSON bodies, use `Integer`,
# `Boolean` and `RecordId`; query and path values arrive as text and stay lax.

MAX_ID = 2**63 - 1  # a 64-bit primary key: larger ids cannot even be looked up
Integer = StrictInt
Boolean = StrictBool
RecordId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]  # a record's id as a query value

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Far-off years overflow when a moment is converted to UTC for storage or comparison.
_YEAR = "(19|2[0-9])[0-9]{2}"
_TIME = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
_OFFSET = "([Zz]|[+-][0-9]{2}:[0-9]{2})"
AWARE_MOMENT_PATTERN = f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}[Tt]{_TIME}{_OFFSET}$"
LOCAL_MOMENT_PATTERN = f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}[Tt]{_TIME}{_OFFSET}?$"


def _day(value: Any) -> Any:
    if isinstance(value, dt.date) or (isinstance(value, str) and _DAY.fullmatch(value)):
        return value
    raise PydanticCustomError("date_format", "Give a date as YYYY-MM-DD.")


def _moment(pattern: str, message: str):
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, dt.datetime) or (isinstance(value, str) and compiled.fullmatch(value)):
            return value
        raise PydanticCustomError("datetime_format", message)

    return check


def _plausible(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2999:
        raise PydanticCustomError(
            "datetime_range", "Give a moment between the years 1900 and 2999."
        )
    return value


Day = Annotated[dt.date, BeforeValidator(_day)]
AwareMoment = Annotated[
    AwareDatetime,
    # The offset's absence is left to AwareDatetime to name ("should have timezone info").
    BeforeValidator(
        _moment(
            LOCAL_MOMENT_PATTERN,
            "Give a moment from 1900 to 2999 as YYYY-MM-DDTHH:MM:SS with its UTC offset "
            "(Z or +HH:MM).",
        )
    ),
    AfterValidator(_plausible),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": AWARE_MOMENT_PATTERN}),
]
# Not "date-time": RFC 3339 requires an offset, and a local moment may have none.
LocalMoment = Annotated[
    dt.datetime,
    BeforeValidator(
        _moment(
            LOCAL_MOMENT_PATTERN,
            "Give a moment from 1900 to 2999 as YYYY-MM-DDTHH:MM:SS, with or without a UTC offset.",
        )
    ),
    AfterValidator(_plausible),
    WithJsonSchema({"type": "string", "pattern": LOCAL_MOMENT_PATTERN}),
]

AMOUNT_LIMIT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
AMOUNT_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"


def _amount(value: Any) -> Any:
    # A number is read through its shortest decimal form (0.1, not 0.1000000000000000055).
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "Give an amount as a number or a string.")
    if isinstance(value, str) and not re.fullmatch(AMOUNT_PATTERN, value):
        raise PydanticCustomError(
            "decimal_format", "Give an amount with at most 12 digits and 2 decimals, e.g. 12.50."
        )
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": -float(AMOUNT_LIMIT), "maximum": float(AMOUNT_LIMIT)},
                {"type": "string", "pattern": AMOUNT_PATTERN},
            ],
            "description": "At most 12 digits before the decimal point and 2 after.",
        }
    ),
]


def _encode_value(value: Any) -> Any:
    # Not DjangoJSONEncoder: it cuts datetimes to milliseconds, and a cursor must be exact.
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a cursor value")


def encode_cursor(values: list[Any]) -> str:
    """A cursor, the one way of the API and the web lists: URL-safe base64 (unpadded)
    of the JSON list of `values` (dates, moments, decimals and UUIDs as text)."""
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The values of an `encode_cursor` cursor, as JSON gave them; ValueError when
    `cursor` is not one (anything but a list of text, numbers, booleans and nulls)."""
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    values = json.loads(raw, parse_constant=_no_constant)
    if not isinstance(values, list) or not all(
        v is None or isinstance(v, str | int | float) for v in values
    ):
        raise ValueError("not a cursor")
    return values


def invalid_cursor() -> ApiProblem:
    return ApiProblem(
        422,
        _("The input is not valid."),
        errors=[{"field": "query.cursor", "message": _("Invalid cursor.")}],
    )


def cursor_number(cursor: str) -> int:
    """The one count an `encode_cursor([n])` cursor holds (a position, a revision);
    a 422 problem when it holds anything else."""
    try:
        (number,) = decode_cursor(cursor)
    except (ValueError, TypeError, binascii.Error):
        raise invalid_cursor() from None
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise invalid_cursor()
    return number


def tie_breaker(model: type[Model]) -> str:
    """The unique field that orders rows with equal values: the public id where the
    model has one, so that a cursor never carries an internal key."""
    return "public_id" if any(f.name == "public_id" for f in model._meta.fields) else "pk"


class CursorPagination(PaginationBase):
    """Keyset pagination on one ordering field, with the public id (or, for a model
    without one, the primary key) breaking ties.

    The cursor is opaque to clients: URL-safe base64 of the JSON `[value, tie]` of the
    last item of the page. A page never repeats or skips a row because others were
    inserted or deleted meanwhile, and each page is one indexed query whatever its
    depth. The ordering field must be a non-null concrete field (or annotation) of
    the listed model. Use it as `@paginate(CursorPagination, ordering="-created_at")`
    under `response={200: list[ItemOut], ...}`; the 200 answer becomes
    `{"items": [...], "next_cursor": "..." | null}`.
    """

    class Input(Schema):
        cursor: str | None = Field(
            default=None, description="The `next_cursor` of the previous page; none for the first."
        )
        limit: int = Field(default=50, ge=1, le=200, description="Items per page.")

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None = Field(
            description="Pass as `cursor` to get the next page; null on the last page."
        )

    items_attribute = "items"

    def __init__(self, *, ordering: str = "pk", **kwargs: Any) -> None:
        self.field = ordering.removeprefix("-")
        self.descending = ordering.startswith("-")
        super().__init__(**kwargs)

    def _order_by(self, tie: str) -> list[str]:
        sign = "-" if self.descending else ""
        fields = [self.field] if self.field == "pk" else [self.field, tie]
        return [f"{sign}{name}" for name in fields]

    def encode(self, item: Any, tie: str = "pk") -> str:
        value = getattr(item, self.field) if self.field != "pk" else None
        return encode_cursor([value, getattr(item, tie)])

    def decode(self, cursor: str, model: type[Model], tie: str = "pk") -> tuple[Any, Any]:
        try:
            value, last = decode_cursor(cursor)
            tie_field = model._meta.pk if tie == "pk" else model._meta.get_field(tie)
            last = tie_field.to_python(last)  # type: ignore[union-attr]  # a concrete field
            if self.field != "pk":
                # An annotation is not a model field: its value is compared as sent.
                with contextlib.suppress(FieldDoesNotExist):
                    field = model._meta.get_field(self.field)
                    if isinstance(field, ModelField):
                        value = field.to_python(value)
        except (ValueError, TypeError, binascii.Error, DjangoValidationError):
            raise invalid_cursor() from None
        return value, last

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest | None = None, **params
    ) -> dict[str, Any]:
        tie = tie_breaker(queryset.model)
        queryset = queryset.order_by(*self._order_by(tie))
        if pagination.cursor:
            value, last = self.decode(pagination.cursor, queryset.model, tie)
            after = "lt" if self.descending else "gt"
            if self.field == "pk":
                queryset = queryset.filter(**{f"pk__{after}": last})
            else:
                queryset = queryset.filter(
                    Q(**{f"{self.field}__{after}": value})
                    | Q(**{self.field: value, f"{tie}__{after}": last})
                )
        page = list(queryset[: pagination.limit + 1])
        has_more = len(page) > pagination.limit
        page = page[: pagination.limit]
        return {
            "items": page,
            "next_cursor": self.encode(page[-1], tie) if has_more else None,
        }
