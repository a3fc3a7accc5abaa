"""attachment_add and the attachment doors, on any record of an agreement."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from entente.agreements.services.commitments import commitment_create
from entente.attachments import selectors
from entente.attachments.models import Attachment
from entente.attachments.services import attachment_add
from entente.audit.models import AuditEvent
from entente.core.errors import NotFound, PermissionDenied, ValidationError
from entente.testing import with_handling


def new_commitment(cast, **kwargs):
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Designate a contact cell"},
        "responsible_party": cast.a,
        "due_date": dt.date(2022, 6, 30),
    }
    return commitment_create(**with_handling(defaults | kwargs))


def test_attachment_add_fingerprints_and_inherits_scope(cast):
    commitment = new_commitment(cast)
    upload = SimpleUploadedFile("report.txt", b"evidence", content_type="text/plain")
    attachment = attachment_add(actor=cast.a_officer, target=commitment, upload=upload)
    assert (attachment.sha256, attachment.size, attachment.scope, attachment.agreement) == (
        hashlib.sha256(b"evidence").hexdigest(),
        8,
        "internal",
        cast.agreement,
    )
    event = AuditEvent.objects.last()
    assert (event.action, event.target_type, event.target_id) == (
        "create",
        "attachments.attachment",
        str(attachment.pk),
    )
    assert selectors.get_attachment_for_user(cast.a_reader, attachment.public_id) == attachment
    with pytest.raises(NotFound):
        selectors.get_attachment_for_user(cast.b_officer, attachment.public_id)


def test_attachment_on_the_agreement_itself_belongs_to_it(cast):
    upload = SimpleUploadedFile("minutes.txt", b"x")
    attachment = attachment_add(actor=cast.b_officer, target=cast.agreement, upload=upload)
    assert (attachment.agreement, attachment.owning_party, attachment.scope) == (
        cast.agreement,
        cast.b,
        "shared",
    )
    assert list(selectors.attachments_of(cast.a_reader, cast.agreement)) == [attachment]


def test_attachment_over_limit_is_refused(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    commitment = new_commitment(cast)
    upload = SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as exc:
        attachment_add(actor=cast.a_officer, target=commitment, upload=upload)
    assert exc.value.message_dict == {"file": ["The file is larger than the limit of 1 MB."]}


def test_attachment_add_is_for_writers_of_a_party_to_the_agreement(cast):
    commitment = new_commitment(cast, scope="shared")
    upload = SimpleUploadedFile("note.txt", b"x")
    with pytest.raises(PermissionDenied) as exc:
        attachment_add(actor=cast.a_reader, target=commitment, upload=upload)
    assert str(exc.value) == "Your role does not allow changes."
    with pytest.raises(PermissionDenied) as exc:
        attachment_add(actor=cast.c_officer, target=commitment, upload=upload)
    assert str(exc.value) == "Your party is not a party to this agreement."


def test_attachment_on_shared_record_hidden_when_record_is_internal(cast):
    commitment = new_commitment(cast)
    upload = SimpleUploadedFile("note.txt", b"x")
    attachment = attachment_add(actor=cast.a_officer, target=commitment, upload=upload)
    # A shared copy gone stale (written around the services) still follows the record.
    Attachment.objects.filter(pk=attachment.pk).update(scope="shared")
    with pytest.raises(NotFound):
        selectors.get_attachment_for_user(cast.b_officer, attachment.public_id)


def test_attachable_records_come_through_their_door(cast):
    commitment = new_commitment(cast)
    found = selectors.get_attachable_for_user(
        cast.a_reader, "agreements.commitment", commitment.public_id
    )
    assert found == commitment
    with pytest.raises(NotFound):  # internal to A
        selectors.get_attachable_for_user(
            cast.b_officer, "agreements.commitment", commitment.public_id
        )
    with pytest.raises(NotFound) as exc:
        selectors.get_attachable_for_user(
            cast.a_officer, "agreements.nothing", commitment.public_id
        )
    assert str(exc.value) == "No such record type."
