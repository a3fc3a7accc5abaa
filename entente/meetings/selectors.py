"""Reads of meetings and what hangs on them, always filtered by visibility.

An agenda item is owned by the party that proposed it (shared, or internal to that
party) and seen only with its meeting. Attendance, guests and decisions have no owner
of their own: they are seen with their meeting. An agenda item that carries a
commitment or decision, and an attendance of a contact, are additionally hidden from
users who may not see that record, so a shared meeting never shows another party's
internal commitment or contact.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)

from entente.accounts.models import Contact
from entente.agreements.enums import OPEN_COMMITMENT_STATUSES
from entente.agreements.models import Commitment
from entente.agreements.selectors import commitment_visible_to
from entente.core.access import get_owned_for_user, get_visible, require_owner_writer, visible_to
from entente.core.enums import Language
from entente.meetings.enums import DecisionStatus
from entente.meetings.models import AgendaItem, Attendance, Decision, Guest, Meeting


def meeting_visible_to(user) -> QuerySet[Meeting]:
    return visible_to(Meeting.objects.all(), user).select_related(
        "agreement", "host_party", "owning_party"
    )


def get_meeting_for_user(user, pk, *, write: bool = False) -> Meeting:
    """404 when the meeting is not visible; 403 on write unless an owning-party writer."""
    return get_owned_for_user(meeting_visible_to(user), user, pk, write=write)


def meeting_search(meetings: QuerySet[Meeting], words: Iterable[str]) -> QuerySet[Meeting]:
    """The meetings whose place or title, in any language, holds each of `words`."""
    columns = ["place", *(f"title_{code}" for code in Language.values)]
    for word in words:
        meetings = meetings.filter(reduce(or_, (Q(**{f"{c}__icontains": word}) for c in columns)))
    return meetings


def _visible_meeting_pks(user) -> QuerySet:
    return visible_to(Meeting.objects.all(), user).values("pk")


def decision_visible_to(user) -> QuerySet[Decision]:
    return Decision.objects.filter(meeting__in=_visible_meeting_pks(user)).select_related(
        "meeting", "meeting__agreement"
    )


def get_decision_for_user(user, pk, *, write: bool = False) -> Decision:
    decision = get_visible(decision_visible_to(user), pk)
    if write:
        require_owner_writer(user, decision.meeting)
    return decision


def with_visible_commitments(user, decisions: Iterable[Decision]) -> list[Decision]:
    """The decisions, each with `visible_commitments`: only those the user may see, as
    a shared decision can have given rise to an internal commitment of its party."""
    decisions = list(decisions)
    commitments = commitment_visible_to(user).order_by("pk")
    prefetch_related_objects(
        decisions, Prefetch("commitments", queryset=commitments, to_attr="visible_commitments")
    )
    return decisions


def agenda_item_visible_to(user) -> QuerySet[AgendaItem]:
    """The agenda items `user` may see, each numbered among them (`visible_position`):
    the stored position counts hidden items too, so showing it would reveal them."""
    visible = _agenda_items_visible_to(user)
    rank = (
        visible.filter(meeting=OuterRef("meeting"), position__lte=OuterRef("position"))
        .order_by()
        .values("meeting")
        .annotate(rank=Count("pk"))
        .values("rank")
    )
    return (
        visible.annotate(visible_position=Subquery(rank))
        .select_related("meeting", "owning_party", "carried_commitment", "carried_decision")
        .prefetch_related("red_recipients")
    )


def _agenda_items_visible_to(user) -> QuerySet[AgendaItem]:
    # The item's own rule and its meeting's (visible_q), then what it carries.
    commitments = visible_to(Commitment.objects.all(), user).values("pk")
    decisions = Decision.objects.filter(meeting__in=_visible_meeting_pks(user)).values("pk")
    return (
        visible_to(AgendaItem.objects.all(), user)
        .filter(Q(carried_commitment__isnull=True) | Q(carried_commitment__in=commitments))
        .filter(Q(carried_decision__isnull=True) | Q(carried_decision__in=decisions))
    )


def get_agenda_item_for_user(user, pk, *, write: bool = False) -> AgendaItem:
    """404 when the item is not visible; 403 on write unless a writer of its proposer's
    party (the meeting's owning party orders the agenda through the meeting instead)."""
    return get_owned_for_user(agenda_item_visible_to(user), user, pk, write=write)


def guest_visible_to(user) -> QuerySet[Guest]:
    return Guest.objects.filter(meeting__in=_visible_meeting_pks(user)).select_related("meeting")


def get_guest_for_user(user, pk, *, write: bool = False) -> Guest:
    guest = get_visible(guest_visible_to(user), pk)
    if write:
        require_owner_writer(user, guest.meeting)
    return guest


def attendance_visible_to(user) -> QuerySet[Attendance]:
    contacts = visible_to(Contact.objects.all(), user).values("pk")
    return Attendance.objects.filter(
        meeting__in=_visible_meeting_pks(user), contact__in=contacts
    ).select_related("meeting", "contact", "contact__unit")


def get_attendance_for_user(user, pk, *, write: bool = False) -> Attendance:
    attendance = get_visible(attendance_visible_to(user), pk)
    if write:
        require_owner_writer(user, attendance.meeting)
    return attendance


@dataclass(frozen=True)
class MeetingParts:
    """What hangs on a meeting, as far as the user may see it."""

    agenda: list[AgendaItem]
    attendance: list[Attendance]
    guests: list[Guest]
    decisions: list[Decision]


def meeting_parts(user, meeting: Meeting) -> MeetingParts:
    """The meeting's agenda, attendance and decisions (with their visible commitments),
    for its page and its API answer alike."""
    return meetings_parts(user, [meeting])[meeting.pk]


def meetings_parts(user, meetings: Iterable[Meeting]) -> dict[int, MeetingParts]:
    """`meeting_parts` of each of `meetings` (by key), read together: a few queries
    however many meetings there are."""
    parts = {meeting.pk: MeetingParts([], [], [], []) for meeting in meetings}
    under = {"meeting__in": list(parts)}
    for item in agenda_item_visible_to(user).filter(**under).order_by("position"):
        parts[item.meeting_id].agenda.append(item)
    attendance = (
        attendance_visible_to(user)
        .filter(**under)
        .select_related("contact__unit__party")
        .order_by("contact__name", "pk")
    )
    for attended in attendance:
        parts[attended.meeting_id].attendance.append(attended)
    for guest in guest_visible_to(user).filter(**under).order_by("name", "pk"):
        parts[guest.meeting_id].guests.append(guest)
    decisions = decision_visible_to(user).filter(**under).order_by("number")
    for decision in with_visible_commitments(user, decisions):
        parts[decision.meeting_id].decisions.append(decision)
    return parts


@dataclass(frozen=True)
class CarryOverCandidates:
    commitments: QuerySet[Commitment]
    decisions: QuerySet[Decision]


def meeting_carry_over_candidates(user, meeting: Meeting) -> CarryOverCandidates:
    """What is still open under the meeting's agreement, for its agenda.

    Open commitments of the agreement the user may see, and open decisions of the
    agreement's earlier meetings (by start time), less those already on the agenda.
    The caller is expected to have obtained `meeting` through `get_meeting_for_user`.
    """
    on_agenda = AgendaItem.objects.filter(meeting=meeting)
    commitments = (
        commitment_visible_to(user)
        .filter(agreement_id=meeting.agreement_id, status__in=OPEN_COMMITMENT_STATUSES)
        .exclude(
            pk__in=on_agenda.filter(carried_commitment__isnull=False).values("carried_commitment")
        )
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    decisions = (
        decision_visible_to(user)
        .filter(
            meeting__agreement_id=meeting.agreement_id,
            meeting__starts_at__lt=meeting.starts_at,
            status=DecisionStatus.OPEN,
        )
        .exclude(pk__in=on_agenda.filter(carried_decision__isnull=False).values("carried_decision"))
        .order_by("meeting__starts_at", "number")
    )
    return CarryOverCandidates(commitments=commitments, decisions=decisions)
