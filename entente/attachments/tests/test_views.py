"""The web upload and download of files, on the agreement, commitment and training
pages: the upload answers with a redirect back to the record's page and a message."""

import datetime as dt
import hashlib

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entente.accounts.models import Contact
from entente.agreements.services.commitments import commitment_create
from entente.attachments.models import Attachment
from entente.attachments.services import attachment_add
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.training.services import training_create

PAGES = {
    "agreements.agreement": "reports:agreement-detail",
    "agreements.commitment": "agreements:commitment-detail",
    "training.trainingactivity": "training:training-detail",
}


def commitment(cast, *, scope=Scope.SHARED):
    return commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Share routes"},
        responsible_party=cast.a,
        handling=Handling(scope=scope),
    )


def training(cast, *, scope=Scope.SHARED):
    return training_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="course",
        title={"en": "Forensic imaging course"},
        host_party=cast.a,
        sending_party=cast.b,
        starts_on=dt.date(2023, 3, 6),
        ends_on=dt.date(2023, 3, 10),
        place="Rabat",
        handling=Handling(scope=scope, marking=Marking.GREEN),
    )


def page_url(record) -> str:
    return reverse(PAGES[record._meta.label_lower], args=[record.public_id])


def upload_url(record, record_type=None) -> str:
    return reverse(
        "attachments:upload", args=[record_type or record._meta.label_lower, str(record.public_id)]
    )


def download_url(attachment) -> str:
    return reverse("attachments:download", args=[attachment.public_id])


def upload(client, record, content=b"evidence", name="report.txt", **data):
    """Post the upload form as the record's page has it."""
    file = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(upload_url(record), {"file": file, "next": page_url(record), **data})


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_upload_on_a_commitment_and_download_it(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = upload(client, c)
    assert (response.status_code, response.url) == (302, page_url(c) + "#attachments")
    assert shown(response) == ["File attached."]
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.size, attachment.sha256, attachment.scope) == (
        "report.txt",
        8,
        hashlib.sha256(b"evidence").hexdigest(),
        "shared",
    )
    client.force_login(cast.a_reader)
    html = client.get(page_url(c)).content.decode()
    assert f'<a href="{download_url(attachment)}" download>report.txt</a>' in html
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"evidence"
    assert response["Content-Disposition"] == 'attachment; filename="report.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_upload_on_the_agreement_page(client, cast):
    client.force_login(cast.b_officer)
    response = upload(client, cast.agreement, name="minutes.txt")
    assert (response.status_code, response.url) == (302, page_url(cast.agreement) + "#attachments")
    client.force_login(cast.a_officer)
    page = client.get(page_url(cast.agreement))
    assert ">minutes.txt</a>" in page.content.decode()


def test_upload_and_download_on_a_training(client, cast):
    t = training(cast)
    client.force_login(cast.a_officer)
    response = upload(client, t, content=b"%PDF-1.4 report", name="report.pdf")
    assert (response.status_code, response.url) == (302, page_url(t) + "#attachments")
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.size, attachment.scope) == ("report.pdf", 15, "shared")
    client.force_login(cast.b_officer)
    html = client.get(page_url(t)).content.decode()
    assert f'<a href="{download_url(attachment)}" download>report.pdf</a>' in html
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
    # The same headers as every other download.
    assert (
        response["Content-Disposition"],
        response["X-Content-Type-Options"],
        response["Cache-Control"],
    ) == ('attachment; filename="report.pdf"', "nosniff", "private, no-store")


@pytest.mark.parametrize("make", [commitment, training])
def test_the_upload_form_is_for_writers_of_a_party_to_the_agreement(client, cast, make):
    record = make(cast)
    for user, offered in [(cast.a_officer, True), (cast.b_officer, True), (cast.a_reader, False)]:
        client.force_login(user)
        html = client.get(page_url(record)).content.decode()
        assert (upload_url(record) in html) == offered, user


@pytest.mark.parametrize("make", [commitment, training])
def test_upload_over_the_limit_is_refused_with_a_message_on_the_page(client, cast, settings, make):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    record = make(cast)
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = upload(client, record, content=b"x" * (1024 * 1024 + 1))
    assert (response.status_code, response.url) == (302, page_url(record) + "#attachments")
    assert shown(response) == ["The file is larger than the limit of 1 MB."]
    assert (Attachment.objects.count(), AuditEvent.objects.count()) == (0, before)
    page = client.get(response.url)
    assert "The file is larger than the limit of 1 MB." in page.content.decode()


def test_upload_without_a_file_is_refused_with_a_message(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = client.post(upload_url(c), {"next": page_url(c)})
    assert (response.status_code, response.url) == (302, page_url(c) + "#attachments")
    assert shown(response) == ["Choose a file to attach."]
    assert Attachment.objects.count() == 0


def test_upload_goes_back_to_the_record_page_when_next_leads_elsewhere(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = upload(client, c, next="https://elsewhere.example/")
    assert (response.status_code, response.url) == (302, page_url(c) + "#attachments")
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("make", [commitment, training])
def test_upload_is_403_for_readers(client, cast, make):
    record = make(cast)
    client.force_login(cast.a_reader)
    assert upload(client, record).status_code == 403
    assert client.post(upload_url(record), {}).status_code == 403
    assert Attachment.objects.count() == 0


def test_upload_and_download_are_404_on_the_other_partys_internal_records(client, cast):
    c = commitment(cast, scope=Scope.INTERNAL)
    attachment = attachment_add(
        actor=cast.a_officer, target=c, upload=SimpleUploadedFile("note.txt", b"x")
    )
    Attachment.objects.filter(pk=attachment.pk).update(scope=Scope.SHARED)  # gone stale
    t = training(cast, scope=Scope.INTERNAL)
    on_training = attachment_add(
        actor=cast.a_officer, target=t, upload=SimpleUploadedFile("plan.txt", b"x")
    )
    client.force_login(cast.b_officer)
    assert upload(client, c).status_code == 404
    assert upload(client, t).status_code == 404
    # Shared itself, but hanging on a record B may not see.
    assert client.get(download_url(attachment)).status_code == 404
    assert client.get(download_url(on_training)).status_code == 404
    assert "plan.txt" not in client.get(page_url(training(cast))).content.decode()
    client.force_login(cast.c_officer)
    assert upload(client, cast.agreement).status_code == 404
    assert Attachment.objects.count() == 2


def test_upload_to_an_unknown_type_or_one_without_files_is_404(client, cast):
    client.force_login(cast.a_officer)
    assert client.post(upload_url(cast.agreement, "meetings.nothing")).status_code == 404
    contact = Contact.objects.create(unit=cast.a_cell, owning_party=cast.a, name="Desk")
    assert client.post(upload_url(contact), {}).status_code == 404
    assert Attachment.objects.count() == 0


def test_download_of_a_missing_file_is_404_not_a_500(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    upload(client, c)
    attachment = Attachment.objects.get()
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(download_url(attachment)).status_code == 404


def test_an_attachment_has_a_trail_and_links_to_the_page_of_its_record(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    upload(client, c)
    attachment = Attachment.objects.get()
    assert attachment.get_absolute_url() == page_url(c) + "#attachments"
    trail = reverse("records:record-trail", args=["attachments.attachment", attachment.public_id])
    client.force_login(cast.a_reader)
    response = client.get(trail)
    assert (response.status_code, response.context["record_url"]) == (
        200,
        page_url(c) + "#attachments",
    )
    assert [event.action for event in response.context["events"]] == ["create"]
    client.force_login(cast.c_officer)
    assert client.get(trail).status_code == 404
