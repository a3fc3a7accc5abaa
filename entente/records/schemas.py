"""Shapes of the audit trail in the JSON API."""

import datetime as dt
from typing import Any

from ninja import Field, Schema


class AuditEventOut(Schema):
    seq: int = Field(description="Position in the hash chain.")
    at: dt.datetime
    actor: str = Field(alias="actor_name", description="Username, or `system`.")
    action: str = Field(description="create, update, status, publish, marking, ...")
    before: dict[str, Any] | None = Field(description="The fields that changed, as they were.")
    after: dict[str, Any] | None = Field(description="The fields that changed, as they became.")


class ChainHeadOut(Schema):
    seq: int = Field(description="Sequence number of the last event; 0 for an empty chain.")
    hash: str = Field(description="Its SHA-256, which every earlier event feeds into.")
