"""Shapes of training activities, their participants and the reciprocity ledger in the
JSON API.

In schemas refuse unknown fields (`extra="forbid"`), so a client can never set the
owning party, the version, timestamps or audit fields. Parties are named by code.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, FilterLookup, Schema

from entente.apikit.schemas import PartyOwnedOut
from entente.core.enums import Language
from entente.core.http import Day, Integer
from entente.core.schemas import (
    Filters,
    In,
    InArea,
    MarkedAs,
    MarkedIn,
    NoNul,
    OfAgreement,
    PartyCode,
    PublicId,
    PublicRef,
    Texts,
    TextsIn,
    id_in_path,
    maybe,
    optional,
    texts_resolver,
)
from entente.training.enums import TrainingKind, TrainingStatus

TrainingId = id_in_path("The training activity's id.")


class TrainingOut(PartyOwnedOut):
    agreement: PublicRef
    area: PublicRef | None = Field(description="Id of the cooperation area.")
    kind: TrainingKind
    title: Texts
    reference_language: Language
    host_party: str = Field(description="Code of the party that hosts the activity.")
    sending_party: str = Field(description="Code of the party whose officers take part.")
    starts_on: dt.date
    ends_on: dt.date
    place: str
    status: TrainingStatus
    evaluation: str

    resolve_title = texts_resolver("title")

    @staticmethod
    def resolve_host_party(training) -> str:
        return training.host_party.code

    @staticmethod
    def resolve_sending_party(training) -> str:
        return training.sending_party.code


class ParticipationOut(Schema):
    party: str = Field(alias="party.code", description="Code of the party.")
    count: int = Field(description="How many of its officers take part.")
    names: str = Field(description="Optional, one per line.")


class TrainingDetailOut(TrainingOut):
    participations: list[ParticipationOut]

    @staticmethod
    def resolve_participations(training) -> list:
        return sorted(training.participations.all(), key=lambda p: p.party.code)


class TrainingFilters(Filters):
    agreement: OfAgreement = None
    area: InArea = None
    party: Annotated[
        PartyCode | None, FilterLookup(["host_party__code", "sending_party__code"])
    ] = maybe("The host or the sending party.")
    status: Annotated[TrainingStatus | None, FilterLookup("status")] = None
    starts_after: Annotated[Day | None, FilterLookup("starts_on__gte")] = maybe(
        "Activities starting on or after this day."
    )
    starts_before: Annotated[Day | None, FilterLookup("starts_on__lt")] = maybe(
        "Activities starting before this day."
    )
    marking: MarkedAs = None
    q: NoNul | None = maybe("Words in the title (any language) or place.", max_length=200)


class TrainingIn(MarkedIn):
    kind: TrainingKind
    title: TextsIn = Field(description="Needs the text in the reference language.")
    reference_language: Language = Language.EN
    host_party: PartyCode
    sending_party: PartyCode
    starts_on: Day
    ends_on: Day
    area: PublicId | None = None
    place: str = Field(default="", max_length=200)


class TrainingPatchIn(In):
    """Only the fields sent change; status, evaluation, scope and marking have their own
    doors. `area` may be null to clear it."""

    kind: TrainingKind = optional()
    title: TextsIn = optional()
    reference_language: Language = optional()
    host_party: PartyCode = optional()
    sending_party: PartyCode = optional()
    starts_on: Day = optional()
    ends_on: Day = optional()
    area: PublicId | None = optional()
    place: str = optional(max_length=200)


class TrainingStatusIn(In):
    status: TrainingStatus


class ParticipationIn(In):
    count: Integer = Field(ge=0, le=2**31 - 1, description="How many of the party's officers.")
    names: str = Field(default="", description="Optional, one per line.")


class EvaluationIn(In):
    evaluation: str


class ReciprocityFilters(Schema):
    agreement: PublicId | None = maybe("Only this agreement's activities.")


class BalanceRowOut(Schema):
    year: int
    party: str = Field(description="Code of the party.")
    hosted: int = Field(description="Other parties' officers at held activities it hosted.")
    sent: int = Field(description="Its officers at held activities another party hosted.")
    planned_hosted: int = Field(description="As hosted, for planned and confirmed activities.")
    planned_sent: int = Field(description="As sent, for planned and confirmed activities.")
