"""Reads of attachments, always filtered by visibility: a file is seen exactly when the
record it is on is seen (and its own copied scope, marking and recipients allow it).
Records are found through the record-type registry, so each comes through its own
door, whatever app it belongs to."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from entente.attachments.models import Attachment
from entente.core.access import (
    agreement_of,
    get_owned_for_user,
    membership_of,
    visible_to,
)
from entente.core.errors import NotFound
from entente.core.models import PartyOwned
from entente.core.registry import get_record_for_user, record_types


def takes_files(model: type[Model]) -> bool:
    """Records of an agreement take files; directory records (contacts) and files do not."""
    return (
        issubclass(model, PartyOwned)
        and model is not Attachment
        and getattr(model, "agreement_path", None) is not None
    )


def on_visible_records(user) -> Q:
    """Attachments whose record `user` sees, by each record type's own selector."""
    q = Q(pk__in=[])
    for entry in record_types():
        if takes_files(entry.model):
            q |= Q(
                target_type=ContentType.objects.get_for_model(entry.model),
                target_id__in=entry.visible(user).values("pk"),
            )
    return q


def attachment_visible_to(user) -> QuerySet[Attachment]:
    attachments = Attachment.objects.filter(on_visible_records(user))
    return visible_to(attachments, user).select_related("target_type", "agreement")


def get_attachment_for_user(user, pk, *, write: bool = False) -> Attachment:
    return get_owned_for_user(attachment_visible_to(user), user, pk, write=write)


def attachments_of(user, record: Model) -> QuerySet[Attachment]:
    """The visible attachments hanging on `record`, which the caller may see."""
    return (
        attachment_visible_to(user)
        .filter(target_type=ContentType.objects.get_for_model(record), target_id=record.pk)
        .select_related("uploaded_by")
    )


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
    if not isinstance(record, PartyOwned) or not takes_files(type(record)):
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
