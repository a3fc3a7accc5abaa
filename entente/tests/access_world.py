"""Records of every kind, scope and marking, each carrying a unique token in its text,
with the users who may see it, for the generated access matrix (test_access_matrix.py).

Who may see what is written out by hand for every record, from the rule in DESIGN.md
(own party or shared with a party to the agreement; TLP:RED only for recipients and the
owning party's coordinators; a record only when its parents are visible), not computed
by the code under test. Every record is written through the services, so that its
history exists too.
"""

import datetime as dt
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone

from entente.accounts.enums import Role
from entente.accounts.services import contact_create
from entente.agreements.services.agreements import (
    agreement_create,
    agreement_event_record,
    area_create,
    clause_create,
    record_publish,
    record_set_marking,
    signatory_add,
)
from entente.agreements.services.commitments import commitment_create, commitment_update
from entente.agreements.services.reports import progress_report_submit
from entente.attachments.services import attachment_add
from entente.comments.services import comment_add
from entente.core import instance_key
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.liaison.enums import MessageKind
from entente.liaison.services import message_post, request_send
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.attendance import guest_add
from entente.meetings.services.decisions import decision_record
from entente.meetings.services.meetings import meeting_change_status, meeting_create
from entente.sync.services import peer_add
from entente.testing import member
from entente.training.services import training_create

USERS = ("a_coordinator", "a_officer", "a_reader", "a_auditor", "b_coordinator", "b_officer")
OUTSIDERS = ("c_officer",)
A = frozenset({"a_coordinator", "a_officer", "a_reader", "a_auditor"})
B = frozenset({"b_coordinator", "b_officer"})
AB = A | B


@dataclass
class Entry:
    """One record of the world: what kind it is, its token, who may see it."""

    kind: str  # "agreement", "commitment", "meeting", ...
    record: Model
    token: str
    viewers: frozenset[str]
    extra_tokens: dict[str, frozenset[str]] = field(default_factory=dict)


def token(name: str) -> str:
    """A word found only where this record's text is shown: "tk" NAME "kt"."""
    return f"tk{name.upper()}kt"


class World:
    def __init__(self, cast):
        self.cast = cast
        self.entries: list[Entry] = []
        cast.a_auditor = member("a_auditor", cast.a, Role.AUDITOR, cast.a_cell)
        self.users = {name: getattr(cast, name) for name in USERS + OUTSIDERS}
        self.feeds: dict[str, str] = {}  # username -> the secret of their calendar feed

    def add(self, kind: str, record: Model, name: str, viewers, **extra_tokens) -> Model:
        self.entries.append(Entry(kind, record, token(name), frozenset(viewers), extra_tokens))
        return record

    def of_kind(self, kind: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.kind == kind]

    def forbidden_tokens(self, username: str) -> set[str]:
        """Every token `username` must never be shown."""
        hidden = set()
        for entry in self.entries:
            if username not in entry.viewers:
                hidden.add(entry.token)
            hidden |= {t for t, who in entry.extra_tokens.items() if username not in who}
        return hidden


def build(cast) -> World:
    world = World(cast)
    _under_shared_agreement(world, cast)
    _under_internal_agreement(world, cast)
    _under_red_agreement(world, cast)
    _directory(world, cast)
    return world


def _commitment(world, actor, agreement, name, viewers, **fields):
    record = commitment_create(
        actor=actor,
        agreement=agreement,
        title={"en": f"Commitment {token(name)}"},
        responsible_party=actor.membership.party,
        due_date=dt.date(2031, 6, 30),
        handling=Handling.pop_from(fields),
        **fields,
    )
    return world.add("commitment", record, name, viewers)


