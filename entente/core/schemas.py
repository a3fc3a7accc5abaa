"""Pieces of the API's schemas that every app's schemas.py shares."""

from functools import reduce
from operator import or_
from typing import Annotated, Any
from uuid import UUID

from django.db.models import Q
from ninja import FilterLookup, FilterSchema, Path, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from entente.core.enums import Language, Marking, Scope

# Ids as the database stores them (64-bit), so an oversized one is refused, not a crash.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# A record's id outside the database (its `public_id`), in a path, a query or a body.
PublicId = UUID


def _public_id_of(value: Any) -> Any:
    return getattr(value, "public_id", value)


# In an answer, a reference to another record: the field reads the record itself
# (`agreement`, not `agreement_id`) and shows its public id, never the internal key.
PublicRef = Annotated[UUID, BeforeValidator(_public_id_of)]
# Slugs, as Party.code is: also keeps NUL bytes, which PostgreSQL refuses, out of queries.
PartyCode = Annotated[
    str,
    Field(min_length=1, max_length=32, pattern=r"^[-a-zA-Z0-9_]+$", description="A party's code."),
]
Username = Annotated[str, Field(min_length=1, max_length=150, pattern=r"^[^\x00]+$")]


def key_in_path(description: str | None = None) -> Any:
    """An integer key in the URL (a token's, which is no record), in the database's
    range as `Id` is, so that an oversized one is refused, not a crash."""
    return Path(description=description, ge=1, le=2**63 - 1)


def id_in_path(description: str | None = None) -> Any:
    """A record's public id in the URL (a `PublicId` parameter): one that is no UUID,
    an internal integer key included, answers 422; an unknown one 404, from its door."""
    return Path(description=description)


def no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    return value


# Free text a client searches with: no NUL bytes, which PostgreSQL refuses.
NoNul = Annotated[str, AfterValidator(no_nul)]


def maybe(description: str, **kwargs: Any) -> Any:
    """A field the client may leave out (then None), as most filters are."""
    return Field(default=None, description=description, **kwargs)


class Filters(FilterSchema):
    """A list's filters in the query string. A filter that names its lookups,

        due_after: Annotated[Day | None, FilterLookup("due_date__gte")] = None

    narrows the list when the client gives it, through `filters.filter(records)` (any
    of several lookups matching); the others (searches, and what depends on the
    caller or the time) are the endpoint's to apply."""

    def custom_expression(self) -> Q:
        given = Q()
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            for lookup in field.metadata:
                if isinstance(lookup, FilterLookup) and value is not None:
                    names = [lookup.q] if isinstance(lookup.q, str) else lookup.q or []
                    given &= reduce(or_, (Q(**{q: value}) for q in names))
        return given


# The filters most lists have: the agreement, the cooperation area, the marking.
OfAgreement = Annotated[PublicId | None, FilterLookup("agreement__public_id")]
InArea = Annotated[PublicId | None, FilterLookup("area__public_id")]
MarkedAs = Annotated[Marking | None, FilterLookup("marking")]


class In(Schema):
    """What a client sends: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


# Who may see a record marked TLP:RED, by username.
RedRecipients = Annotated[
    list[Username],
    Field(max_length=100, description="Usernames who may see the record; required for TLP:RED."),
]


class MarkedIn(In):
    """A new record's scope and marking, with who may see it when TLP:RED."""

    scope: Scope = Scope.INTERNAL
    marking: Marking = Marking.AMBER
    red_recipients: RedRecipients = []


class Texts(Schema):
    """A text in each language; empty where it is not written."""

    ar: str
    fr: str
    en: str
    nl: str


def texts_of(record, name: str) -> dict[str, str]:
    return {lang: getattr(record, f"{name}_{lang}", None) or "" for lang in Language.values}


def texts_resolver(name: str) -> Any:
    """`resolve_title = texts_resolver("title")`: an output schema's `Texts` field read
    from the record's columns of each language (title_ar, title_fr, ...)."""
    return staticmethod(lambda record: texts_of(record, name))


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**kwargs: Any) -> Any:
    """A field the client may leave out (PATCH); null only where its type allows it."""
    return Field(default=None, json_schema_extra=_drop_default, **kwargs)


class TextsIn(Schema):
    """Texts per language; languages left out keep the text they have."""

    model_config = ConfigDict(extra="forbid")

    ar: str = optional(max_length=300)
    fr: str = optional(max_length=300)
    en: str = optional(max_length=300)
    nl: str = optional(max_length=300)


class LongTextsIn(In):
    """Long texts per language (minutes, descriptions); languages left out keep theirs."""

    ar: str = optional()
    fr: str = optional()
    en: str = optional()
    nl: str = optional()


def given_texts(texts: Schema | None) -> dict[str, str]:
    """Only the languages the client sent, for the services' {"fr": ...} mappings."""
    return {} if texts is None else texts.model_dump(exclude_unset=True)
