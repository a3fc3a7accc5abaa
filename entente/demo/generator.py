"""Grow the demo into a large instance, for measuring (`entente generate`, `entente bench`).

Every record is written by its app's create service, and moved along its workflow by
the transition services, as the demo users of both parties would: the audit chain, the
markings and the visibility rules are the same as for real data. Writes go in batches of
`BATCH` records, each one `batched_writes()` transaction, so memory stays bounded.

Dates spread over ten years around today (five back, five ahead); liaison requests are
all sent in the past (a request is sent when it is written: `now` is given as its time).
The services refuse nothing the generator needs, so no row is written around them.
"""

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields

from django.contrib.auth import get_user_model
from django.utils import timezone

from entente.accounts.models import Party, Unit
from entente.agreements.enums import InstrumentType
from entente.agreements.models import Agreement, Commitment
from entente.agreements.services import agreements as agreements_services
from entente.agreements.services import commitments as commitments_services
from entente.audit.services import batched_writes
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.demo import data
from entente.demo.loader import load_demo
from entente.liaison import services as liaison
from entente.liaison.models import LiaisonMessage, LiaisonRequest
from entente.meetings.enums import MeetingKind
from entente.meetings.models import Meeting
from entente.meetings.services import decisions as decisions_services
from entente.meetings.services import meetings as meetings_services
from entente.training import services as training_services
from entente.training.enums import TrainingKind
from entente.training.models import TrainingActivity

# Records per batched_writes() transaction.
BATCH = 2000
# Ten years around today.
HALF_SPAN = 5 * 365
PARTY_CODES = (data.MA, data.NL)
# Reference languages and how often a record is written in each.
LANGUAGES = {"en": 5, "fr": 3, "nl": 2, "ar": 1}
SUBJECTS = {
    "en": ["drug trafficking", "cybercrime", "human trafficking", "training", "forensics"],
    "fr": ["trafic de stupéfiants", "cybercriminalité", "traite des êtres humains", "formation"],
    "nl": ["drugshandel", "cybercriminaliteit", "mensenhandel", "opleiding", "forensisch"],
    "ar": ["تهريب المخدرات", "الجريمة الإلكترونية", "الاتجار بالبشر", "التكوين"],
}
HEADINGS = {
    "en": "Cooperation on",
    "fr": "Coopération en matière de",
    "nl": "Samenwerking inzake",
    "ar": "التعاون في مجال",
}
# Markings of the records under an agreement; TLP:RED sparingly.
MARKINGS = {
    Marking.CLEAR: 10,
    Marking.GREEN: 50,
    Marking.AMBER: 33,
    Marking.AMBER_STRICT: 5,
    Marking.RED: 2,
}
RESTRICTED = {Marking.AMBER_STRICT, Marking.RED}


@dataclass
class Sizes:
    """How many records of each kind to add (the issue's sizes by default)."""

    agreements: int = 1000
    commitments: int = 100_000
    requests: int = 200_000
    messages: int = 300_000
    meetings: int = 20_000
    trainings: int = 10_000

    def scaled(self, scale: float) -> "Sizes":
        return Sizes(**{f.name: max(1, round(getattr(self, f.name) * scale)) for f in fields(self)})

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


@dataclass
class Target:
    """A generated agreement and who of the demo users may write under it."""

    agreement: Agreement
    writers: dict[str, list]  # party code: users (coordinator first)
    areas: list
    open_to_requests: bool


# The records generated, by the name of their size.
GENERATED = {
    "agreements": Agreement,
    "commitments": Commitment,
    "requests": LiaisonRequest,
    "messages": LiaisonMessage,
    "meetings": Meeting,
    "trainings": TrainingActivity,
}


