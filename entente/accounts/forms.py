from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from entente.accounts.enums import Role
from entente.accounts.models import Unit, time_zone_names
from entente.accounts.passwords import password_reset_mailed, password_set
from entente.accounts.recovery import recovery_code_normalise
from entente.core.enums import Scope


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the system that will use it."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for the default lifetime."),
    )
    read_only = forms.BooleanField(
        label=_("Read-only"),
        required=False,
        help_text=_("The token may read, but not change anything."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read per form, not at import, so that the settings in force are the ones shown.
        self.fields["expires_in_days"].help_text = _(
            "Leave empty for %(default)d days; at most %(max)d."
        ) % {"default": settings.TOKEN_DEFAULT_DAYS, "max": settings.TOKEN_MAX_DAYS}


class MFACodeForm(forms.Form):
    """A code from the authenticator app; its field is named MFA_CODE_FIELD."""

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        code = "".join(self.cleaned_data["otp_token"].split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(
                _("Enter the 6-digit code that your authenticator app shows.")
            )
        return code


class RecoveryCodeForm(forms.Form):
    """One of the recovery codes shown at enrolment; its field is RECOVERY_CODE_FIELD."""

    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_recovery_code(self) -> str:
        code = recovery_code_normalise(self.cleaned_data["recovery_code"])
        if code is None:
            raise forms.ValidationError(
                _("Enter a recovery code as it was shown to you, e.g. abcd-efgh-jkmn-pqrs.")
            )
        return code


# --- passwords: Django's forms, writing through entente.accounts.passwords ---------------


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        return password_set(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            action="password_change",
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password at the end of a reset by e-mail."""

    def save(self, commit=True):
        return password_set(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            action="password_reset",
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the link only to an active account with this address, and answers the
    same either way (the view shows one page whatever the address)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        password_reset_mailed(user=context["user"])
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


# --- the directory and the party's members, kept by its party administrator ----------------


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    is_contact_cell = forms.BooleanField(
        label=_("Contact cell"),
        required=False,
        help_text=_("The unit that sends and answers requests for the party."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)


class ContactForm(forms.Form):
    """A person of the directory; `units` are the party's own."""

    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Function"), max_length=200, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=50, required=False, help_text=_("e.g. +31 70 123 45 67")
    )
    languages = forms.CharField(
        label=_("Languages"),
        max_length=50,
        required=False,
        help_text=_("Language codes separated by commas, e.g. ar,fr"),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("IANA name, e.g. Africa/Casablanca or Europe/Amsterdam"),
        # The page lists the names (contact_form.html's datalist); typing filters them.
        widget=forms.TextInput(attrs={"list": "time-zones", "dir": "ltr", "autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label=_("Seen by"),
        choices=[
            (Scope.SHARED, _("Shared: the other parties see this contact")),
            (Scope.INTERNAL, _("Internal: only your party sees this contact")),
        ],
        initial=Scope.SHARED,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_languages(self) -> str:
        # "AR, fr" is what people type; "ar,fr" is what is kept.
        return ",".join(
            c.strip().lower() for c in self.cleaned_data["languages"].split(",") if c.strip()
        )

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class InviteForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("The invitation goes here, with a link to choose a password."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.READER)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class PreferencesForm(forms.Form):
    """The user's language and time zone; the empty choice keeps the default."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Your browser's language")), *settings.LANGUAGES],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, party_zone: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        default_zone = _("Your party's (%(zone)s)") % {"zone": party_zone} if party_zone else "UTC"
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)  # declared above
        zone.choices = [("", default_zone)] + [(name, name) for name in time_zone_names()]
