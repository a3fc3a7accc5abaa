"""Shapes of agreements, their parts and commitments in the JSON API.

In schemas check shape only (types, lengths, known choices); what is allowed is for the
services to say. They forbid unknown keys, so a client sending `owning_party`,
`version`, `status` or an audit field is told so (422) instead of being ignored.
Other records are named by what the client knows of them: parties by code, users by
username, everything else by id.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, FilterLookup, Schema
from pydantic import AfterValidator, field_serializer

from entente.agreements import enums
from entente.apikit.schemas import PartyOwnedOut
from entente.core.enums import Language, Marking, Scope
from entente.core.http import Amount, Boolean, Day, Integer, RecordId
from entente.core.schemas import (
    Filters,
    In,
    InArea,
    LongTextsIn,
    MarkedAs,
    MarkedIn,
    OfAgreement,
    PartyCode,
    PublicId,
    PublicRef,
    RedRecipients,
    Texts,
    TextsIn,
    no_nul,
    optional,
    texts_resolver,
)

OVERDUE = "overdue"

CENT = Decimal("0.01")
MAX_INT = 2_147_483_647  # PositiveIntegerField's range on every database

# Words to search for are looked up in SQL, and PostgreSQL cannot hold a NUL byte.
NO_NUL = r"^[^\x00]*$"


def cents(value: Decimal | None) -> Decimal | None:
    """Amounts as stored (two decimals), whether read back or just written: 12 is 12.00."""
    return None if value is None else value.quantize(CENT)


# --- texts in four languages ------------------------------------------------------------


class NameTextsIn(In):
    ar: str = optional(max_length=200)
    fr: str = optional(max_length=200)
    en: str = optional(max_length=200)
    nl: str = optional(max_length=200)


# --- agreements and their parts ---------------------------------------------------------


class AgreementPartyOut(Schema):
    party: str = Field(alias="party.code", description="Party code.")
    role: enums.PartyRole


class SignatoryOut(Schema):
    party: str = Field(alias="party.code", description="Code of the party they signed for.")
    name: str
    function: str


class AgreementOut(PartyOwnedOut):
    instrument_type: enums.InstrumentType
    title: Texts
    summary: Texts
    reference_language: Language = Field(description="The language whose text is authoritative.")
    parties: list[AgreementPartyOut]
    place: str
    status: enums.AgreementStatus
    signed_on: dt.date | None
    in_force_on: dt.date | None
    expires_on: dt.date | None
    duration_months: int | None
    renewal: enums.Renewal
    notice_period_days: int | None
    is_binding: bool
    parent: PublicRef | None = Field(
        description="The agreement this one amends or implements, when you may see it."
    )
    source_references: str
    urgent_response_hours: int
    normal_response_days: int

    resolve_title = texts_resolver("title")
    resolve_summary = texts_resolver("summary")

    @staticmethod
    def resolve_parties(agreement) -> list:
        return sorted(agreement.agreement_parties.all(), key=lambda link: link.party.code)

    @staticmethod
    def resolve_parent(agreement):
        return agreement.visible_parent


class AgreementEventOut(PartyOwnedOut):
    agreement: PublicRef
    kind: enums.EventKind
    date: dt.date
    date_precision: enums.DatePrecision
    certainty: enums.Certainty
    party: str | None = Field(description="Code of the party that took the step, if one did.")
    source: str = Field(description="Where the date comes from.")
    note: str

    @staticmethod
    def resolve_party(event) -> str | None:
        return event.party.code if event.party_id else None


class ClauseOut(PartyOwnedOut):
    agreement: PublicRef
    number: str
    heading: Texts
    text: Texts
    reference_language: Language

    resolve_heading = texts_resolver("heading")
    resolve_text = texts_resolver("text")


class AreaOut(Schema):
    """A cooperation area: seen with its agreement, it has no owner of its own."""

    id: PublicRef = Field(alias="public_id")
    agreement: PublicRef
    code: str
    name: Texts
    reference_language: Language

    resolve_name = texts_resolver("name")


class AgreementDetailOut(AgreementOut):
    signatories: list[SignatoryOut]
    events: list[AgreementEventOut] = Field(description="The events you may see, by date.")
    clauses: list[ClauseOut] = Field(description="The clauses you may see, by number.")
    areas: list[AreaOut]

    @staticmethod
    def resolve_signatories(agreement) -> list:
        return list(agreement.signatories.select_related("party"))

    @staticmethod
    def resolve_events(agreement) -> list:
        return agreement.visible_events

    @staticmethod
    def resolve_clauses(agreement) -> list:
        return agreement.visible_clauses

    @staticmethod
    def resolve_areas(agreement) -> list:
        return agreement.visible_areas


class AgreementIn(MarkedIn):
    instrument_type: enums.InstrumentType
    title: TextsIn = Field(description="Required in the reference language.")
    summary: LongTextsIn | None = None
    reference_language: Language = Language.EN
    parties: list[PartyCode] = Field(
        min_length=2, max_length=50, description="Codes of the parties, your own among them."
    )
    place: str = Field(default="", max_length=200)
    signed_on: Day | None = None
    in_force_on: Day | None = None
    expires_on: Day | None = None
    duration_months: Integer | None = Field(default=None, ge=0, le=MAX_INT)
    renewal: enums.Renewal = enums.Renewal.NONE
    notice_period_days: Integer | None = Field(default=None, ge=0, le=MAX_INT)
    is_binding: Boolean = False
    parent: PublicId | None = Field(
        default=None, description="Id of the agreement this one amends."
    )
    source_references: str = ""
    urgent_response_hours: Integer = Field(default=48, ge=0, le=MAX_INT)
    normal_response_days: Integer = Field(default=30, ge=0, le=MAX_INT)


class AgreementPatch(In):
    """The fields to change; scope, marking and status change through their actions."""

    instrument_type: enums.InstrumentType = optional()
    title: TextsIn = optional()
    summary: LongTextsIn = optional()
    reference_language: Language = optional()
    place: str = optional(max_length=200)
    signed_on: Day | None = optional()
    in_force_on: Day | None = optional()
    expires_on: Day | None = optional()
    duration_months: Integer | None = optional(ge=0, le=MAX_INT)
    renewal: enums.Renewal = optional()
    notice_period_days: Integer | None = optional(ge=0, le=MAX_INT)
    is_binding: Boolean = optional()
    parent: PublicId | None = optional()
    source_references: str = optional()
    urgent_response_hours: Integer = optional(ge=0, le=MAX_INT)
    normal_response_days: Integer = optional(ge=0, le=MAX_INT)


class AgreementStatusIn(In):
    status: enums.AgreementStatus


class MarkingIn(In):
    marking: Marking
    red_recipients: RedRecipients = []


class AgreementEventIn(In):
    kind: enums.EventKind
    date: Day
    date_precision: enums.DatePrecision = enums.DatePrecision.DAY
    certainty: enums.Certainty = enums.Certainty.CONFIRMED
    party: PartyCode | None = Field(
        default=None, description="Code of the party that took the step."
    )
    source: str = ""
    note: str = ""
    scope: Scope = Scope.SHARED
    marking: Marking = Marking.GREEN


class ClauseIn(In):
    number: str = Field(min_length=1, max_length=20)
    heading: TextsIn | None = None
    text: LongTextsIn | None = None
    reference_language: Language = Language.EN
    scope: Scope = Scope.SHARED
    marking: Marking = Marking.GREEN


class AreaIn(In):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name: NameTextsIn = Field(description="Required in the reference language.")
    reference_language: Language = Language.EN


class AgreementEventPatch(In):
    """The fields to change; scope and marking change through their actions."""

    kind: enums.EventKind = optional()
    date: Day = optional()
    date_precision: enums.DatePrecision = optional()
    certainty: enums.Certainty = optional()
    party: PartyCode | None = optional(description="Code of the party that took the step.")
    source: str = optional()
    note: str = optional()


class ClausePatch(In):
    """The fields to change; texts are merged by language."""

    number: str = optional(min_length=1, max_length=20)
    heading: TextsIn = optional()
    text: LongTextsIn = optional()
    reference_language: Language = optional()


class AreaPatch(In):
    """The fields to change; the name is merged by language."""

    code: str = optional(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name: NameTextsIn = optional()
    reference_language: Language = optional()


# --- commitments ------------------------------------------------------------------------


class CommitmentOut(PartyOwnedOut):
    agreement: PublicRef
    clauses: list[PublicRef] = Field(
        description="Ids of the clauses it implements that you may see."
    )
    area: PublicRef | None
    responsible_party: str = Field(description="Party code.")
    responsible_unit: int | None = Field(alias="responsible_unit_id")
    responsible_contact: PublicRef | None = Field(description="Contact id, when you may see it.")
    title: Texts
    description: Texts
    reference_language: Language
    kind: enums.CommitmentKind
    recurrence: enums.Recurrence
    due_date: dt.date | None
    status: enums.CommitmentStatus
    is_overdue: bool = Field(description="Open, with its due date passed.")
    progress: int = Field(description="Percent done.")
    indicator: str
    indicator_unit: str
    baseline: Decimal | None
    target: Decimal | None
    evidence_links: str
    # Links to other records, as far as you may see them (selectors.commitment_links).
    decisions: list[PublicRef] = Field(
        description="Ids of the meeting decisions it came from that you may see."
    )
    previous_occurrence: PublicRef | None = Field(
        alias="visible_previous",
        description="A recurring commitment's occurrence before this one, when you may see it.",
    )
    next_occurrence: PublicRef | None = Field(
        alias="visible_next",
        description="The occurrence after this one (made when this one is done), when you "
        "may see it.",
    )

    @field_serializer("baseline", "target")
    def _cents(self, value: Decimal | None) -> Decimal | None:
        return cents(value)

    @staticmethod
    def resolve_clauses(commitment) -> list:
        return [clause.public_id for clause in commitment.visible_clauses]

    @staticmethod
    def resolve_decisions(commitment) -> list:
        return [decision.public_id for decision in commitment.visible_decisions]

    @staticmethod
    def resolve_responsible_party(commitment) -> str:
        return commitment.responsible_party.code

    @staticmethod
    def resolve_responsible_contact(commitment):
        return commitment.visible_contact

    resolve_title = texts_resolver("title")
    resolve_description = texts_resolver("description")


class CommitmentIn(MarkedIn):
    title: TextsIn = Field(description="Required in the reference language.")
    description: LongTextsIn | None = None
    reference_language: Language = Language.EN
    responsible_party: PartyCode = Field(description="Party code.")
    responsible_unit: RecordId | None = None
    responsible_contact: PublicId | None = None
    area: PublicId | None = None
    clauses: list[PublicId] = Field(default=[], max_length=200)
    kind: enums.CommitmentKind = enums.CommitmentKind.ONE_OFF
    recurrence: enums.Recurrence = enums.Recurrence.NONE
    due_date: Day | None = None
    progress: Integer = Field(default=0, ge=0, le=100)
    indicator: str = Field(default="", max_length=300)
    indicator_unit: str = Field(default="", max_length=50)
    baseline: Amount | None = Field(default=None, max_digits=14, decimal_places=2)
    target: Amount | None = Field(default=None, max_digits=14, decimal_places=2)
    evidence_links: str = ""


class CommitmentPatch(In):
    """The fields to change; scope, marking and status change through their actions."""

    title: TextsIn = optional()
    description: LongTextsIn = optional()
    reference_language: Language = optional()
    responsible_party: PartyCode = optional()
    responsible_unit: RecordId | None = optional()
    responsible_contact: PublicId | None = optional()
    area: PublicId | None = optional()
    clauses: list[PublicId] = optional(max_length=200)
    kind: enums.CommitmentKind = optional()
    recurrence: enums.Recurrence = optional()
    due_date: Day | None = optional()
    progress: Integer = optional(ge=0, le=100)
    indicator: str = optional(max_length=300)
    indicator_unit: str = optional(max_length=50)
    baseline: Amount | None = optional(max_digits=14, decimal_places=2)
    target: Amount | None = optional(max_digits=14, decimal_places=2)
    evidence_links: str = optional()


class CommitmentStatusIn(In):
    status: enums.CommitmentStatus
    progress: Integer | None = Field(
        default=None, ge=0, le=100, description="Percent done; done always means 100."
    )


class IndicatorValueOut(Schema):
    id: PublicRef = Field(alias="public_id")
    period_start: dt.date
    period_end: dt.date
    actual: Decimal
    note: str

    @field_serializer("actual")
    def _cents(self, value: Decimal) -> Decimal | None:
        return cents(value)


class IndicatorValueIn(In):
    period_start: Day
    period_end: Day
    actual: Amount = Field(max_digits=14, decimal_places=2)
    # The service stores the note as given, and PostgreSQL cannot hold a NUL byte.
    note: Annotated[str, AfterValidator(no_nul)] = Field(default="", max_length=300)


# --- progress reports -------------------------------------------------------------------


class ProgressReportOut(PartyOwnedOut):
    """A report of the responsible party on a commitment; `owning_party` is the
    reporter's party."""

    commitment: PublicRef
    reporter: str = Field(description="Username of the reporter.")
    progress: int = Field(description="Percent done, as reported.")
    proposed_status: enums.CommitmentStatus | None = Field(
        description="The status the reporter proposes; applied when the owner accepts."
    )
    period_start: dt.date | None
    period_end: dt.date | None
    indicator_value: Decimal | None = Field(description="The indicator's value for the period.")
    note: str
    status: enums.ReportStatus
    answer: str = Field(description="The owner's answer.")
    answered_by: str | None = Field(description="Username of who accepted or answered it.")
    answered_at: dt.datetime | None
    evidence: list[PublicRef] = Field(description="Ids of the attached files you may see.")

    @field_serializer("indicator_value")
    def _cents(self, value: Decimal | None) -> Decimal | None:
        return cents(value)

    @staticmethod
    def resolve_reporter(report) -> str:
        return report.reporter.get_username()

    @staticmethod
    def resolve_proposed_status(report) -> str | None:
        return report.proposed_status or None

    @staticmethod
    def resolve_answered_by(report) -> str | None:
        return report.answered_by.get_username() if report.answered_by else None

    @staticmethod
    def resolve_evidence(report) -> list:
        return [attachment.public_id for attachment in report.visible_evidence]


