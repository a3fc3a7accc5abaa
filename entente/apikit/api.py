"""The API class every endpoint is mounted on: problem+json errors, JSON-only bodies,
rate limits, token or session authentication, and an OpenAPI document that says so."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from entente.apikit.auth import API_AUTH
from entente.apikit.ratelimit import rate_limit
from entente.apikit.renderers import ApiRenderer
from entente.core.problems import (
    PROBLEM_CONTENT_TYPE,
    JsonParser,
    Problem,
    install_problem_handlers,
    problem,
)

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
