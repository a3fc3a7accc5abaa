from django import forms

from entente.notices.enums import Channel, NoticeKind


class NoticePreferencesForm(forms.Form):
    """One choice of channel per kind of notice, labelled in the user's language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NoticeKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Channel.choices, initial=Channel.IMMEDIATE
            )
