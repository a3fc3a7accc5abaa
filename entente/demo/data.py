"""The demo's content: the 2022 Morocco–Netherlands letter of intent and what surrounds it.

Facts come from ../shared/FACTS.md (as reported, with sources). Everything added beyond
them (clauses' wording, commitments, meetings, trainings, requests) is loaded with
`is_illustrative` set and says so in its text. Plain data only: `loader.py` writes it
through the services.

Dates that move with the calendar are given as `FromToday` (days from the day of
loading) or `NextOn` (the next such day of the year); request times as `ago` (before the
time of loading), so that what is overdue or paused is the same whenever it is loaded.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from entente.accounts.enums import Role
from entente.core.enums import Marking, Scope
from entente.core.models import Handling

TITLE_EN = "Letter of intent on police cooperation between the DGSN-DGST and the Netherlands Police"
ILLUSTRATIVE = "Illustrative example, not a reported fact."

MA, NL = "MA-DGSN-DGST", "NL-POLITIE"
MA_GOV, NL_GOV = "MA-GOV", "NL-GOV"


@dataclass(frozen=True)
class FromToday:
    """A date this many days from the day the demo is loaded (negative: before it)."""

    days: int


@dataclass(frozen=True)
class NextOn:
    """The next such day of the year, from the day the demo is loaded (that day included),
    so that a yearly commitment is never overdue because of when the demo was loaded."""

    month: int
    day: int


PARTIES = {
    MA: {
        "name_en": "General Directorate of National Security and Territorial Surveillance",
        "name_fr": "Direction générale de la Sûreté nationale et de la Surveillance du territoire",
        "name_ar": "المديرية العامة للأمن الوطني ومراقبة التراب الوطني",
        "country": "MA",
        "time_zone": "Africa/Casablanca",
        "reference_language": "fr",
    },
    NL: {
        "name_en": "Netherlands Police",
        "name_nl": "Politie",
        "name_fr": "Police néerlandaise",
        "country": "NL",
        "time_zone": "Europe/Amsterdam",
        "reference_language": "nl",
    },
    MA_GOV: {
        "name_en": "Government of the Kingdom of Morocco",
        "name_fr": "Gouvernement du Royaume du Maroc",
        "country": "MA",
        "time_zone": "Africa/Casablanca",
        "reference_language": "fr",
    },
    NL_GOV: {
        "name_en": "Government of the Kingdom of the Netherlands",
        "name_nl": "Regering van het Koninkrijk der Nederlanden",
        "country": "NL",
        "time_zone": "Europe/Amsterdam",
        "reference_language": "nl",
    },
}

# party code: name of its contact cell, the unit every demo user of the party belongs to
CONTACT_CELLS = {
    MA: "Central contact cell (DGSN-DGST)",
    NL: "Central contact cell (Politie)",
}

# The directory, kept by each party's administrator (username): each party's units beyond
# its contact cell, and its contacts (name, function, unit, phone, e-mail, languages, time
# zone, scope); a unit of None is the party's contact cell. Every person is invented, and
# says so.
DIRECTORY_KEEPERS = {MA: "ma.admin", NL: "nl.admin"}
DIRECTORY_UNITS = {
    MA: ["International cooperation directorate (illustrative)"],
    NL: ["International police information (illustrative)"],
}
DIRECTORY: dict[str, list[tuple[str, str, str | None, str, str, str, str, str]]] = {
    MA: [
        (
            "Officer A. (illustrative)",
            "Duty officer",
            None,
            "+212 5 37 00 00 01",
            "cell.ma@example.org",
            "ar,fr",
            "Africa/Casablanca",
            "shared",
        ),
        (
            "Commissioner B. (illustrative)",
            "Head of the contact cell",
            None,
            "+212 5 37 00 00 02",
            "head.ma@example.org",
            "ar,fr,en",
            "Africa/Casablanca",
            "shared",
        ),
        (
            "Analyst C. (illustrative)",
            "Desk analyst, kept internal",
            "International cooperation directorate (illustrative)",
            "+212 5 37 00 00 03",
            "",
            "ar,fr",
            "Africa/Casablanca",
            "internal",
        ),
    ],
    NL: [
        (
            "Officer D. (illustrative)",
            "Duty officer",
            None,
            "+31 70 000 00 01",
            "cell.nl@example.org",
            "nl,en,fr",
            "Europe/Amsterdam",
            "shared",
        ),
        (
            "Inspector E. (illustrative)",
            "Liaison for Morocco",
            "International police information (illustrative)",
            "+31 70 000 00 02",
            "liaison.nl@example.org",
            "nl,en,ar",
            "Europe/Amsterdam",
            "shared",
        ),
        (
            "Analyst F. (illustrative)",
            "Desk analyst, kept internal",
            None,
            "",
            "analyst.nl@example.org",
            "nl,en",
            "Europe/Amsterdam",
            "internal",
        ),
    ],
}

# username: (party code, role)
USERS = {
    "ma.coordinator": (MA, Role.COORDINATOR),
    "ma.officer": (MA, Role.OFFICER),
    "ma.reader": (MA, Role.READER),
    "ma.admin": (MA, Role.PARTY_ADMIN),
    "nl.admin": (NL, Role.PARTY_ADMIN),
    "nl.coordinator": (NL, Role.COORDINATOR),
    "nl.officer": (NL, Role.OFFICER),
    "nl.reader": (NL, Role.READER),
    "auditor": (MA, Role.AUDITOR),
}

# The technical operator: staff and superuser, for /admin/ only.
OPERATOR = "operator"

# --- The letter of intent (facts) ---

AGREEMENT: dict[str, Any] = {
    "instrument_type": "letter_of_intent",
    "title": {
        "en": TITLE_EN,
        "fr": "Déclaration d'intention sur la coopération policière entre la DGSN-DGST "
        "et la Police néerlandaise",
    },
    "reference_language": "en",
    "handling": Handling(Scope.SHARED, Marking.CLEAR),
    "place": "Rabat",
    "signed_on": dt.date(2022, 5, 10),
    "summary_en": (
        "Cooperation on information exchange, criminal investigations and police "
        "training, and sharing of security expertise, experience and knowledge. Each "
        "side designates a contact cell to handle requests quickly. The scope may be "
        "extended whenever both parties' interests require it. French reports also call "
        "it a framework agreement (accord-cadre)."
    ),
    "source_references": (
        "Le Desk, 10 May 2022; Medias24, 11 May 2022; Le360, May 2022 (visit to the "
        "BCIJ in Salé the following day)."
    ),
}
AGREEMENT_PARTIES = (MA, NL)
AGREEMENT_OWNER = "ma.coordinator"  # loads the agreement, its facts and its meeting
AGREEMENT_STATUS = "signed"

# (name, function, party code)
SIGNATORIES = (
    (
        "Abdellatif Hammouchi",
        "Director General of National Security and Territorial Surveillance",
        MA,
    ),
    ("Henk van Essen", "Korpschef (head) of the Netherlands Police", NL),
)

EVENTS: tuple[dict[str, Any], ...] = (
    {
        "kind": "signed",
        "date": dt.date(2022, 5, 10),
        "certainty": "reported",
        "source": "Le Desk, 10 May 2022; Medias24, 11 May 2022",
        "note": "Signed on Tuesday 10 May 2022 in Rabat, as French-language reports put it.",
    },
    {
        "kind": "initialed",
        "date": dt.date(2022, 5, 10),
        "certainty": "uncertain",
        "source": 'English-language report ("signed Tuesday")',
        "note": "English reports say the heads initialed the letter; French reports say signed.",
    },
)

# (code, English name, French name)
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

# (number, heading, text): illustrative, the text of the letter is not public
CLAUSES = (
    ("1", "Areas of cooperation", "Summary of the reported areas of cooperation."),
    ("2", "Contact cells", "Each party designates a contact cell for requests."),
    ("3", "Extension", "The scope may be extended by mutual interest."),
)
CLAUSE_NOTE = f"({ILLUSTRATIVE} The text of the letter is not public.)"

# --- Illustrative records around it ---


@dataclass(frozen=True)
class CommitmentSpec:
    actor: str
    party: str
    title: str
    due: dt.date | FromToday | NextOn
    status: str = "planned"
    clause: str | None = None  # the clause's number
    area: str | None = None
    scope: Scope = Scope.SHARED
    recurrence: str | None = None  # a recurring commitment when set


COMMITMENTS = (
    CommitmentSpec(
        "ma.coordinator",
        MA,
        "Designate the Moroccan contact cell",
        dt.date(2022, 6, 30),
        "done",
        clause="2",
    ),
    CommitmentSpec(
        "nl.coordinator",
        NL,
        "Designate the Dutch contact cell",
        dt.date(2022, 6, 30),
        "done",
        clause="2",
    ),
    CommitmentSpec(
        "nl.officer",
        NL,
        "Host a cybercrime investigation course for Moroccan officers",
        FromToday(20),
        "in_progress",
        clause="1",
        area="cyber",
    ),
    CommitmentSpec(
        "ma.officer",
        MA,
        "Share an assessment of drug trafficking routes",
        FromToday(-12),
        "in_progress",
        clause="1",
        area="drugs",
    ),
    CommitmentSpec(
        "ma.officer",
        MA,
        "Brief the director general before the steering committee",
        FromToday(5),
        scope=Scope.INTERNAL,
    ),
    CommitmentSpec(
        "ma.officer",
        MA,
        "Annual joint review of the cooperation",
        NextOn(12, 15),
        recurrence="yearly",
    ),
    # Each party owns a commitment the other is responsible for.
    CommitmentSpec(
        "ma.officer",
        NL,
        "Send the list of Dutch liaison officers for the directory",
        FromToday(30),
        clause="2",
    ),
    CommitmentSpec(
        "nl.officer",
        MA,
        "Confirm the Moroccan participants of the cybercrime course",
        FromToday(10),
        clause="1",
        area="cyber",
    ),
    # Done for this month: its next occurrence, due a month later, is made when it is.
    CommitmentSpec(
        "ma.officer",
        MA,
        "Monthly exchange of drug seizure statistics",
        FromToday(-5),
        "done",
        area="drugs",
        recurrence="monthly",
    ),
)

# A first joint meeting, held two months ago, whose decision became commitments.
MEETING_DAY = FromToday(-60)
MEETING: dict[str, Any] = {
    "kind": "joint_committee",
    "title": {
        "en": "First joint meeting of the contact cells",
        "fr": "Première réunion conjointe",
    },
    "starts_at": dt.time(10, 0),  # on MEETING_DAY
    "ends_at": dt.time(13, 0),
    "time_zone": "Africa/Casablanca",
    "host_party": MA,
    "place": "Rabat",
}
MEETING_AGENDA = ("Working arrangements of the contact cells", "Training programme")
MEETING_STATUS = "held"
# (decision text, parties each given a commitment by it)
MEETING_DECISIONS = (
    ("The contact cells test their secure channel every quarter.", (MA, NL)),
    ("Both sides propose training topics before the next meeting.", ()),
)
DECISION_COMMITMENT: dict[str, Any] = {
    "title": {"en": "Quarterly test of the secure channel"},
    "recurrence": "quarterly",
    "due_days_after_meeting": 90,
    "clause": "2",
}

# The next joint meeting, planned: each party proposes a point, and the host carries
# over the open decisions of the first one.
NEXT_MEETING_DAY = FromToday(45)
NEXT_MEETING: dict[str, Any] = MEETING | {
    "title": {
        "en": "Second joint meeting of the contact cells",
        "fr": "Deuxième réunion conjointe",
    },
    "place": "The Hague",
    "time_zone": "Europe/Amsterdam",
    "host_party": NL,
}
# (who proposes, the point)
NEXT_MEETING_AGENDA = (
    ("ma.coordinator", "Results of the secure channel tests"),
    ("nl.officer", "Dates of the cybercrime course"),
)


@dataclass(frozen=True)
class TrainingSpec:
    actor: str
    kind: str
    title: dict
    host: str
    sending: str
    starts_on: FromToday
    ends_on: FromToday
    area: str
    place: str
    participants: tuple[tuple[str, int], ...]  # (party code, number of people)
    statuses: tuple[str, ...] = ()  # changes after creation, in order


# One exchange in each direction: the reciprocity ledger then has both sides.
TRAININGS = (
    TrainingSpec(
        "nl.officer",
        "course",
        {"en": "Cybercrime investigation course", "nl": "Cursus cybercrimeonderzoek"},
        host=NL,
        sending=MA,
        starts_on=FromToday(-120),
        ends_on=FromToday(-116),
        area="cyber",
        place="Apeldoorn",
        participants=((MA, 8), (NL, 3)),
        statuses=("confirmed", "held"),
    ),
    TrainingSpec(
        "ma.officer",
        "study_visit",
        {"en": "Study visit on countering violent extremism", "fr": "Visite d'étude"},
        host=MA,
        sending=NL,
        starts_on=FromToday(40),
        ends_on=FromToday(42),
        area="terrorism",
        place="Rabat",
        participants=((NL, 5),),
    ),
)


@dataclass(frozen=True)
class Step:
    """What happens to a request after it is sent: `action` names a liaison service."""

    action: str  # acknowledge, message, note, clarify, answer or close
    actor: str
    body: str = ""
    ago: dt.timedelta = dt.timedelta(0)  # when, before the time of loading


@dataclass(frozen=True)
class RequestSpec:
    actor: str
    sender: str  # party code; the request goes from its contact cell to the other's
    subject: str
    body: str
    priority: str
    ago: dt.timedelta  # when it was sent, before the time of loading
    area: str | None = None
    marking: Marking = Marking.AMBER
    steps: tuple[Step, ...] = ()  # in the order they happened, each after the last


# Requests between the cells, in the order they were sent: one overdue each way (past the
# agreement's 30 days for a normal request), one closed, one new and one awaiting
# clarification (urgent, 48 hours, the clock paused).
REQUESTS = (
    RequestSpec(
        "nl.officer",
        NL,
        "Background on a seized firearms shipment",
        "Any information on the origin of the shipment.",
        "normal",
        dt.timedelta(days=40),
        area="firearms",
        steps=(
            Step("acknowledge", "ma.officer", ago=dt.timedelta(days=39)),
            Step(
                "note",
                "ma.officer",
                "Waiting for the regional service; do not share yet.",
                ago=dt.timedelta(days=25),
            ),
        ),
    ),
    RequestSpec(
        "ma.officer",
        MA,
        "Ownership of a company suspected of laundering drug proceeds",
        "Registration and ownership records of a trading company in Rotterdam.",
        "normal",
        dt.timedelta(days=36),
        area="financial",
        steps=(
            Step("acknowledge", "nl.officer", ago=dt.timedelta(days=35)),
            Step(
                "message",
                "nl.officer",
                "The Chamber of Commerce records are requested; we will answer when we have them.",
                ago=dt.timedelta(days=28),
            ),
        ),
    ),
    RequestSpec(
        "nl.officer",
        NL,
        "Contact details of the BCIJ liaison officer",
        "Please confirm the contact details.",
        "normal",
        dt.timedelta(days=20),
        steps=(
            Step(
                "answer",
                "ma.officer",
                "Confirmed; details sent through the secure channel.",
                ago=dt.timedelta(days=18),
            ),
            Step("close", "nl.officer", ago=dt.timedelta(days=17)),
        ),
    ),
    RequestSpec(
        "nl.officer",
        NL,
        "Travel movements of a person of interest",
        "Request for recent travel records.",
        "normal",
        dt.timedelta(days=3),
        area="terrorism",
    ),
    RequestSpec(
        "ma.officer",
        MA,
        "Identification of a suspect in a fraud case",
        "Can you confirm the identity behind a Dutch phone number?",
        "urgent",
        dt.timedelta(hours=20),
        area="financial",
        steps=(
            Step(
                "clarify",
                "nl.officer",
                "Which period does the request cover?",
                ago=dt.timedelta(hours=6),
            ),
        ),
    ),
)

# --- Facts reported about the two governments, for the portfolio view ---

# Loaded by a coordinator of the first party that cannot log in: no demo user belongs to it.
RELATED_AGREEMENTS: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = (
    (
        {
            "instrument_type": "agreement",
            "title": {
                "fr": "Accord de coopération Maroc–Pays-Bas et plan d'action (dont la migration)",
                "en": "Morocco–Netherlands cooperation agreement with a plan of action",
            },
            "reference_language": "fr",
            "handling": Handling(Scope.SHARED, Marking.CLEAR),
            "source_references": "Made public by the Dutch foreign minister in late 2022.",
        },
        {
            "kind": "signed",
            "date": dt.date(2021, 7, 1),
            "date_precision": "month",
            "certainty": "reported",
            "source": "Dutch foreign minister, late 2022",
            "note": "July 2021; the exact day was not reported.",
        },
    ),
    (
        {
            "instrument_type": "treaty",
            "title": {"en": "Extradition treaty (under negotiation)"},
            "handling": Handling(Scope.SHARED, Marking.CLEAR),
            "source_references": "Dutch Minister of Justice and Security, February 2023.",
        },
        {
            "kind": "drafted",
            "date": dt.date(2023, 2, 1),
            "date_precision": "month",
            "certainty": "reported",
            "source": "Dutch Minister of Justice and Security, February 2023",
            "note": "Bilateral talks toward an extradition treaty were reported.",
        },
    ),
)
RELATED_PARTIES = (MA_GOV, NL_GOV)
