"""Load the demo (`data.py`) through the services, as a user of each party would.

Every record beyond the reported facts is written with `is_illustrative` set and ends
its text with `data.ILLUSTRATIVE`.
"""

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from entente.accounts import services as accounts
from entente.accounts.enums import Role
from entente.accounts.models import Membership, Party, Unit
from entente.agreements.models import Agreement
from entente.agreements.services import agreements as agreements_services
from entente.agreements.services import commitments as commitments_services
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.demo import data
from entente.demo.data import ILLUSTRATIVE, FromToday, NextOn
from entente.liaison import services as liaison
from entente.liaison.models import LiaisonRequest
from entente.meetings.selectors import meeting_carry_over_candidates
from entente.meetings.services import agenda as agenda_services
from entente.meetings.services import decisions as decisions_services
from entente.meetings.services import meetings as meetings_services
from entente.training import services as training


@dataclass
class DemoResult:
    created: bool
    password: str | None
    usernames: list[str] = field(default_factory=list)


def load_demo(*, password: str | None = None) -> DemoResult:
    """Load the demo once; later calls change nothing (unless a password is given)."""
    usernames = sorted(data.USERS)
    with transaction.atomic():
        parties = {code: _party(code, values) for code, values in data.PARTIES.items()}
        units = {code: _unit(parties[code], name) for code, name in data.CONTACT_CELLS.items()}
        generated = _users(parties, units, password)
        if Agreement.objects.filter(title_en=data.TITLE_EN).exists():
            return DemoResult(created=False, password=password, usernames=usernames)
        users = {u.username: u for u in get_user_model().objects.filter(username__in=data.USERS)}
        today = timezone.localdate()
        world = _agreement(users, parties)
        _commitments(users, parties, world, today)
        _meeting(users, parties, units, world, today)
        _next_meeting(users, parties, world, today)
        _trainings(users, parties, world, today)
        _requests(users, units, world, timezone.now())
        _directory(users, parties, units)
        _related_agreements(parties)
    return DemoResult(created=True, password=password or generated, usernames=usernames)


def _day(value: dt.date | FromToday | NextOn, today: dt.date) -> dt.date:
    if isinstance(value, FromToday):
        return today + dt.timedelta(days=value.days)
    if isinstance(value, NextOn):
        day = dt.date(today.year, value.month, value.day)
        return day if day >= today else day.replace(year=today.year + 1)
    return value


def _illustrative(text: str) -> str:
    return f"{text} {ILLUSTRATIVE}"


def _party(code: str, values: dict) -> Party:
    party, _ = Party.objects.get_or_create(
        code=code, defaults={"name": values["name_en"], **values}
    )
    return party


def _unit(party: Party, name: str) -> Unit:
    unit, _ = Unit.objects.get_or_create(party=party, name=name, defaults={"is_contact_cell": True})
    return unit


def _directory(users, parties, units) -> None:
    """Each party's units and contacts, entered by its party administrator; some shared
    with the other party, one internal to each."""
    for code, keeper in data.DIRECTORY_KEEPERS.items():
        admin = users[keeper]
        by_name: dict[str | None, Unit] = {None: units[code]}
        for name in data.DIRECTORY_UNITS[code]:
            by_name[name] = accounts.unit_create(actor=admin, party=parties[code], name=name)
        for name, title, unit, phone, email, languages, zone, scope in data.DIRECTORY[code]:
            accounts.contact_create(
                actor=admin,
                unit=by_name[unit],
                name=name,
                title=title,
                phone=phone,
                email=email,
                languages=languages,
                time_zone=zone,
                handling=Handling(scope=scope, is_illustrative=True),
            )


def _users(parties, units, password: str | None) -> str | None:
    """Create missing demo users; returns the generated password if any were created.

    A given password is set on every demo user, new or not; without one, new users
    share one generated password and existing ones keep theirs."""
    User = get_user_model()
    generated = None

    def set_password(user, created: bool) -> None:
        nonlocal generated
        if created or password:
            if not password and generated is None:
                generated = secrets.token_urlsafe(12)
            user.set_password(password or generated)
            user.save()

    for username, (code, role) in data.USERS.items():
        user, created = User.objects.get_or_create(username=username)
        set_password(user, created)
        Membership.objects.get_or_create(
            user=user, defaults={"party": parties[code], "role": role, "unit": units[code]}
        )
    operator, created = User.objects.get_or_create(
        username=data.OPERATOR, defaults={"is_staff": True, "is_superuser": True}
    )
    set_password(operator, created)
    return generated


