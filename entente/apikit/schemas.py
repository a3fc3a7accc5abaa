"""What every party-owned record shows in the API, whatever its kind."""

import datetime as dt

from ninja import Field, Schema

from entente.core.enums import Marking, Scope
from entente.core.schemas import PublicRef


class PartyOwnedOut(Schema):
    """The fields of `entente.core.models.PartyOwned`, as every record's answer has them."""

    id: PublicRef = Field(alias="public_id", description="The record's id (random, UUIDv4).")
    owning_party: str = Field(description="Code of the party that owns the record.")
    scope: Scope = Field(description="Shared with the agreement's parties, or internal.")
    marking: Marking
    red_recipients: list[str] = Field(
        description="Usernames of those who see the record while it is TLP:RED."
    )
    version: int = Field(description="Goes up by one with every change; the ETag names it.")
    created_at: dt.datetime
    updated_at: dt.datetime
    is_illustrative: bool = Field(description="Demo data that illustrates the tool; not a fact.")

    @staticmethod
    def resolve_owning_party(record) -> str:
        return record.owning_party.code

    @staticmethod
    def resolve_red_recipients(record) -> list[str]:
        return sorted(user.get_username() for user in record.red_recipients.all())
