"""The progress reports API: /commitments/{id}/reports, /reports/{id}, accept, answer,
and evidence uploaded to a report."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.accounts.enums import Role
from entente.agreements.models import Commitment, ProgressReport
from entente.agreements.services.commitments import commitment_change_status, commitment_create
from entente.agreements.services.reports import progress_report_submit
from entente.attachments.models import Attachment
from entente.audit.models import AuditEvent
from entente.core.enums import Scope
from entente.testing import member, with_handling
from entente.tests.api_helpers import api_client, etag, iso, problem_body

pytestmark = pytest.mark.django_db

API = "/api/v1"
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


def reports_path(commitment) -> str:
    return f"{API}/commitments/{commitment.public_id}/reports"


def report_json(made, **values) -> dict:
    made.refresh_from_db()
    return {
        "id": str(made.public_id),
        "owning_party": made.owning_party.code,
        "scope": made.scope,
        "marking": made.marking,
        "red_recipients": [],
        "version": made.version,
        "created_at": iso(made.created_at),
        "updated_at": iso(made.updated_at),
        "is_illustrative": False,
        "commitment": str(made.commitment.public_id),
        "reporter": made.reporter.username,
        "progress": made.progress,
        "proposed_status": made.proposed_status or None,
        "period_start": iso(made.period_start),
        "period_end": iso(made.period_end),
        "indicator_value": None if made.indicator_value is None else str(made.indicator_value),
        "note": made.note,
        "status": made.status,
        "answer": made.answer,
        "answered_by": made.answered_by.username if made.answered_by else None,
        "answered_at": iso(made.answered_at),
        "evidence": [],
    } | values


def tag(made) -> str:
    made.refresh_from_db()
    return f'"progressreport-{made.public_id}-v{made.version}"'


def post(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", **headers)


def counts() -> tuple[int, int, int]:
    return (ProgressReport.objects.count(), Attachment.objects.count(), AuditEvent.objects.count())


# --- reporting --------------------------------------------------------------------------


def test_the_responsible_party_reports_then_attaches_evidence(cast):
    commitment = a_commitment(cast)
    client = api_client(cast.b_officer)
    body = {
        "progress": 60,
        "proposed_status": "in_progress",
        "period_start": "2031-01-01",
        "period_end": "2031-03-31",
        "indicator_value": "12.5",
        "note": "Two courses held.",
    }
    response = post(client, reports_path(commitment), body)
    assert response.status_code == 201
    made = ProgressReport.objects.get()
    assert response.json() == report_json(made)
    assert (response["Location"], etag(response)) == (f"{API}/reports/{made.public_id}", tag(made))
    assert (response.json()["indicator_value"], response.json()["owning_party"]) == (
        "12.50",
        "NL-POL",
    )
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    response = client.post(f"{API}/reports/{made.public_id}/attachments", {"file": upload})
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert (attachment.target, attachment.owning_party, attachment.scope) == (
        made,
        cast.b,
        "shared",
    )
    for who in ("a_reader", "b_officer"):
        answer = api_client(getattr(cast, who)).get(f"{API}/reports/{made.public_id}")
        assert answer.json() == report_json(made, evidence=[str(attachment.public_id)])


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [("b_reader", 403, READ_ONLY), ("a_officer", 403, NOT_RESPONSIBLE), ("c_officer", 404, None)],
)
def test_who_may_not_report(cast, who, status, detail):
    if who == "b_reader":
        cast.b_reader = member("b_reader", cast.b, Role.READER, cast.b_cell)
    commitment = a_commitment(cast)
    client = api_client(getattr(cast, who))
    before = counts()
    response = post(client, reports_path(commitment), {"progress": 10})
    assert response.status_code == status
    if detail:
        assert response.json()["detail"] == detail
    assert counts() == before


def test_a_report_on_a_commitment_b_cannot_see_answers_as_a_missing_one(cast):
    hidden = a_commitment(cast, scope=Scope.INTERNAL)
    client = api_client(cast.b_officer)
    before = counts()
    response = post(client, reports_path(hidden), {"progress": 10})
    missing = post(
        client, f"{API}/commitments/00000000-0000-4000-8000-000000000000/reports", {"progress": 10}
    )
    assert (response.status_code, response.json()["detail"]) == (404, "No such record.")
    assert missing.status_code == 404
    assert counts() == before


def test_a_status_the_workflow_refuses_is_422_naming_proposed_status(cast):
    commitment = a_commitment(cast)
    client = api_client(cast.b_officer)
    path = reports_path(commitment)
    before = counts()
    response = post(client, path, {"progress": 10, "proposed_status": "planned"})
    assert response.json() == problem_body(
        422,
        "Unprocessable Content",
        "The input is not valid.",
        path,
        errors=[
            {
                "field": "proposed_status",
                "message": "A commitment cannot go from Planned to Planned.",
            }
        ],
    )
    response = post(client, path, {"progress": 10, "proposed_status": "late", "owner": "x"})
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "body.owner",
        "body.proposed_status",
    ]
    assert counts() == before


# --- reading ----------------------------------------------------------------------------


def test_the_list_shows_each_party_what_it_may_see_newest_first(cast):
    commitment = a_commitment(cast)
    older = report(cast, commitment, note="Older")
    newer = report(cast, commitment, note="Newer")
    internal = report(cast, commitment, note="Internal", scope=Scope.INTERNAL)
    path = reports_path(commitment)
    a_items = api_client(cast.a_officer).get(path).json()["items"]
    b_items = api_client(cast.b_officer).get(path).json()["items"]
    assert [i["id"] for i in a_items] == [str(newer.public_id), str(older.public_id)]
    assert [i["id"] for i in b_items] == [
        str(internal.public_id),
        str(newer.public_id),
        str(older.public_id),
    ]
    assert a_items[0] == report_json(newer)
    assert api_client(cast.c_officer).get(path).status_code == 404
    response = api_client(cast.a_officer).get(f"{API}/reports/{internal.public_id}")
    assert (response.status_code, response.json()["detail"]) == (404, "No such record.")


def test_the_list_reads_the_same_number_of_queries_for_more_reports(cast):
    commitment = a_commitment(cast)
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    report(cast, commitment, files=[upload])
    client = api_client(cast.a_officer)
    client.get(reports_path(commitment))
    with CaptureQueriesContext(connection) as few:
        client.get(reports_path(commitment))
    for name in ("b.pdf", "c.pdf", "d.pdf"):
        upload = SimpleUploadedFile(name, b"%PDF-1.4\n", content_type="application/pdf")
        report(cast, commitment, files=[upload])
    with CaptureQueriesContext(connection) as many:
        body = client.get(reports_path(commitment)).json()
    assert [len(item["evidence"]) for item in body["items"]] == [1, 1, 1, 1]
    assert len(many) == len(few)


# --- the owner's answer -----------------------------------------------------------------


def test_the_owner_accepts_a_report(cast):
    commitment = a_commitment(cast)
    made = report(cast, commitment, progress=100, proposed_status="done")
    client = api_client(cast.a_officer)
    path = f"{API}/reports/{made.public_id}/accept"
    assert post(client, path, {}).status_code == 428
    response = post(client, path, {"answer": "Well done."}, HTTP_IF_MATCH=tag(made))
    assert response.status_code == 200
    assert response.json() == report_json(made)
    assert (made.status, made.answer, made.answered_by, etag(response)) == (
        "accepted",
        "Well done.",
        cast.a_officer,
        f'"progressreport-{made.public_id}-v2"',
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("done", 100, 2)
    event = AuditEvent.objects.filter(target_type="agreements.commitment").last()
    assert (event.actor_name, event.before["status"], event.after["status"]) == (
        "a_officer",
        "planned",
        "done",
    )


def test_accepting_a_refused_move_is_422_and_changes_nothing(cast):
    commitment = a_commitment(cast)
    made = report(cast, commitment, progress=100, proposed_status="done")
    commitment_change_status(
        actor=cast.a_officer, commitment=commitment, status="cancelled", expected_version=1
    )
    client = api_client(cast.a_officer)
    path = f"{API}/reports/{made.public_id}/accept"
    before = counts()
    response = post(client, path, {}, HTTP_IF_MATCH=tag(made))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "proposed_status", "message": "A commitment cannot go from Cancelled to Done."}
    ]
    assert counts() == before
    made.refresh_from_db()
    assert (made.status, made.version) == ("submitted", 1)


def test_the_owner_answers_a_report(cast):
    made = report(cast, a_commitment(cast))
    client = api_client(cast.a_coordinator)
    path = f"{API}/reports/{made.public_id}/answer"
    response = post(client, path, {}, HTTP_IF_MATCH=tag(made))
    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"field": "answer", "message": "Write the answer."}],
    )
    response = post(client, path, {"answer": "Which dates?"}, HTTP_IF_MATCH=tag(made))
    assert response.status_code == 200
    assert response.json() == report_json(made)
    assert (made.status, made.answered_by) == ("answered", cast.a_coordinator)
    stale = post(client, f"{API}/reports/{made.public_id}/accept", {}, HTTP_IF_MATCH='"x"')
    assert stale.status_code == 412


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("b_officer", 403, NOT_OWNER),
        ("b_coordinator", 403, NOT_OWNER),
        ("a_reader", 403, READ_ONLY),
        ("c_officer", 404, "No such record."),
    ],
)
def test_who_may_not_accept_or_answer(cast, who, status, detail):
    made = report(cast, a_commitment(cast))
    client = api_client(getattr(cast, who))
    before = counts()
    for action in ("accept", "answer"):
        response = post(
            client,
            f"{API}/reports/{made.public_id}/{action}",
            {"answer": "x"},
            HTTP_IF_MATCH=tag(made),
        )
        assert (action, response.status_code, response.json()["detail"]) == (
            action,
            status,
            detail,
        )
    assert counts() == before
