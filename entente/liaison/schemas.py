"""Shapes of liaison requests and their threads in the JSON API.

In schemas refuse unknown fields (`extra="forbid"`), so a client can never set the
owning party, the version, the reference, the deadline, timestamps or audit fields:
the services set them. Units and cooperation areas are named by id, users by username.
"""

import datetime as dt
import math
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, FilterLookup

from entente.apikit.schemas import PartyOwnedOut
from entente.core.enums import Marking, Scope
from entente.core.http import AwareMoment, RecordId
from entente.core.schemas import (
    Filters,
    In,
    InArea,
    MarkedAs,
    NoNul,
    OfAgreement,
    PublicId,
    PublicRef,
    RedRecipients,
    id_in_path,
    maybe,
)
from entente.liaison.clock import is_overdue, remaining
from entente.liaison.enums import MessageKind, Priority, RequestStatus

RequestId = id_in_path("The liaison request's id.")


class RequestOut(PartyOwnedOut):
    """A liaison request; its owning party is the sender."""

    agreement: PublicRef
    reference: str
    from_unit: int = Field(alias="from_unit_id", description="Id of the sending contact cell.")
    to_unit: int = Field(alias="to_unit_id", description="Id of the receiving contact cell.")
    from_party: str = Field(description="Code of the sending party.")
    to_party: str = Field(description="Code of the receiving party.")
    area: PublicRef | None = Field(description="Id of the cooperation area.")
    subject: str
    body: str
    priority: Priority
    status: RequestStatus
    sent_at: dt.datetime
    due_at: dt.datetime = Field(description="The deadline that applies now.")
    acknowledged_at: dt.datetime | None
    paused_at: dt.datetime | None = Field(description="Since when a clarification is awaited.")
    answered_at: dt.datetime | None = Field(description="When it was answered or refused.")
    closed_at: dt.datetime | None
    refusal_reason: str
    delay_reason: str
    remaining_seconds: int = Field(
        description=(
            "Seconds left before the deadline, negative once it has passed; frozen while "
            "a clarification is awaited and once answered or refused."
        )
    )
    paused: bool = Field(description="The clock stands still: a clarification is awaited.")
    overdue: bool = Field(description="Past the deadline with the answer still owed.")

    @staticmethod
    def resolve_from_party(request) -> str:
        return request.from_unit.party.code

    @staticmethod
    def resolve_to_party(request) -> str:
        return request.to_unit.party.code

    @staticmethod
    def resolve_remaining_seconds(request) -> int:
        return math.floor(remaining(request, timezone.now()).total_seconds())

    @staticmethod
    def resolve_paused(request) -> bool:
        return request.paused_at is not None

    @staticmethod
    def resolve_overdue(request) -> bool:
        return is_overdue(request, timezone.now())


class RequestFilters(Filters):
    box: Literal["inbox", "outbox", "all"] = Field(
        default="all",
        description="inbox: sent to your party's cells; outbox: sent by them; all: both.",
    )
    agreement: OfAgreement = None
    area: InArea = None
    status: Annotated[RequestStatus | None, FilterLookup("status")] = None
    priority: Annotated[Priority | None, FilterLookup("priority")] = None
    due_after: Annotated[AwareMoment | None, FilterLookup("due_at__gte")] = maybe(
        "Requests due at or after this moment."
    )
    due_before: Annotated[AwareMoment | None, FilterLookup("due_at__lt")] = maybe(
        "Requests due before this moment."
    )
    overdue: bool | None = maybe("Only overdue requests (true).")
    marking: MarkedAs = None
    q: NoNul | None = maybe("Part of the reference or the subject.", max_length=200)


class RequestIn(In):
    from_unit: RecordId | None = maybe("Your party's sending contact cell; yours by default.")
    to_unit: RecordId = Field(description="The other party's receiving contact cell.")
    subject: str = Field(max_length=300)
    body: str
    priority: Priority = Priority.NORMAL
    area: PublicId | None = None
    marking: Marking = Marking.AMBER
    red_recipients: RedRecipients = Field(
        default=[],
        description="Usernames who may see a TLP:RED request; one of the receiving party.",
    )


class TextIn(In):
    body: str


class AnswerIn(In):
    body: str
    delay_reason: str = Field(default="", description="Required once the deadline has passed.")


class RefuseIn(In):
    reason: str


class MessageIn(In):
    body: str
    kind: Literal["message", "note"] = Field(
        default="message",
        description="message: both cells see it; note: only your party sees it.",
    )


class MessageOut(PartyOwnedOut):
    """A thread entry; its owning party is the author's, its marking the request's."""

    request: PublicRef
    author: str = Field(description="The author's username.")
    kind: MessageKind
    body: str
    scope: Scope = Field(description="shared for messages; internal for notes.")

    @staticmethod
    def resolve_author(message) -> str:
        return message.author.get_username()
