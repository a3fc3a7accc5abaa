"""Attachments: upload on the commitment and agreement pages, download, size limit."""

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entente.agreements import services
from entente.agreements.models import Attachment
from entente.audit.models import AuditEvent
from entente.core.enums import Scope


def commitment(cast, *, scope=Scope.SHARED):
    return services.commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Share routes"},
        responsible_party=cast.a,
        scope=scope,
    )


def upload_url(kind, record) -> str:
    return reverse("agreements:attachment-upload", args=[kind, record.pk])


def download_url(attachment) -> str:
    return reverse("agreements:attachment-download", args=[attachment.pk])


def upload(client, kind, record, content=b"evidence", name="report.txt"):
    file = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(upload_url(kind, record), {"file": file})


def test_upload_on_a_commitment_and_download_it(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = upload(client, "commitment", c)
    assert response.status_code == 302
    assert response.url == reverse("agreements:commitment-detail", args=[c.pk]) + "#attachments"
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.size, attachment.sha256, attachment.scope) == (
        "report.txt",
        8,
        hashlib.sha256(b"evidence").hexdigest(),
        "shared",
    )
    client.force_login(cast.a_reader)
    page = client.get(reverse("agreements:commitment-detail", args=[c.pk]))
    assert [a.filename for a in page.context["attachments"]] == ["report.txt"]
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"evidence"
    assert response["Content-Disposition"] == 'attachment; filename="report.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_upload_on_the_agreement_page(client, cast):
    client.force_login(cast.b_officer)
    response = upload(client, "agreement", cast.agreement, name="minutes.txt")
    assert response.status_code == 302
    client.force_login(cast.a_officer)
    page = client.get(reverse("reports:agreement-detail", args=[cast.agreement.pk]))
    assert [a.filename for a in page.context["attachments"]] == ["minutes.txt"]


def test_upload_over_the_limit_is_refused_next_to_the_field(client, cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    c = commitment(cast)
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = upload(client, "commitment", c, content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 200
    assert response.context["upload_form"].errors == {
        "file": ["The file is larger than the limit of 1 MB."]
    }
    assert "The file is larger than the limit of 1 MB." in response.content.decode()
    assert (Attachment.objects.count(), AuditEvent.objects.count()) == (0, before)


def test_upload_without_a_file_is_a_form_error(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = client.post(upload_url("commitment", c), {})
    assert response.status_code == 200
    assert response.context["upload_form"].errors == {"file": ["This field is required."]}


def test_upload_is_403_for_readers(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_reader)
    assert upload(client, "commitment", c).status_code == 403
    assert client.post(upload_url("commitment", c), {}).status_code == 403
    assert Attachment.objects.count() == 0


def test_upload_and_download_are_404_on_the_other_partys_internal_records(client, cast):
    c = commitment(cast, scope=Scope.INTERNAL)
    services.attachment_add(
        actor=cast.a_officer,
        target=c,
        upload=SimpleUploadedFile("note.txt", b"x"),
        scope=Scope.SHARED,
    )
    attachment = Attachment.objects.get()
    client.force_login(cast.b_officer)
    assert upload(client, "commitment", c).status_code == 404
    # Shared itself, but hanging on a record B may not see.
    assert client.get(download_url(attachment)).status_code == 404
    client.force_login(cast.c_officer)
    assert upload(client, "agreement", cast.agreement).status_code == 404
    assert Attachment.objects.count() == 1


def test_upload_to_an_unknown_kind_is_404(client, cast):
    client.force_login(cast.a_officer)
    assert upload(client, "meeting", cast.agreement).status_code == 404


def test_download_of_a_missing_file_is_404_not_a_500(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    upload(client, "commitment", c)
    attachment = Attachment.objects.get()
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(download_url(attachment)).status_code == 404
