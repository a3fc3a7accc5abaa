"""The filters list pages share, built one way for every app's django-filter set.

Each offers "Any" as its empty choice and reads from the query string like the others,
so the pages filter alike.
"""

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# A filter offers at most this many records, and the chosen one: a ministry's portfolio
# holds a thousand agreements and more areas, whose options alone would outweigh the list.
RECORD_CHOICES = 100

# The value of the last, disabled option of a select that lists only the first records.
_MORE = "\u2026"


# A list page's menu of agreements to create a record under names at most this many; the
# others are reached from the portfolio, on each agreement's page.
MENU_CHOICES = 20


def menu_of(queryset: Any) -> dict[str, Any]:
    """The first `MENU_CHOICES` records of `queryset` for a menu (`agreements`), and
    whether more follow (`more`): the context of the template `_create_menu.html`."""
    first = list(queryset[: MENU_CHOICES + 1])
    return {"agreements": first[:MENU_CHOICES], "more": len(first) > MENU_CHOICES}


def search_box(label: Any, **kwargs: Any) -> django_filters.CharFilter:
    """A search field, answered by the filter set's `search` method."""
    return django_filters.CharFilter(
        label=label, method="search", widget=forms.TextInput(attrs={"type": "search"}), **kwargs
    )


def any_of(label: Any, choices: Any) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(label=label, choices=choices, empty_label=_("Any"))


class BoundedSelect(forms.Select):
    """A select of the first `RECORD_CHOICES` records of its field's queryset, the chosen
    one among them; any record of the queryset is still accepted, as from a link."""

    def optgroups(self, name, value, attrs=None):
        every = self.choices
        self.choices = list(_first_records(every, value))
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value == _MORE:
            option["value"] = ""
            option["attrs"]["disabled"] = True
        return option


def _first_records(choices: Any, chosen: list[str]) -> Iterator[tuple]:
    if not isinstance(choices, ModelChoiceIterator):
        yield from choices
        return
    field = choices.field
    if field.empty_label is not None:
        yield ("", field.empty_label)
    records = list(choices.queryset[: RECORD_CHOICES + 1])
    shown = records[:RECORD_CHOICES]
    key = field.to_field_name or "pk"
    missing = {value for value in chosen if value} - {str(getattr(r, key)) for r in shown}
    # A value that is no key at all is left out: the form says it is not a valid choice.
    with contextlib.suppress(ValidationError, ValueError, TypeError, OverflowError):
        if missing:
            shown += list(choices.queryset.filter(**{f"{key}__in": missing}))
    yield from (choices.choice(record) for record in shown)
    if len(records) > RECORD_CHOICES:
        yield (
            _MORE,
            format_lazy(
                _("Only the first {count} are listed."),
                count=RECORD_CHOICES,
            ),
        )


def any_record(
    label: Any, queryset: Any, *, empty_label: Any = None, **kwargs: Any
) -> django_filters.ModelChoiceFilter:
    """One of `queryset` (a callable of the HTTP request: only what the user may see);
    records are chosen by `to_field_name="public_id"`, parties and units by key. The
    select lists the first `RECORD_CHOICES` of them (`BoundedSelect`)."""
    return django_filters.ModelChoiceFilter(
        label=label,
        queryset=queryset,
        empty_label=empty_label or _("Any"),
        widget=BoundedSelect,
        **kwargs,
    )


def day_bound(label: Any, field_name: str, lookup: str) -> django_filters.DateFilter:
    """A date bound ("gte" or "lte") on the day of the date-time `field_name`."""
    return django_filters.DateFilter(
        label=label,
        field_name=field_name,
        lookup_expr=f"date__{lookup}",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def sort_choice(sorts: Mapping[str, tuple], empty_label: Any) -> django_filters.ChoiceFilter:
    """The order of the list, from `sorts`: ?sort= value -> (label, ordering)."""
    return django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _ordering) in sorts.items()],
        empty_label=empty_label,
        method=lambda queryset, name, value: queryset.order_by(*sorts[value][1]),
    )
