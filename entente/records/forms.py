"""The search form: the shape of a query, nothing more."""

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.records.models import QUERY_MAX_LENGTH, query_words


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words to look for"),
        max_length=QUERY_MAX_LENGTH,
        help_text=_(
            "Titles, references and texts in every language: every word must appear, "
            "and the start of a word is enough."
        ),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def clean_q(self) -> list[str]:
        """The words to look for."""
        return query_words(self.cleaned_data["q"])
