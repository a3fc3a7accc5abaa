"""Shapes of meetings, their agenda, attendance and decisions in the JSON API.

In schemas refuse unknown fields (`extra="forbid"`), so a client can never set the
owning party, the version, timestamps or audit fields: those are the services' to set.
Parties are named by code, other records by id, users by username.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, FilterLookup, Schema

from entente.agreements.enums import CommitmentKind, Recurrence
from entente.apikit.schemas import PartyOwnedOut
from entente.core.enums import Language, Marking, Scope
from entente.core.http import Amount, AwareMoment, Day, LocalMoment, RecordId
from entente.core.schemas import (
    Filters,
    In,
    LongTextsIn,
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
from entente.meetings.enums import AttendanceStatus, DecisionStatus, MeetingKind, MeetingStatus

MeetingId = id_in_path("The meeting's id.")
DecisionId = id_in_path("The decision's id.")
AgendaItemId = id_in_path("The agenda item's id.")
GuestId = id_in_path("The guest's id.")

# --- meetings ---------------------------------------------------------------------------


class MeetingOut(PartyOwnedOut):
    agreement: PublicRef
    kind: MeetingKind
    title: Texts
    reference_language: Language
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str = Field(description="The meeting's own time zone (IANA name).")
    place: str
    online_url: str
    host_party: str = Field(alias="host_party.code", description="Code of the host party.")
    status: MeetingStatus
    minutes: Texts

    resolve_title = texts_resolver("title")
    resolve_minutes = texts_resolver("minutes")


class AgendaItemOut(PartyOwnedOut):
    """An agenda item, owned by the party that proposed it."""

    meeting: PublicRef
    position: int = Field(
        alias="visible_position", description="Its place among the items the reader may see."
    )
    title: str
    notes: str
    carried_commitment: PublicRef | None
    carried_decision: PublicRef | None


class AgendaItemsOut(Schema):
    items: list[AgendaItemOut]


class AttendanceOut(Schema):
    contact: PublicRef
    name: str = Field(alias="contact.name", description="The contact's name.")
    party: str = Field(alias="contact.unit.party.code", description="Code of the contact's party.")
    status: AttendanceStatus


class GuestOut(Schema):
    id: PublicRef = Field(alias="public_id")
    meeting: PublicRef
    name: str
    organisation: str
    status: AttendanceStatus


class DecisionSummaryOut(Schema):
    id: PublicRef = Field(alias="public_id")
    meeting: PublicRef
    number: int
    text: str
    status: DecisionStatus


class DecisionOut(DecisionSummaryOut):
    commitments: list[PublicRef] = Field(
        description="Ids of the commitments the decision gave rise to that you may see."
    )

    @staticmethod
    def resolve_commitments(decision) -> list:
        # The reader's visible commitments (selectors.with_visible_commitments), never all.
        return decision.visible_commitments


class MeetingDetailOut(MeetingOut):
    # `parts`: what the reader may see of them (selectors.meeting_parts), set by the API.
    agenda_items: list[AgendaItemOut] = Field(alias="parts.agenda")
    attendance: list[AttendanceOut] = Field(alias="parts.attendance")
    guests: list[GuestOut] = Field(alias="parts.guests")
    decisions: list[DecisionOut] = Field(alias="parts.decisions")


class MeetingFilters(Filters):
    agreement: OfAgreement = None
    kind: Annotated[MeetingKind | None, FilterLookup("kind")] = None
    status: Annotated[MeetingStatus | None, FilterLookup("status")] = None
    host_party: Annotated[PartyCode | None, FilterLookup("host_party__code")] = None
    starts_after: Annotated[AwareMoment | None, FilterLookup("starts_at__gte")] = maybe(
        "Meetings starting at or after this moment."
    )
    starts_before: Annotated[AwareMoment | None, FilterLookup("starts_at__lt")] = maybe(
        "Meetings starting before this moment."
    )
    marking: MarkedAs = None
    q: NoNul | None = maybe("Words in the title (any language) or place.", max_length=200)


class MeetingIn(MarkedIn):
    kind: MeetingKind
    title: TextsIn = Field(description="Needs the text in the reference language.")
    reference_language: Language = Language.EN
    starts_at: LocalMoment = Field(description="Without a UTC offset: in the meeting's zone.")
    ends_at: LocalMoment
    time_zone: str = Field(max_length=64, description="IANA name, e.g. Africa/Casablanca.")
    host_party: PartyCode
    place: str = Field(default="", max_length=200)
    online_url: str = Field(default="", max_length=200)


class MeetingPatchIn(In):
    """Only the fields sent change; status, minutes, scope and marking have their own doors."""

    kind: MeetingKind = optional()
    title: TextsIn = optional()
    starts_at: LocalMoment = optional()
    ends_at: LocalMoment = optional()
    time_zone: str = optional(max_length=64)
    host_party: PartyCode = optional()
    place: str = optional(max_length=200)
    online_url: str = optional(max_length=200)


class MeetingStatusIn(In):
    status: MeetingStatus


class MinutesIn(In):
    minutes: LongTextsIn = Field(description="The first minutes need the reference language.")


class AgendaItemIn(MarkedIn):
    """Any writer who may see the meeting proposes an item, which their party owns;
    only the meeting's own party carries over commitments and decisions."""

    title: str = Field(max_length=300)
    notes: str = ""
    # None, unlike MarkedIn's defaults, stands for "as the meeting", which the service reads.
    scope: Scope | None = maybe("Shared, or internal to your party; by default as the meeting.")  # type: ignore[assignment]
    marking: Marking | None = maybe("By default the meeting's (TLP:AMBER under a stricter one).")  # type: ignore[assignment]
    carried_commitment: PublicId | None = maybe("An open commitment of the meeting's agreement.")
    carried_decision: PublicId | None = maybe(
        "A decision of an earlier meeting under the agreement."
    )