def _meeting(world, actor, agreement, name, viewers, *, proposer=None, **fields):
    """A meeting with an agenda item and a guest, held, with a decision; with `proposer`
    (a writer of the other party), also an item internal to each party."""
    start = timezone.now() - dt.timedelta(days=3)
    record = meeting_create(
        actor=actor,
        agreement=agreement,
        kind="expert_meeting",
        title={"en": f"Meeting {token(name)}"},
        starts_at=start.replace(tzinfo=None),
        ends_at=(start + dt.timedelta(hours=2)).replace(tzinfo=None),
        time_zone="Africa/Casablanca",
        host_party=actor.membership.party,
        place="Rabat",
        handling=Handling.pop_from(fields),
        **fields,
    )
    world.add("meeting", record, name, viewers)
    item = agenda_item_add(actor=actor, meeting=record, title=f"Item {token(name + 'item')}")
    world.add("agendaitem", item, name + "item", viewers)
    guest = guest_add(actor=actor, meeting=record, name=f"Guest {token(name + 'guest')}")
    world.add("guest", guest, name + "guest", viewers)
    if proposer is not None:
        for who, suffix in ((actor, "own"), (proposer, "theirs")):
            item = agenda_item_add(
                actor=who,
                meeting=record,
                title=f"Item {token(name + suffix)}",
                scope=Scope.INTERNAL,
            )
            party = who.membership.party
            own = {n for n, user in world.users.items() if user.membership.party == party}
            world.add("agendaitem", item, name + suffix, viewers & own)
    record = meeting_change_status(
        actor=actor, meeting=record, status="held", expected_version=record.version
    )
    decision = decision_record(actor=actor, meeting=record, text=f"Decided {token(name + 'dec')}")
    world.add("decision", decision, name + "dec", viewers)
    return record


def _training(world, actor, agreement, name, viewers, **fields):
    other = world.cast.b if actor.membership.party == world.cast.a else world.cast.a
    record = training_create(
        actor=actor,
        agreement=agreement,
        kind="course",
        title={"en": f"Training {token(name)}"},
        host_party=actor.membership.party,
        sending_party=other,
        starts_on=dt.date(2031, 7, 6),
        ends_on=dt.date(2031, 7, 9),
        handling=Handling.pop_from(fields),
        **fields,
    )
    return world.add("training", record, name, viewers)


def _request(world, actor, agreement, name, viewers, **fields):
    cast = world.cast
    mine, theirs = (
        (cast.a_cell, cast.b_cell)
        if actor.membership.party == cast.a
        else (cast.b_cell, cast.a_cell)
    )
    record = request_send(
        actor=actor,
        agreement=agreement,
        from_unit=mine,
        to_unit=theirs,
        subject=f"Request {token(name)}",
        body="Please answer.",
        priority="normal",
        handling=Handling.pop_from(fields),
        **fields,
    )
    world.add("request", record, name, viewers)
    message = message_post(actor=actor, request=record, body=f"Message {token(name + 'msg')}")
    world.add("message", message, name + "msg", viewers)
    return record


def _attachment(world, actor, target, name, viewers):
    upload = SimpleUploadedFile(f"{token(name)}.txt", b"evidence\n", content_type="text/plain")
    record = attachment_add(actor=actor, target=target, upload=upload)
    return world.add("attachment", record, name, viewers)


def _comment(world, actor, record, name, viewers, **fields):
    made = comment_add(actor=actor, record=record, text=f"Comment {token(name)}", **fields)
    return world.add("comment", made, name, viewers)


def _reported(world, actor, agreement, name, viewers, **report_fields):
    """A commitment of A's coordinator that B is responsible for, and B's report on it."""
    cast = world.cast
    commitment = commitment_create(
        actor=cast.a_coordinator,
        agreement=agreement,
        title={"en": f"Commitment {token(name)}"},
        responsible_party=cast.b,
        handling=Handling(scope=Scope.SHARED),
    )
    world.add("commitment", commitment, name, viewers)
    report = progress_report_submit(
        actor=actor,
        commitment=commitment,
        progress=50,
        note=f"Report {token(name + 'report')}",
        **report_fields,
    )
    return world.add("report", report, name + "report", viewers)


def _parts(world, agreement, name, viewers):
    """A cooperation area and a signatory, seen with their agreement."""
    actor = world.cast.a_coordinator
    area = area_create(
        actor=actor, agreement=agreement, code=name, name={"en": f"Area {token(name + 'area')}"}
    )
    world.add("area", area, name + "area", viewers)
    signatory = signatory_add(
        actor=actor, agreement=agreement, party=world.cast.b, name=f"S. {token(name + 'sig')}"
    )
    world.add("signatory", signatory, name + "sig", viewers)


