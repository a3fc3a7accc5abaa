"""Shapes of the audit trail and the global search in the JSON API."""

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from entente.records.models import QUERY_MAX_LENGTH


class AuditEventOut(Schema):
    revision: int = Field(
        description="This record's revision: 1, 2, 3... over the events you may see, oldest first."
    )
    seq: int | None = Field(
        description="Position in the global hash chain; only for auditors and the operator, "
        "null for others."
    )
    hash: str | None = Field(
        description="The event's SHA-256 in the chain; only for auditors and the operator, "
        "null for others."
    )
    at: dt.datetime
    actor: str = Field(alias="actor_name", description="Username, or `system`.")
    action: str = Field(description="create, update, status, publish, marking, ...")
    before: dict[str, Any] | None = Field(
        description="The fields that changed, as they were; null on the first revision you "
        "see. Records you may not see are named `hidden`."
    )
    after: dict[str, Any] | None = Field(
        description="The fields that changed, as they became. Records you may not see are "
        "named `hidden`."
    )


class ChainHeadOut(Schema):
    seq: int = Field(description="Sequence number of the last event; 0 for an empty chain.")
    hash: str = Field(description="Its SHA-256, which every earlier event feeds into.")


class SearchFilters(Schema):
    q: str = Field(
        max_length=QUERY_MAX_LENGTH,
        # PostgreSQL cannot hold a NUL byte.
        pattern=r"^[^\x00]*$",
        description="Words to look for, in any language: every word must appear in the "
        "record's texts, and the start of a word is enough. At least one word of two "
        "letters or digits.",
    )


class SearchHitOut(Schema):
    type: str = Field(
        description="The record's type, as in the audit trail's path: `agreements.commitment`."
    )
    id: UUID = Field(description="The record's public id, as in its own path in this API.")
    title: str
    url: str | None = Field(description="The page that shows the record, if it has one.")
