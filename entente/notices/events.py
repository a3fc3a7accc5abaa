"""What happened that someone is to be told of: pure reads of one audit event.

The domain apps know nothing of notices (they sit below this app): every audited write
is an AuditEvent, and `remind` reads the events after its cursor (`services`) and asks
here who is to be told of each, and who now follows what. Each notice's key holds the
event's seq, so it is made once however often the event is read. Every recipient is
checked through the named record's own door first: never a notice about a record its
recipient may not see.
"""

from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from entente.audit.models import AuditEvent
from entente.core.errors import NotFound
from entente.core.registry import get_record_for_user, record_type
from entente.notices.due import Due
from entente.notices.enums import NoticeKind
from entente.notices.selectors import FOLLOWABLE, followers_of

# (kind, the record the notice names, the users who may be told of it)
Tell = tuple[str, Model, QuerySet]
Handler = Callable[[AuditEvent, Model], list[Tell]]

MEETING_PLACE_AND_TIME = frozenset({"starts_at", "ends_at", "time_zone", "place", "online_url"})
TRAINING_PLACE_AND_TIME = frozenset({"starts_on", "ends_on", "place"})
# Writes by which their author starts following the record they make.
AUTHORING = frozenset({"create", "send"})


def _users(*args, **filters) -> QuerySet:
    return get_user_model().objects.filter(*args, is_active=True, **filters)


def _to_sending_cell(kind: str) -> Handler:
    def tell(event, request) -> list[Tell]:
        return [(kind, request, _users(membership__unit_id=request.from_unit_id))]

    return tell


def _to_followers(kind: str, followed: Callable[[Any], Model] = lambda record: record) -> Handler:
    def tell(event, record) -> list[Tell]:
        return [(kind, record, followers_of(followed(record)))]

    return tell


def _when_changed(kind: str, fields: frozenset[str]) -> Handler:
    def tell(event, record) -> list[Tell]:
        return _to_followers(kind)(event, record) if fields & set(event.after or {}) else []

    return tell


def _assigned(event, decision) -> list[Tell]:
    """Each commitment made of the decision, to its responsible party (its unit, when
    one is named): as `due._commitments` chooses whom a commitment concerns."""
    made = decision.commitments.filter(pk__in=(event.after or {}).get("commitments", []))
    tells: list[Tell] = []
    for commitment in made:
        users = _users(membership__party_id=commitment.responsible_party_id)
        if commitment.responsible_unit_id:
            users = users.filter(membership__unit_id=commitment.responsible_unit_id)
        tells.append((NoticeKind.DECISION_ASSIGNED, commitment, users))
    return tells


def _shared(event, record) -> list[Tell]:
    others = _users(~Q(membership__party_id=record.owning_party_id), membership__isnull=False)
    return [(NoticeKind.RECORD_SHARED, record, others)]


K = NoticeKind
# By (record type, audit action); "*" for any type.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("liaison.liaisonrequest", "answer"): _to_sending_cell(K.REQUEST_ANSWERED),
    ("liaison.liaisonrequest", "refuse"): _to_sending_cell(K.REQUEST_REFUSED),
    ("liaison.liaisonrequest", "clarification_ask"): _to_sending_cell(K.REQUEST_CLARIFICATION),
    ("agreements.progressreport", "create"): _to_followers(
        K.PROGRESS_REPORT, lambda report: report.commitment
    ),
    ("comments.comment", "create"): _to_followers(K.COMMENT, lambda comment: comment.target),
    ("meetings.meeting", "update"): _when_changed(K.MEETING_CHANGED, MEETING_PLACE_AND_TIME),
    ("meetings.meeting", "status"): _to_followers(K.MEETING_CHANGED),
    ("meetings.meeting", "minutes"): _to_followers(K.MEETING_MINUTES),
    ("meetings.agendaitem", "create"): _to_followers(K.MEETING_AGENDA, lambda item: item.meeting),
    ("meetings.agendaitem", "update"): _to_followers(K.MEETING_AGENDA, lambda item: item.meeting),
    ("training.trainingactivity", "update"): _when_changed(
        K.TRAINING_CHANGED, TRAINING_PLACE_AND_TIME
    ),
    ("training.trainingactivity", "status"): _to_followers(K.TRAINING_CHANGED),
    ("meetings.decision", "commitments"): _assigned,
    ("*", "publish"): _shared,
}


def _handler(event: AuditEvent) -> Handler | None:
    return HANDLERS.get((event.target_type, event.action)) or HANDLERS.get(("*", event.action))


def concerns_anyone(event: AuditEvent) -> bool:
    """Whether the event may make a notice or a follow (else its record is not read)."""
    return _handler(event) is not None or event.action in AUTHORING


def record_of(event: AuditEvent) -> Model | None:
    """The record the event is about, as it is now; None when gone or not a record."""
    try:
        model = record_type(event.target_type).model
    except NotFound:
        return None
    return model._default_manager.filter(pk=event.target_id).first()


def notices_of(event: AuditEvent, record: Model) -> Iterator[tuple[object, Due]]:
    """(user, notice) for everyone to be told of the event but its author, each of whom
    sees the named record through its door."""
    handler = _handler(event)
    for kind, named, candidates in handler(event, record) if handler else []:
        name, pid = named._meta.label_lower, named.public_id  # type: ignore[attr-defined]
        key = f"{kind}:{event.seq}:{pid}"
        for user in candidates.exclude(pk=event.actor_id).select_related("membership"):
            if _sees(user, name, pid):
                yield user, Due(kind, named, key)


def _sees(user, name: str, pid) -> bool:
    try:
        get_record_for_user(user, name, pid)
    except NotFound:
        return False
    return True


def follows_of_event(event: AuditEvent, record: Model) -> Iterator[tuple[object, Model]]:
    """(user, record) for the follows the event starts: the author of a record follows
    it, and whoever comments on a record follows that record."""
    if event.actor is None or event.action not in AUTHORING:
        return
    if event.target_type == "comments.comment":
        record = record.target  # type: ignore[attr-defined]
    if record is not None and record._meta.label_lower in FOLLOWABLE:
        yield event.actor, record
