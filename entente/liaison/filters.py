"""The filters of the request list, read from the query string so a view can be shared."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.agreements.selectors import agreement_visible_to, area_visible_to
from entente.core.enums import Marking
from entente.liaison.enums import WAITING_STATUSES, Priority, RequestStatus

# ?sort= value -> (label, ordering). The empty value keeps the selector's order:
# open requests first, nearest deadline first.
SORTS: dict[str, tuple] = {
    "due": (_("Deadline, earliest first"), ("due_at", "pk")),
    "-due": (_("Deadline, latest first"), ("-due_at", "-pk")),
    "-sent": (_("Newest first"), ("-sent_at", "-pk")),
    "sent": (_("Oldest first"), ("sent_at", "pk")),
    "-priority": (_("Urgent first"), ("-priority", "due_at", "pk")),
    "reference": (_("Reference, A to Z"), ("reference",)),
    "-reference": (_("Reference, Z to A"), ("-reference",)),
}


# The choices offered are only what the user may see (`request` is the HTTP request).
def _agreements(request):
    return agreement_visible_to(request.user)


def _areas(request):
    return area_visible_to(request.user)


class LiaisonRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Reference or subject"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    agreement = django_filters.ModelChoiceFilter(
        label=_("Agreement"), queryset=_agreements, empty_label=_("Any")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Cooperation area"), queryset=_areas, empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RequestStatus.choices, empty_label=_("Any")
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), choices=Priority.choices, empty_label=_("Any")
    )
    marking = django_filters.ChoiceFilter(
        label=_("Marking"), choices=Marking.choices, empty_label=_("Any")
    )
    due_from = django_filters.DateFilter(
        label=_("Due from"),
        field_name="due_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_to = django_filters.DateFilter(
        label=_("Due until"),
        field_name="due_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="only_overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        empty_label=_("Open first, by deadline"),
        method="sort_by",
    )

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(reference__icontains=value) | Q(subject__icontains=value))

    def only_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status__in=WAITING_STATUSES, due_at__lt=timezone.now())

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS[value][1])
