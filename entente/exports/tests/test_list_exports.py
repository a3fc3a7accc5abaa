"""Exports of every list (commitments, meetings, trainings, requests, the portfolio and
the directory's contacts), as each role: the file holds exactly the rows the
role's page holds (every page of them), checked on the file itself."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.agreements.services.commitments import commitment_create
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.exports import files, writers
from entente.testing import ContactFactory, agreement_between
from entente.tests.access_world import OUTSIDERS, USERS, build

pytestmark = pytest.mark.django_db

URL = reverse("exports:commitment-export")
HEADERS = [
    "Id",
    "Commitment",
    "Agreement",
    "Area",
    "Responsible party",
    "Responsible unit",
    "Due",
    "Status",
    "Overdue",
    "Progress (%)",
    "Owner",
    "Scope",
    "Marking",
]


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.getvalue()
    assert content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def highest(markings) -> str:
    order = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]
    return max(markings, key=order.index, default="TLP:CLEAR")


@pytest.fixture
def world(cast):
    return build(cast)


def a_party_to(user, agreement) -> bool:
    """The portfolio holds the agreements the user's party is a party to."""
    return agreement.agreement_parties.filter(party=user.membership.party).exists()


def in_a_directory_of(user, contact) -> bool:
    """The directory holds the contacts of the user's party and of the parties to the
    agreements it shares with them."""
    party = user.membership.party
    return contact.owning_party == party or any(
        a_party_to(user, ap.agreement) for ap in contact.owning_party.agreement_roles.all()
    )


# Each list: its export URL, the query that shows all of it, the kind of its records,
# and which of the records a user may see it holds.
LISTS = {
    "commitments": (URL, {}, "commitment", None),
    "meetings": (reverse("exports:meeting-export"), {}, "meeting", None),
    "trainings": (reverse("exports:training-export"), {}, "training", None),
    "requests": (reverse("exports:request-export"), {"tab": "all"}, "request", None),
    "portfolio": (reverse("exports:portfolio-export"), {}, "agreement", a_party_to),
    "contacts": (reverse("exports:contact-export"), {}, "contact", in_a_directory_of),
}


@pytest.mark.parametrize("name", LISTS)
def test_each_role_exports_exactly_the_rows_it_may_see(world, name):
    url, query, kind, held = LISTS[name]
    found, expected = {}, {}
    for username in USERS + OUTSIDERS:
        client = client_of(world.users[username])
        csv_file = csv_rows(client.get(url, query | {"format": "csv"}))
        xlsx_file = xlsx_rows(client.get(url, query | {"format": "xlsx"}))
        text = " ".join(str(value) for row in csv_file + xlsx_file for value in row)
        found[username] = (
            sorted(row[0] for row in csv_file[2:]),
            sorted(row[0] for row in xlsx_file[2:]),
            csv_file[0]
            == xlsx_file[0]
            == [f"Highest marking in this file: {highest(row[-1] for row in csv_file[2:])}"],
            sorted(t for t in world.forbidden_tokens(username) if t in text),
        )
        user = world.users[username]
        rows = sorted(
            str(e.record.public_id)
            for e in world.of_kind(kind)
            if username in e.viewers and (held is None or held(user, e.record))
        )
        expected[username] = (rows, rows, True, [])
    assert found == expected


def test_every_column_has_its_header(world):
    client = client_of(world.users["a_officer"])
    assert csv_rows(client.get(URL, {"format": "csv"}))[1] == HEADERS
    assert xlsx_rows(client.get(URL, {"format": "xlsx"}))[1] == HEADERS


def test_the_red_commitment_is_in_its_recipients_export_only(world):
    red = next(e for e in world.of_kind("commitment") if e.token == "tkAREDkt")
    for username in ("a_officer", "a_reader"):
        rows = csv_rows(client_of(world.users[username]).get(URL, {"format": "csv"}))
        found = [row for row in rows[2:] if row[0] == str(red.record.public_id)]
        assert (username, len(found)) == (username, 1 if username in red.viewers else 0)
    rows = csv_rows(client_of(world.users["a_officer"]).get(URL, {"format": "csv"}))
    assert rows[0] == ["Highest marking in this file: TLP:RED"]


def test_the_export_keeps_the_filters_and_writes_every_value(cast):
    officer = cast.a_officer
    kept = commitment_create(
        actor=officer,
        agreement=cast.agreement,
        title={"en": "Train the trainers"},
        responsible_party=cast.a,
        responsible_unit=cast.a_cell,
        handling=Handling(scope=Scope.SHARED, marking=Marking.GREEN),
    )
    commitment_create(
        actor=officer,
        agreement=cast.agreement,
        title={"en": "Exchange liaison officers"},
        responsible_party=cast.a,
    )
    response = client_of(officer).get(URL, {"q": "trainers", "format": "csv", "page": "2"})
    assert csv_rows(response) == [
        ["Highest marking in this file: TLP:GREEN"],
        HEADERS,
        [
            str(kept.public_id),
            "Train the trainers",
            cast.agreement.title,
            "",
            "MA-DGSN",
            "Contact cell MA",
            "",
            "Planned",
            "",
            "0",
            "MA-DGSN",
            "Shared",
            "TLP:GREEN",
        ],
    ]


