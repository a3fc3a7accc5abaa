"""Every error of the JSON API is an application/problem+json answer (RFC 9457).

The real API answers the transport errors (JSON, content type, size, auth, rate
limit); a small API built here with the same EntenteAPI class raises each error that
selectors and services raise, so the mapping is tested without waiting for them.
"""

import json
import logging
import uuid

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.urls import path
from ninja import Schema

from entente.accounts.models import ApiToken
from entente.accounts.services import token_create
from entente.agreements.models import Agreement
from entente.apikit.api import EntenteAPI
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.core.http import etag_for, require_if_match
from entente.core.problems import problem_responses

TOKENS = "/api/v1/tokens"

probe = EntenteAPI(title="probe", version="probe", urls_namespace="probe", auth=None)


class ThingIn(Schema):
    title: str
    count: int


@probe.get("/not-found")
def raise_not_found(request):
    raise NotFound("No such record.")


@probe.get("/forbidden")
def raise_forbidden(request):
    raise PermissionDenied("Only a coordinator may do this.")


@probe.get("/invalid")
def raise_invalid(request):
    raise ValidationError(
        {"title": ["This field cannot be blank."], "__all__": ["Start must be before end."]}
    )


@probe.get("/invalid-plain")
def raise_invalid_plain(request):
    raise ValidationError("Nothing to publish.")


@probe.get("/conflict")
def raise_conflict(request):
    raise ConflictError(expected_version=2, current_version=3, changed={"title": "New"})


@probe.get("/crash")
def crash(request):
    raise RuntimeError("the database password is hunter2")


@probe.get("/outage")
def outage(request):
    raise OperationalError("database is locked")


@probe.post("/things", response={200: ThingIn, **problem_responses(422)})
def thing_create(request, payload: ThingIn):
    return payload


@probe.patch("/agreements/{pk}")
def agreement_patch(request, pk: uuid.UUID):
    agreement = Agreement.objects.get(public_id=pk)
    return {"expected_version": require_if_match(request, agreement)}


urlpatterns = [path("probe/", probe.urls)]


def problem(status, title, instance, detail=None, **extra):
    body = {"type": "about:blank", "title": title, "status": status, "instance": instance}
    if detail is not None:
        body["detail"] = detail
    return body | extra


def assert_problem(response, expected):
    assert (response.status_code, response["Content-Type"]) == (
        expected["status"],
        "application/problem+json",
    )
    assert response.json() == expected


# --- errors of selectors and services ----------------------------------------------------------

probe_urls = pytest.mark.urls(__name__)


@probe_urls
def test_not_found_is_404(client, db):
    assert_problem(
        client.get("/probe/not-found"),
        problem(404, "Not Found", "/probe/not-found", "No such record."),
    )


@probe_urls
def test_permission_denied_is_403(client, db):
    assert_problem(
        client.get("/probe/forbidden"),
        problem(403, "Forbidden", "/probe/forbidden", "Only a coordinator may do this."),
    )


@probe_urls
def test_validation_error_is_422_field_by_field(client, db):
    assert_problem(
        client.get("/probe/invalid"),
        problem(
            422,
            "Unprocessable Content",
            "/probe/invalid",
            "The input is not valid.",
            errors=[
                {"field": "title", "message": "This field cannot be blank."},
                {"field": None, "message": "Start must be before end."},
            ],
        ),
    )
    assert_problem(
        client.get("/probe/invalid-plain"),
        problem(
            422,
            "Unprocessable Content",
            "/probe/invalid-plain",
            "The input is not valid.",
            errors=[{"field": None, "message": "Nothing to publish."}],
        ),
    )


@probe_urls
def test_conflict_is_409_with_current_version(client, db):
    assert_problem(
        client.get("/probe/conflict"),
        problem(
            409,
            "Conflict",
            "/probe/conflict",
            "The record was changed by someone else since you read it (it is now at "
            "version 3). Read it again and reapply your change.",
            current_version=3,
        ),
    )


@probe_urls
@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_exception_is_bare_500_and_logged(client, db, settings, caplog, debug):
    settings.DEBUG = debug
    with caplog.at_level(logging.ERROR, logger="entente.core.problems"):
        response = client.get("/probe/crash")
    assert_problem(response, problem(500, "Internal Server Error", "/probe/crash"))
    assert b"hunter2" not in response.content
    [record] = [r for r in caplog.records if r.name == "entente.core.problems"]
    assert record.getMessage() == "Unhandled exception in API GET /probe/crash"
    assert record.exc_info[0] is RuntimeError


