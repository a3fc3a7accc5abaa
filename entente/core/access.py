"""The one rule for who sees and who changes a party-owned record (DESIGN.md).

A user of party P sees a record when its own rule holds and its parent is visible to
them (an agreement for most records, the request for a thread message):

- its own rule: the record is owned by P, or shared (an agreement: shared and P is a
  party to it; a child: shared with whoever sees its parent; a contact: with everyone);
  and a TLP:RED record only when the user is a named recipient or a coordinator of the
  owning party (whose coordinators are never locked out of their party's records);
- its parent: the same rule, recursively, so a TLP:RED agreement hides its children.

Only writers (officers, coordinators) of the owning party change a record, and only the
owning party's coordinators raise it to TLP:RED or TLP:AMBER+STRICT, lower its marking
or narrow its recipients (`check_marking_change`). Every `<entity>_visible_to` selector
and `get_<entity>_for_user` helper, and every service that takes a parent, is built on
these functions.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import F, Func, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In
from django.utils.translation import gettext as _

from entente.core.enums import Marking, Scope
from entente.core.errors import NotFound, PermissionDenied

T = TypeVar("T")

# Markings that narrow who may read a record to a few: set by owning coordinators only.
RESTRICTED_MARKINGS = frozenset({Marking.RED, Marking.AMBER_STRICT})


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


def parent_of(model: type[Model]) -> str | None:
    """The field holding the record's parent: the first step of its `agreement_path`
    ("agreement", "request"), None for agreements and contacts."""
    path = model.agreement_path  # type: ignore[attr-defined]  # set by PartyOwned
    return path.split("__")[0] if path else None


def visible_q(model: type[Model], user) -> Q:
    """A filter for the records of `model` that `user` may see (see the module's rule)."""
    membership = membership_of(user)
    if membership is None:
        return Q(pk__in=[])
    return _rule(model, user.pk, membership.party_id, membership.is_coordinator)


# The rule depends on nothing but these arguments, and building it (nested querysets) costs
# more than running it on an indexed row, so each is built once per process: a Q is only
# read by the querysets it filters.
@lru_cache(maxsize=4096)
def _rule(model: type[Model], user_id: int, party_id: int, is_coordinator: bool) -> Q:
    return _visible_q(model, user_id, party_id, is_coordinator, prefix="")


def _visible_q(
    model: type[Model], user_id: int, party_id: int, is_coordinator: bool, *, prefix: str
) -> Q:
    """The rule for the records of `model` reached through `prefix` ("", or "request__"
    from a thread message).

    A record's parent is matched by a join on its own columns, not against the set of
    visible parents' ids: that set is as large as the parent table (every request, for
    the messages) and the databases plan it badly; only the agreements, at the top, are
    matched by id, against the few a party may see. The id sets come from the link tables
    alone (parties, TLP:RED recipients), without joining back to the record's table.
    """

    def where(**lookups) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    shared = where(scope=Scope.SHARED)
    if model.agreement_path == "":  # type: ignore[attr-defined]  # the agreement itself
        shared &= where(pk__in=_linked_ids(model, "agreement_parties", party=party_id))
    readable = ~where(marking=Marking.RED) | where(
        pk__in=_linked_ids(model, "red_recipients", user=user_id)
    )
    if is_coordinator:
        readable |= where(owning_party=party_id)
    rule = (where(owning_party=party_id) | shared) & readable
    parent = parent_of(model)
    if parent is None:
        return rule
    parent_model = cast(type[Model], model._meta.get_field(parent).related_model)
    if parent_of(parent_model) is None:
        parents = parent_model._base_manager.filter(
            _rule(parent_model, user_id, party_id, is_coordinator)
        )
        visible_parents = _compiled(parents.order_by().values("pk"))
        return rule & Q(In(_NotAnIndexKey(F(f"{prefix}{parent}")), visible_parents))
    parent_rule = _visible_q(
        parent_model, user_id, party_id, is_coordinator, prefix=f"{prefix}{parent}__"
    )
    return rule & parent_rule


class _NotAnIndexKey(Func):
    """A column SQLite may not look rows up by (its documented unary `+`). Matched against
    the agreements a party sees, which are nearly all of them, the agreement column makes
    SQLite's planner fetch every visible row by that index and sort them all, where walking
    the index of the list's order stops after a page: 0.2 s against 2 ms for a page of
    100,000 commitments. PostgreSQL plans it by its statistics and gets the column as is."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def _compiled(subquery: QuerySet) -> RawSQL:
    """`subquery` as its SQL, compiled once: a queryset inside a filter is copied and
    resolved again by every query it filters, which costs far more than running it."""
    sql, params = subquery.query.sql_with_params()
    return RawSQL(sql, params)  # noqa: S611  # the ORM compiled it; the values stay parameters


def _linked_ids(model: type[Model], relation: str, **lookups) -> RawSQL:
    """The ids of `model`'s records linked through `relation` (a reverse foreign key or a
    many-to-many) to the rows matching `lookups`, read from the link table only."""
    field = model._meta.get_field(relation)
    if field.many_to_many:
        link = field.remote_field.through  # type: ignore[union-attr]
        column = field.m2m_field_name()  # type: ignore[union-attr]
    else:
        link = field.related_model
        column = field.remote_field.name  # type: ignore[union-attr]
    return _compiled(link._base_manager.filter(**lookups).values(column))


def visible_to(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(visible_q(queryset.model, user))


def get_visible(queryset: QuerySet, public_id):
    """The record with `public_id` (its id outside the database) in an already-filtered
    queryset, or NotFound; an internal integer key is no address, so it is not found."""
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("No such record.")) from None


# What a batch has asked already, inside `visibility_remembered()`: key -> answer.
_remembered: ContextVar[dict | None] = ContextVar("entente_remembered", default=None)


@contextmanager
def visibility_remembered() -> Iterator[None]:
    """Inside the block, a record once found visible to a user is not asked about again,
    nor an agreement's parties (`remembered`).

    For a batch in one transaction that changes no one's sight of the records it hands
    to services again and again (an import passes the same agreement to thousands of
    create services): the same answer, without the query each time.
    """
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def remembered(key: tuple, answer: Callable[[], T]) -> T:
    """`answer()`, asked once per `key` inside `visibility_remembered()`, every time outside."""
    memo = _remembered.get()
    if memo is None:
        return answer()
    if key not in memo:
        memo[key] = answer()
    return memo[key]


def require_visible(user, record: Model) -> None:
    """NotFound unless `user` may see `record`, whatever door it came through: a service
    handed a parent (an agreement, a meeting, a request) checks it here first, so that a
    parent the actor may not see stays unknown to them (404, never 403)."""
    model = type(record)
    key = ("visible", model, record.pk, getattr(user, "pk", None))
    if not remembered(key, lambda: _is_visible(user, record)):
        raise NotFound(_("No such record."))


def _is_visible(user, record: Model) -> bool:
    model = type(record)
    return model._base_manager.filter(visible_q(model, user), pk=record.pk).exists()


def get_owned_for_user(queryset: QuerySet, user, public_id, *, write: bool = False):
    """The door of a party-owned record: the record with `public_id` in `queryset`
    (already filtered by visibility), or NotFound; with `write`, only for its owning
    party's writers (PermissionDenied)."""
    record = get_visible(queryset, public_id)
    if write:
        require_owner_writer(user, record)
    return record


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


