"""The import: the shipped example, dry runs, all or nothing, the command line."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from entente.agreements.models import Commitment
from entente.audit.models import AuditEvent
from entente.imports import kinds
from entente.imports.mapping import load_mapping
from entente.imports.reading import read_table
from entente.imports.services import import_table

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE = EXAMPLES / "commitments-example.xlsx"
EXAMPLE_MAPPING = EXAMPLES / "commitments-example.mapping.json"

AGREEMENT_ID = "{agreement}"

EXPECTED = [
    ("Désigner le point de contact central", dt.date(2026, 3, 15), "done", 100, "MA-DGSN"),
    ("Contactpunt Politie aanwijzen", dt.date(2026, 4, 1), "done", 100, "NL-POL"),
    ("Échanger les listes de correspondants", dt.date(2026, 6, 30), "in_progress", 40, "MA-DGSN"),
    ("Jaarlijks overzicht van verzoeken", dt.date(2026, 9, 30), "planned", 0, "NL-POL"),
    ("Atelier sur la cybercriminalité", dt.date(2026, 11, 20), "deferred", 0, "MA-DGSN"),
    ("Evaluatie van de samenwerking", dt.date(2026, 12, 15), "in_progress", 25, "NL-POL"),
]


def _commitments():
    return [
        (c.title_fr, c.due_date, c.status, c.progress, c.responsible_party.code)
        for c in Commitment.objects.order_by("due_date")
    ]


def _import_example(cast, *, dry_run: bool):
    mapping = load_mapping(EXAMPLE_MAPPING)
    table = read_table(EXAMPLE, sheet=mapping.sheet, header_row=mapping.header_row)
    return import_table(
        actor=cast.a_officer,
        agreement=cast.agreement,
        table=table,
        mapping=mapping,
        dry_run=dry_run,
    )


def test_the_shipped_example_imports_every_row_and_skips_the_blank_and_total_rows(cast):
    outcome = _import_example(cast, dry_run=False)

    assert (outcome.imported, outcome.problems) == (True, [])
    assert outcome.skipped == [(8, "blank row"), (12, "total row")]
    assert [row for row, _values in outcome.created] == [5, 6, 7, 9, 10, 11]
    assert _commitments() == EXPECTED
    assert {
        (c.scope, c.marking, c.reference_language, c.owning_party.code)
        for c in Commitment.objects.all()
    } == {("shared", "TLP:GREEN", "fr", "MA-DGSN")}
    assert (
        Commitment.objects.get(title_fr__startswith="Échanger").description_fr == "Liste NL reçue"
    )


def test_a_dry_run_shows_what_it_would_create_and_writes_nothing(cast):
    events = AuditEvent.objects.count()

    outcome = _import_example(cast, dry_run=True)

    assert (outcome.imported, outcome.problems) == (False, [])
    assert outcome.created[2] == (
        7,
        {
            "title": "Échanger les listes de correspondants",
            "description": "Liste NL reçue",
            "due_date": "2026-06-30",
            "status": "in_progress",
            "progress": "40",
            "responsible_party": str(cast.a),
            "reference_language": "fr",
            "scope": "shared",
            "marking": "TLP:GREEN",
        },
    )
    assert (Commitment.objects.count(), AuditEvent.objects.count()) == (0, events)


def _csv(path: Path, rows: list[str], header: str = "Titre;Échéance;Statut") -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8-sig")
    return path


def test_one_bad_row_among_ten_thousand_imports_nothing_and_names_the_row(cast, tmp_path):
    # File row n holds commitment n - 1 (row 1 is the header); row 7342's date does not exist.
    rows = [f"Engagement {n};{n % 28 + 1:02d}/03/2026;Prévu" for n in range(1, 10_000 + 1)]
    rows[7342 - 2] = "Engagement 7341;31/02/2026;Prévu"
    file = _csv(tmp_path / "big.csv", rows)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        '{"kind": "commitments", "columns": {"Titre": "title", "Échéance": "due_date",'
        ' "Statut": "status"}, "values": {"status": {"Prévu": "planned"}}}'
    )

    with pytest.raises(CommandError, match=r"^1 problem\(s\) in the file; nothing was imported\.$"):
        call_command(
            "import",
            str(file),
            "--agreement",
            str(cast.agreement.public_id),
            "--user",
            "a_officer",
            "--mapping",
            str(mapping),
            stdout=(out := _Out()),
            stderr=_Out(),
        )

    assert out.lines() == [
        "row 7342, column “Échéance”: “31/02/2026” is not a day of the calendar."
    ]
    assert Commitment.objects.count() == 0


class _Out:
    """A stream for call_command that keeps what was written."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return False

    def lines(self):
        return self.text.splitlines()


