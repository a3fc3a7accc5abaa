"""The forms of the peer pages: their shape only; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Party
from entente.core.pages import VersionedForm


class PeerForm(forms.Form):
    """Another party's instance for the agreement: its party, key and address."""

    party: "forms.ModelChoiceField[Party]" = forms.ModelChoiceField(
        label=_("Party"), queryset=None, empty_label=None
    )
    public_key = forms.CharField(
        label=_("Public key"),
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "ltr", "class": "mono", "autocomplete": "off"}),
        help_text=_(
            "The peer instance's Ed25519 public key in base64, as 'entente keys show' "
            "prints it there. Compare its fingerprint aloud with the other party."
        ),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        widget=forms.URLInput(attrs={"dir": "ltr"}),
        help_text=_("Where the peer instance answers, if it can be reached: https:// only."),
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties  # type: ignore[attr-defined]

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class PeerRetireForm(VersionedForm):
    """Retire a peer's key, at the version it was shown at."""