def require_owner_writer(user, record, *, coordinator: bool = False) -> None:
    """Only writers (with `coordinator`, only coordinators) of the owning party change a
    record, and only one they may see: a service may be handed a record that did not come
    through a selector, and one the user may not see stays unknown to them (404)."""
    require_visible(user, record)
    _require_owning(user, record, coordinator=coordinator)


def _require_owning(user, record, *, coordinator: bool = False) -> None:
    membership = require_coordinator(user) if coordinator else require_writer(user)
    if record.owning_party_id != membership.party_id:
        raise PermissionDenied(_("Only the party that owns this record may change it."))


def can_write(user, record) -> bool:
    """Whether the user may change a record they are shown (so already visible to them)."""
    try:
        _require_owning(user, record)
    except PermissionDenied:
        return False
    return True


def agreement_of(record: Model):
    """The agreement a record belongs to (following its `agreement_path`), or None."""
    path = getattr(record, "agreement_path", None)
    if path is None:
        return None
    agreement = record
    for name in filter(None, path.split("__")):
        agreement = getattr(agreement, name)
    return agreement


def is_party_to(user, agreement) -> bool:
    """Whether `user`'s party is a party to `agreement`."""
    membership = membership_of(user)
    return (
        membership is not None
        and agreement.agreement_parties.filter(party_id=membership.party_id).exists()
    )


