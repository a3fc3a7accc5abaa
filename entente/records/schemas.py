"""Shapes of the audit trail in the JSON API."""

import datetime as dt
from typing import Any

from ninja import Field, Schema


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
