"""The history of one record as one reader may see it (DESIGN.md: "History is seen as
the record was").

The chain keeps every event of every record, internal drafts included; pages and the
API read a record's history only through `history_for`. Replaying the record's events
in order, an event is shown when the record, as that event left it, was visible to the
reader: owned by their party, or shared (and, while TLP:RED, naming the reader, or the
reader a coordinator of the owning party). A record without a marking of its own (a
decision, an agenda item) follows its parent (the meeting) the same way. In a shown
event, references to records are shown by their public ids, those the reader may not
see become `HIDDEN`, the record's own internal id is its public id, and stored file
paths are left out. Shown events are numbered per record (revisions); the chain's
global sequence and hashes, which would let a party count the other's hidden writes,
go only to those who read the chain.
"""

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Exists, FloatField, OuterRef, Q, QuerySet, Value

from entente.accounts.enums import Role
from entente.accounts.models import Party
from entente.audit.selectors import audit_events_for
from entente.core.access import membership_of
from entente.core.enums import Marking, Scope
from entente.core.models import PartyOwned
from entente.core.registry import RecordType, record_page_url, record_types
from entente.records.models import SearchEntry

HIDDEN = "hidden"

# The snapshot keys that decide who sees a record.
ACCESS_KEYS = frozenset({"owning_party_id", "scope", "marking", "red_recipients"})


@dataclass
class HistoryEntry:
    """One event as its reader may see it (pages add their labels to it)."""

    revision: int
    at: dt.datetime
    actor_name: str
    party: Party | None
    action: str
    before: dict | None
    after: dict | None
    seq: int | None
    hash: str | None


def reads_chain(user) -> bool:
    """Auditors and the operator read the global chain (sequence numbers, hashes)."""
    if user.is_superuser:
        return True
    membership = membership_of(user)
    return membership is not None and membership.role == Role.AUDITOR


def history_for(user, record: models.Model) -> list[HistoryEntry]:
    """The events of `record` that `user` may see, oldest first, redacted for them.
    Callers load `record` through its door first."""
    events = list(audit_events_for(record).order_by("seq"))
    shown, hidden_before = [], False
    for event, visible in zip(events, _visible_flags(user, record, events), strict=True):
        if visible:
            # The first event after hidden ones shows the record as it became visible,
            # not what it was before (an internal draft, say).
            shown.append((event, hidden_before))
        hidden_before = not visible
    redact = _Redactor(user, record, [event for event, _ in shown])
    chain = reads_chain(user)
    return [
        HistoryEntry(
            revision=revision,
            at=event.at,
            actor_name=event.actor_name,
            party=event.party,
            action=event.action,
            before=None if fresh else redact(event.before),
            after=redact(event.after),
            seq=event.seq if chain else None,
            hash=event.hash if chain else None,
        )
        for revision, (event, fresh) in enumerate(shown, start=1)
    ]


# --- who saw the record when -------------------------------------------------------------


def _visible_flags(user, record, events) -> list[bool]:
    """For each event, whether the record as it left it was visible to `user`."""
    if isinstance(record, PartyOwned):
        check = _access_check(user, record)
        return [check(state) for _, state in _access_states(events)]
    parent = _parent(record)
    if parent is None:
        return [True] * len(events)
    check = _access_check(user, parent)
    states = _access_states(list(audit_events_for(parent).order_by("seq")))
    seqs = [seq for seq, _ in states]
    flags = []
    for event in events:
        index = bisect_right(seqs, event.seq) - 1  # the parent as it was at this event
        flags.append(check(states[index][1] if index >= 0 else {}))
    return flags


def _parent(record: models.Model) -> PartyOwned | None:
    """The party-owned record a record without a marking lives on: its first such
    foreign key (the meeting of a decision, the agreement of an area)."""
    for field in record._meta.concrete_fields:
        related = field.related_model
        if field.many_to_one and isinstance(related, type) and issubclass(related, PartyOwned):
            return getattr(record, field.name)
    return None


def _access_states(events) -> list[tuple[int, dict]]:
    """(seq, the access keys of the record as the event left it), events replayed."""
    state: dict = {}
    states = []
    for event in events:
        snapshot = event.before if event.action == "delete" else event.after
        state.update({k: v for k, v in (snapshot or {}).items() if k in ACCESS_KEYS})
        states.append((event.seq, dict(state)))
    return states