def writes_for_a_party_to(user, record: Model) -> bool:
    """Whether `user` is a writer of a party to `record`'s agreement: who adds files and
    comments to a record shared with them, whichever party owns it."""
    membership = membership_of(user)
    agreement = agreement_of(record)
    return (
        membership is not None
        and membership.can_write
        and agreement is not None
        and is_party_to(user, agreement)
    )


def check_marking_change(
    actor,
    record: Model,
    marking: str,
    recipients: Iterable,
    *,
    parties: Iterable | None = None,
    marking_action: bool = False,
) -> list:
    """The TLP:RED recipients `record` keeps once `actor` gives it `marking`.

    `record` is the record as it is (unsaved when being created). Raising to TLP:RED or
    TLP:AMBER+STRICT, lowering, and removing recipients are for the owning party's
    coordinators: anyone else gets a 403 on the marking action itself (`marking_action`)
    and a 422 on the field inside a create or update. TLP:RED needs recipients, all of
    them users of a party to the record's agreement (`parties` when it has none yet);
    the actor is added, so they keep sight of what they mark.
    """
    if marking not in Marking.values:
        raise ValidationError({"marking": _("Unknown marking.")})
    named = list(recipients) if marking == Marking.RED else []
    kept = named if actor in named or not named else [*named, actor]
    refusal = _coordinators_only(record, Marking(marking), kept)
    if refusal is not None and not _is_owning_coordinator(actor, record):
        field, message = refusal
        raise PermissionDenied(message) if marking_action else ValidationError({field: message})
    if marking == Marking.RED and not named:
        raise ValidationError({"red_recipients": _("Name at least one recipient for TLP:RED.")})
    _check_recipient_parties(record, kept, parties)
    return kept


def _is_owning_coordinator(user, record) -> bool:
    membership = membership_of(user)
    return bool(
        membership and membership.is_coordinator and membership.party_id == record.owning_party_id
    )


def _coordinators_only(record, marking: Marking, recipients: list) -> tuple[str, str] | None:
    """The field and reason when the change is for the owning coordinators only."""
    before = Marking(record.marking) if record.pk else None
    if marking in RESTRICTED_MARKINGS and marking != before:
        return "marking", _(
            "Only a coordinator of the owning party may mark a record %(marking)s."
        ) % {"marking": marking.label}
    if before is not None and marking.rank < before.rank:
        return "marking", _("Only a coordinator of the owning party may lower a marking.")
    if before == Marking.RED and marking == Marking.RED:
        kept = {user.pk for user in recipients}
        if set(record.red_recipients.values_list("pk", flat=True)) - kept:
            return "red_recipients", _(
                "Only a coordinator of the owning party may remove a TLP:RED recipient."
            )
    return None


def _check_recipient_parties(record, recipients: list, parties: Iterable | None) -> None:
    """Every recipient is a user of a party to the record's agreement (of any party for
    a record without one, such as a directory contact)."""
    if not recipients:
        return
    users = type(recipients[0])._default_manager.filter(pk__in=[u.pk for u in recipients])
    if parties is not None:
        users = users.filter(membership__party__in=list(parties))
    elif (agreement := agreement_of(record)) is not None:
        users = users.filter(membership__party__agreement_roles__agreement=agreement)
    else:
        users = users.filter(membership__isnull=False)
    allowed = set(users.values_list("pk", flat=True))
    outsiders = sorted(u.get_username() for u in recipients if u.pk not in allowed)
    if outsiders:
        raise ValidationError(
            {
                "red_recipients": _(
                    "Only users of a party to the agreement may be recipients: %(names)s."
                )
                % {"names": ", ".join(outsiders)}
            }
        )
