"""Reads of attachments, always filtered by visibility: a file is seen exactly when the
record it is on is seen (and its own copied scope, marking and recipients allow it).
Records are found through the record-type registry, so each comes through its own
door, whatever app it belongs to."""

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from entente.attachments.models import Attachment
from entente.core.access import get_owned_for_user, visible_to, writes_for_a_party_to
from entente.core.errors import NotFound
from entente.core.models import PartyOwned
from entente.core.registry import (
    get_record_for_user,
    record_type_of,
    record_types,
    target_visible_to,
    targets_visible_to,
)


def takes_files(model: type[Model]) -> bool:
    """Records of an agreement take files; directory records (contacts), files and the
    records that say `takes_files = False` (an instance's peers) do not."""
    return (
        issubclass(model, PartyOwned)
        and model is not Attachment
        and getattr(model, "agreement_path", None) is not None
        and getattr(model, "takes_files", True)
    )


def attachment_visible_to(user, on: Model | type[Model] | None = None) -> QuerySet[Attachment]:
    """The files the user may see; with `on`, only those on that record, or on records of
    that type."""
    if on is None:
        targets = targets_visible_to(user, [e for e in record_types() if takes_files(e.model)])
    elif isinstance(on, type):
        targets = targets_visible_to(user, [record_type_of(on)])
    else:
        targets = target_visible_to(user, on)
    attachments = Attachment.objects.filter(targets)
    return visible_to(attachments, user).select_related("target_type", "agreement")


def get_attachment_for_user(user, pk, *, write: bool = False) -> Attachment:
    return get_owned_for_user(attachment_visible_to(user), user, pk, write=write)


def attachments_of(user, record: Model) -> QuerySet[Attachment]:
    """The visible attachments hanging on `record`."""
    return attachment_visible_to(user, on=record).select_related("uploaded_by")


def get_attachable_for_user(user, record_type: str, pk) -> PartyOwned:
    """The record of a registered type ("agreements.commitment") to attach a file to,
    through its own door: NotFound when it is not visible, or when records of that
    type belong to no agreement and so take no files."""
    record = get_record_for_user(user, record_type, pk)
    if not isinstance(record, PartyOwned) or not takes_files(type(record)):
        raise NotFound(_("No such record type."))
    return record


def can_attach(user, record: Model) -> bool:
    """Whether `user` may attach files to `record`: writers of a party to its agreement."""
    return writes_for_a_party_to(user, record)
