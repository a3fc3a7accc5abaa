"""Writing comments: any writer of a party to the agreement comments on a record of it
they can see; only the author edits or deletes their comment. Every write is audited."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from entente.audit.services import audited_create, audited_delete, audited_update
from entente.comments.models import Comment
from entente.comments.selectors import COMMENTABLE
from entente.core.access import (
    agreement_of,
    check_marking_change,
    is_party_to,
    require_owner_writer,
    require_visible,
    require_writer,
)
from entente.core.enums import Marking, Scope
from entente.core.errors import NotFound, PermissionDenied, ValidationError
from entente.core.models import PartyOwned, ownership

MAX_LENGTH = 10_000


def comment_add(
    *,
    actor,
    record: PartyOwned,
    text: str,
    scope: str | None = None,
    marking: str | None = None,
    red_recipients: Iterable = (),
) -> Comment:
    """Comment on a commitment, meeting or training the actor sees, as a writer of a
    party to its agreement: a comment owned by the actor's party.

    By default it is as shared as its record and carries the record's marking (and,
    under TLP:RED, the record's recipients, the actor with them). It may be internal to
    the actor's party, or marked more strictly than its record (through the marking
    rules of `check_marking_change`), never less.
    """
    if record._meta.label_lower not in COMMENTABLE:
        raise NotFound(_("No such record type."))
    require_visible(actor, record)
    membership = require_writer(actor)
    agreement = agreement_of(record)
    if not is_party_to(actor, agreement):
        raise PermissionDenied(_("Your party is not a party to this agreement."))
    scope = record.scope if scope is None else scope
    if scope not in Scope.values:
        raise ValidationError({"scope": _("Choose shared or internal.")})
    marking = record.marking if marking is None else marking
    comment = Comment(
        agreement=agreement,
        target_type=ContentType.objects.get_for_model(record),
        target_id=record.pk,
        author=actor,
        text=_checked_text(text),
        **ownership(membership.party_id, scope, marking, record.is_illustrative),
    )
    recipients = _recipients(actor, record, comment, list(red_recipients))
    return audited_create(actor=actor, instance=comment, m2m={"red_recipients": recipients})


def _recipients(actor, record: PartyOwned, comment: Comment, named: list) -> list:
    """Who sees the comment while it is TLP:RED: its record's recipients when it keeps
    the record's marking (the record hides it from everyone else anyway), or those the
    actor names under the marking rules when it is marked more strictly."""
    if comment.marking not in Marking.values:
        raise ValidationError({"marking": _("Unknown marking.")})
    floor = Marking(record.marking)
    if Marking(comment.marking).rank < floor.rank:
        raise ValidationError(
            {
                "marking": _("A comment cannot be marked less strictly than its record (%(m)s).")
                % {"m": floor.label}
            }
        )
    if comment.marking != record.marking:
        return check_marking_change(actor, comment, comment.marking, named)
    if comment.marking != Marking.RED:
        return []
    if named:
        raise ValidationError(
            {"red_recipients": _("A comment on a TLP:RED record has the record's recipients.")}
        )
    inherited = list(record.red_recipients.all())
    return inherited if actor in inherited else [*inherited, actor]


def _checked_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    if "\x00" in text:
        raise ValidationError({"text": _("Null characters are not allowed.")})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"text": _("A comment has at most %(n)d characters.") % {"n": MAX_LENGTH}}
        )
    return text


def require_author(actor, comment: Comment) -> None:
    """Only the author of a comment, still a writer of its party, changes it (404 to
    those who may not see it)."""
    require_owner_writer(actor, comment)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only the author of a comment may change it."))


def comment_update(*, actor, comment: Comment, expected_version: int, text: str) -> Comment:
    """The author rewrites their comment (version checked)."""
    require_author(actor, comment)
    return audited_update(
        actor=actor,
        instance=comment,
        changes={"text": _checked_text(text)},
        expected_version=expected_version,
    )


def comment_delete(*, actor, comment: Comment) -> None:
    """The author takes their comment back; its trail keeps what it said."""
    require_author(actor, comment)
    audited_delete(actor=actor, instance=comment)
