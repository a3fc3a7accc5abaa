"""JSON API of attachments: upload to a record, read what a file is, download it.

The record is found through the record-type registry, by its type name and id, so the
upload takes the same door as the record's own endpoints; the download answers with
the same headers as the web page's (entente.attachments.downloads).
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile

from entente.apikit.endpoints import READ, with_etag
from entente.attachments.downloads import file_response
from entente.attachments.schemas import AttachmentOut
from entente.attachments.selectors import get_attachable_for_user, get_attachment_for_user
from entente.attachments.services import attachment_add
from entente.core.errors import ValidationError
from entente.core.problems import ApiProblem, problem_responses
from entente.core.schemas import PublicId

router = Router(tags=["attachments"])

UPLOAD = problem_responses(401, 403, 404, 413, 415, 422, 429)
# Optional to ninja (see `_upload`); documented as required by UPLOAD_DOC.
UPLOADED_FILE = File(None)
UPLOAD_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
        "required": True,
    }
}
DOWNLOAD_DOC = {
    "responses": {
        200: {
            "description": "The file, with the content type it was uploaded with.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _upload_op(summary: str) -> dict:
    """What an upload route documents: its summary, its answers and its multipart body."""
    return {
        "summary": summary,
        "response": {201: AttachmentOut, **UPLOAD},
        "openapi_extra": UPLOAD_DOC,
    }


def _upload(
    request, record_type: str, pk: PublicId, file: UploadedFile | None, response: HttpResponse
):
    """Attach `file` to the record of that type and id: 201 with the attachment."""
    record = get_attachable_for_user(request.auth, record_type, pk)
    # The file parameter is optional to ninja so that a body that is not multipart gets
    # 415 here, after authentication, rather than 422 for a missing field.
    if request.content_type != "multipart/form-data":
        raise ApiProblem(
            415,
            _("Send the file as multipart/form-data, not %(type)s.")
            % {"type": request.content_type or _("a body without a Content-Type")},
            headers={"Accept-Post": "multipart/form-data"},
        )
    if file is None:
        raise ApiProblem(
            422,
            _("The input is not valid."),
            errors=[{"field": "body.file", "message": _("Send the file in the field 'file'.")}],
        )
    # Not through `idempotent`: its fingerprint reads the raw body, which Django no
    # longer has once it has parsed a multipart upload.
    try:
        attachment = attachment_add(actor=request.auth, target=record, upload=file)
    except ValidationError as exc:
        too_big = getattr(exc, "error_dict", {}).get("file")
        if too_big:
            raise ApiProblem(413, " ".join(m for e in too_big for m in e.messages)) from exc
        raise
    attachment = get_attachment_for_user(request.auth, attachment.public_id)
    response["Location"] = f"/api/v1/attachments/{attachment.public_id}"
    return Status(201, with_etag(response, attachment))


@router.post(
    "/agreements/{agreement_id}/attachments", **_upload_op("Attach a file to an agreement")
)
def agreement_attachment_new(
    request, agreement_id: PublicId, response: HttpResponse, file: UploadedFile = UPLOADED_FILE
):
    """Upload a file (multipart/form-data, field `file`) to the agreement; it takes the
    agreement's scope, marking and TLP:RED recipients, follows them when they change, and
    is seen exactly by those who see the agreement. Writers of a party to the agreement.
    Idempotency-Key is not honoured on uploads."""
    return _upload(request, "agreements.agreement", agreement_id, file, response)


@router.post(
    "/commitments/{commitment_id}/attachments", **_upload_op("Attach a file to a commitment")
)
def commitment_attachment_new(
    request, commitment_id: PublicId, response: HttpResponse, file: UploadedFile = UPLOADED_FILE
):
    """Upload evidence (multipart/form-data, field `file`) to the commitment; it takes
    the commitment's scope, marking and TLP:RED recipients, follows them when they change,
    and is seen exactly by those who see the commitment. Writers of a party to the
    agreement. Idempotency-Key is not honoured on uploads."""
    return _upload(request, "agreements.commitment", commitment_id, file, response)


@router.post(
    "/reports/{report_id}/attachments", **_upload_op("Attach evidence to a progress report")
)
def report_attachment_new(
    request, report_id: PublicId, response: HttpResponse, file: UploadedFile = UPLOADED_FILE
):
    """Upload evidence (multipart/form-data, field `file`) to a progress report; it takes
    the report's scope, marking and TLP:RED recipients and is seen exactly by those who
    see the report. Writers of a party to the agreement. Idempotency-Key is not honoured
    on uploads."""
    return _upload(request, "agreements.progressreport", report_id, file, response)


@router.get(
    "/attachments/{attachment_id}",
    summary="Read an attachment's details",
    response={200: AttachmentOut, **READ},
)
def attachment_detail(request, attachment_id: PublicId, response: HttpResponse):
    """What the file is, its size and SHA-256, and the record it is on; 404 unless the
    record is visible too."""
    return with_etag(response, get_attachment_for_user(request.auth, attachment_id))


@router.get(
    "/attachments/{attachment_id}/content",
    summary="Download an attachment",
    response={200: None, **READ},
    openapi_extra=DOWNLOAD_DOC,
)
def attachment_content(request, attachment_id: PublicId):
    """The file itself, as an attachment; never cached by shared caches."""
    return file_response(get_attachment_for_user(request.auth, attachment_id))