def _access_check(user, record: PartyOwned) -> Callable[[dict], bool]:
    """The access rule of core.access, applied to a replayed state of `record`.

    A key no event recorded (recipients in older snapshots; a record written before
    its first event, as test set-ups do) takes the record's current value.
    """
    membership = membership_of(user)
    current = {
        "owning_party_id": record.owning_party_id,
        "scope": record.scope,
        "marking": record.marking,
    }

    def value(state: dict, key: str):
        if key not in state and key not in current:
            current[key] = list(record.red_recipients.values_list("pk", flat=True))
        return state[key] if key in state else current[key]

    def check(state: dict) -> bool:
        if membership is None:
            return False
        own = value(state, "owning_party_id") == membership.party_id
        if not own and value(state, "scope") != Scope.SHARED:
            return False
        if value(state, "marking") != Marking.RED:
            return True
        return user.pk in value(state, "red_recipients") or (own and membership.is_coordinator)

    return check


# --- what an event may name --------------------------------------------------------------


class _Redactor:
    """Replaces, in snapshots, the internal ids of records by their public ids, and
    those of records the reader may not see by HIDDEN, and drops stored file paths; one
    query per referenced model."""

    def __init__(self, user, record: models.Model, events):
        self.public_id = str(record.public_id) if hasattr(record, "public_id") else None
        self.files = {
            f.attname for f in record._meta.concrete_fields if isinstance(f, models.FileField)
        }
        self.refs = _references(record)
        wanted: dict = {}
        for event in events:
            for snapshot in (event.before or {}, event.after or {}):
                for key, value in snapshot.items():
                    if key in self.refs:
                        wanted.setdefault(self.refs[key].model, set()).update(_ids(value))
        # Internal id -> public id, of the records the reader sees.
        self.visible = {
            entry.model: {
                pk: str(public_id)
                for pk, public_id in entry.visible(user)
                .filter(pk__in=wanted[entry.model])
                .values_list("pk", "public_id")
            }
            for entry in record_types()
            if entry.model in wanted
        }

    def __call__(self, snapshot: dict | None) -> dict | None:
        if snapshot is None:
            return None
        return {
            key: self._redact(key, value)
            for key, value in snapshot.items()
            if key not in self.files
        }

    def _redact(self, key: str, value):
        if key == "id":
            return self.public_id
        entry = self.refs.get(key)
        if entry is None or value is None:
            return value
        seen = self.visible.get(entry.model, {})
        if isinstance(value, list):
            kept = [seen[v] for v in value if v in seen]
            # One marker however many are hidden: the count is not the reader's either.
            return [*kept, HIDDEN] if len(kept) < len(value) else kept
        return seen.get(value, HIDDEN)


def _references(record: models.Model) -> dict:
    """Snapshot key -> registered record type it refers to, for `record`'s model."""
    types: dict[object, RecordType] = {entry.model: entry for entry in record_types()}
    refs = {}
    model: object
    for field in record._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue  # a reverse relation: never in the record's snapshot
        if isinstance(field, GenericForeignKey):
            # The target of an attachment never changes: its current type names it.
            type_id = getattr(record, field.ct_field + "_id")
            model = ContentType.objects.get_for_id(type_id).model_class()
            keys = [field.fk_field]
        elif field.is_relation:
            model = field.related_model
            keys = [field.name, getattr(field, "attname", field.name)]
        else:
            continue
        if model in types:
            refs.update(dict.fromkeys(keys, types[model]))
    return refs


def _ids(value) -> list:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int)]
    return [value] if isinstance(value, int) else []


# --- global search -------------------------------------------------------------------------
#
# The index (records.models.SearchEntry) finds the rows holding every word; each row
# counts only when its record is in its type's `visible(user)` queryset, so what is
# found, counted and shown is what the user may see, in one query whatever the number
# of hits. The page's records are then loaded through the same querysets, one query a
# type.


def searchable_types() -> list[RecordType]:
    """The registered record types whose models name their texts in `search_fields`."""
    return [entry for entry in record_types() if getattr(entry.model, "search_fields", None)]


def search_hits(user, words: list[str]) -> QuerySet[SearchEntry]:
    """The index rows of records `user` may see with a word starting with each of `words`
    (letters and digits only, as `search_words` gives them), best match first."""
    # Each row the words match is looked up in its type's rule, rather than matched against
    # the set of every record of every type the user may see, which the databases build
    # whole (hundreds of thousands of ids) for each search: 1.5 s against 0.3 s for a word
    # in 34,000 of 640,000 records (SQLite).
    visible = Q(pk__in=[])
    for entry in searchable_types():
        record = entry.visible(user).filter(pk=OuterRef("target_id"))
        visible |= Q(Exists(record), target_type=entry.name)
    hits = SearchEntry.objects.filter(visible)
    if not words:
        return hits.none()
    return _matching(hits, words).order_by("-rank", "-pk")


