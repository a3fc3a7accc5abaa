"""The attachments API: uploads to agreements and commitments, details and downloads."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from entente.agreements.services.commitments import commitment_create
from entente.attachments.models import Attachment
from entente.attachments.services import attachment_add
from entente.audit.models import AuditEvent
from entente.testing import with_handling
from entente.tests.api_helpers import api_client, etag, iso, problem_body

ATTACHMENTS = "/api/v1/attachments"
CONTENT = b"Minutes of the joint committee\n"


def new_commitment(cast, **kwargs):
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Designate a contact cell"},
        "responsible_party": cast.a,
        "due_date": dt.date(2030, 6, 30),
    }
    return commitment_create(**with_handling(defaults | kwargs))


def upload(client, path, name="minutes.txt", content=CONTENT, content_type="text/plain"):
    return client.post(path, {"file": SimpleUploadedFile(name, content, content_type=content_type)})


def attachment_json(attachment, **values) -> dict:
    attachment.refresh_from_db()
    return {
        "id": str(attachment.public_id),
        "owning_party": attachment.owning_party.code,
        "scope": attachment.scope,
        "marking": attachment.marking,
        "red_recipients": [],
        "version": 1,
        "created_at": iso(attachment.created_at),
        "updated_at": iso(attachment.updated_at),
        "is_illustrative": False,
        "agreement": str(attachment.agreement.public_id),
        "record_type": f"agreements.{attachment.target_type.model}",
        "record_id": str(attachment.target.public_id),
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": attachment.uploaded_by.username,
    } | values


def test_upload_to_commitment_then_read_and_download(cast):
    commitment = new_commitment(cast)
    client = api_client(cast.a_officer)
    before = AuditEvent.objects.count()
    response = upload(client, f"/api/v1/commitments/{commitment.public_id}/attachments")
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert response["Location"] == f"{ATTACHMENTS}/{attachment.public_id}"
    assert etag(response) == f'"attachment-{attachment.public_id}-v1"'
    assert response.json() == {
        "id": str(attachment.public_id),
        "owning_party": "MA-DGSN",
        "scope": "internal",
        "marking": "TLP:AMBER",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(attachment.created_at),
        "updated_at": iso(attachment.updated_at),
        "is_illustrative": False,
        "agreement": str(cast.agreement.public_id),
        "record_type": "agreements.commitment",
        "record_id": str(commitment.public_id),
        "filename": "minutes.txt",
        "content_type": "text/plain",
        "size": len(CONTENT),
        "sha256": hashlib.sha256(CONTENT).hexdigest(),
        "uploaded_by": "a_officer",
    }
    assert [(e.action, e.target_type) for e in AuditEvent.objects.filter(seq__gt=before)] == [
        ("create", "attachments.attachment")
    ]

    reader = api_client(cast.a_reader)
    response = reader.get(f"{ATTACHMENTS}/{attachment.public_id}")
    assert response.json() == attachment_json(attachment)
    assert etag(response) == f'"attachment-{attachment.public_id}-v1"'
    response = reader.get(f"{ATTACHMENTS}/{attachment.public_id}/content")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="minutes.txt"'
    assert (response["Cache-Control"], response["X-Content-Type-Options"]) == (
        "private, no-store",
        "nosniff",
    )


def test_upload_to_agreement_by_the_other_party(cast):
    client = api_client(cast.b_officer)
    response = upload(client, f"/api/v1/agreements/{cast.agreement.public_id}/attachments")
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert response.json() == attachment_json(attachment)
    assert (response.json()["owning_party"], response.json()["scope"]) == ("NL-POL", "shared")
    assert response.json()["record_type"] == "agreements.agreement"
    assert api_client(cast.a_reader).get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("a_reader", 403, "Your role does not allow changes."),
        ("c_officer", 404, "No such record."),
    ],
)
def test_upload_refused(cast, who, status, detail):
    path = f"/api/v1/agreements/{cast.agreement.public_id}/attachments"
    response = upload(api_client(getattr(cast, who)), path)
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert Attachment.objects.count() == 0


def test_upload_to_a_commitment_the_user_may_not_see_is_404(cast):
    commitment = new_commitment(cast)  # internal to A
    path = f"/api/v1/commitments/{commitment.public_id}/attachments"
    response = upload(api_client(cast.b_officer), path)
    assert response.json() == problem_body(404, "Not Found", "No such record.", path)


def test_upload_over_the_limit_is_413(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    commitment = new_commitment(cast)
    path = f"/api/v1/commitments/{commitment.public_id}/attachments"
    client = api_client(cast.a_officer)
    before = AuditEvent.objects.count()
    response = upload(client, path, content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json() == problem_body(
        413, "Content Too Large", "The file is larger than the limit of 1 MB.", path
    )
    assert Attachment.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_upload_needs_multipart_and_a_file(cast):
    path = f"/api/v1/agreements/{cast.agreement.public_id}/attachments"
    client = api_client(cast.a_officer)
    response = client.post(path, {"file": "text"}, content_type="application/json")
    assert response.status_code == 415
    assert response["Accept-Post"] == "multipart/form-data"
    assert response.json() == problem_body(
        415,
        "Unsupported Media Type",
        "Send the file as multipart/form-data, not application/json.",
        path,
    )
    response = client.post(path, {"other": "field"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.file", "message": "Send the file in the field 'file'."}
    ]
    assert Attachment.objects.count() == 0


def test_attachment_on_internal_commitment_is_404_to_the_other_party(cast):
    commitment = new_commitment(cast)
    attachment = attachment_add(
        actor=cast.a_officer,
        target=commitment,
        upload=SimpleUploadedFile("x.pdf", b"%PDF", content_type="application/pdf"),
    )
    # The attachment is shared (a copy gone stale), but the record it hangs on is not.
    Attachment.objects.filter(pk=attachment.pk).update(scope="shared")
    for who in ("b_officer", "c_officer"):
        client = api_client(getattr(cast, who))
        for path in (
            f"{ATTACHMENTS}/{attachment.public_id}",
            f"{ATTACHMENTS}/{attachment.public_id}/content",
        ):
            response = client.get(path)
            assert response.json() == problem_body(404, "Not Found", "No such record.", path)


def test_attachment_whose_file_is_gone_is_404(cast):
    commitment = new_commitment(cast)
    attachment = attachment_add(
        actor=cast.a_officer, target=commitment, upload=SimpleUploadedFile("x.txt", b"x")
    )
    attachment.file.delete(save=False)
    path = f"{ATTACHMENTS}/{attachment.public_id}/content"
    response = api_client(cast.a_officer).get(path)
    assert response.json() == problem_body(
        404, "Not Found", "The file is missing from storage.", path
    )
