"""Helpers for tests of the JSON API: a token client per user, ETags, expected bodies.

    from entente.tests.api_helpers import api_client, etag, iso, problem_body

    client = api_client(cast.a_officer)          # every request sends its bearer token
    response = client.get(f"/api/v1/agreements/{pk}")
    client.patch(url, {...}, content_type="application/json", HTTP_IF_MATCH=etag(response))

`api_client` creates the token through `token_create`, which writes one audit event
(accounts.apitoken): make the clients before counting AuditEvent rows.
"""

import datetime as dt
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.test import Client

from entente.accounts.services import token_create

API = "/api/v1"
# A well-formed public id that no record has.
UNKNOWN = "7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"


def api_client(user) -> Client:
    """A test client authenticated as `user` by a fresh personal token (no session)."""
    _token, raw = token_create(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def etag(response: HttpResponse) -> str:
    """The ETag of a response; fails the test when the response carries none."""
    assert "ETag" in response, f"no ETag in the {response.status_code} response"
    return response["ETag"]


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """A datetime as the API writes it: UTC, to the millisecond, "Z"; a date as ISO."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC)
    return DjangoJSONEncoder().default(value)


def problem_body(
    status: int, title: str, detail: str, instance: str, **extra: Any
) -> dict[str, Any]:
    """The problem+json body the API answers, e.g. for `assert response.json() == ...`."""
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }


def as_shown(record, snapshot: dict | None) -> dict | None:
    """An audit snapshot of `record` as its trail shows it to a reader who sees every
    record it names: the record's own id and its references to other records (foreign
    keys, lists of them, an attachment's target) as public ids, never internal ones."""
    if snapshot is None:
        return None
    shown = {}
    for key, value in snapshot.items():
        model = _referenced_model(record, key)
        if key == "id":
            value = str(record.public_id)
        elif model is not None and hasattr(model, "public_id") and value is not None:
            ids = value if isinstance(value, list) else [value]
            found = dict(model._base_manager.filter(pk__in=ids).values_list("pk", "public_id"))
            public = [str(found[pk]) for pk in ids]
            value = public if isinstance(value, list) else public[0]
        shown[key] = value
    return shown


def _referenced_model(record, key: str):
    if key == "target_id" and hasattr(record, "target_type"):
        return record.target_type.model_class()
    for field in record._meta.get_fields():
        if field.is_relation and key in {field.name, getattr(field, "attname", None)}:
            return field.related_model if not field.auto_created or field.concrete else None
    return None