def _agreement(users, parties) -> dict:
    """The letter of intent as reported: parties, signatories, events, areas; and its
    clauses, whose wording is illustrative."""
    coordinator = users[data.AGREEMENT_OWNER]
    agreement = agreements_services.agreement_create(
        actor=coordinator,
        parties=[parties[code] for code in data.AGREEMENT_PARTIES],
        **data.AGREEMENT,
    )
    agreement = agreements_services.agreement_change_status(
        actor=coordinator, agreement=agreement, status=data.AGREEMENT_STATUS, expected_version=1
    )
    for name, function, code in data.SIGNATORIES:
        agreements_services.signatory_add(
            actor=coordinator,
            agreement=agreement,
            party=parties[code],
            name=name,
            function=function,
        )
    for event in data.EVENTS:
        agreements_services.agreement_event_record(actor=coordinator, agreement=agreement, **event)
    areas = {
        code: agreements_services.area_create(
            actor=coordinator, agreement=agreement, code=code, name={"en": en, "fr": fr}
        )
        for code, en, fr in data.AREAS
    }
    clauses = {
        number: agreements_services.clause_create(
            actor=coordinator,
            agreement=agreement,
            number=number,
            heading={"en": heading},
            text={"en": f"{text} {data.CLAUSE_NOTE}"},
            handling=Handling(is_illustrative=True),
        )
        for number, heading, text in data.CLAUSES
    }
    return {"agreement": agreement, "areas": areas, "clauses": clauses}


def _commitments(users, parties, world, today: dt.date) -> None:
    for spec in data.COMMITMENTS:
        actor = users[spec.actor]
        recurring = {"kind": "recurring", "recurrence": spec.recurrence} if spec.recurrence else {}
        commitment = commitments_services.commitment_create(
            actor=actor,
            agreement=world["agreement"],
            title={"en": spec.title},
            description={"en": ILLUSTRATIVE},
            responsible_party=parties[spec.party],
            clauses=[world["clauses"][spec.clause]] if spec.clause else [],
            area=world["areas"][spec.area] if spec.area else None,
            due_date=_day(spec.due, today),
            handling=Handling(
                scope=spec.scope,
                marking=Marking.GREEN if spec.scope == Scope.SHARED else Marking.AMBER,
                is_illustrative=True,
            ),
            **recurring,
        )
        if spec.status != "planned":
            commitments_services.commitment_change_status(
                actor=actor, commitment=commitment, status=spec.status, expected_version=1
            )


def _joint_meeting(coordinator, parties, world, spec: dict, day: dt.date):
    """A shared meeting of the agreement as `spec` describes it, on `day`."""
    return meetings_services.meeting_create(
        actor=coordinator,
        agreement=world["agreement"],
        handling=Handling(scope=Scope.SHARED, marking=Marking.GREEN, is_illustrative=True),
        **spec
        | {
            "starts_at": dt.datetime.combine(day, spec["starts_at"]),
            "ends_at": dt.datetime.combine(day, spec["ends_at"]),
            "host_party": parties[spec["host_party"]],
        },
    )


def _meeting(users, parties, units, world, today: dt.date) -> None:
    """A first joint meeting, held two months ago, whose decision became commitments:
    one for each party, each for its contact cell, marked as the meeting is."""
    coordinator = users[data.AGREEMENT_OWNER]
    day = _day(data.MEETING_DAY, today)
    meeting = _joint_meeting(coordinator, parties, world, data.MEETING, day)
    for title in data.MEETING_AGENDA:
        agenda_services.agenda_item_add(
            actor=coordinator, meeting=meeting, title=f"{title} ({ILLUSTRATIVE})"
        )
    meeting = meetings_services.meeting_change_status(
        actor=coordinator, meeting=meeting, status=data.MEETING_STATUS, expected_version=1
    )
    spec = data.DECISION_COMMITMENT
    for text, responsible in data.MEETING_DECISIONS:
        decision = decisions_services.decision_record(
            actor=coordinator, meeting=meeting, text=_illustrative(text)
        )
        if not responsible:
            continue
        decisions_services.decision_to_commitments(
            actor=coordinator,
            decision=decision,
            commitments=[
                {
                    "title": spec["title"],
                    "description": {"en": ILLUSTRATIVE},
                    "responsible_party": parties[code],
                    "responsible_unit": units[code],
                    "clauses": [world["clauses"][spec["clause"]]],
                    "kind": "recurring",
                    "recurrence": spec["recurrence"],
                    "due_date": day + dt.timedelta(days=spec["due_days_after_meeting"]),
                    "scope": Scope.SHARED,
                    "is_illustrative": True,
                }
                for code in responsible
            ],
        )