class Generator:
    def __init__(self, sizes: Sizes, seed: int, on_record: Callable[[int], None]):
        self.sizes = sizes
        self.random = random.Random(seed)
        self.on_record = on_record
        self.today = timezone.localdate()
        self.now = timezone.now()
        load_demo()
        users = (
            get_user_model()
            .objects.select_related("membership")
            .in_bulk(list(data.USERS), field_name="username")
        )
        self.users = users
        self.parties = {p.code: p for p in Party.objects.filter(code__in=PARTY_CODES)}
        self.cells = {
            u.party.code: u
            for u in Unit.objects.filter(
                party__code__in=PARTY_CODES, is_contact_cell=True
            ).select_related("party")
        }
        self.targets: list[Target] = []

    # --- helpers -----------------------------------------------------------------------

    def user(self, code: str, role: str):
        prefix = "ma" if code == data.MA else "nl"
        return self.users[f"{prefix}.{role}"]

    @staticmethod
    def other(code: str) -> str:
        return data.NL if code == data.MA else data.MA

    def pick(self, weights: dict):
        return self.random.choices(list(weights), weights=list(weights.values()))[0]

    def day(self, back: int = HALF_SPAN, ahead: int = HALF_SPAN) -> dt.date:
        return self.today + dt.timedelta(days=self.random.randint(-back, ahead))

    def title(self, number: int, what: str) -> tuple[str, dict[str, str]]:
        language = self.pick(LANGUAGES)
        subject = self.random.choice(SUBJECTS[language])
        text = f"{HEADINGS[language]} {subject} — {what} {number}"
        titles = {language: text}
        if language != "en" and self.random.random() < 0.5:
            titles["en"] = (
                f"{HEADINGS['en']} {self.random.choice(SUBJECTS['en'])} — {what} {number}"
            )
        return language, titles

    def child(self):
        """Where a new record goes (target), its party's code, who writes it, its handling."""
        target = self.random.choice(self.targets)
        code = self.random.choice(list(target.writers))
        writers = target.writers[code]
        marking = self.pick(MARKINGS)
        scope = Scope.SHARED if self.random.random() < 0.7 else Scope.INTERNAL
        actor = writers[0] if marking in RESTRICTED else self.random.choice(writers)
        recipients = []
        if marking == Marking.RED:
            side = code if scope == Scope.INTERNAL else self.other(code)
            recipients = [self.user(side, self.random.choice(["officer", "reader"]))]
        return (
            target,
            code,
            actor,
            Handling(scope=scope, marking=marking, red_recipients=recipients),
        )

    def each(self, count: int, make: Callable[[int], None]) -> None:
        """make(1), ..., make(count), in batches."""
        for batch in self.batches(count):
            for index in batch:
                make(index + 1)
                self.on_record(1)

    def batches(self, count: int) -> Iterator[range]:
        """Ranges of at most BATCH indexes, each written in one batched_writes()."""
        for start in range(0, count, BATCH):
            with batched_writes():
                yield range(start, min(start + BATCH, count))

    # --- agreements ---------------------------------------------------------------------

    def agreement(self, number: int) -> None:
        """An agreement of either party, moved along AGREEMENT_PATHS, with three areas;
        the first is in force and open to requests, so that even one agreement takes all."""
        path = AGREEMENT_PATHS["in_force" if number == 1 else self.pick(AGREEMENT_STATUSES)]
        code = PARTY_CODES[number % 2]
        coordinator = self.user(code, "coordinator")
        language, title = self.title(number, "agreement")
        shared = bool(path) or self.random.random() < 0.5
        red = shared and number > 1 and self.random.random() < 0.01
        recipients = [self.user(self.other(code), "coordinator")] if red else []
        handling = Handling(
            scope=Scope.SHARED if shared else Scope.INTERNAL,
            marking=Marking.RED if red else self.random.choice([Marking.CLEAR, Marking.GREEN]),
            red_recipients=recipients,
        )
        signed = self.day(ahead=0) if path else None
        agreement = agreements_services.agreement_create(
            actor=coordinator,
            instrument_type=self.random.choice(InstrumentType.values),
            title=title,
            reference_language=language,
            parties=[self.parties[c] for c in PARTY_CODES],
            handling=handling,
            place=self.random.choice(["Rabat", "The Hague", "Marrakesh", "Amsterdam"]),
            signed_on=signed,
            in_force_on=signed + dt.timedelta(days=30) if signed else None,
            expires_on=signed + dt.timedelta(days=5 * 365) if signed else None,
        )
        for status in path:
            agreement = agreements_services.agreement_change_status(
                actor=coordinator,
                agreement=agreement,
                status=status,
                expected_version=agreement.version,
            )
        areas = [
            agreements_services.area_create(
                actor=coordinator,
                agreement=agreement,
                code=f"area-{index}",
                name={"en": f"Area {index}", "fr": f"Domaine {index}"},
            )
            for index in range(1, 4)
        ]
        if red:
            writers = {c: [self.user(c, "coordinator")] for c in PARTY_CODES}
        elif shared:
            writers = {
                c: [self.user(c, "coordinator"), self.user(c, "officer")] for c in PARTY_CODES
            }
        else:
            writers = {code: [coordinator, self.user(code, "officer")]}
        self.targets.append(Target(agreement, writers, areas, open_to_requests=shared and not red))

    # --- commitments --------------------------------------------------------------------

    def commitment(self, number: int) -> None:
        target, code, actor, handling = self.child()
        due = self.day()
        recurring = self.random.random() < 0.2
        past = due < self.today
        weights = (
            {"done": 50, "cancelled": 10, "in_progress": 15, "planned": 15, "deferred": 10}
            if past
            else {"planned": 50, "in_progress": 35, "done": 10, "deferred": 5}
        )
        status = self.pick(weights)
        if recurring and status == "done":
            status = "in_progress"  # done would add the next occurrence: one more record
        language, title = self.title(number, "commitment")
        commitment = commitments_services.commitment_create(
            actor=actor,
            agreement=target.agreement,
            title=title,
            reference_language=language,
            responsible_party=self.parties[self.random.choice(PARTY_CODES)],
            area=self.random.choice(target.areas) if self.random.random() < 0.7 else None,
            due_date=due,
            kind="recurring" if recurring else "one_off",
            recurrence=self.random.choice(["monthly", "quarterly", "yearly"]) if recurring else "",
            handling=handling,
        )
        if status != "planned":
            commitments_services.commitment_change_status(
                actor=actor, commitment=commitment, status=status, expected_version=1
            )

    # --- meetings -----------------------------------------------------------------------

    def meeting(self, number: int) -> None:
        target, code, actor, handling = self.child()
        host = self.random.choice(list(target.writers) + [self.other(code)])
        zone = data.PARTIES[host]["time_zone"]
        day = self.day()
        starts = dt.datetime.combine(day, dt.time(self.random.randint(8, 16)))
        language, title = self.title(number, "meeting")
        meeting = meetings_services.meeting_create(
            actor=actor,
            agreement=target.agreement,
            kind=self.random.choice(MeetingKind.values),
            title=title,
            reference_language=language,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=self.random.randint(1, 6)),
            time_zone=zone,
            host_party=self.parties[host],
            place=self.random.choice(["Rabat", "The Hague", ""]),
            handling=handling,
        )
        past = day < self.today
        status = self.pick(
            {"held": 80, "cancelled": 10, "planned": 10}
            if past
            else {"planned": 90, "cancelled": 10}
        )
        if status == "planned":
            return
        meeting = meetings_services.meeting_change_status(
            actor=actor, meeting=meeting, status=status, expected_version=1
        )
        if status == "held":
            for index in range(self.random.randint(1, 3)):
                decision = decisions_services.decision_record(
                    actor=actor, meeting=meeting, text=f"Decision {index + 1} of meeting {number}."
                )
                outcome = self.pick({"open": 3, "implemented": 5, "dropped": 1})
                if outcome != "open":
                    decisions_services.decision_change_status(
                        actor=actor, decision=decision, status=outcome
                    )

    # --- trainings ----------------------------------------------------------------------

    def training(self, number: int) -> None:
        target, code, actor, handling = self.child()
        host = self.random.choice(PARTY_CODES)
        starts = self.day(ahead=3 * 365)
        language, title = self.title(number, "training")
        activity = training_services.training_create(
            actor=actor,
            agreement=target.agreement,
            kind=self.random.choice(TrainingKind.values),
            title=title,
            reference_language=language,
            host_party=self.parties[host],
            sending_party=self.parties[self.other(host)],
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=self.random.randint(0, 10)),
            area=self.random.choice(target.areas),
            handling=handling,
        )
        past = starts <= self.today
        weights = (
            {"held": 75, "cancelled": 15, "confirmed": 10}
            if past
            else {"planned": 60, "confirmed": 30, "cancelled": 10}
        )
        paths = {
            "planned": [],
            "confirmed": ["confirmed"],
            "held": ["confirmed", "held"],
            "cancelled": ["cancelled"],
        }
        for status in paths[self.pick(weights)]:
            activity = training_services.training_change_status(
                actor=actor, training=activity, status=status, expected_version=activity.version
            )
        if activity.status == "held":
            training_services.participation_set(
                actor=actor,
                training=activity,
                party=self.parties[self.other(host)],
                count=self.random.randint(2, 20),
            )

    # --- liaison requests ---------------------------------------------------------------

    def requests(self) -> None:
        """Requests both ways, each with a lifecycle; the thread messages that come with
        the lifecycles, then plain messages and notes, make exactly `sizes.messages`."""
        lifecycles = [self.pick(LIFECYCLE_WEIGHTS) for _ in range(self.sizes.requests)]
        posted = sum(LIFECYCLE_MESSAGES[name] for name in lifecycles)
        for index, name in enumerate(lifecycles):
            if posted <= self.sizes.messages:
                break
            if LIFECYCLE_MESSAGES[name]:
                posted -= LIFECYCLE_MESSAGES[name]
                lifecycles[index] = "acknowledged"
        extra = Counter(self.random.choices(range(len(lifecycles)), k=self.sizes.messages - posted))
        targets = [t for t in self.targets if t.open_to_requests]
        for batch in self.batches(len(lifecycles)):
            for index in batch:
                self.request(self.random.choice(targets), lifecycles[index], extra[index])

    def request(self, target: Target, lifecycle: str, messages: int) -> None:
        sender = self.random.choice(PARTY_CODES)
        receiver = self.other(sender)
        sent_at = self.now - dt.timedelta(minutes=self.random.randint(60, 2 * HALF_SPAN * 24 * 60))
        marking = self.pick({Marking.GREEN: 60, Marking.AMBER: 38, Marking.RED: 2})
        red = marking == Marking.RED
        sides = {
            sender: self.user(sender, "coordinator" if red else "officer"),
            receiver: self.user(receiver, "officer"),
        }
        request = liaison.request_send(
            actor=sides[sender],
            agreement=target.agreement,
            from_unit=self.cells[sender],
            to_unit=self.cells[receiver],
            subject=self.title(0, "request")[1].popitem()[1],
            body="Please share what you hold on this case.",
            priority="urgent" if self.random.random() < 0.15 else "normal",
            area=self.random.choice(target.areas),
            handling=Handling(marking=marking, red_recipients=[sides[receiver]] if red else []),
            now=sent_at,
        )
        self.on_record(1)
        span = min(self.now - sent_at, dt.timedelta(days=60))
        times = sorted(sent_at + span * self.random.random() for _ in range(4 + messages))
        for action, when in zip(LIFECYCLES[lifecycle], times, strict=False):
            request = self.step(request, action, sides[sender], sides[receiver], when)
        self.on_record(LIFECYCLE_MESSAGES[lifecycle])
        for when in times[4:]:
            side = self.random.choice([sender, receiver])
            liaison.message_post(
                actor=sides[side],
                request=request,
                kind="note" if self.random.random() < 0.2 else "message",
                body="Noted; we follow up on our side.",
                now=when,
            )
            self.on_record(1)

    def step(self, request: LiaisonRequest, action: str, sender, receiver, when) -> LiaisonRequest:
        service, by_sender, texts = REQUEST_STEPS[action]
        if action == "answer":
            texts = texts | {"delay_reason": "The file came late." if when > request.due_at else ""}
        return service(
            actor=sender if by_sender else receiver,
            request=request,
            expected_version=request.version,
            now=when,
            **texts,
        )

    def run(self) -> None:
        self.each(self.sizes.agreements, self.agreement)
        self.each(self.sizes.commitments, self.commitment)
        self.each(self.sizes.meetings, self.meeting)
        self.each(self.sizes.trainings, self.training)
        self.requests()


