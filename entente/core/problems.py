"""Errors of the JSON API as `application/problem+json` (RFC 9457).

Every error the API answers has the same shape, `Problem`: `type` (always
"about:blank": the status says what kind of problem it is), `title` (the status
phrase), `status`, `detail` (what went wrong, for a person), `instance` (the request
path) and, for invalid input, `errors`, one entry per field. Handlers installed by
`install_problem_handlers` turn the errors of selectors, services, ninja and Django
into problems; an unexpected exception is logged and answers a bare 500.
"""

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from entente.core.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
    ValidationError,
)
from entente.core.outage import outage_headers, outage_message, outage_status

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# RFC 9110 names; Python's HTTPStatus phrases differ between versions (422, 413).
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
    507: "Insufficient Storage",
}


class FieldError(Schema):
    field: str | None = Field(
        description=(
            "Where the invalid value is: a location path such as `body.name` or "
            "`query.limit` for input that does not fit the operation's schema, the "
            "record's field name for input a service refused, null for the whole record."
        )
    )
    message: str


class Problem(Schema):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = Field(
        default=None, description="For 422: every invalid field and why."
    )
    current_version: int | None = Field(
        default=None, description="For 409: the version the record is at now."
    )


class ApiProblem(Exception):
    """Raised anywhere below an API operation to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        title: str | None = None,
    ):
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})
        self.title = title
        super().__init__(detail or status)


def problem(
    request: HttpRequest | None,
    status: int,
    title: str | None = None,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> HttpResponse:
    """A `application/problem+json` response; `title` defaults to the status phrase."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail is not None:
        body["detail"] = str(detail)
    if request is not None:
        body["instance"] = request.path
    if errors is not None:
        body["errors"] = errors
    body.update({k: v for k, v in extensions.items() if v is not None})
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def problem_responses(*statuses: int) -> dict[int, type[Problem]]:
    """`response={200: Out, **problem_responses(401, 429)}`: documents each status."""
    return dict.fromkeys(statuses, Problem)


class JsonParser(Parser):
    """Ninja's parser, refusing bodies that are not JSON and saying where JSON breaks.

    Ninja turns any exception of `parse_body` into a 400 "Cannot parse request body";
    the HttpError handler below answers with the ApiProblem it was raised from instead.
    """

    def parse_body(self, request: HttpRequest):
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise ApiProblem(
                415,
                _("Send the request body as application/json, not %(type)s.")
                % {"type": content_type or _("a body without a Content-Type")},
                headers={"Accept-Post": "application/json"},
            )
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ApiProblem(
                400, _("The request body is not UTF-8 (byte %(pos)d).") % {"pos": e.start}
            ) from e
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ApiProblem(
                400,
                _("Invalid JSON at line %(line)d, column %(column)d: %(reason)s.")
                % {"line": e.lineno, "column": e.colno, "reason": e.msg},
            ) from e


def location_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's validation errors as [{"field": "body.name", "message": ...}]."""
    return [
        {"field": ".".join(str(p) for p in error.get("loc", ())), "message": error["msg"]}
        for error in errors
    ]


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Django's ValidationError as [{"field": ..., "message": ...}], field by field."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if name == NON_FIELD_ERRORS else name, "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in exc.messages]


def install_problem_handlers(api) -> None:
    """Answer every error of `api` as a problem (replaces ninja's default handlers)."""

    def on_api_problem(request, exc: ApiProblem):
        return problem(request, exc.status, exc.title, exc.detail, exc.errors, headers=exc.headers)

    def on_http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, ApiProblem):
            return on_api_problem(request, exc.__cause__)
        headers = {}
        if isinstance(exc, AuthenticationError):
            headers["WWW-Authenticate"] = 'Bearer realm="entente"'
            return problem(
                request,
                401,
                detail=_("Log in, or send a valid token as 'Authorization: Bearer <token>'."),
                headers=headers,
            )
        if isinstance(exc, Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait)))
        return problem(request, exc.status_code, detail=exc.message, headers=headers)

    def on_not_found(request, exc: Http404):
        # Only our own NotFound carries a message meant for the client.
        detail = str(exc) if isinstance(exc, NotFound) and str(exc) else _("No such record.")
        return problem(request, 404, detail=detail)

    def on_permission_denied(request, exc: PermissionDenied):
        return problem(request, 403, detail=str(exc) or _("You may not do this."))

    def on_validation_error(request, exc: ValidationError):
        return problem(
            request,
            422,
            detail=_("The input is not valid."),
            errors=validation_errors(exc),
        )

    def on_ninja_validation_error(request, exc: NinjaValidationError):
        return problem(
            request, 422, detail=_("The input is not valid."), errors=location_errors(exc.errors)
        )

    def on_conflict(request, exc: ConflictError):
        # The service found the row changed after If-Match was checked (a concurrent
        # writer won the race): for the client that is the same failed precondition.
        status = 412 if request.headers.get("If-Match") else 409
        return problem(
            request,
            status,
            detail=_(
                "The record was changed by someone else since you read it (it is now at "
                "version %(version)s). Read it again and reapply your change."
            )
            % {"version": exc.current_version},
            current_version=exc.current_version,
        )

    def on_precondition_required(request, exc: PreconditionRequired):
        return problem(request, 428, detail=str(exc))

    def on_precondition_failed(request, exc: PreconditionFailed):
        return problem(request, 412, detail=str(exc), headers={"ETag": exc.current_etag})

    def on_too_big(request, exc: RequestDataTooBig):
        return problem(request, 413, detail=_("The request body is too large."))

    def on_unreadable_body(request, exc: Exception):
        # A multipart body without its boundary, or with too many parts or fields.
        return problem(
            request,
            400,
            detail=_("The request body cannot be read: %(reason)s.")
            % {"reason": str(exc).rstrip(".")},
        )

    def on_unexpected(request, exc: Exception):
        if status := outage_status(exc):
            logger.warning("Database outage in API %s %s: %s", request.method, request.path, exc)
            detail, headers = outage_message(status), outage_headers(status)
            return problem(request, status, detail=detail, headers=headers)
        logger.error(
            "Unhandled exception in API %s %s",
            request.method,
            request.path,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        return problem(request, 500)

    handlers = {
        Exception: on_unexpected,
        ApiProblem: on_api_problem,
        HttpError: on_http_error,
        Http404: on_not_found,
        PermissionDenied: on_permission_denied,
        ValidationError: on_validation_error,
        NinjaValidationError: on_ninja_validation_error,
        ConflictError: on_conflict,
        PreconditionRequired: on_precondition_required,
        PreconditionFailed: on_precondition_failed,
        RequestDataTooBig: on_too_big,
        MultiPartParserError: on_unreadable_body,
        SuspiciousOperation: on_unreadable_body,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)