class ProgressReportIn(In):
    progress: Integer = Field(ge=0, le=100, description="Percent done.")
    proposed_status: enums.CommitmentStatus | None = Field(
        default=None,
        description="A status the commitment's workflow allows from its current one.",
    )
    period_start: Day | None = None
    period_end: Day | None = None
    indicator_value: Amount | None = Field(default=None, max_digits=14, decimal_places=2)
    note: Annotated[str, AfterValidator(no_nul)] = Field(default="", max_length=10_000)
    scope: Scope | None = Field(
        default=None, description="Shared with the commitment's owner by default when it is."
    )


class ReportAnswerIn(In):
    answer: Annotated[str, AfterValidator(no_nul)] = Field(
        default="", max_length=10_000, description="Required to answer; optional to accept."
    )


# --- list filters (query parameters) ----------------------------------------------------


class AgreementFilters(Filters):
    status: Annotated[enums.AgreementStatus | None, FilterLookup("status")] = None
    instrument_type: Annotated[enums.InstrumentType | None, FilterLookup("instrument_type")] = None
    country: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{2}$", description="ISO code of a counterpart's country."
    )
    q: str | None = Field(
        default=None, max_length=200, pattern=NO_NUL, description="Words of the title."
    )


# The stored statuses, and the derived one.
CommitmentStatusFilter = Literal[
    "planned", "in_progress", "done", "deferred", "cancelled", "overdue"
]


class CommitmentFilters(Filters):
    agreement: OfAgreement = Field(default=None, description="Agreement id.")
    area: InArea = Field(default=None, description="Cooperation area id.")
    clause: PublicId | None = Field(default=None, description="Id of a clause it implements.")
    responsible_party: Annotated[PartyCode | None, FilterLookup("responsible_party__code")] = Field(
        default=None, description="Party code."
    )
    status: CommitmentStatusFilter | None = Field(
        default=None, description="A stored status, or `overdue`: open and past due."
    )
    due_after: Annotated[Day | None, FilterLookup("due_date__gte")] = Field(
        default=None, description="Due on or after this day."
    )
    due_before: Annotated[Day | None, FilterLookup("due_date__lte")] = Field(
        default=None, description="Due on or before this day."
    )
    marking: MarkedAs = None
    q: str | None = Field(
        default=None, max_length=200, pattern=NO_NUL, description="Words of the title."
    )
