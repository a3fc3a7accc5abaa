from django import forms
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 1945, 2100


class PeriodForm(forms.Form):
    """The calendar year a report or scorecard covers."""

    period = forms.IntegerField(
        label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )
