"""The demo: the 2022 Morocco–Netherlands letter of intent, loaded through the services.

Facts come from ../shared/FACTS.md (as reported, with sources). Everything this module
adds beyond them (clauses' wording, commitments, meetings, trainings, requests) is
flagged `is_illustrative` and says so in its text.
"""

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from entente.accounts.enums import Role
from entente.accounts.models import Membership, Party, Unit
from entente.agreements import services as agreements
from entente.agreements.models import Agreement
from entente.core.enums import Marking, Scope
from entente.liaison import services as liaison
from entente.meetings import services as meetings
from entente.training import services as training

TITLE_EN = "Letter of intent on police cooperation between the DGSN-DGST and the Netherlands Police"
ILLUSTRATIVE = "Illustrative example, not a reported fact."

PARTIES = {
    "MA-DGSN-DGST": {
        "name_en": "General Directorate of National Security and Territorial Surveillance",
        "name_fr": "Direction générale de la Sûreté nationale et de la Surveillance du territoire",
        "name_ar": "المديرية العامة للأمن الوطني ومراقبة التراب الوطني",
        "country": "MA",
        "time_zone": "Africa/Casablanca",
        "reference_language": "fr",
    },
    "NL-POLITIE": {
        "name_en": "Netherlands Police",
        "name_nl": "Politie",
        "name_fr": "Police néerlandaise",
        "country": "NL",
        "time_zone": "Europe/Amsterdam",
        "reference_language": "nl",
    },
    "MA-GOV": {
        "name_en": "Government of the Kingdom of Morocco",
        "name_fr": "Gouvernement du Royaume du Maroc",
        "country": "MA",
        "time_zone": "Africa/Casablanca",
        "reference_language": "fr",
    },
    "NL-GOV": {
        "name_en": "Government of the Kingdom of the Netherlands",
        "name_nl": "Regering van het Koninkrijk der Nederlanden",
        "country": "NL",
        "time_zone": "Europe/Amsterdam",
        "reference_language": "nl",
    },
}

# username: (party code, role)
USERS = {
    "ma.coordinator": ("MA-DGSN-DGST", Role.COORDINATOR),
    "ma.officer": ("MA-DGSN-DGST", Role.OFFICER),
    "ma.reader": ("MA-DGSN-DGST", Role.READER),
    "ma.admin": ("MA-DGSN-DGST", Role.PARTY_ADMIN),
    "nl.coordinator": ("NL-POLITIE", Role.COORDINATOR),
    "nl.officer": ("NL-POLITIE", Role.OFFICER),
    "nl.reader": ("NL-POLITIE", Role.READER),
    "auditor": ("MA-DGSN-DGST", Role.AUDITOR),
}

AREAS = [
    ("terrorism", "Terrorism and violent extremism", "Terrorisme et extrémisme violent"),
    ("drugs", "Drug-related crime", "Criminalité liée aux drogues"),
    ("firearms", "Illegal firearms trafficking", "Trafic d'armes à feu"),
    (
        "trafficking",
        "Human trafficking and illegal immigration",
        "Traite des êtres humains et immigration illégale",
    ),
    (
        "financial",
        "Money laundering and financial and economic crime",
        "Blanchiment et criminalité économique et financière",
    ),
    ("cyber", "Cybercrime", "Cybercriminalité"),
    ("training", "Police training", "Formation policière"),
    ("research", "Criminal investigations (research)", "Enquêtes criminelles"),
    ("expertise", "Sharing of security expertise", "Partage de l'expertise sécuritaire"),
]


@dataclass
class DemoResult:
    created: bool
    password: str | None
    usernames: list[str] = field(default_factory=list)


def load_demo(*, password: str | None = None) -> DemoResult:
    """Load the demo once; later calls change nothing (unless a password is given)."""
    with transaction.atomic():
        parties = {code: _party(code, values) for code, values in PARTIES.items()}
        units = {
            "MA-DGSN-DGST": _unit(parties["MA-DGSN-DGST"], "Central contact cell (DGSN-DGST)"),
            "NL-POLITIE": _unit(parties["NL-POLITIE"], "Central contact cell (Politie)"),
        }
        created_users = _users(parties, units, password)
        if Agreement.objects.filter(title_en=TITLE_EN).exists():
            return DemoResult(created=False, password=password, usernames=sorted(USERS))
        password = password or created_users
        users = {u.username: u for u in get_user_model().objects.filter(username__in=USERS)}
        world = _agreement(users, parties)
        _illustrative_commitments(users, parties, world)
        _illustrative_meeting(users, parties, world)
        _illustrative_trainings(users, parties, world)
        _illustrative_requests(users, units, world)
        _related_agreements(parties)
    return DemoResult(created=True, password=password, usernames=sorted(USERS))


def _party(code: str, values: dict) -> Party:
    party, _ = Party.objects.get_or_create(
        code=code, defaults={"name": values["name_en"], **values}
    )
    return party


def _unit(party: Party, name: str) -> Unit:
    unit, _ = Unit.objects.get_or_create(party=party, name=name, defaults={"is_contact_cell": True})
    return unit


def _users(parties, units, password: str | None) -> str | None:
    """Create missing demo users; returns the generated password if any were created."""
    User = get_user_model()
    generated = None
    for username, (code, role) in USERS.items():
        user, created = User.objects.get_or_create(username=username)
        if created or password:
            if not password and generated is None:
                generated = secrets.token_urlsafe(12)
            user.set_password(password or generated)
            user.save()
        Membership.objects.get_or_create(
            user=user, defaults={"party": parties[code], "role": role, "unit": units[code]}
        )
    operator, created = User.objects.get_or_create(
        username="operator", defaults={"is_staff": True, "is_superuser": True}
    )
    if created or password:
        if not password and generated is None:
            generated = secrets.token_urlsafe(12)
        operator.set_password(password or generated)
        operator.save()
    return generated


def _agreement(users, parties) -> dict:
    ma, nl = parties["MA-DGSN-DGST"], parties["NL-POLITIE"]
    coordinator = users["ma.coordinator"]
    agreement = agreements.agreement_create(
        actor=coordinator,
        instrument_type="letter_of_intent",
        title={
            "en": TITLE_EN,
            "fr": "Déclaration d'intention sur la coopération policière entre la DGSN-DGST "
            "et la Police néerlandaise",
        },
        reference_language="en",
        parties=[ma, nl],
        scope=Scope.SHARED,
        marking=Marking.CLEAR,
        place="Rabat",
        signed_on=dt.date(2022, 5, 10),
        summary_en=(
            "Cooperation on information exchange, criminal investigations and police "
            "training, and sharing of security expertise, experience and knowledge. Each "
            "side designates a contact cell to handle requests quickly. The scope may be "
            "extended whenever both parties' interests require it. French reports also call "
            "it a framework agreement (accord-cadre)."
        ),
        source_references=(
            "Le Desk, 10 May 2022; Medias24, 11 May 2022; Le360, May 2022 (visit to the "
            "BCIJ in Salé the following day)."
        ),
    )
    agreement = agreements.agreement_change_status(
        actor=coordinator, agreement=agreement, status="signed", expected_version=1
    )
    for name, function, party in (
        (
            "Abdellatif Hammouchi",
            "Director General of National Security and Territorial Surveillance",
            ma,
        ),
        ("Henk van Essen", "Korpschef (head) of the Netherlands Police", nl),
    ):
        agreements.signatory_add(
            actor=coordinator, agreement=agreement, party=party, name=name, function=function
        )
    agreements.agreement_event_record(
        actor=coordinator,
        agreement=agreement,
        kind="signed",
        date=dt.date(2022, 5, 10),
        certainty="reported",
        source="Le Desk, 10 May 2022; Medias24, 11 May 2022",
        note="Signed on Tuesday 10 May 2022 in Rabat, as French-language reports put it.",
    )
    agreements.agreement_event_record(
        actor=coordinator,
        agreement=agreement,
        kind="initialed",
        date=dt.date(2022, 5, 10),
        certainty="uncertain",
        source='English-language report ("signed Tuesday")',
        note="English reports say the heads initialed the letter; French reports say signed.",
    )
    areas = {
        code: agreements.area_create(
            actor=coordinator,
            agreement=agreement,
            code=code,
            name={"en": en, "fr": fr},
        )
        for code, en, fr in AREAS
    }
    clauses = [
        agreements.clause_create(
            actor=coordinator,
            agreement=agreement,
            number=number,
            heading={"en": heading},
            text={"en": f"{text} ({ILLUSTRATIVE} The text of the letter is not public.)"},
            is_illustrative=True,
        )
        for number, heading, text in (
            ("1", "Areas of cooperation", "Summary of the reported areas of cooperation."),
            ("2", "Contact cells", "Each party designates a contact cell for requests."),
            ("3", "Extension", "The scope may be extended by mutual interest."),
        )
    ]
    return {"agreement": agreement, "areas": areas, "clauses": clauses}


def _illustrative_commitments(users, parties, world) -> None:
    ma, nl = parties["MA-DGSN-DGST"], parties["NL-POLITIE"]
    agreement, areas, clauses = world["agreement"], world["areas"], world["clauses"]
    today = timezone.localdate()
    specs = [
        (
            "ma.coordinator",
            ma,
            "Designate the Moroccan contact cell",
            clauses[1],
            None,
            dt.date(2022, 6, 30),
            "done",
            Scope.SHARED,
        ),
        (
            "nl.coordinator",
            nl,
            "Designate the Dutch contact cell",
            clauses[1],
            None,
            dt.date(2022, 6, 30),
            "done",
            Scope.SHARED,
        ),
        (
            "nl.officer",
            nl,
            "Host a cybercrime investigation course for Moroccan officers",
            clauses[0],
            "cyber",
            today + dt.timedelta(days=20),
            "in_progress",
            Scope.SHARED,
        ),
        (
            "ma.officer",
            ma,
            "Share an assessment of drug trafficking routes",
            clauses[0],
            "drugs",
            today - dt.timedelta(days=12),
            "in_progress",
            Scope.SHARED,
        ),
        (
            "ma.officer",
            ma,
            "Brief the director general before the steering committee",
            None,
            None,
            today + dt.timedelta(days=5),
            "planned",
            Scope.INTERNAL,
        ),
    ]
    world["commitments"] = []
    for username, party, title, clause, area, due, status, scope in specs:
        commitment = agreements.commitment_create(
            actor=users[username],
            agreement=agreement,
            title={"en": title},
            description={"en": ILLUSTRATIVE},
            responsible_party=party,
            clauses=[clause] if clause else [],
            area=areas[area] if area else None,
            due_date=due,
            scope=scope,
            marking=Marking.GREEN if scope == Scope.SHARED else Marking.AMBER,
            is_illustrative=True,
        )
        if status != "planned":
            commitment = agreements.commitment_change_status(
                actor=users[username], commitment=commitment, status=status, expected_version=1
            )
        world["commitments"].append(commitment)
    agreements.commitment_create(
        actor=users["ma.officer"],
        agreement=agreement,
        title={"en": "Annual joint review of the cooperation"},
        description={"en": ILLUSTRATIVE},
        responsible_party=ma,
        kind="recurring",
        recurrence="yearly",
        due_date=dt.date(today.year, 12, 15),
        scope=Scope.SHARED,
        marking=Marking.GREEN,
        is_illustrative=True,
    )


def _related_agreements(parties) -> None:
    """Facts reported about the two governments, for the portfolio view."""
    ma, nl = parties["MA-GOV"], parties["NL-GOV"]
    # Written directly by the demo loader under the MA-GOV party: no demo user belongs to it.
    operator_actor = _system_coordinator(ma)
    plan = agreements.agreement_create(
        actor=operator_actor,
        instrument_type="agreement",
        title={
            "fr": "Accord de coopération Maroc–Pays-Bas et plan d'action (dont la migration)",
            "en": "Morocco–Netherlands cooperation agreement with a plan of action",
        },
        reference_language="fr",
        parties=[ma, nl],
        scope=Scope.SHARED,
        marking=Marking.CLEAR,
        source_references="Made public by the Dutch foreign minister in late 2022.",
    )
    agreements.agreement_event_record(
        actor=operator_actor,
        agreement=plan,
        kind="signed",
        date=dt.date(2021, 7, 1),
        date_precision="month",
        certainty="reported",
        source="Dutch foreign minister, late 2022",
        note="July 2021; the exact day was not reported.",
    )
    treaty = agreements.agreement_create(
        actor=operator_actor,
        instrument_type="treaty",
        title={"en": "Extradition treaty (under negotiation)"},
        parties=[ma, nl],
        scope=Scope.SHARED,
        marking=Marking.CLEAR,
        source_references="Dutch Minister of Justice and Security, February 2023.",
    )
    agreements.agreement_event_record(
        actor=operator_actor,
        agreement=treaty,
        kind="drafted",
        date=dt.date(2023, 2, 1),
        date_precision="month",
        certainty="reported",
        source="Dutch Minister of Justice and Security, February 2023",
        note="Bilateral talks toward an extradition treaty were reported.",
    )