def test_every_page_is_exported_not_only_the_first(cast):
    for number in range(27):  # the page shows 25
        commitment_create(
            actor=cast.a_officer,
            agreement=cast.agreement,
            title={"en": f"Commitment {number:02}"},
            responsible_party=cast.a,
        )
    rows = xlsx_rows(client_of(cast.a_officer).get(URL, {"format": "xlsx", "sort": "title"}))
    assert [row[1] for row in rows[2:]] == [f"Commitment {n:02}" for n in range(27)]


def test_formulas_typed_by_users_are_neutralised(cast):
    for title in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)"):
        commitment_create(
            actor=cast.a_officer,
            agreement=cast.agreement,
            title={"en": title},
            responsible_party=cast.a,
        )
    client = client_of(cast.a_officer)
    expected = ["'+1", "'-2", "'=HYPERLINK(1)", "'@SUM(A1)"]
    rows = csv_rows(client.get(URL, {"format": "csv", "sort": "title"}))
    assert [row[1] for row in rows[2:]] == expected
    rows = xlsx_rows(client.get(URL, {"format": "xlsx", "sort": "title"}))
    assert [row[1] for row in rows[2:]] == expected


def test_an_export_is_audited_without_its_content(cast):
    client = client_of(cast.a_reader)
    before = AuditEvent.objects.count()
    client.get(URL, {"format": "xlsx", "status": "planned", "q": "budget"})
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor, event.target_type, event.target_id) == (
        "export",
        cast.a_reader,
        "auth.user",
        str(cast.a_reader.pk),
    )
    assert event.after == {
        "what": "commitments",
        "format": "xlsx",
        "filters": {"q": ["budget"], "status": ["planned"]},
        "rows": 0,
    }


def test_an_unknown_format_is_refused_by_name(cast):
    before = AuditEvent.objects.count()
    response = client_of(cast.a_reader).get(URL, {"format": "pdf"})
    assert response.status_code == 400
    assert "Unknown export format “pdf”: choose csv or xlsx." in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_a_wrong_filter_is_refused_naming_the_filter(cast):
    response = client_of(cast.a_reader).get(URL, {"format": "csv", "due_from": "soon"})
    assert response.status_code == 400
    assert "Due from: Enter a valid date." in response.content.decode()


def test_the_list_page_links_to_its_exports_with_its_filters(cast):
    page = client_of(cast.a_reader).get(
        reverse("agreements:commitment-list"), {"q": "x", "page": "2"}
    )
    body = page.content.decode()
    assert f'href="{URL}?q=x&amp;format=csv"' in body
    assert f'href="{URL}?q=x&amp;format=xlsx"' in body


def test_the_number_of_queries_does_not_grow_with_the_rows(cast):
    client = client_of(cast.a_officer)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"format": "xlsx"})
            assert response.getvalue().startswith(b"PK")  # the rows are read as it is sent
        return len(captured)

    def add(count: int) -> None:
        for number in range(count):
            commitment_create(
                actor=cast.a_officer,
                agreement=cast.agreement,
                title={"en": f"Commitment {number}"},
                responsible_party=cast.a,
                responsible_unit=cast.a_cell,
            )

    add(1)
    few = queries_for_export()
    add(5)
    assert queries_for_export() == few


# --- the portfolio and the directory -----------------------------------------------------

PORTFOLIO_URL = reverse("exports:portfolio-export")
CONTACTS_URL = reverse("exports:contact-export")


def test_the_portfolio_export_writes_the_page_figures(cast):
    agreement = cast.agreement
    agreement.expires_on, agreement.notice_period_days = dt.date(2030, 6, 30), 90
    agreement.save()
    commitment_create(
        actor=cast.a_officer,
        agreement=agreement,
        title={"en": "Late"},
        responsible_party=cast.a,
        due_date=dt.date(2020, 1, 31),
    )
    agreement_between(cast.b, cast.c, title_en="Not ours")
    rows = xlsx_rows(client_of(cast.a_officer).get(PORTFOLIO_URL, {"format": "xlsx"}))
    assert rows == [
        ["Highest marking in this file: TLP:AMBER"],
        PORTFOLIO_HEADERS,
        [
            str(agreement.public_id),
            "Letter of intent on police cooperation",
            "Letter of intent",
            agreement.get_status_display(),
            "MA-DGSN, NL-POL",
            dt.datetime(2022, 5, 10),
            dt.datetime(2020, 1, 31),
            dt.datetime(2030, 6, 30),
            dt.datetime(2030, 4, 1),
            1,
            1,
            0,
            "MA-DGSN",
            "Shared",
            "TLP:AMBER",
        ],
    ]


PORTFOLIO_HEADERS = [
    "Id",
    "Agreement",
    "Instrument type",
    "Status",
    "Parties",
    "Signed",
    "Next deadline",
    "Expires",
    "Notice by",
    "Open commitments",
    "Overdue commitments",
    "Open requests",
    "Owner",
    "Scope",
    "Marking",
]