@probe_urls
def test_a_database_outage_in_an_operation_is_503_with_retry_after(client, db):
    response = client.get("/probe/outage")
    assert_problem(
        response,
        problem(
            503,
            "Service Unavailable",
            "/probe/outage",
            "The database cannot be reached at the moment. Nothing was changed; try again "
            "in a minute.",
        ),
    )
    assert response["Retry-After"] == "60"


@probe_urls
def test_schema_violation_is_422_naming_each_field(client, db):
    response = client.post(
        "/probe/things", {"title": ["x"], "count": "many"}, content_type="application/json"
    )
    assert_problem(
        response,
        problem(
            422,
            "Unprocessable Content",
            "/probe/things",
            "The input is not valid.",
            errors=[
                {"field": "body.title", "message": "Input should be a valid string"},
                {
                    "field": "body.count",
                    "message": "Input should be a valid integer, unable to parse string as an integer",
                },
            ],
        ),
    )
    response = client.post(
        "/probe/things", {"title": "x", "count": 2}, content_type="application/json"
    )
    assert response.json() == {"title": "x", "count": 2}


@probe_urls
def test_missing_body_is_422(client, db):
    response = client.post("/probe/things", content_type="application/json")
    assert response.json()["errors"] == [
        {"field": "body.title", "message": "Field required"},
        {"field": "body.count", "message": "Field required"},
    ]


# --- If-Match ----------------------------------------------------------------------------------


@probe_urls
def test_change_without_if_match_is_428(client, cast):
    url = f"/probe/agreements/{cast.agreement.public_id}"
    assert_problem(
        client.patch(url),
        problem(
            428,
            "Precondition Required",
            url,
            "Send If-Match with the ETag of the version you read, to change this record.",
        ),
    )


@probe_urls
def test_change_with_stale_if_match_is_412(client, cast):
    url = f"/probe/agreements/{cast.agreement.public_id}"
    Agreement.objects.filter(pk=cast.agreement.pk).update(version=2)
    current = f'"agreement-{cast.agreement.public_id}-v2"'
    response = client.patch(url, HTTP_IF_MATCH=f'"agreement-{cast.agreement.public_id}-v1"')
    assert_problem(
        response,
        problem(
            412,
            "Precondition Failed",
            url,
            f"The record has changed since you read it; it is now at {current}.",
        ),
    )
    assert response["ETag"] == current


@probe_urls
@pytest.mark.parametrize(
    "if_match",
    ['"agreement-{pk}-v1"', 'W/"agreement-{pk}-v1"', '"other", "agreement-{pk}-v1"', "*"],
)
def test_change_with_current_if_match_gives_expected_version(client, cast, if_match):
    pk = cast.agreement.public_id
    assert etag_for(cast.agreement) == f'"agreement-{pk}-v1"'
    response = client.patch(f"/probe/agreements/{pk}", HTTP_IF_MATCH=if_match.format(pk=pk))
    assert response.json() == {"expected_version": 1}


# --- transport errors, on the real API -----------------------------------------------------------


