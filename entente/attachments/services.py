"""Attaching a file to a record, and keeping it in step with the record: the writes of
this app, audited like every other."""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from entente.attachments.models import Attachment
from entente.audit.services import audited_create, audited_update, write_transaction
from entente.core.access import agreement_of, is_party_to, require_writer
from entente.core.errors import PermissionDenied, ValidationError
from entente.core.models import PartyOwned


def attachment_add(
    *,
    actor,
    target: PartyOwned,
    upload: UploadedFile,
) -> Attachment:
    """Attach a file to a record of an agreement the actor's party is a party to; it
    takes the record's scope, marking and recipients (see `attachments_follow`)."""
    membership = require_writer(actor)
    agreement = agreement_of(target)
    if agreement is None or not is_party_to(actor, agreement):
        raise PermissionDenied(_("Your party is not a party to this agreement."))
    size = upload.size or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than the limit of %(mb)d MB.")
                % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        agreement=agreement,
        owning_party_id=membership.party_id,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        filename=(upload.name or "file")[:255],
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        scope=target.scope,
        marking=target.marking,
    )
    attachment.file.save(attachment.filename, upload, save=False)
    recipients = list(target.red_recipients.all())
    try:
        return audited_create(actor=actor, instance=attachment, m2m={"red_recipients": recipients})
    except Exception:
        attachment.file.delete(save=False)
        raise


def attachments_follow(*, actor, record: PartyOwned) -> PartyOwned:
    """Copy the record's scope, marking and recipients onto the files on it, after a
    change of these (call it with the record the update returned); each file that
    changes gets its own audit event, "follow". Returns `record`.

    Visibility already follows the record (attachment_visible_to); the copy keeps what a
    file shows of itself, its trail and any reader of its row true to the record.
    """
    kind = ContentType.objects.get_for_model(record)
    with write_transaction():
        recipients = set(record.red_recipients.all())
        files = Attachment.objects.filter(target_type=kind, target_id=record.pk)
        for attachment in files.prefetch_related("red_recipients"):
            copy = (attachment.scope, attachment.marking, set(attachment.red_recipients.all()))
            if copy != (record.scope, record.marking, recipients):
                audited_update(
                    actor=actor,
                    instance=attachment,
                    changes={"scope": record.scope, "marking": record.marking},
                    action="follow",
                    m2m={"red_recipients": recipients},
                )
    return record