def _system_coordinator(party: Party):
    """A coordinator account for a party that has no demo user (cannot log in)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"demo.{party.code.lower()}")
    if created:
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, party=party, role=Role.COORDINATOR)
    return user


def _illustrative_meeting(users, parties, world) -> None:
    """A first joint meeting, held two months ago, whose decision became commitments."""
    ma, nl = parties["MA-DGSN-DGST"], parties["NL-POLITIE"]
    coordinator = users["ma.coordinator"]
    day = timezone.localdate() - dt.timedelta(days=60)
    meeting = meetings.meeting_create(
        actor=coordinator,
        agreement=world["agreement"],
        kind="joint_committee",
        title={
            "en": "First joint meeting of the contact cells",
            "fr": "Première réunion conjointe",
        },
        starts_at=dt.datetime.combine(day, dt.time(10, 0)),
        ends_at=dt.datetime.combine(day, dt.time(13, 0)),
        time_zone="Africa/Casablanca",
        host_party=ma,
        place="Rabat",
        scope=Scope.SHARED,
        marking=Marking.GREEN,
        is_illustrative=True,
    )
    for title in ("Working arrangements of the contact cells", "Training programme"):
        meetings.agenda_item_add(
            actor=coordinator, meeting=meeting, title=f"{title} ({ILLUSTRATIVE})"
        )
    meeting = meetings.meeting_change_status(
        actor=coordinator, meeting=meeting, status="held", expected_version=1
    )
    decision = meetings.decision_record(
        actor=coordinator,
        meeting=meeting,
        text=f"The contact cells test their secure channel every quarter. {ILLUSTRATIVE}",
    )
    meetings.decision_to_commitments(
        actor=coordinator,
        decision=decision,
        commitments=[
            {
                "title": {"en": "Quarterly test of the secure channel"},
                "description": {"en": ILLUSTRATIVE},
                "responsible_party": party,
                "kind": "recurring",
                "recurrence": "quarterly",
                "due_date": day + dt.timedelta(days=90),
                "scope": Scope.SHARED,
                "marking": Marking.GREEN,
                "is_illustrative": True,
            }
            for party in (ma, nl)
        ],
    )
    meetings.decision_record(
        actor=coordinator,
        meeting=meeting,
        text=f"Both sides propose training topics before the next meeting. {ILLUSTRATIVE}",
    )


def _illustrative_trainings(users, parties, world) -> None:
    """One exchange in each direction: the reciprocity ledger then has both sides."""
    ma, nl = parties["MA-DGSN-DGST"], parties["NL-POLITIE"]
    today = timezone.localdate()
    held = training.training_create(
        actor=users["nl.officer"],
        agreement=world["agreement"],
        kind="course",
        title={"en": "Cybercrime investigation course", "nl": "Cursus cybercrimeonderzoek"},
        host_party=nl,
        sending_party=ma,
        starts_on=today - dt.timedelta(days=120),
        ends_on=today - dt.timedelta(days=116),
        area=world["areas"]["cyber"],
        place="Apeldoorn",
        scope=Scope.SHARED,
        marking=Marking.GREEN,
        is_illustrative=True,
    )
    training.participation_set(actor=users["nl.officer"], training=held, party=ma, count=8)
    training.participation_set(actor=users["nl.officer"], training=held, party=nl, count=3)
    for status, version in (("confirmed", 1), ("held", 2)):
        held = training.training_change_status(
            actor=users["nl.officer"], training=held, status=status, expected_version=version
        )
    planned = training.training_create(
        actor=users["ma.officer"],
        agreement=world["agreement"],
        kind="study_visit",
        title={"en": "Study visit on countering violent extremism", "fr": "Visite d'étude"},
        host_party=ma,
        sending_party=nl,
        starts_on=today + dt.timedelta(days=40),
        ends_on=today + dt.timedelta(days=42),
        area=world["areas"]["terrorism"],
        place="Rabat",
        scope=Scope.SHARED,
        marking=Marking.GREEN,
        is_illustrative=True,
    )
    training.participation_set(actor=users["ma.officer"], training=planned, party=nl, count=5)


def _illustrative_requests(users, units, world) -> None:
    """Requests between the cells: one overdue, one awaiting clarification, one closed."""
    ma_cell, nl_cell = units["MA-DGSN-DGST"], units["NL-POLITIE"]
    now = timezone.now()
    agreement, areas = world["agreement"], world["areas"]
    overdue = liaison.request_send(
        actor=users["nl.officer"],
        agreement=agreement,
        from_unit=nl_cell,
        to_unit=ma_cell,
        subject="Background on a seized firearms shipment",
        body=f"Any information on the origin of the shipment. {ILLUSTRATIVE}",
        priority="normal",
        area=areas["firearms"],
        is_illustrative=True,
        now=now - dt.timedelta(days=40),
    )
    overdue = liaison.request_acknowledge(
        actor=users["ma.officer"],
        request=overdue,
        expected_version=1,
        now=now - dt.timedelta(days=39),
    )
    liaison.message_post(
        actor=users["ma.officer"],
        request=overdue,
        kind="note",
        body=f"Waiting for the regional service; do not share yet. {ILLUSTRATIVE}",
    )
    clarify = liaison.request_send(
        actor=users["ma.officer"],
        agreement=agreement,
        from_unit=ma_cell,
        to_unit=nl_cell,
        subject="Identification of a suspect in a fraud case",
        body=f"Can you confirm the identity behind a Dutch phone number? {ILLUSTRATIVE}",
        priority="urgent",
        area=areas["financial"],
        is_illustrative=True,
        now=now - dt.timedelta(hours=20),
    )
    liaison.clarification_ask(
        actor=users["nl.officer"],
        request=clarify,
        body=f"Which period does the request cover? {ILLUSTRATIVE}",
        expected_version=1,
        now=now - dt.timedelta(hours=6),
    )
    closed = liaison.request_send(
        actor=users["nl.officer"],
        agreement=agreement,
        from_unit=nl_cell,
        to_unit=ma_cell,
        subject="Contact details of the BCIJ liaison officer",
        body=f"Please confirm the contact details. {ILLUSTRATIVE}",
        priority="normal",
        is_illustrative=True,
        now=now - dt.timedelta(days=20),
    )
    closed = liaison.request_answer(
        actor=users["ma.officer"],
        request=closed,
        body=f"Confirmed; details sent through the secure channel. {ILLUSTRATIVE}",
        expected_version=1,
        now=now - dt.timedelta(days=18),
    )
    liaison.request_close(
        actor=users["nl.officer"], request=closed, expected_version=closed.version, now=now
    )
    liaison.request_send(
        actor=users["nl.officer"],
        agreement=agreement,
        from_unit=nl_cell,
        to_unit=ma_cell,
        subject="Travel movements of a person of interest",
        body=f"Request for recent travel records. {ILLUSTRATIVE}",
        priority="normal",
        area=areas["terrorism"],
        marking=Marking.AMBER,
        is_illustrative=True,
        now=now - dt.timedelta(days=3),
    )
