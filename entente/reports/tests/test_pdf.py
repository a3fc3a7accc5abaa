"""The implementation report and a meeting's agenda and minutes as PDF files, for each
role: read back from the generated file (its text, page by page), never only from the
page it was made from. Few renders: WeasyPrint takes about a second each."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from entente.reports.tests import report_world as W

VISIBLE_TO_ALL = ["Cyber overdue", "B open", "Seizures reported", "Owed past deadline",
                  "Joint committee", "Test the channel monthly"]  # fmt: skip
SECRETS = ["A internal secret", "Red eyes only"]


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(W.NOW, tick=False)


@pytest.fixture
def w(cast):
    return W.build(cast)


def pages_of(content: bytes) -> list[str]:
    """The text of each page, its lines joined: a title may wrap in a table cell."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def download(client, user, url) -> list[str]:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    return pages_of(response.content)


@pytest.mark.parametrize(
    ("username", "sees", "marking"),
    [
        ("a_officer", SECRETS, "TLP:RED"),  # a recipient of the TLP:RED commitment
        ("a_coordinator", SECRETS, "TLP:RED"),  # its party's coordinator
        ("a_reader", ["A internal secret"], "TLP:AMBER"),  # no recipient
        ("b_officer", [], "TLP:AMBER"),  # the other party
    ],
)
def test_report_pdf_holds_only_what_the_role_sees(client, cast, w, username, sees, marking):
    url = reverse("reports:agreement-report-pdf", args=[cast.agreement.public_id])
    pages = download(client, getattr(cast, username), url + "?period=2026")
    text = "\n".join(pages)
    assert [title for title in VISIBLE_TO_ALL + SECRETS if title in text] == VISIBLE_TO_ALL + sees
    assert len(pages) >= 2
    assert [page.count(marking) >= 2 for page in pages] == [True] * len(pages)  # head, foot
    if marking != "TLP:RED":
        assert "TLP:RED" not in text


@pytest.mark.parametrize(
    ("username", "sees", "marking"),
    [("a_officer", ["A internal point"], "TLP:AMBER"), ("b_officer", [], "TLP:GREEN")],
)
def test_meeting_pdf_holds_the_visible_agenda_and_minutes(client, cast, w, username, sees, marking):
    url = reverse("reports:meeting-pdf", args=[w.meeting.public_id])
    pages = download(client, getattr(cast, username), url)
    text = "\n".join(pages)
    shown = ["Shared point", "A internal point", "Test the channel monthly", "The parties met."]
    assert [line for line in shown if line in text] == [
        "Shared point",
        *sees,
        "Test the channel monthly",
        "The parties met.",
    ]
    assert all(marking in page for page in pages)


def test_report_command_writes_the_readers_pdf_in_arabic(cast, w, tmp_path):
    out, target = io.StringIO(), tmp_path / "report.pdf"
    call_command(
        "report", "letter of intent on police cooperation", "--period", "2026",
        "--pdf", str(target), "--lang", "ar", "--user", "b_officer", stdout=out,
    )  # fmt: skip
    assert out.getvalue() == f"{target}: TLP:AMBER, {target.stat().st_size} bytes.\n"
    text = "\n".join(pages_of(target.read_bytes()))
    assert "Cyber overdue" in text
    assert [secret for secret in SECRETS if secret in text] == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--user", "nobody"], "--user: no active user 'nobody'"),
        (["--user", "c_officer"], "no agreement 'AGREEMENT' that c_officer may see"),  # not seen
        (["--user", "b_officer", "--period", "20260"], "--period: give a year from 1945 to 2100"),
    ],
)
def test_report_command_refuses_clearly(cast, tmp_path, argv, message):
    options = {"--period": "2026", "--pdf": str(tmp_path / "r.pdf")}
    for flag, value in zip(argv[::2], argv[1::2], strict=True):
        options[flag] = value
    with pytest.raises(CommandError) as refusal:
        call_command("report", str(cast.agreement.public_id), *sum(options.items(), ()))
    assert str(refusal.value) == message.replace("AGREEMENT", str(cast.agreement.public_id))
    assert not (tmp_path / "r.pdf").exists()