def _under_shared_agreement(world, cast):
    agreement = cast.agreement  # shared, AMBER, owned by A, between A and B
    world.add("agreement", agreement, "open", AB)
    agreement.title_en = f"Letter of intent {token('open')}"
    agreement.save(update_fields=["title_en"])
    ac, ao, bc, bo = cast.a_coordinator, cast.a_officer, cast.b_coordinator, cast.b_officer
    _parts(world, agreement, "open", AB)
    shared = {"scope": Scope.SHARED}

    a_internal = _commitment(world, ao, agreement, "ainternal", A)
    a_shared = _commitment(world, ao, agreement, "ashared", AB, **shared)
    _commitment(
        world, ac, agreement, "ared", {"a_coordinator", "a_officer"},
        marking=Marking.RED, red_recipients=[ao], **shared,
    )  # fmt: skip
    _commitment(world, bo, agreement, "binternal", B)
    _commitment(world, bo, agreement, "bshared", AB, **shared)
    _attachment(world, ao, a_internal, "fileainternal", A)
    _attachment(world, ao, a_shared, "fileashared", AB)
    # Comments: both parties' on a shared commitment, one internal to B, one stricter
    # TLP:RED for a few; any comment on an internal commitment stays with its party.
    _comment(world, ao, a_shared, "commentashared", AB)
    _comment(world, bo, a_shared, "commentbshared", AB)
    _comment(world, bo, a_shared, "commentbinternal", B, scope=Scope.INTERNAL)
    _comment(
        world, ac, a_shared, "commentared", {"a_coordinator", "a_officer"},
        marking=Marking.RED, red_recipients=[ao],
    )  # fmt: skip
    _comment(world, ao, a_internal, "commentonainternal", A, scope=Scope.SHARED)

    # B reports on A's commitment: a shared report, and one B keeps internal.
    _reported(world, bo, agreement, "bresponsible", AB)
    internal = progress_report_submit(
        actor=bc,
        commitment=world.of_kind("commitment")[-1].record,
        progress=20,
        note=f"Report {token('binternalreport')}",
        scope=Scope.INTERNAL,
    )
    world.add("report", internal, "binternalreport", B)
    _attachment(world, bo, internal, "filebinternalreport", B)

    # An internal draft, cleaned up, then published: its first text stays with A.
    draft = commitment_create(
        actor=ac,
        agreement=agreement,
        title={"en": f"Commitment {token('published')}"},
        description={"en": f"We lack the budget {token('draft')}"},
        responsible_party=cast.a,
        due_date=dt.date(2031, 6, 30),
    )
    draft = commitment_update(
        actor=ac,
        commitment=draft,
        expected_version=draft.version,
        description_en="Funded from the 2031 budget.",
    )
    draft = record_publish(actor=ac, record=draft, expected_version=draft.version)
    world.add("commitment", draft, "published", AB, **{token("draft"): A})

    _meeting(world, ao, agreement, "ameetinternal", A)
    meeting = _meeting(world, ao, agreement, "ameetshared", AB, proposer=bo, **shared)
    _comment(world, bo, meeting, "commentmeeting", AB)
    _comment(world, ao, meeting, "commentmeetinga", A, scope=Scope.INTERNAL)
    _meeting(world, bo, agreement, "bmeetinternal", B)
    _training(world, ao, agreement, "atraininternal", A)
    training = _training(world, bo, agreement, "btrainshared", AB, **shared)
    _comment(world, ao, training, "commenttraining", AB)
    _request(world, ao, agreement, "areqshared", AB)
    request = _request(world, bc, agreement, "breq", AB)
    note = message_post(
        actor=bc, request=request, body=f"Note {token('bnote')}", kind=MessageKind.NOTE
    )
    world.add("message", note, "bnote", B)
    event = agreement_event_record(
        actor=ao, agreement=agreement, kind="signed", date=dt.date(2022, 5, 10), note=f"Note {token('aevent')}", handling=Handling(scope=Scope.INTERNAL))  # fmt: skip
    world.add("event", event, "aevent", A)
    clause = clause_create(
        actor=ac, agreement=agreement, number="9", heading={"en": f"Clause {token('aclause')}"}, handling=Handling(scope=Scope.INTERNAL))  # fmt: skip
    world.add("clause", clause, "aclause", A)
    _peers(world, agreement)