def test_the_portfolio_export_keeps_its_filters(cast):
    agreement_between(cast.a, cast.b, title_en="Memorandum on training")
    client = client_of(cast.a_reader)
    rows = csv_rows(client.get(PORTFOLIO_URL, {"format": "csv", "q": "training"}))
    assert [row[1] for row in rows[2:]] == ["Memorandum on training"]
    rows = csv_rows(client.get(PORTFOLIO_URL, {"format": "csv", "sort": "title"}))
    assert [row[1] for row in rows[2:]] == [
        "Letter of intent on police cooperation",
        "Memorandum on training",
    ]


def test_the_contacts_export_writes_every_column_and_keeps_its_filters(cast):
    ContactFactory(unit=cast.b_cell, name="=Inspector Bakker", email="bakker@example.nl")
    ContactFactory(unit=cast.a_cell, name="Officer Idrissi", phone="+212 5 37 00 00 00")
    ContactFactory(unit=cast.b_cell, name="Internal at NL", scope="internal")
    client = client_of(cast.a_officer)
    rows = csv_rows(client.get(CONTACTS_URL, {"format": "csv"}))
    assert rows[:2] == [
        ["Highest marking in this file: TLP:AMBER"],
        [
            "Id",
            "Name",
            "Title",
            "Party",
            "Unit",
            "E-mail",
            "Phone",
            "Languages",
            "Time zone",
            "Owner",
            "Scope",
            "Marking",
        ],
    ]
    assert [row[1:] for row in rows[2:]] == [
        [
            "Officer Idrissi",
            "",
            "MA-DGSN",
            "Contact cell MA",
            "",
            "'+212 5 37 00 00 00",  # neutralised, as any text opening like a formula
            "",
            "",
            "MA-DGSN",
            "Shared",
            "TLP:AMBER",
        ],
        [
            "'=Inspector Bakker",
            "",
            "NL-POL",
            "Contact cell NL",
            "bakker@example.nl",
            "",
            "",
            "",
            "NL-POL",
            "Shared",
            "TLP:AMBER",
        ],
    ]
    rows = csv_rows(client.get(CONTACTS_URL, {"format": "csv", "party": "NL-POL"}))
    assert [row[1] for row in rows[2:]] == ["'=Inspector Bakker"]


def test_a_directory_the_user_may_not_open_is_refused_as_a_filter(cast):
    response = client_of(cast.c_officer).get(CONTACTS_URL, {"format": "csv", "party": "MA-DGSN"})
    assert response.status_code == 400
    assert "Party: Select a valid choice." in response.content.decode()


def test_the_portfolio_and_directory_pages_link_to_their_exports(cast):
    client = client_of(cast.a_reader)
    body = client.get(reverse("reports:agreement-list"), {"q": "x"}).content.decode()
    assert f'href="{PORTFOLIO_URL}?q=x&amp;format=csv"' in body
    body = client.get(reverse("directory:party-list")).content.decode()
    assert f'href="{CONTACTS_URL}?format=xlsx"' in body
    body = client.get(reverse("directory:party-detail", args=["NL-POL"])).content.decode()
    assert f'href="{CONTACTS_URL}?party=NL-POL&amp;format=csv"' in body


@pytest.mark.parametrize(
    ("url", "what"), [(PORTFOLIO_URL, "portfolio"), (CONTACTS_URL, "contacts")]
)
def test_the_new_exports_are_audited_like_the_others(cast, url, what):
    client_of(cast.a_reader).get(url, {"format": "csv", "q": "police"}).getvalue()
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor, event.after) == (
        "export",
        cast.a_reader,
        {
            "what": what,
            "format": "csv",
            "filters": {"q": ["police"]},
            "rows": int(what == "portfolio"),
        },
    )


# --- streaming ---------------------------------------------------------------------------


def test_the_csv_is_streamed_chunk_by_chunk_with_exact_rows(cast, monkeypatch):
    monkeypatch.setattr(files, "CHUNK_SIZE", 2)
    monkeypatch.setattr(writers, "CSV_ROWS_PER_CHUNK", 2)
    for number in range(5):
        commitment_create(
            actor=cast.a_officer,
            agreement=cast.agreement,
            title={"en": f"Commitment {number}"},
            responsible_party=cast.a,
        )
    response = client_of(cast.a_officer).get(URL, {"format": "csv", "sort": "title"})
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) == 4  # the headers, then three chunks of at most two rows
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert rows[0] == ["Highest marking in this file: TLP:AMBER"]
    assert [row[1] for row in rows[1:]] == ["Commitment", *[f"Commitment {n}" for n in range(5)]]


def test_the_xlsx_is_streamed_from_a_temporary_file(cast):
    response = client_of(cast.a_officer).get(URL, {"format": "xlsx"})
    assert response.streaming
    assert response["Content-Type"] == writers.CONTENT_TYPES["xlsx"]
    assert xlsx_rows(response)[1] == HEADERS