def test_malformed_json_is_400_with_position(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(
        TOKENS, '{"name": "x",\n "expires_at" 3}', content_type="application/json"
    )
    assert_problem(
        response,
        problem(
            400,
            "Bad Request",
            TOKENS,
            "Invalid JSON at line 2, column 15: Expecting ':' delimiter.",
        ),
    )


def test_body_not_utf8_is_400(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(TOKENS, b'{"name": "\xff"}', content_type="application/json")
    assert_problem(
        response,
        problem(400, "Bad Request", TOKENS, "The request body is not UTF-8 (byte 10)."),
    )


@pytest.mark.parametrize(
    ("content_type", "named"),
    [("text/plain", "text/plain"), ("application/x-www-form-urlencoded", None)],
)
def test_body_that_is_not_json_is_415(client, cast, content_type, named):
    client.force_login(cast.a_officer)
    response = client.post(TOKENS, "name=x", content_type=content_type)
    assert_problem(
        response,
        problem(
            415,
            "Unsupported Media Type",
            TOKENS,
            f"Send the request body as application/json, not {named or content_type}.",
        ),
    )
    assert response["Accept-Post"] == "application/json"
    assert ApiToken.objects.count() == 0


def test_json_suffix_media_type_is_accepted(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(TOKENS, '{"name": "x"}', content_type="application/merge-patch+json")
    assert response.status_code == 201


def test_oversized_body_is_413(client, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client.force_login(cast.a_officer)
    response = client.post(TOKENS, {"name": "x" * 200}, content_type="application/json")
    assert_problem(
        response, problem(413, "Content Too Large", TOKENS, "The request body is too large.")
    )
    assert ApiToken.objects.count() == 0


def test_unknown_path_and_wrong_method_are_problems(client, cast):
    client.force_login(cast.a_officer)
    assert_problem(
        client.get("/api/v1/nothing/here"),
        problem(404, "Not Found", "/api/v1/nothing/here", "There is no such path in this API."),
    )
    response = client.put(TOKENS)
    assert_problem(
        response, problem(405, "Method Not Allowed", TOKENS, "This path does not answer PUT.")
    )
    assert sorted(response["Allow"].split(", ")) == ["GET", "POST"]


def test_bad_query_parameter_is_422(client, cast):
    client.force_login(cast.a_officer)
    response = client.get(TOKENS, {"limit": 0, "cursor": "@@"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "query.limit", "message": "Input should be greater than or equal to 1"}
    ]
    response = client.get(TOKENS, {"cursor": "bm90IGpzb24"})
    assert response.json()["errors"] == [{"field": "query.cursor", "message": "Invalid cursor."}]


# --- rate limit ------------------------------------------------------------------------------------


@pytest.fixture
def frozen_minute(monkeypatch):
    """30.5 s into a minute, so the window cannot roll over during the test."""
    cache.clear()
    monkeypatch.setattr("entente.apikit.ratelimit.time.time", lambda: 60 * 16_666_667 + 30.5)
    yield
    cache.clear()


def too_many(instance: str) -> dict:
    return problem(
        429,
        "Too Many Requests",
        instance,
        "Too many requests: at most 3 a minute. Try again in 30 seconds.",
    )


def test_rate_limit_per_token_counts_refused_requests(client, cast, settings, frozen_minute):
    settings.API_RATE_LIMIT = 3
    _token, raw = token_create(actor=cast.a_officer, name="ci")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    assert client.post(TOKENS, "{", content_type="application/json", **auth).status_code == 400
    assert client.get(TOKENS, {"limit": 0}, **auth).status_code == 422
    response = client.get("/api/v1/me", **auth)
    assert_problem(response, too_many("/api/v1/me"))
    assert response["Retry-After"] == "30"
    # Another token, and the session, have their own budgets.
    _other, other_raw = token_create(actor=cast.a_officer, name="other")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {other_raw}").status_code == 200
    client.force_login(cast.a_officer)
    assert client.get("/api/v1/me").status_code == 200


def test_rate_limit_counts_failed_authentication(client, db, settings, frozen_minute):
    settings.API_RATE_LIMIT = 3
    wrong = {"HTTP_AUTHORIZATION": "Bearer ent_guess"}
    assert [client.get("/api/v1/me", **wrong).status_code for _ in range(3)] == [401] * 3
    response = client.get("/api/v1/me", **wrong)
    assert_problem(response, too_many("/api/v1/me"))
    assert response["Retry-After"] == "30"
    assert [client.get("/api/v1/me").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_rate_limit_per_session_user(client, cast, settings, frozen_minute):
    settings.API_RATE_LIMIT = 3
    client.force_login(cast.a_reader)
    assert [client.get("/api/v1/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    client.force_login(cast.b_officer)
    assert client.get("/api/v1/me").status_code == 200


def test_rate_limit_zero_means_no_limit(client, cast, settings, frozen_minute):
    settings.API_RATE_LIMIT = 0
    client.force_login(cast.a_reader)
    assert {client.get("/api/v1/me").status_code for _ in range(5)} == {200}


# --- the contract ------------------------------------------------------------------------------------


def test_openapi_document_is_3_1_and_documents_problems(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "Entente API"
    assert {
        "/api/v1/me",
        "/api/v1/parties",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/units",
    } <= set(document["paths"])
    assert document["paths"]["/api/v1/me"]["get"]["operationId"] == "accounts_me"
    responses = document["paths"]["/api/v1/me"]["get"]["responses"]
    problem_content = {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert sorted(responses) == ["200", "401", "429"]
    assert responses["401"]["content"] == problem_content
    assert responses["429"]["content"] == problem_content
    post = document["paths"]["/api/v1/tokens"]["post"]["responses"]
    assert sorted(post) == ["201", "400", "401", "403", "413", "415", "422", "429"]
    assert document["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
    assert sorted(document["components"]["schemas"]["Problem"]["properties"]) == [
        "current_version",
        "detail",
        "errors",
        "instance",
        "status",
        "title",
        "type",
    ]


def test_docs_page_loads_swagger_from_our_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert '<script src="/static/ninja/swagger-ui-init.js"></script>' in html
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