# Who reads a party's peer entries: its coordinators and auditors (sync/selectors.py).
PEER_READERS = {"a": {"a_coordinator", "a_auditor"}, "b": {"b_coordinator"}}


def _peers(world, agreement):
    """Each party's entry for the other's instance: internal to its recorder, and read
    there only by its coordinators and auditors."""
    cast = world.cast
    for actor, other, name in (
        (cast.a_coordinator, cast.b, "a"),
        (cast.b_coordinator, cast.a, "b"),
    ):
        key = Ed25519PrivateKey.generate().public_key()
        peer = peer_add(
            actor=actor,
            agreement=agreement,
            party=other,
            public_key=instance_key.public_key_text(key),
            address=f"https://{token(name + 'peer')}.example/",
        )
        world.add("peer", peer, name + "peer", PEER_READERS[name])


def _under_internal_agreement(world, cast):
    """An agreement A keeps internal: B is a party to it but sees none of it."""
    ac = cast.a_coordinator
    agreement = agreement_create(
        actor=ac,
        instrument_type="mou",
        title={"en": f"Draft MoU {token('mou')}"},
        parties=[cast.a, cast.b],
    )
    world.add("agreement", agreement, "mou", A)
    _parts(world, agreement, "mou", A)
    _commitment(world, ac, agreement, "moushared", A, scope=Scope.SHARED)


def _under_red_agreement(world, cast):
    """A shared agreement marked TLP:RED for a_coordinator and b_officer, after its
    shared children were written: they are hidden with it from everyone else."""
    ac, bo = cast.a_coordinator, cast.b_officer
    agreement = agreement_create(
        actor=ac,
        instrument_type="mou",
        title={"en": f"Sensitive MoU {token('red')}"},
        parties=[cast.a, cast.b],
        handling=Handling(scope=Scope.SHARED),
    )
    few = {"a_coordinator", "b_officer"}
    _parts(world, agreement, "red", few)
    shared = {"scope": Scope.SHARED}
    child = _commitment(world, ac, agreement, "redchild", few, **shared)
    _attachment(world, ac, child, "fileredchild", few)
    _comment(world, bo, child, "commentredchild", few)
    meeting = _meeting(world, ac, agreement, "redmeeting", few, **shared)
    _comment(world, ac, meeting, "commentredmeeting", few)
    training = _training(world, ac, agreement, "redtraining", few, **shared)
    _comment(world, bo, training, "commentredtraining", few)
    _request(world, ac, agreement, "redrequest", few)
    _reported(world, bo, agreement, "redresponsible", few)
    agreement.refresh_from_db()
    record_set_marking(
        actor=ac,
        record=agreement,
        marking=Marking.RED,
        expected_version=agreement.version,
        red_recipients=[ac, bo],
    )
    world.add("agreement", agreement, "red", few)


def _directory(world, cast):
    """Each party's directory: a shared contact everyone sees, an internal one only its
    own party sees (in the directory page, its counts and the API)."""
    for party, cell, viewers, name in (
        (cast.a, cast.a_cell, A, "a"),
        (cast.b, cast.b_cell, B, "b"),
    ):
        admin = member(f"{name}_admin", party, Role.PARTY_ADMIN, cell)
        for scope, who in ((Scope.SHARED, AB | set(OUTSIDERS)), (Scope.INTERNAL, viewers)):
            record = contact_create(
                actor=admin,
                unit=cell,
                name=f"Contact {token(name + 'contact' + scope)}",
                time_zone=party.time_zone,
                handling=Handling(scope=scope),
            )
            world.add("contact", record, name + "contact" + scope, who)