# How often an agreement ends in each status, and the moves that take it there.
AGREEMENT_STATUSES = {
    "draft": 10,
    "signed": 20,
    "in_force": 50,
    "suspended": 5,
    "expired": 10,
    "terminated": 5,
}
AGREEMENT_PATHS = {
    "draft": [],
    "signed": ["signed"],
    "in_force": ["signed", "in_force"],
    "suspended": ["signed", "in_force", "suspended"],
    "expired": ["signed", "in_force", "expired"],
    "terminated": ["signed", "terminated"],
}
# The service of each step of a request, whether the sending side takes it, its texts.
REQUEST_STEPS: dict[str, tuple[Callable[..., LiaisonRequest], bool, dict[str, str]]] = {
    "acknowledge": (liaison.request_acknowledge, False, {}),
    "ask": (liaison.clarification_ask, False, {"body": "Which period?"}),
    "provide": (liaison.clarification_provide, True, {"body": "The last two years."}),
    "answer": (liaison.request_answer, False, {"body": "Here is what we hold."}),
    "refuse": (liaison.request_refuse, False, {"refusal_reason": "Outside our remit."}),
    "close": (liaison.request_close, True, {}),
}
# A request's steps after it is sent, by the state it ends in; how often each is drawn.
LIFECYCLES = {
    "sent": [],
    "acknowledged": ["acknowledge"],
    "clarification": ["acknowledge", "ask"],
    "clarified": ["ask", "provide"],
    "answered": ["acknowledge", "answer"],
    "refused": ["refuse"],
    "closed": ["acknowledge", "answer", "close"],
    "closed_refused": ["refuse", "close"],
}
LIFECYCLE_WEIGHTS = {
    "sent": 5,
    "acknowledged": 8,
    "clarification": 4,
    "clarified": 3,
    "answered": 10,
    "refused": 3,
    "closed": 60,
    "closed_refused": 7,
}
# Steps that post a thread message with them.
_POSTING = {"ask", "provide", "answer", "refuse"}
LIFECYCLE_MESSAGES = {
    name: sum(step in _POSTING for step in steps) for name, steps in LIFECYCLES.items()
}


def generate(
    sizes: Sizes, *, seed: int = 0, on_record: Callable[[int], None] = lambda n: None
) -> None:
    """Add `sizes` records to the demo (loaded first if missing), through the services."""
    Generator(sizes, seed, on_record).run()
