"""Every kind of record, registered once: its model, its access door, its page and API path.

The audit trail, publishing and marking, attachments and search reach records by type
name ("<app_label>.<model>", the audit event's target type) and id; they find each type
here, so a record is found through the same door as on its own page. The domain apps
register their types in `AppConfig.ready()`: this module sits in the bottom layer and
imports none of them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from entente.core.access import get_visible
from entente.core.errors import NotFound

Door = Callable[..., Model]  # get_<entity>_for_user(user, public_id, *, write=False)
Visible = Callable[..., QuerySet]  # <entity>_visible_to(user)


@dataclass(frozen=True)
class RecordType:
    """One registered kind of record."""

    model: type[Model]
    door: Door
    visible: Visible
    api_path: str | None = None  # "/commitments/{id}", relative to the API root

    @property
    def name(self) -> str:
        return self.model._meta.label_lower

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


_TYPES: dict[str, RecordType] = {}

# Called with (record, deleted) pairs, the audited writes of a record (one, or a batch's
# at once); see `records_written`.
WriteHook = Callable[[list[tuple[Model, bool]]], None]
_WRITE_HOOKS: list[WriteHook] = []


def register_record_type(
    model: type[Model], *, door: Door, visible: Visible, api_path: str | None = None
) -> RecordType:
    """Register `model` (idempotent, so that a re-run `ready()` does no harm)."""
    entry = RecordType(model=model, door=door, visible=visible, api_path=api_path)
    _TYPES[entry.name] = entry
    return entry


def register_by_convention(
    selectors, names: dict[type[Model], str], api_paths: dict[type[Model], str] | None = None
) -> None:
    """Register an app's models through the selectors the house convention names:
    `<name>_visible_to(user)` and `get_<name>_for_user(user, pk, *, write=False)`, or a
    read-only door made from the former for a type without a door of its own."""
    for model, name in names.items():
        visible = getattr(selectors, f"{name}_visible_to")
        door = getattr(selectors, f"get_{name}_for_user", None) or door_from_visible(visible)
        path = (api_paths or {}).get(model)
        register_record_type(model, door=door, visible=visible, api_path=path)


def on_record_written(hook: WriteHook) -> None:
    """Have `hook` called inside the transaction of every audited write (idempotent):
    how the search index, above the audit layer, keeps in step with it."""
    if hook not in _WRITE_HOOKS:
        _WRITE_HOOKS.append(hook)


def record_written(record: Model, *, deleted: bool = False) -> None:
    """Tell the hooks that `record` was written, or (`deleted`) is about to be deleted."""
    records_written([(record, deleted)])


def records_written(writes: list[tuple[Model, bool]]) -> None:
    """Tell the hooks of many writes at once, in the order they were made: a batch's."""
    if writes:
        for hook in _WRITE_HOOKS:
            hook(writes)


def record_types() -> list[RecordType]:
    return sorted(_TYPES.values(), key=lambda entry: entry.name)


def record_type(name: str) -> RecordType:
    """The registered type named `name`; NotFound for any other name."""
    try:
        return _TYPES[name]
    except KeyError:
        raise NotFound(_("No such record type.")) from None


def record_type_of(record: Model | type[Model]) -> RecordType:
    return record_type(record._meta.label_lower)


def get_record_for_user(user, name: str, pk, *, write: bool = False) -> Model:
    """The record of that type and id through its own door: NotFound when not visible."""
    return record_type(name).door(user, pk, write=write)


def targets_visible_to(user, entries: Iterable[RecordType]) -> Q:
    """Rows whose generic `target` (a file's, a comment's) is a record of one of
    `entries` that `user` sees, by each record type's own selector."""
    q = Q(pk__in=[])
    for entry in entries:
        q |= Q(
            target_type=ContentType.objects.get_for_model(entry.model),
            target_id__in=entry.visible(user).values("pk"),
        )
    return q


def target_visible_to(user, record: Model) -> Q:
    """Rows whose generic `target` is `record`, when `user` sees it: the one-record form
    of `targets_visible_to`, which asks only `record`'s own type about its one row."""
    seen = record_type_of(record).visible(user).filter(pk=record.pk).values("pk")
    return Q(target_type=ContentType.objects.get_for_model(record), target_id__in=seen)


def door_from_visible(visible: Visible) -> Door:
    """A read-only door for a type whose records are never written on their own."""

    def door(user, pk, *, write: bool = False) -> Model:
        return get_visible(visible(user), pk)

    return door


def record_page_url(record: Model) -> str | None:
    """The page that shows `record`: its own page, or the page of the record it lives on."""
    url = getattr(record, "get_absolute_url", None)
    return url() if url is not None else None
