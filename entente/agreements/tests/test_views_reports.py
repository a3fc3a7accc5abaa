"""Progress reports on the commitment page: the responsible party's form and the
timeline, the owner's Accept and Answer; and saving progress without a status change."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.accounts.enums import Role
from entente.agreements.models import Commitment, ProgressReport
from entente.agreements.services.commitments import commitment_change_status, commitment_create
from entente.agreements.services.reports import progress_report_answer, progress_report_submit
from entente.attachments.models import Attachment
from entente.audit.models import AuditEvent
from entente.core.enums import Scope
from entente.testing import member, with_handling

pytestmark = pytest.mark.django_db

NOT_RESPONSIBLE = "Only the party responsible for this commitment reports on it."
NOT_OWNER = "Only the party that owns the commitment accepts or answers its reports."
READ_ONLY = "Your role does not allow changes."


def a_commitment(cast, **fields) -> Commitment:
    """Owned by A, B responsible, shared."""
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Train forty officers"},
        "responsible_party": cast.b,
        "due_date": dt.date(2031, 6, 30),
        "scope": Scope.SHARED,
    }
    return commitment_create(**with_handling(defaults | fields))


def report(cast, commitment, **fields) -> ProgressReport:
    defaults = {"actor": cast.b_officer, "commitment": commitment, "progress": 40}
    return progress_report_submit(**(defaults | fields))


def detail(commitment) -> str:
    return reverse("agreements:commitment-detail", args=[commitment.public_id])


def create_url(commitment) -> str:
    return reverse("agreements:report-create", args=[commitment.public_id])


def accept_url(made) -> str:
    return reverse("agreements:report-accept", args=[made.public_id])


def answer_url(made) -> str:
    return reverse("agreements:report-answer", args=[made.public_id])


def evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n", content_type="application/pdf")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def counts() -> tuple[int, int, int]:
    return (ProgressReport.objects.count(), Attachment.objects.count(), AuditEvent.objects.count())


@pytest.fixture
def b_reader(cast):
    return member("b_reader", cast.b, Role.READER, cast.b_cell)


# --- the page ---------------------------------------------------------------------------


def test_the_responsible_party_is_offered_the_report_form(client, cast):
    commitment = a_commitment(cast)
    client.force_login(cast.b_officer)
    response = client.get(detail(commitment))
    assert response.status_code == 200
    form = response.context["report_form"]
    assert form.fields["proposed_status"].choices == [
        ("", "No change"),
        ("in_progress", "In progress"),
        ("done", "Done"),
        ("deferred", "Deferred"),
        ("cancelled", "Cancelled"),
    ]
    assert (form["scope"].value(), form["progress"].value()) == ("shared", 0)
    html = response.content.decode()
    assert "Report progress" in html
    assert f'action="{create_url(commitment)}"' in html
    # B sees A's commitment but does not change it.
    assert response.context["status_form"] is None


@pytest.mark.parametrize("who", ["a_officer", "a_coordinator", "a_reader", "b_reader"])
def test_others_are_not_offered_the_report_form(client, cast, b_reader, who):
    commitment = a_commitment(cast)
    client.force_login(b_reader if who == "b_reader" else getattr(cast, who))
    response = client.get(detail(commitment))
    assert response.status_code == 200
    assert response.context["report_form"] is None
    assert create_url(commitment) not in response.content.decode()


def test_the_timeline_shows_reports_newest_first_with_their_files(client, cast):
    commitment = a_commitment(cast)
    first = report(cast, commitment, progress=20, note="Course planned.")
    second = report(
        cast,
        commitment,
        progress=100,
        proposed_status="done",
        note="Course held.",
        period_start=dt.date(2031, 1, 1),
        period_end=dt.date(2031, 3, 31),
        indicator_value=Decimal(40),
        files=[evidence()],
    )
    report(cast, commitment, progress=30, scope=Scope.INTERNAL, note="Budget is short.")
    progress_report_answer(
        actor=cast.a_officer, report=first, expected_version=1, answer="Which dates?"
    )
    client.force_login(cast.a_officer)
    response = client.get(detail(commitment))
    assert [r.note for r in response.context["reports"]] == ["Course held.", "Course planned."]
    html = response.content.decode()
    assert "Budget is short." not in html
    assert "NL-POL, b_officer" in html
    trail = reverse("records:record-trail", args=["agreements.progressreport", second.public_id])
    assert f'href="{trail}"' in html
    assert "100 % done; proposed status: Done" in html
    assert "Indicator: 40.00 for" in html
    attachment = Attachment.objects.get()
    assert f'href="{reverse("attachments:download", args=[attachment.public_id])}"' in html
    assert "Answered by a_officer" in html and "Which dates?" in html
    # The owner answers only what is still submitted.
    assert [getattr(r, "answer_form", None) is not None for r in response.context["reports"]] == [
        True,
        False,
    ]
    assert f'formaction="{accept_url(second)}"' in html
    assert f'action="{answer_url(first)}"' not in html
    client.force_login(cast.b_officer)
    html = client.get(detail(commitment)).content.decode()
    assert "Budget is short." in html
    assert accept_url(second) not in html


def test_the_page_reads_the_same_number_of_queries_for_more_reports(client, cast):
    commitment = a_commitment(cast)
    report(cast, commitment, files=[evidence()])
    client.force_login(cast.a_officer)
    with CaptureQueriesContext(connection) as one:
        client.get(detail(commitment))
    for _ in range(3):
        report(cast, commitment, files=[evidence()])
    with CaptureQueriesContext(connection) as four:
        client.get(detail(commitment))
    assert len(four) == len(one)


# --- reporting --------------------------------------------------------------------------


def test_the_responsible_officer_reports_with_a_file(client, cast):
    commitment = a_commitment(cast)
    client.force_login(cast.b_officer)
    response = client.post(
        create_url(commitment),
        {
            "progress": "60",
            "proposed_status": "in_progress",
            "note": "Two courses held.",
            "scope": "shared",
            "files": [evidence()],
        },
    )
    made = ProgressReport.objects.get()
    assert (response.status_code, response["Location"]) == (
        302,
        detail(commitment) + f"#report-{made.public_id}",
    )
    assert messages_of(response) == ["Your report is sent."]
    assert (made.owning_party, made.progress, made.proposed_status, made.note) == (
        cast.b,
        60,
        "in_progress",
        "Two courses held.",
    )
    assert [a.filename for a in made.evidence.all()] == ["minutes.pdf"]


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [("b_reader", 403, READ_ONLY), ("a_officer", 403, NOT_RESPONSIBLE), ("c_officer", 404, "")],
)
def test_who_may_not_report(client, cast, b_reader, who, status, message):
    commitment = a_commitment(cast)
    client.force_login(b_reader if who == "b_reader" else getattr(cast, who))
    before = counts()
    response = client.post(
        create_url(commitment), {"progress": "10", "scope": "shared", "files": [evidence()]}
    )
    assert response.status_code == status
    assert message in response.content.decode()
    assert counts() == before


def test_a_report_on_a_commitment_b_cannot_see_is_404(client, cast):
    hidden = a_commitment(cast, scope=Scope.INTERNAL)
    client.force_login(cast.b_officer)
    before = counts()
    response = client.post(create_url(hidden), {"progress": "10", "scope": "shared"})
    assert response.status_code == 404
    assert counts() == before


def test_a_bad_report_is_shown_with_its_errors_next_to_the_fields(client, cast):
    commitment = a_commitment(cast)
    client.force_login(cast.b_officer)
    before = counts()
    response = client.post(
        create_url(commitment),
        {
            "progress": "50",
            "proposed_status": "done",
            "scope": "shared",
            "note": "Nearly.",
            "files": [evidence()],
        },
    )
    assert response.status_code == 400
    form = response.context["report_form"]
    assert form.errors == {
        "progress": ["A commitment that is done has a progress of 100; give 100 or no progress."]
    }
    assert form["note"].value() == "Nearly."
    response = client.post(
        create_url(commitment), {"progress": "5", "proposed_status": "planned", "scope": "shared"}
    )
    assert response.status_code == 400
    assert response.context["report_form"].errors == {
        "proposed_status": ["Select a valid choice. planned is not one of the available choices."]
    }
    assert counts() == before


# --- the owner's answer -----------------------------------------------------------------


def test_the_owner_accepts_a_report(client, cast):
    commitment = a_commitment(cast)
    made = report(cast, commitment, progress=100, proposed_status="done")
    client.force_login(cast.a_officer)
    response = client.post(accept_url(made), {"version": "1", "answer": ""})
    assert (response.status_code, response["Location"]) == (
        302,
        detail(commitment) + f"#report-{made.public_id}",
    )
    assert messages_of(response) == ["The report is accepted and applied to the commitment."]
    made.refresh_from_db()
    commitment.refresh_from_db()
    assert (made.status, commitment.status, commitment.progress) == ("accepted", "done", 100)


def test_the_owner_answers_a_report(client, cast):
    commitment = a_commitment(cast)
    made = report(cast, commitment)
    client.force_login(cast.a_coordinator)
    response = client.post(answer_url(made), {"version": "1", "answer": ""})
    assert response.status_code == 400
    [shown] = response.context["reports"]
    assert shown.answer_form.errors == {"answer": ["Write the answer."]}
    response = client.post(answer_url(made), {"version": "1", "answer": "Which dates?"})
    assert (response.status_code, messages_of(response)) == (302, ["Your answer is sent."])
    made.refresh_from_db()
    assert (made.status, made.answer, made.answered_by) == (
        "answered",
        "Which dates?",
        cast.a_coordinator,
    )


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        ("b_officer", 403, NOT_OWNER),
        ("b_coordinator", 403, NOT_OWNER),
        ("a_reader", 403, READ_ONLY),
        ("c_officer", 404, ""),
    ],
)
def test_who_may_not_accept_or_answer(client, cast, who, status, message):
    made = report(cast, a_commitment(cast))
    client.force_login(getattr(cast, who))
    before = counts()
    for url in (accept_url(made), answer_url(made)):
        response = client.post(url, {"version": "1", "answer": "x"})
        assert (url, response.status_code) == (url, status)
        assert message in response.content.decode()
    assert counts() == before


def test_an_internal_report_is_404_to_the_owner(client, cast):
    made = report(cast, a_commitment(cast), scope=Scope.INTERNAL)
    client.force_login(cast.a_officer)
    assert client.post(accept_url(made), {"version": "1"}).status_code == 404


def test_accepting_a_move_the_commitment_no_longer_allows_says_why(client, cast):
    commitment = a_commitment(cast)
    made = report(cast, commitment, progress=100, proposed_status="done")
    commitment_change_status(
        actor=cast.a_officer, commitment=commitment, status="cancelled", expected_version=1
    )
    client.force_login(cast.a_officer)
    before = counts()
    response = client.post(accept_url(made), {"version": "1"})
    assert response.status_code == 400
    [shown] = response.context["reports"]
    assert shown.answer_form.non_field_errors() == [
        "A commitment cannot go from Cancelled to Done."
    ]
    assert counts() == before


def test_a_stale_answer_shows_the_conflict(client, cast):
    made = report(cast, a_commitment(cast))
    progress_report_answer(actor=cast.a_officer, report=made, expected_version=1, answer="First.")
    client.force_login(cast.a_coordinator)
    response = client.post(accept_url(made), {"version": "1"})
    assert response.status_code == 409
    assert {"field": "status", "value": "Answered"} in response.context["conflict"]


# --- progress without a status change ---------------------------------------------------


def test_progress_is_saved_without_changing_the_status(client, cast):
    commitment = a_commitment(cast, responsible_party=cast.a)
    client.force_login(cast.a_officer)
    url = reverse("agreements:commitment-status", args=[commitment.public_id])
    response = client.post(url, {"status": "", "progress": "50", "version": "1"})
    assert (response.status_code, messages_of(response)) == (302, ["Progress saved."])
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress) == ("planned", 50)
    response = client.post(url, {"status": "done", "progress": "50", "version": "2"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "progress": ["A commitment that is done has a progress of 100; give 100 or no progress."]
    }
    response = client.post(url, {"status": "", "progress": "", "version": "2"})
    assert response.context["form"].errors == {
        "__all__": ["Choose a new status or give the progress."]
    }
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("planned", 50, 2)
