"""Forms for training activities: they check the shape of the input; the services decide."""

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Party
from entente.agreements.models import CooperationArea
from entente.core.enums import Language
from entente.core.models import Handling
from entente.core.pages import (
    VersionedForm,
    marking_field,
    red_recipients_field,
    reference_language_field,
    scope_field,
)
from entente.training.enums import TRAINING_WORKFLOW, TrainingKind, TrainingStatus
from entente.training.models import TrainingActivity

LANGUAGES = Language.values
TITLE_LABELS = {
    "ar": _("Title (Arabic)"),
    "fr": _("Title (French)"),
    "en": _("Title (English)"),
    "nl": _("Title (Dutch)"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Party) -> str:
        return f"{obj.code} – {obj.name}" if obj.name else obj.code


class TrainingForm(forms.Form):
    """The descriptive fields of a training, shared by the create and edit forms."""

    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingKind.choices)
    reference_language = reference_language_field(
        _("The language whose title is authoritative; its title is required.")
    )
    title_en = forms.CharField(label=TITLE_LABELS["en"], max_length=300, required=False)
    title_fr = forms.CharField(label=TITLE_LABELS["fr"], max_length=300, required=False)
    title_nl = forms.CharField(label=TITLE_LABELS["nl"], max_length=300, required=False)
    title_ar = forms.CharField(label=TITLE_LABELS["ar"], max_length=300, required=False)
    host_party = PartyChoiceField(label=_("Host party"), queryset=Party.objects.none())
    sending_party = PartyChoiceField(label=_("Sending party"), queryset=Party.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    area: "forms.ModelChoiceField[CooperationArea]" = forms.ModelChoiceField(
        label=_("Cooperation area"),
        queryset=CooperationArea.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        parties = Party.objects.filter(agreement_roles__agreement=agreement).order_by("code")
        self.fields["host_party"].queryset = parties
        self.fields["sending_party"].queryset = parties
        self.fields["area"].queryset = agreement.areas.order_by("code")
        self.fields["title_ar"].widget.attrs.update(lang="ar", dir="rtl")

    def title(self) -> dict[str, str]:
        return {lang: self.cleaned_data[f"title_{lang}"] for lang in LANGUAGES}

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "reference_language": data["reference_language"],
            "title": self.title(),
            "host_party": data["host_party"],
            "sending_party": data["sending_party"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "area": data["area"],
            "place": data["place"],
        }


class TrainingCreateForm(TrainingForm):
    scope = scope_field(
        _("Internal records stay with your party until a coordinator publishes them.")
    )
    marking = marking_field()
    red_recipients = red_recipients_field(
        _("Only for TLP:RED: the people who may see the record."), widget=forms.SelectMultiple
    )

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, agreement=agreement, **kwargs)
        self.fields["red_recipients"].queryset = (
            get_user_model()
            .objects.filter(membership__party__agreement_roles__agreement=agreement)
            .select_related("membership__party")
            .order_by("membership__party__code", "username")
        )

    def title(self) -> dict[str, str]:
        return {lang: text for lang, text in super().title().items() if text}

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return super().service_fields() | {
            "handling": Handling(
                scope=data["scope"],
                marking=data["marking"],
                red_recipients=list(data["red_recipients"]),
            )
        }


class TrainingEditForm(VersionedForm, TrainingForm):
    @classmethod
    def initial_for(cls, training: TrainingActivity) -> dict:
        return {
            "kind": training.kind,
            "reference_language": training.reference_language,
            **{f"title_{lang}": getattr(training, f"title_{lang}") or "" for lang in LANGUAGES},
            "host_party": training.host_party_id,
            "sending_party": training.sending_party_id,
            "starts_on": training.starts_on,
            "ends_on": training.ends_on,
            "area": training.area,
            "place": training.place,
            "version": training.version,
        }


class TrainingStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("New status"), choices=TrainingStatus.choices)

    def __init__(self, *args, training: TrainingActivity, **kwargs):
        kwargs.setdefault("initial", {"version": training.version})
        super().__init__(*args, **kwargs)
        # Only the moves open now are offered; any status is accepted, so that a form
        # made stale by someone else's change reaches the version check (a conflict)
        # and a forged move reaches the service, which says why it is refused.
        self.fields["status"].widget.choices = TRAINING_WORKFLOW.choices_from(training.status)


class ParticipationForm(forms.Form):
    party = PartyChoiceField(label=_("Party"), queryset=Party.objects.none())
    count = forms.IntegerField(label=_("Number of participants"), min_value=0, max_value=100000)
    names = forms.CharField(
        label=_("Names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional, one per line."),
    )

    def __init__(self, *args, training: TrainingActivity, **kwargs):
        super().__init__(*args, **kwargs)
        party = cast(PartyChoiceField, self.fields["party"])
        party.queryset = Party.objects.filter(
            pk__in=[training.host_party_id, training.sending_party_id]
        ).order_by("code")


class EvaluationForm(VersionedForm):
    evaluation = forms.CharField(
        label=_("Evaluation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How the activity went: what worked, what to change next time."),
    )

    def __init__(self, *args, training: TrainingActivity, **kwargs):
        kwargs.setdefault(
            "initial", {"evaluation": training.evaluation, "version": training.version}
        )
        super().__init__(*args, **kwargs)
