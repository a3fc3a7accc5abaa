"""The filters list pages share, built one way for every app's django-filter set.

Each offers "Any" as its empty choice and reads from the query string like the others,
so the pages filter alike.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


def search_box(label: Any, **kwargs: Any) -> django_filters.CharFilter:
    """A search field, answered by the filter set's `search` method."""
    return django_filters.CharFilter(
        label=label, method="search", widget=forms.TextInput(attrs={"type": "search"}), **kwargs
    )


def any_of(label: Any, choices: Any) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(label=label, choices=choices, empty_label=_("Any"))


def any_record(label: Any, queryset: Any, **kwargs: Any) -> django_filters.ModelChoiceFilter:
    """One of `queryset` (a callable of the HTTP request: only what the user may see);
    records are chosen by `to_field_name="public_id"`, parties and units by key."""
    return django_filters.ModelChoiceFilter(
        label=label, queryset=queryset, empty_label=_("Any"), **kwargs
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