def _matching(hits: QuerySet[SearchEntry], words: list[str]) -> QuerySet[SearchEntry]:
    # The full-text columns are the migration's, unknown to the ORM (records.models).
    # Each word is quoted whole and passed as a parameter; search_words leaves no
    # character that could end the quote or be read as an operator.
    if connection.vendor == "postgresql":
        query = " & ".join(f"'{word}':*" for word in words)
        return hits.extra(
            where=["records_searchentry.vector @@ to_tsquery('simple', %s)"],
            params=[query],
            select={"rank": "ts_rank(records_searchentry.vector, to_tsquery('simple', %s))"},
            select_params=[query],
        )
    if connection.vendor == "sqlite":
        # A join, so that bm25 is computed in the scan that matches (lower is better).
        return hits.extra(
            tables=["records_searchentry_fts"],
            where=[
                "records_searchentry_fts.rowid = records_searchentry.id",
                "records_searchentry_fts MATCH %s",
            ],
            params=[" ".join(f'"{word}"*' for word in words)],
            select={"rank": "-bm25(records_searchentry_fts)"},
        )
    for word in words:  # any other database: no index, no ranking
        hits = hits.filter(document__contains=word)
    return hits.annotate(rank=Value(0.0, output_field=FloatField()))


@dataclass
class SearchResult:
    """One record found, with what a result list shows of it."""

    type: str  # "agreements.commitment", as in the audit trail's paths
    label: str
    record: models.Model
    title: str
    url: str | None
    agreement: models.Model | None
    marked: PartyOwned | None  # the record whose marking and scope it carries

    @property
    def id(self):
        """The id the API gives the record."""
        return getattr(self.record, "public_id", self.record.pk)


def search_results(user, hits: Iterable[SearchEntry]) -> list[SearchResult]:
    """The records of `hits` (a page of `search_hits`), in order, loaded through their
    types' `visible(user)` querysets: one query a type, however many hits."""
    hits = list(hits)
    wanted: dict[str, list[int]] = defaultdict(list)
    for hit in hits:
        wanted[hit.target_type].append(hit.target_id)
    types = {entry.name: entry for entry in searchable_types()}
    found: dict[tuple[str, int], models.Model] = {}
    for name, ids in wanted.items():
        if name in types:
            for record in _loaded(types[name], user, ids):
                found[(name, record.pk)] = record
    results = []
    for hit in hits:
        record = found.get((hit.target_type, hit.target_id))
        if record is not None:
            results.append(_result(types[hit.target_type], record))
    return results


def _marked_path(model: type[models.Model]) -> str | None:
    """The lookup from a record to the record whose marking it carries: itself ("") when
    party-owned, else its parent (a decision's meeting); None when neither."""
    if issubclass(model, PartyOwned):
        return ""
    for field in model._meta.concrete_fields:
        related = field.related_model
        if field.many_to_one and isinstance(related, type) and issubclass(related, PartyOwned):
            return field.name
    return None


def _agreement_path(model: type[models.Model]) -> str | None:
    """The lookup from a record to its agreement ("" for an agreement), or None."""
    marked = _marked_path(model)
    if marked is None:
        return None
    owner = model._meta.get_field(marked).related_model if marked else model
    path = owner.agreement_path  # type: ignore[union-attr]
    if path is None:
        return None
    return "__".join(filter(None, [marked, path]))


def _follow(record: models.Model, path: str | None):
    if path is None:
        return None
    for name in filter(None, path.split("__")):
        record = getattr(record, name)
    return record


def _loaded(entry: RecordType, user, ids: list[int]) -> QuerySet:
    model = entry.model
    marked, agreement = _marked_path(model), _agreement_path(model)
    related = [path for path in (marked, agreement) if path]
    if marked is not None:
        related.append("__".join(filter(None, [marked, "owning_party"])))
    generic = [
        field.name for field in model._meta.private_fields if isinstance(field, GenericForeignKey)
    ]
    return (
        entry.visible(user).filter(pk__in=ids).select_related(*related).prefetch_related(*generic)
    )


def _result(entry: RecordType, record: models.Model) -> SearchResult:
    model = type(record)
    return SearchResult(
        type=entry.name,
        label=entry.label,
        record=record,
        title=str(record),
        url=record_page_url(record),
        agreement=_follow(record, _agreement_path(model)),
        marked=_follow(record, _marked_path(model)),
    )
