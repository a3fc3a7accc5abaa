from django import forms
from django.utils.translation import gettext_lazy as _

from entente.comments.services import MAX_LENGTH
from entente.core.enums import Marking, Scope
from entente.core.pages import VersionedForm


def _text_field() -> forms.CharField:
    return forms.CharField(
        label=_("Comment"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        error_messages={"required": _("Write a comment.")},
    )


class CommentForm(forms.Form):
    """A new comment on `record`: shared as the record by default, and marked as it or
    more strictly (TLP:RED, which needs recipients, only under a TLP:RED record)."""

    text = _text_field()
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    marking = forms.ChoiceField(label=_("Marking"), choices=Marking.choices)

    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault("initial", {"scope": record.scope, "marking": record.marking})
        kwargs.setdefault("prefix", "comment")
        super().__init__(*args, **kwargs)
        floor = Marking(record.marking)
        self.fields["marking"].choices = [
            (m.value, m.label)
            for m in Marking
            if m.rank >= floor.rank and (m != Marking.RED or floor == Marking.RED)
        ]
        self.fields["scope"].help_text = _("Internal: only your party sees the comment.")


class CommentEditForm(VersionedForm):
    text = _text_field()
