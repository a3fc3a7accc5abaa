"""A whole agreement as one JSON document: the agreement and everything under it that
the user may see, in the API's shapes (each app's `*Out` schema, loaded the way its
endpoint loads it), public ids only, a marking on every record.

Keys are sorted and lists in a fixed order, so that two exports of the same data are
byte for byte the same (a backup restored elsewhere is checked that way). Values that
are only true at the moment of reading (a request's clock) are left out for that reason.
"""

import json
from typing import Any

from django.db.models import Model, Prefetch
from ninja import Schema

from entente.agreements.api import agreement_with_visible_parts
from entente.agreements.api_commitments import commitments_as_shown
from entente.agreements.models import Agreement
from entente.agreements.schemas import AgreementDetailOut, CommitmentOut, ProgressReportOut
from entente.agreements.selectors import reports_of
from entente.apikit.renderers import ApiJSONEncoder
from entente.comments.schemas import CommentOut
from entente.comments.selectors import comments_of
from entente.exports.writers import highest_marking
from entente.liaison.schemas import MessageOut, RequestOut
from entente.liaison.selectors import liaison_request_visible_to, messages_for
from entente.meetings.schemas import MeetingDetailOut
from entente.meetings.selectors import meeting_parts, meeting_visible_to
from entente.training.models import TrainingParticipation
from entente.training.schemas import TrainingDetailOut
from entente.training.selectors import training_visible_to

FORMAT = "entente-agreement/1"
# Derived from the time of reading, not from the record.
MOMENTARY = {
    "commitments": {"is_overdue"},
    "requests": {"remaining_seconds", "overdue"},
}


def _out(schema: type[Schema], record: Any, leave_out: set[str] | None = None) -> dict:
    # Python values, written by the API's own encoder (UTC, milliseconds) in `as_json`.
    return schema.from_orm(record).model_dump(exclude=leave_out or None)


def _comments(user, record: Model) -> list[dict]:
    return [_out(CommentOut, comment) for comment in comments_of(user, record)]


def _commitments_of(user, agreement: Agreement) -> list[dict]:
    commitments = (
        commitments_as_shown(user).filter(agreement=agreement).order_by("created_at", "public_id")
    )
    found = []
    for commitment in commitments:
        shown = _out(CommitmentOut, commitment, MOMENTARY["commitments"])
        reports = reports_of(user, commitment).order_by("created_at", "public_id")
        shown["reports"] = [_out(ProgressReportOut, report) for report in reports]
        shown["comments"] = _comments(user, commitment)
        found.append(shown)
    return found


def _meetings_of(user, agreement: Agreement) -> list[dict]:
    meetings = (
        meeting_visible_to(user).filter(agreement=agreement).prefetch_related("red_recipients")
    )
    found = []
    for meeting in meetings.order_by("starts_at", "public_id"):
        meeting.parts = meeting_parts(user, meeting)  # type: ignore[attr-defined]  # as the API sets it
        found.append(_out(MeetingDetailOut, meeting) | {"comments": _comments(user, meeting)})
    return found


def _trainings_of(user, agreement: Agreement) -> list[dict]:
    participations = TrainingParticipation.objects.select_related("party")
    trainings = (
        training_visible_to(user)
        .filter(agreement=agreement)
        .prefetch_related(Prefetch("participations", queryset=participations), "red_recipients")
        .order_by("starts_on", "created_at", "public_id")
    )
    return [
        _out(TrainingDetailOut, training) | {"comments": _comments(user, training)}
        for training in trainings
    ]


def _requests_of(user, agreement: Agreement) -> list[dict]:
    requests = (
        liaison_request_visible_to(user)
        .filter(agreement=agreement)
        .prefetch_related("red_recipients")
        .order_by("sent_at", "public_id")
    )
    found = []
    for liaison in requests:
        messages = messages_for(user, liaison).prefetch_related("red_recipients")
        shown = _out(RequestOut, liaison, MOMENTARY["requests"])
        shown["messages"] = [
            _out(MessageOut, message) for message in messages.order_by("created_at", "public_id")
        ]
        found.append(shown)
    return found


def _markings(value: Any) -> list[str]:
    """Every record's marking anywhere in the document."""
    if isinstance(value, list):
        return [m for item in value for m in _markings(item)]
    if isinstance(value, dict):
        own = [value["marking"]] if isinstance(value.get("marking"), str) else []
        return own + [m for item in value.values() for m in _markings(item)]
    return []


def agreement_document(user, agreement: Agreement) -> dict[str, Any]:
    """The agreement (already loaded through its door for `user`) and what is under it."""
    document = {
        "format": FORMAT,
        "agreement": _out(AgreementDetailOut, agreement_with_visible_parts(user, agreement)),
        "commitments": _commitments_of(user, agreement),
        "meetings": _meetings_of(user, agreement),
        "trainings": _trainings_of(user, agreement),
        "requests": _requests_of(user, agreement),
    }
    document["highest_marking"] = str(highest_marking(_markings(document)))
    return document


def as_json(document: dict[str, Any]) -> bytes:
    text = json.dumps(document, cls=ApiJSONEncoder, sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def records_in(document: dict[str, Any]) -> int:
    """How many records the document holds, for the audit event."""
    return len(_markings(document))
