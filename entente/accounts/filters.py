"""Filters of the directory's contacts, read from the URL query string."""

import django_filters
from django.utils.translation import gettext_lazy as _

from entente.accounts.selectors import contact_visible_to, directory_parties_for


class ContactFilter(django_filters.FilterSet):
    party = django_filters.ChoiceFilter(
        label=_("Party"), field_name="owning_party__code", empty_label=_("Any")
    )
    q = django_filters.CharFilter(
        label=_("Search names"), field_name="name", lookup_expr="icontains"
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["party"].extra["choices"] = [
            (code, code)
            for code in directory_parties_for(request.user).values_list("code", flat=True)
        ]


def contact_filter(data, request) -> ContactFilter:
    """The contacts of every directory the user may open (the contact rule: shared ones,
    and their own party's internal ones), by party, unit and name."""
    parties = directory_parties_for(request.user)
    queryset = (
        contact_visible_to(request.user)
        .filter(owning_party__in=parties.values("pk"))
        .order_by("owning_party__code", "unit__name", "name", "pk")
    )
    return ContactFilter(data or None, queryset=queryset, request=request)
