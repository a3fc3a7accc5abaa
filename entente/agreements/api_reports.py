"""JSON API of progress reports: the responsible party reports on a commitment, the
owner accepts or answers (see api.py for how the API is built). Evidence files are
uploaded to a report through entente.attachments."""

from django.http import HttpResponse
from ninja import Router
from ninja.pagination import paginate

from entente.agreements.models import ProgressReport
from entente.agreements.schemas import ProgressReportIn, ProgressReportOut, ReportAnswerIn
from entente.agreements.selectors import (
    get_commitment_for_user,
    get_progress_report_for_user,
    reports_of,
)
from entente.agreements.services.reports import (
    progress_report_accept,
    progress_report_answer,
    progress_report_submit,
)
from entente.apikit.endpoints import change_by, create, with_etag
from entente.apikit.routes import CHANGE, CREATE, READ, op
from entente.core.http import CursorPagination
from entente.core.schemas import PublicId, id_in_path

router = Router(tags=["reports"])

CommitmentId = id_in_path("The commitment's id.")
ReportId = id_in_path("The report's id.")


def _shown(user, report: ProgressReport) -> ProgressReport:
    """The report with the files on it the user may see, as ProgressReportOut shows it."""
    return reports_of(user, report.commitment).get(pk=report.pk)


@router.get(
    "/commitments/{commitment_id}/reports",
    **op("List a commitment's progress reports", list[ProgressReportOut], READ),
)
@paginate(CursorPagination, ordering="-created_at")
def report_list(request, commitment_id: PublicId = CommitmentId):
    """The commitment's reports you may see, newest first: your party's, and the shared
    ones of the other party."""
    return reports_of(request.auth, get_commitment_for_user(request.auth, commitment_id))


@router.post(
    "/commitments/{commitment_id}/reports",
    **op("Report progress on a commitment", ProgressReportOut, CREATE, 201),
)
def report_new(request, payload: ProgressReportIn, commitment_id: PublicId = CommitmentId):
    """A report of the party responsible for the commitment, whoever owns it, owned by
    your party; shared with the owner when the commitment is shared, unless `scope`
    says `internal`. Officers and coordinators of the responsible party. Attach
    evidence with POST /reports/{id}/attachments."""
    user = request.auth
    commitment = get_commitment_for_user(user, commitment_id)
    return create(
        request,
        model=ProgressReport,
        schema=ProgressReportOut,
        action=lambda: progress_report_submit(
            actor=user, commitment=commitment, **payload.model_dump(exclude_none=True)
        ),
        shape=_shown,
    )


@router.get("/reports/{report_id}", **op("Read a progress report", ProgressReportOut, READ))
def report_detail(request, response: HttpResponse, report_id: PublicId = ReportId):
    """The report; the ETag names its version, for If-Match on accepting or answering."""
    report = get_progress_report_for_user(request.auth, report_id)
    return with_etag(response, _shown(request.auth, report))


@router.post(
    "/reports/{report_id}/accept", **op("Accept a progress report", ProgressReportOut, CHANGE)
)
def report_accept(
    request, payload: ReportAnswerIn, response: HttpResponse, report_id: PublicId = ReportId
):
    """Apply the report to the commitment: its progress, proposed status (as the
    commitment's workflow allows, else 422 naming `proposed_status`) and indicator
    value, all or nothing. Needs If-Match; writers of the commitment's owning party."""
    user = request.auth
    report = get_progress_report_for_user(user, report_id)
    report = change_by(
        request, response, report, progress_report_accept, report=report, answer=payload.answer
    )
    return _shown(user, report)


@router.post(
    "/reports/{report_id}/answer", **op("Answer a progress report", ProgressReportOut, CHANGE)
)
def report_answer(
    request, payload: ReportAnswerIn, response: HttpResponse, report_id: PublicId = ReportId
):
    """Answer the report with a note (`answer`, required), leaving the commitment as it
    is. Needs If-Match; writers of the commitment's owning party."""
    user = request.auth
    report = get_progress_report_for_user(user, report_id)
    report = change_by(
        request, response, report, progress_report_answer, report=report, answer=payload.answer
    )
    return _shown(user, report)