class AgendaItemPatchIn(In):
    """Only the fields sent change."""

    title: str = optional(max_length=300)
    notes: str = optional()


class AgendaPositionIn(In):
    position: int = Field(
        ge=1, le=999, description="The item's new place among the items you see, 1 first."
    )


class GuestIn(In):
    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(default="", max_length=200)
    status: AttendanceStatus = AttendanceStatus.INVITED


class GuestStatusIn(In):
    status: AttendanceStatus


class CarryOverIn(In):
    commitments: list[PublicId] = Field(default=[], max_length=200)
    decisions: list[PublicId] = Field(default=[], max_length=200)


class CommitmentSummaryOut(Schema):
    """A commitment as a meeting shows it: to carry over, or made from a decision."""

    id: PublicRef = Field(alias="public_id")
    title: Texts
    reference_language: Language
    responsible_party: str = Field(alias="responsible_party.code")
    due_date: dt.date | None
    status: str

    resolve_title = texts_resolver("title")


class CarryOverCandidatesOut(Schema):
    commitments: list[CommitmentSummaryOut]
    decisions: list[DecisionSummaryOut]


class AttendanceIn(In):
    status: AttendanceStatus


class DecisionIn(In):
    text: str


class DecisionStatusIn(In):
    status: DecisionStatus


class CommitmentSpecIn(MarkedIn):
    """A commitment to create from a decision, under the meeting's agreement."""

    title: TextsIn
    responsible_party: PartyCode
    # None, unlike MarkedIn's default, stands for "as the meeting", which the service reads.
    marking: Marking | None = maybe(  # type: ignore[assignment]
        "By default the meeting's (with its TLP:RED recipients); a stricter one may be "
        "given, a looser one is refused."
    )
    description: LongTextsIn | None = None
    reference_language: Language = Language.EN
    kind: CommitmentKind = CommitmentKind.ONE_OFF
    recurrence: Recurrence = Recurrence.NONE
    due_date: Day | None = None
    area: PublicId | None = None
    responsible_unit: RecordId | None = None
    responsible_contact: PublicId | None = None
    clauses: list[PublicId] = Field(default=[], max_length=100)
    indicator: str = Field(default="", max_length=300)
    indicator_unit: str = Field(default="", max_length=50)
    baseline: Amount | None = Field(default=None, max_digits=14, decimal_places=2)
    target: Amount | None = Field(default=None, max_digits=14, decimal_places=2)
    evidence_links: str = ""


class CreatedCommitmentOut(CommitmentSummaryOut, PartyOwnedOut):
    agreement: PublicRef


class DecisionCommitmentsOut(Schema):
    commitments: list[CreatedCommitmentOut]
