"""An attachment follows its record: seen exactly when the record is, with the record's
scope, marking and recipients copied at upload and whenever the record's change; stored
under a random name (issue 9, finding 4)."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entente.agreements.services.agreements import record_publish, record_set_marking
from entente.agreements.services.commitments import commitment_create
from entente.attachments.models import Attachment
from entente.attachments.selectors import attachment_visible_to, attachments_of
from entente.attachments.services import attachment_add
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.tests.api_helpers import api_client


def red_commitment(cast):
    return commitment_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        title={"en": "Informant handling"},
        responsible_party=cast.a,
        handling=Handling(marking=Marking.RED, red_recipients=[cast.a_coordinator, cast.a_officer]),
    )


def add(actor, record, name="source.txt"):
    upload = SimpleUploadedFile(name, b"evidence", content_type="text/plain")
    return attachment_add(actor=actor, target=record, upload=upload)


def download(client, attachment) -> int:
    return client.get(reverse("attachments:download", args=[attachment.public_id])).status_code


def sees(user, attachment) -> tuple:
    """Whether `user` finds the file in lists, counts, on the web and in the API."""
    listed = list(attachment_visible_to(user).values_list("pk", flat=True)) == [attachment.pk]
    api = api_client(user).get(f"/api/v1/attachments/{attachment.public_id}").status_code
    return listed, attachment_visible_to(user).count(), api


def test_a_file_on_a_red_record_is_seen_by_its_recipients_only(client, cast):
    commitment = red_commitment(cast)
    attachment = add(cast.a_officer, commitment)
    assert (attachment.scope, attachment.marking) == (Scope.INTERNAL, Marking.RED)
    assert set(attachment.red_recipients.all()) == {cast.a_coordinator, cast.a_officer}
    for user in (cast.a_officer, cast.a_coordinator):
        client.force_login(user)
        assert (download(client, attachment), sees(user, attachment)) == (200, (True, 1, 200))
        assert list(attachments_of(user, commitment)) == [attachment]
    for user in (cast.b_officer, cast.a_reader):
        client.force_login(user)
        assert (download(client, attachment), sees(user, attachment)) == (404, (False, 0, 404))


def test_a_file_follows_its_record_when_lowered_and_published(client, cast):
    commitment = red_commitment(cast)
    attachment = add(cast.a_officer, commitment)
    commitment = record_set_marking(
        actor=cast.a_coordinator, record=commitment, marking=Marking.AMBER, expected_version=1
    )
    attachment.refresh_from_db()
    assert (attachment.marking, list(attachment.red_recipients.all())) == (Marking.AMBER, [])
    assert sees(cast.a_reader, attachment) == (True, 1, 200)
    assert sees(cast.b_officer, attachment) == (False, 0, 404)
    record_publish(actor=cast.a_coordinator, record=commitment, expected_version=2)
    attachment.refresh_from_db()
    assert (attachment.scope, attachment.marking, attachment.version) == (
        Scope.SHARED,
        Marking.AMBER,
        3,
    )
    client.force_login(cast.b_officer)
    assert (download(client, attachment), sees(cast.b_officer, attachment)) == (200, (True, 1, 200))
    assert list(attachments_of(cast.b_officer, commitment)) == [attachment]
    actions = AuditEvent.objects.filter(target_type="attachments.attachment")
    assert list(actions.values_list("action", flat=True)) == ["create", "follow", "follow"]


def test_a_file_follows_its_record_into_red_and_its_recipients(cast):
    commitment = commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Routes"},
        responsible_party=cast.a,
        handling=Handling(scope=Scope.SHARED),
    )
    attachment = add(cast.b_officer, commitment)
    assert sees(cast.b_officer, attachment) == (True, 1, 200)
    record_set_marking(
        actor=cast.a_coordinator,
        record=commitment,
        marking=Marking.RED,
        expected_version=1,
        red_recipients=[cast.a_officer],
    )
    attachment.refresh_from_db()
    assert attachment.marking == Marking.RED
    assert set(attachment.red_recipients.all()) == {cast.a_officer, cast.a_coordinator}
    assert sees(cast.b_officer, attachment) == (False, 0, 404)
    assert sees(cast.a_officer, attachment) == (True, 1, 200)


def test_a_file_is_hidden_with_its_record_whatever_its_own_fields_say(cast):
    commitment = red_commitment(cast)
    attachment = add(cast.a_officer, commitment)
    # Even a copy gone stale (written around the services) cannot show more than the record.
    Attachment.objects.filter(pk=attachment.pk).update(scope=Scope.SHARED, marking=Marking.GREEN)
    assert sees(cast.a_reader, attachment) == (False, 0, 404)
    assert sees(cast.b_officer, attachment) == (False, 0, 404)


def test_a_file_is_stored_under_a_random_name_and_given_back_under_its_own(client, cast):
    commitment = red_commitment(cast)
    file = SimpleUploadedFile("../x/rapport é.pdf", b"evidence", content_type="application/pdf")
    path = f"/api/v1/commitments/{commitment.public_id}/attachments"
    assert api_client(cast.a_officer).post(path, {"file": file}).status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.filename == "rapport é.pdf"
    assert re.fullmatch(r"attachments/[0-9a-f]{32}", attachment.file.name), attachment.file.name
    assert "rapport" not in attachment.file.name and "pdf" not in attachment.file.name
    client.force_login(cast.a_officer)
    response = client.get(reverse("attachments:download", args=[attachment.public_id]))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''rapport%20%C3%A9.pdf"
    assert b"".join(response.streaming_content) == b"evidence"
    other = add(cast.a_officer, commitment, name="../x/rapport é.pdf")
    assert other.file.name != attachment.file.name