def _next_meeting(users, parties, world, today: dt.date) -> None:
    """The next joint meeting, planned, with a point from each party and the first
    meeting's open decisions carried over."""
    coordinator = users[data.AGREEMENT_OWNER]
    day = _day(data.NEXT_MEETING_DAY, today)
    meeting = _joint_meeting(coordinator, parties, world, data.NEXT_MEETING, day)
    for username, title in data.NEXT_MEETING_AGENDA:
        agenda_services.agenda_item_add(
            actor=users[username], meeting=meeting, title=f"{title} ({ILLUSTRATIVE})"
        )
    open_decisions = meeting_carry_over_candidates(coordinator, meeting).decisions
    agenda_services.agenda_carry_over(
        actor=coordinator, meeting=meeting, decisions=list(open_decisions)
    )


def _trainings(users, parties, world, today: dt.date) -> None:
    for spec in data.TRAININGS:
        actor = users[spec.actor]
        activity = training.training_create(
            actor=actor,
            agreement=world["agreement"],
            kind=spec.kind,
            title=spec.title,
            host_party=parties[spec.host],
            sending_party=parties[spec.sending],
            starts_on=_day(spec.starts_on, today),
            ends_on=_day(spec.ends_on, today),
            area=world["areas"][spec.area],
            place=spec.place,
            handling=Handling(scope=Scope.SHARED, marking=Marking.GREEN, is_illustrative=True),
        )
        for code, count in spec.participants:
            training.participation_set(
                actor=actor, training=activity, party=parties[code], count=count
            )
        for status in spec.statuses:
            activity = training.training_change_status(
                actor=actor, training=activity, status=status, expected_version=activity.version
            )


# The request services a step calls, by the step's action.
_REQUEST_STEPS: dict[str, Callable[..., LiaisonRequest]] = {
    "acknowledge": liaison.request_acknowledge,
    "clarify": liaison.clarification_ask,
    "answer": liaison.request_answer,
    "close": liaison.request_close,
}
# Steps that add to the thread without moving the request.
_THREAD_STEPS = frozenset({"message", "note"})


def _requests(users, units, world, now: dt.datetime) -> None:
    """Requests between the cells, each step at its own time before `now`: one overdue
    each way, one awaiting clarification, one closed, one new."""
    for spec in data.REQUESTS:
        (receiver,) = set(units) - {spec.sender}
        request = liaison.request_send(
            actor=users[spec.actor],
            agreement=world["agreement"],
            from_unit=units[spec.sender],
            to_unit=units[receiver],
            subject=spec.subject,
            body=_illustrative(spec.body),
            priority=spec.priority,
            area=world["areas"][spec.area] if spec.area else None,
            now=now - spec.ago,
            handling=Handling(marking=spec.marking, is_illustrative=True),
        )
        for step in spec.steps:
            actor = users[step.actor]
            if step.action in _THREAD_STEPS:
                liaison.message_post(
                    actor=actor,
                    request=request,
                    kind=step.action,
                    body=_illustrative(step.body),
                    now=now - step.ago,
                )
                continue
            text = {"body": _illustrative(step.body)} if step.body else {}
            request = _REQUEST_STEPS[step.action](
                actor=actor,
                request=request,
                expected_version=request.version,
                now=now - step.ago,
                **text,
            )


def _related_agreements(parties) -> None:
    """Facts reported about the two governments, for the portfolio view."""
    related = [parties[code] for code in data.RELATED_PARTIES]
    # Written under the first party, a government: no demo user belongs to it.
    actor = _system_coordinator(related[0])
    for fields, event in data.RELATED_AGREEMENTS:
        agreement = agreements_services.agreement_create(actor=actor, parties=related, **fields)
        agreements_services.agreement_event_record(actor=actor, agreement=agreement, **event)


def _system_coordinator(party: Party):
    """A coordinator account for a party that has no demo user (cannot log in)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"demo.{party.code.lower()}")
    if created:
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, party=party, role=Role.COORDINATOR)
    return user
