"""A whole agreement as one JSON document: the agreement and everything under it that
the user may see, in the API's shapes (each app's `*Out` schema, loaded the way its
endpoint loads it), public ids only, a marking on every record; and what is known of
the files on those records (name, size, checksum, owner, marking), not their content.

Each kind of record is read in one query for the whole agreement (then grouped under
its parent), so the export takes as many queries for ten records as for ten thousand.

Keys are sorted and lists in a fixed order, so that two exports of the same data are
byte for byte the same (a backup restored elsewhere is checked that way). Values that
are only true at the moment of reading (a request's clock) are left out for that reason.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Prefetch
from ninja import Schema

from entente.agreements.api import agreement_with_visible_parts
from entente.agreements.api_commitments import commitments_as_shown
from entente.agreements.models import Agreement
from entente.agreements.schemas import AgreementDetailOut, CommitmentOut, ProgressReportOut
from entente.agreements.selectors import reports_with_evidence
from entente.apikit.renderers import ApiJSONEncoder
from entente.attachments.schemas import AttachmentOut
from entente.attachments.selectors import attachment_visible_to
from entente.comments.schemas import CommentOut
from entente.comments.selectors import comment_visible_to
from entente.exports.writers import highest_marking
from entente.liaison.schemas import MessageOut, RequestOut
from entente.liaison.selectors import liaison_request_visible_to, message_visible_to
from entente.meetings.schemas import MeetingDetailOut
from entente.meetings.selectors import meeting_visible_to, meetings_parts
from entente.training.models import TrainingParticipation
from entente.training.schemas import TrainingDetailOut
from entente.training.selectors import training_visible_to

FORMAT = "entente-agreement/1"
# Derived from the time of reading, not from the record.
MOMENTARY = {
    CommitmentOut: {"is_overdue"},
    RequestOut: {"remaining_seconds", "overdue"},
}
# The key under which a record's parts are listed.
PARTS = {ProgressReportOut: "reports", MessageOut: "messages"}


def _out(schema: type[Schema], record: Any, leave_out: set[str] | None = None) -> dict:
    # Python values, written by the API's own encoder (UTC, milliseconds) in `as_json`.
    return schema.from_orm(record).model_dump(exclude=leave_out or None)


def _grouped(records: Iterable[Model], key: Callable[[Any], Hashable]) -> dict[Any, list]:
    """`records` (read in one query, in their order) by `key`."""
    groups: dict[Any, list] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return groups


class _Comments:
    """Every comment under the agreement the user may see, read at once, by record."""

    def __init__(self, user, agreement: Agreement):
        comments = (
            comment_visible_to(user)
            .filter(agreement=agreement)
            .prefetch_related("red_recipients", "target")
            .order_by("created_at", "pk")
        )
        self.by_record = _grouped(comments, lambda c: (c.target_type_id, c.target_id))

    def on(self, record: Model) -> list[dict]:
        key = (ContentType.objects.get_for_model(record).pk, record.pk)
        return [_out(CommentOut, comment) for comment in self.by_record.get(key, [])]


def _commitments_of(user, agreement: Agreement, comments: _Comments) -> list[dict]:
    commitments = (
        commitments_as_shown(user).filter(agreement=agreement).order_by("created_at", "public_id")
    )
    reports = reports_with_evidence(user).filter(commitment__agreement=agreement)
    found = _each_with(commitments, CommitmentOut, reports, ProgressReportOut, "commitment_id")
    for commitment, shown in zip(commitments, found, strict=True):
        shown["comments"] = comments.on(commitment)
    return found


def _each_with(records, schema, parts, part_schema, parent: str) -> list[dict]:
    """Each of `records` shown, with its `parts` (`parent` naming the record) under
    their key, oldest first: the parts of every record read at once."""
    by_parent = _grouped(
        parts.order_by("created_at", "public_id"), lambda part: getattr(part, parent)
    )
    found = []
    for record in records:
        shown = _out(schema, record, MOMENTARY.get(schema))
        shown[PARTS[part_schema]] = [_out(part_schema, p) for p in by_parent.get(record.pk, [])]
        found.append(shown)
    return found


def _meetings_of(user, agreement: Agreement, comments: _Comments) -> list[dict]:
    meetings = list(
        meeting_visible_to(user)
        .filter(agreement=agreement)
        .prefetch_related("red_recipients")
        .order_by("starts_at", "public_id")
    )
    parts = meetings_parts(user, meetings)
    found = []
    for meeting in meetings:
        meeting.parts = parts[meeting.pk]  # type: ignore[attr-defined]  # as the API sets it
        found.append(_out(MeetingDetailOut, meeting) | {"comments": comments.on(meeting)})
    return found


def _trainings_of(user, agreement: Agreement, comments: _Comments) -> list[dict]:
    participations = TrainingParticipation.objects.select_related("party")
    trainings = (
        training_visible_to(user)
        .filter(agreement=agreement)
        .prefetch_related(Prefetch("participations", queryset=participations), "red_recipients")
        .order_by("starts_on", "created_at", "public_id")
    )
    return [
        _out(TrainingDetailOut, training) | {"comments": comments.on(training)}
        for training in trainings
    ]


def _requests_of(user, agreement: Agreement) -> list[dict]:
    requests = (
        liaison_request_visible_to(user)
        .filter(agreement=agreement)
        .select_related("owning_party")
        .prefetch_related("red_recipients")
        .order_by("sent_at", "public_id")
    )
    messages = message_visible_to(user).filter(request__agreement=agreement)
    messages = messages.prefetch_related("red_recipients")
    return _each_with(requests, RequestOut, messages, MessageOut, "request_id")


def _attachments_of(user, agreement: Agreement) -> list[dict]:
    """What is known of each file on the records exported (never its content)."""
    attachments = (
        attachment_visible_to(user)
        .filter(agreement=agreement)
        .select_related("owning_party", "uploaded_by")
        .prefetch_related("red_recipients", "target")
        .order_by("created_at", "public_id")
    )
    return [_out(AttachmentOut, attachment) for attachment in attachments]


def _markings(value: Any) -> list[str]:
    """Every record's marking anywhere in the document."""
    if isinstance(value, list):
        return [m for item in value for m in _markings(item)]
    if isinstance(value, dict):
        own = [value["marking"]] if isinstance(value.get("marking"), str) else []
        return own + [m for item in value.values() for m in _markings(item)]
    return []


def agreement_document(user, agreement: Agreement) -> dict[str, Any]:
    """The agreement (already loaded through its door for `user`) and what is under it,
    in a number of queries that does not grow with the records."""
    comments = _Comments(user, agreement)
    document = {
        "format": FORMAT,
        "agreement": _out(AgreementDetailOut, agreement_with_visible_parts(user, agreement)),
        "commitments": _commitments_of(user, agreement, comments),
        "meetings": _meetings_of(user, agreement, comments),
        "trainings": _trainings_of(user, agreement, comments),
        "requests": _requests_of(user, agreement),
        "attachments": _attachments_of(user, agreement),
    }
    document["highest_marking"] = str(highest_marking(_markings(document)))
    return document


def as_json(document: dict[str, Any]) -> bytes:
    text = json.dumps(document, cls=ApiJSONEncoder, sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def records_in(document: dict[str, Any]) -> int:
    """How many records the document holds, for the audit event."""
    return len(_markings(document))
