"""Shapes of accounts data in the JSON API."""

import datetime as dt

from ninja import Field, Schema

from entente.accounts.models import Party
from entente.apikit.schemas import PartyOwnedOut
from entente.core.enums import Language
from entente.core.http import AwareMoment


class MeOut(Schema):
    username: str
    party: str | None = Field(description="Code of the user's party; null for an operator.")
    role: str | None = Field(description="The user's role in their party.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(
        alias="key_prefix", description="Tells the token apart: it reads ent_<prefix>_..."
    )
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None = Field(description="To the minute.")
    revoked_at: dt.datetime | None
    read_only: bool = Field(description="Reads only: any other method answers 403.")


class TokenCreatedOut(TokenOut):
    token: str | None = Field(
        description=(
            "The token itself. Shown only in this answer; it is stored hashed and cannot "
            "be shown again. Null when the answer is a replay (Idempotency-Key)."
        )
    )


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")
    # Not nullable: every token expires. Left out, it gets the default lifetime.
    expires_at: AwareMoment = Field(  # type: ignore[assignment]  # None only when left out
        default=None,
        description=(
            "When it stops working (with a time zone); by default after the instance's "
            "default lifetime (90 days unless configured). Later than the instance's "
            "maximum (365 days unless configured), or than the expiry of the token that "
            "sends this request, answers 422."
        ),
    )
    read_only: bool = Field(
        default=False, description="A token that may only read: any change answers 403."
    )


class PartyOut(Schema):
    code: str
    names: dict[str, str] = Field(description="The party's name per language code.")
    reference_language: str
    country: str = Field(description="ISO 3166 code.")
    time_zone: str

    @staticmethod
    def resolve_names(party: Party) -> dict[str, str]:
        return {
            lang: getattr(party, f"name_{lang}")
            for lang in Language.values
            if getattr(party, f"name_{lang}", None)
        }


class UnitOut(Schema):
    id: int
    party: str = Field(alias="party.code", description="Code of the unit's party.")
    name: str
    is_contact_cell: bool


class ContactOut(PartyOwnedOut):
    """A person of a party's directory: shared ones to everyone, internal ones only to
    their own party."""

    name: str
    title: str = Field(description="Their function.")
    unit: int = Field(alias="unit_id", description="Id of their unit (see /units).")
    unit_name: str = Field(alias="unit.name")
    email: str
    phone: str
    languages: list[str] = Field(description='Language codes, e.g. ["ar", "fr"].')
    time_zone: str = Field(description="IANA name; empty when not given.")

    @staticmethod
    def resolve_languages(contact) -> list[str]:
        return [code for code in contact.languages.split(",") if code]
