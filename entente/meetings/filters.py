"""The filters of the meeting list, read from the query string so a view can be shared."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Party
from entente.agreements.selectors import agreement_visible_to
from entente.core.enums import Marking
from entente.meetings.enums import MeetingKind, MeetingStatus
from entente.meetings.selectors import meeting_search

# ?sort= value -> (label, ordering). The empty value keeps the selector's order.
SORTS: dict[str, tuple] = {
    "starts": (_("Oldest first"), ("starts_at", "pk")),
    "title": (_("Title, A to Z"), ("title", "pk")),
    "-title": (_("Title, Z to A"), ("-title", "-pk")),
    "status": (_("Status"), ("status", "-starts_at", "-pk")),
}
DEFAULT_ORDER = ("-starts_at", "-pk")


# The choices offered are only what the user may see (`request` is the HTTP request).
def _agreements(request):
    return agreement_visible_to(request.user)


def _host_parties(request):
    # Parties are public; offer those of the agreements the user sees.
    agreements = agreement_visible_to(request.user).values("pk")
    return Party.objects.filter(agreement_roles__agreement__in=agreements).distinct()


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Title or place"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    agreement = django_filters.ModelChoiceFilter(
        label=_("Agreement"), queryset=_agreements, empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=MeetingKind.choices, empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MeetingStatus.choices, empty_label=_("Any")
    )
    host_party = django_filters.ModelChoiceFilter(
        label=_("Host party"), queryset=_host_parties, empty_label=_("Any")
    )
    marking = django_filters.ChoiceFilter(
        label=_("Marking"), choices=Marking.choices, empty_label=_("Any")
    )
    starts_from = django_filters.DateFilter(
        label=_("From"),
        field_name="starts_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    starts_to = django_filters.DateFilter(
        label=_("Until"),
        field_name="starts_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        empty_label=_("Newest first"),
        method="sort_by",
    )

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return meeting_search(queryset, [value])

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS[value][1])
