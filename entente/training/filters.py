"""The filters of the trainings list, applied to the trainings the user may see."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entente.agreements.filters import agreement_choice, area_choice, party_choices
from entente.core.enums import Marking
from entente.core.filters import any_record
from entente.training.enums import TrainingStatus
from entente.training.forms import DateInput
from entente.training.selectors import training_search, training_visible_to

# ?sort= value -> ordering; anything else falls back to the default.
SORTS = {
    "starts_on": ("starts_on", "pk"),
    "-starts_on": ("-starts_on", "-pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "status": ("status", "starts_on", "pk"),
    "-status": ("-status", "starts_on", "pk"),
    "host": ("host_party__code", "starts_on", "pk"),
    "-host": ("-host_party__code", "starts_on", "pk"),
}
DEFAULT_SORT = "-starts_on"


class TrainingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    agreement = agreement_choice(empty_label=_("Any agreement"))
    area = area_choice(empty_label=_("Any area"))
    party = any_record(
        _("Party (host or sending)"),
        party_choices,
        method="hosted_or_sent_by",
        empty_label=_("Any party"),
    )
    status = django_filters.ChoiceFilter(
        choices=TrainingStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    date_from = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="gte", label=_("From"), widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", label=_("Until"), widget=DateInput()
    )
    marking = django_filters.ChoiceFilter(
        choices=Marking.choices, label=_("Marking"), empty_label=_("Any marking")
    )

    def search(self, queryset, name, value):
        return training_search(queryset, value)

    def hosted_or_sent_by(self, queryset, name, value):
        return queryset.filter(Q(host_party=value) | Q(sending_party=value))


def training_sort(data) -> str:
    """The `?sort=` the list is in: a known one, else the default."""
    return data.get("sort") if data.get("sort") in SORTS else DEFAULT_SORT


def training_filter(data, request) -> TrainingFilter:
    """The training list as its page and its exports show it: what the user may see,
    narrowed by `data` (the query string), in the order `?sort=` names."""
    queryset = training_visible_to(request.user).order_by(*SORTS[training_sort(data)])
    return TrainingFilter(data or None, queryset=queryset, request=request)