def test_an_import_killed_halfway_leaves_no_row(cast, tmp_path, monkeypatch):
    calls = []
    real = kinds.commitment_create

    def dies_on_the_100th(**kwargs):
        calls.append(1)
        if len(calls) == 100:
            raise KeyboardInterrupt  # the operator's Ctrl+C, or the process killed
        return real(**kwargs)

    monkeypatch.setattr(kinds, "commitment_create", dies_on_the_100th)
    # Without a mapping, columns named as the fields are taken.
    file = _csv(
        tmp_path / "rows.csv",
        [f"Engagement {n};2026-03-03;planned" for n in range(150)],
        header="Title;Due date;Status",
    )
    events = AuditEvent.objects.count()

    with pytest.raises(KeyboardInterrupt):
        call_command(
            "import",
            str(file),
            "--agreement",
            str(cast.agreement.public_id),
            "--user",
            "a_officer",
            stdout=_Out(),
            stderr=_Out(),
        )

    assert (len(calls), Commitment.objects.count(), AuditEvent.objects.count()) == (100, 0, events)


def _command(cast, file: Path, *args: str, user: str = "a_officer", tty: bool = False):
    out, err = _Out(), _Out()
    err.isatty = lambda: tty  # type: ignore[method-assign]
    call_command(
        "import",
        str(file),
        "--agreement",
        str(cast.agreement.public_id),
        "--user",
        user,
        *args,
        stdout=out,
        stderr=err,
    )
    return out, err


def test_the_command_imports_the_example_with_a_progress_bar(cast):
    out, err = _command(cast, EXAMPLE, "--mapping", str(EXAMPLE_MAPPING), tty=True)

    assert out.lines()[:2] == ["row 8: skipped (blank row)", "row 12: skipped (total row)"]
    assert out.lines()[2].startswith("Imported 6 record(s) in ")
    assert "importing: 100%" in err.text and "6/6" in err.text
    assert _commitments() == EXPECTED


def test_the_command_dry_run_lists_what_it_would_create(cast):
    out, _err = _command(cast, EXAMPLE, "--mapping", str(EXAMPLE_MAPPING), "--dry-run")

    assert out.lines()[-1] == "Dry run: 6 record(s) would be created; nothing written."
    assert out.lines()[2].startswith("row 5: would create {'title': 'Désigner le point de contact")
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "user", "message"),
    [
        ((), "a_reader", "Your role does not allow changes."),
        ((), "c_officer", f"no agreement '{AGREEMENT_ID}' that c_officer may see"),
        ((), "nobody", "--user: no active user 'nobody'"),
        (
            ("--mapping", "/nonexistent.json"),
            "a_officer",
            "mapping: The mapping file cannot be read: ",
        ),
    ],
)
def test_the_command_refuses_in_one_line(cast, args, user, message):
    message = message.replace(AGREEMENT_ID, str(cast.agreement.public_id))
    with pytest.raises(CommandError) as refused:
        _command(cast, EXAMPLE, *args, user=user)

    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)
    assert Commitment.objects.count() == 0


def test_an_agreement_is_named_by_its_title_too(cast):
    with pytest.raises(CommandError, match="^no agreement 'Another' that a_officer may see$"):
        call_command("import", str(EXAMPLE), "--agreement", "Another", "--user", "a_officer")


def test_meetings_and_trainings_are_imported_by_their_services(cast, tmp_path):
    meetings = _csv(
        tmp_path / "meetings.csv",
        ["Comité mixte;joint_committee;5 mai 2026 10h00;05/05/2026 12:00"],
        header="Title;Kind;Starts;Ends",
    )
    mapping = tmp_path / "meetings.json"
    mapping.write_text(
        '{"kind": "meetings", "columns": {"Title": "title", "Kind": "kind",'
        ' "Starts": "starts_at", "Ends": "ends_at"}, "defaults": {"reference_language": "fr"}}'
    )
    _command(cast, meetings, "--mapping", str(mapping))
    trainings = _csv(
        tmp_path / "trainings.csv",
        ["Cyber course;course;NL-POL;1 april 2026;3 april 2026"],
        header="Title;Kind;Sending;From;To",
    )
    mapping.write_text(
        '{"kind": "trainings", "columns": {"Title": "title", "Kind": "kind",'
        ' "Sending": "sending_party", "From": "starts_on", "To": "ends_on"}}'
    )
    _command(cast, trainings, "--mapping", str(mapping))

    meeting = cast.agreement.meetings.get()
    training = cast.agreement.trainings.get()
    assert (meeting.title_fr, meeting.kind, meeting.time_zone, meeting.host_party) == (
        "Comité mixte",
        "joint_committee",
        "Africa/Casablanca",
        cast.a,
    )
    assert (meeting.starts_at.isoformat(), meeting.ends_at.isoformat()) == (
        "2026-05-05T09:00:00+00:00",
        "2026-05-05T11:00:00+00:00",
    )
    assert (
        training.title_en,
        training.starts_on,
        training.ends_on,
        training.host_party,
        training.sending_party,
    ) == ("Cyber course", dt.date(2026, 4, 1), dt.date(2026, 4, 3), cast.a, cast.b)
