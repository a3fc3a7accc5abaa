"""The one rule for who sees and who changes a party-owned record (DESIGN.md).

A user of party P sees a record when it is owned by P, or when it is shared and P is
a party to the record's agreement; a TLP:RED record additionally only when the user is
a named recipient. Only writers (officers, coordinators) of the owning party change it.
Every `<entity>_visible_to` selector and `get_<entity>_for_user` helper is built on
these functions.
"""

from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from entente.core.enums import Marking, Scope
from entente.core.errors import NotFound, PermissionDenied


def membership_of(user):
    """The user's membership, or None for anonymous users and bare operators."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.membership
    except ObjectDoesNotExist:  # a user without a party sees nothing
        return None


def party_id_of(user) -> int | None:
    membership = membership_of(user)
    return membership.party_id if membership else None


def visible_q(model: type[Model], user) -> Q:
    """A filter for the records of `model` that `user` may see."""
    party_id = party_id_of(user)
    if party_id is None:
        return Q(pk__in=[])
    manager = model._base_manager
    path = model.agreement_path  # type: ignore[attr-defined]  # set by PartyOwned
    if path is None:
        shared = Q(scope=Scope.SHARED)
    else:
        prefix = f"{path}__" if path else ""
        # A shared child is seen only through an agreement that is itself shared.
        agreements_of_party = manager.filter(
            **{f"{prefix}agreement_parties__party": party_id, f"{prefix}scope": Scope.SHARED}
        )
        shared = Q(scope=Scope.SHARED, pk__in=agreements_of_party.values("pk"))
    recipient = Q(pk__in=manager.filter(red_recipients=user).values("pk"))
    return (Q(owning_party=party_id) | shared) & (~Q(marking=Marking.RED) | recipient)


def visible_to(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(visible_q(queryset.model, user))


def get_visible(queryset: QuerySet, pk):
    """The record with `pk` in an already-filtered queryset, or NotFound."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such record.")) from None


def require_writer(user):
    """The membership of a user who may write at all (officer or coordinator)."""
    membership = membership_of(user)
    if membership is None or not membership.can_write:
        raise PermissionDenied(_("Your role does not allow changes."))
    return membership


def require_coordinator(user):
    membership = membership_of(user)
    if membership is None or not membership.is_coordinator:
        raise PermissionDenied(_("Only a coordinator may do this."))
    return membership


def require_owner_writer(user, record) -> None:
    """Only writers of the owning party change a record."""
    membership = require_writer(user)
    if record.owning_party_id != membership.party_id:
        raise PermissionDenied(_("Only the party that owns this record may change it."))


def can_write(user, record) -> bool:
    try:
        require_owner_writer(user, record)
    except PermissionDenied:
        return False
    return True


def red_recipients_for(actor, marking: str, recipients: Iterable) -> list:
    """The recipients a record keeps: none unless RED, and then the author among them.

    A RED record nobody may see would be lost, so RED needs at least one recipient, and
    the author keeps access to what they mark RED.
    """
    if marking != Marking.RED:
        return []
    recipients = list(recipients)
    if not recipients:
        raise ValidationError({"red_recipients": _("Name at least one recipient for TLP:RED.")})
    return recipients if actor in recipients else [*recipients, actor]
