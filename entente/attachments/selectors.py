"""Reads of attachments, always filtered by visibility: a file is seen by those who see
both the file and the record it is on. The record is found through the record-type
registry, so it comes through its own door, whatever app it belongs to."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from entente.attachments.models import Attachment
from entente.core.access import get_visible, membership_of, require_owner_writer, visible_to
from entente.core.errors import NotFound
from entente.core.models import PartyOwned
from entente.core.registry import get_record_for_user


def attachment_visible_to(user) -> QuerySet[Attachment]:
    return visible_to(Attachment.objects.all(), user).select_related("target_type")


def get_attachment_for_user(user, pk, *, write: bool = False) -> Attachment:
    """An attachment is visible when it and the record it hangs on are both visible."""
    attachment = get_visible(attachment_visible_to(user), pk)
    target_model = attachment.target_type.model_class()
    if not visible_to(target_model._default_manager.filter(pk=attachment.target_id), user).exists():
        raise NotFound(_("No such record."))
    if write:
        require_owner_writer(user, attachment)
    return attachment


def attachments_of(user, record: Model) -> QuerySet[Attachment]:
    """The visible attachments hanging on `record`, which the caller may see."""
    return (
        attachment_visible_to(user)
        .filter(target_type=ContentType.objects.get_for_model(record), target_id=record.pk)
        .select_related("uploaded_by")
    )


def agreement_of(record: Model) -> Any:
    """The agreement a record belongs to (following its `agreement_path`), or None for a
    record that belongs to no agreement, such as a directory contact."""
    path = getattr(record, "agreement_path", None)
    if path is None:
        return None
    agreement = record
    for name in filter(None, path.split("__")):
        agreement = getattr(agreement, name)
    return agreement


def is_party_to(user, agreement) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and agreement.agreement_parties.filter(party_id=membership.party_id).exists()
    )


def get_attachable_for_user(user, record_type: str, pk) -> PartyOwned:
    """The record of a registered type ("agreements.commitment") to attach a file to,
    through its own door: NotFound when it is not visible, or when records of that
    type belong to no agreement and so take no files."""
    record = get_record_for_user(user, record_type, pk)
    if not isinstance(record, PartyOwned) or agreement_of(record) is None:
        raise NotFound(_("No such record type."))
    return record


def can_attach(user, record: Model) -> bool:
    """Whether `user` may attach files to `record`: writers of a party to its agreement."""
    membership = membership_of(user)
    agreement = agreement_of(record)
    return (
        membership is not None
        and membership.can_write
        and agreement is not None
        and is_party_to(user, agreement)
    )
