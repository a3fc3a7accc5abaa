"""Forms of the agreement and commitment pages: they check the shape of the input only.

Policy (who may, which transitions, which links are allowed) stays in the services; the
views map the services' `ValidationError`s back onto these forms, next to their field.
"""

import uuid
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from entente.agreements.enums import (
    Certainty,
    CommitmentKind,
    CommitmentStatus,
    DatePrecision,
    EventKind,
    InstrumentType,
    Recurrence,
    Renewal,
)
from entente.core.enums import Language, Marking, Scope
from entente.core.models import Handling
from entente.core.pages import VersionedForm, language_field

if TYPE_CHECKING:
    from entente.accounts.models import Contact, Party, Unit
    from entente.agreements.models import Clause, CooperationArea

LANGUAGES = [code for code, _name in Language.choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class VersionField(forms.IntegerField):
    """The version of the record the form was filled in from (optimistic locking), with
    a message that says what to do when it is missing or forged."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("The form is missing the record's version; reload the page."),
                "invalid": _("The form is missing the record's version; reload the page."),
            },
        )
        super().__init__(**kwargs)


class CommitmentForm(forms.Form):
    """New or edited commitment. Texts are given per language, one of them the reference."""

    reference_language = forms.ChoiceField(
        label=_("Reference language"),
        choices=Language.choices,
        help_text=_("The language whose text is authoritative."),
    )
    responsible_party: "forms.ModelChoiceField[Party]" = forms.ModelChoiceField(
        label=_("Responsible party"), queryset=None
    )
    responsible_unit: "forms.ModelChoiceField[Unit]" = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=None, required=False
    )
    responsible_contact: "forms.ModelChoiceField[Contact]" = forms.ModelChoiceField(
        label=_("Responsible contact"), queryset=None, required=False, to_field_name="public_id"
    )
    area: "forms.ModelChoiceField[CooperationArea]" = forms.ModelChoiceField(
        label=_("Cooperation area"), queryset=None, required=False, to_field_name="public_id"
    )
    clauses: "forms.ModelMultipleChoiceField[Clause]" = forms.ModelMultipleChoiceField(
        label=_("Clauses it implements"),
        queryset=None,
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CommitmentKind.choices)
    recurrence = forms.ChoiceField(
        label=_("Recurrence"),
        choices=Recurrence.choices,
        required=False,
        help_text=_("Only for recurring commitments."),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, initial=0)
    indicator = forms.CharField(label=_("Indicator"), max_length=300, required=False)
    indicator_unit = forms.CharField(label=_("Indicator unit"), max_length=50, required=False)
    baseline = forms.DecimalField(
        label=_("Baseline"), max_digits=14, decimal_places=2, required=False
    )
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2, required=False)
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One link per line."),
    )

    def __init__(self, *args, parties, units, contacts, areas, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in Language.choices:
            # dir="auto" lets Arabic text run right to left inside a left-to-right page.
            text_attrs = {"lang": code, "dir": "auto"}
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs=text_attrs),
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, **text_attrs}),
            )
        self.fields["responsible_party"].queryset = parties
        self.fields["responsible_unit"].queryset = units
        self.fields["responsible_contact"].queryset = contacts
        self.fields["area"].queryset = areas
        self.fields["clauses"].queryset = clauses

    def language_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(title, description) per language, for the template."""
        return [(self[f"title_{code}"], self[f"description_{code}"]) for code in LANGUAGES]

    def clean(self):
        cleaned = super().clean()
        reference = cleaned.get("reference_language")
        if reference and not (cleaned.get(f"title_{reference}") or "").strip():
            self.add_error(f"title_{reference}", _("Give the text in the reference language."))
        return cleaned

    def texts(self, name: str) -> dict[str, str]:
        return {code: self.cleaned_data[f"{name}_{code}"] for code in LANGUAGES}


class CommitmentCreateForm(CommitmentForm):
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=Scope.choices,
        initial=Scope.INTERNAL,
        help_text=_("Internal records stay with your party until a coordinator publishes them."),
    )
    # TLP:RED needs named recipients, which are set on the record once it exists.
    marking = forms.ChoiceField(
        label=_("Marking"),
        choices=[(m.value, m.label) for m in Marking if m != Marking.RED],
        initial=Marking.AMBER,
    )


class CommitmentEditForm(CommitmentForm, VersionedForm):
    version = VersionField()


class CommitmentStatusForm(VersionedForm):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=CommitmentStatus.choices,
        required=False,
        help_text=_("Leave empty to update the progress alone."),
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to keep the current progress. Done means 100 %."),
    )
    version = VersionField()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("status") and cleaned.get("progress") is None and not self.errors:
            raise ValidationError(_("Choose a new status or give the progress."))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input, as Django's documentation builds it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ProgressReportForm(forms.Form):
    """A report of the responsible party: its shape; the workflow and who may report are
    the service's to check."""

    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    proposed_status = forms.ChoiceField(
        label=_("Proposed status"),
        required=False,
        help_text=_("The owner applies it when accepting the report."),
    )
    period_start = forms.DateField(label=_("Period start"), required=False, widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), required=False, widget=DateInput)
    indicator_value = forms.DecimalField(
        label=_("Indicator value"), max_digits=14, decimal_places=2, required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=Scope.choices,
        help_text=_("Internal reports stay with your party; the owner sees shared ones."),
    )
    # Django's form metaclass moves declared fields off the class into base_fields, so
    # this never shadows BaseForm.files (the uploaded files) as the stubs believe.
    files = MultipleFileField(label=_("Evidence files"), required=False)  # type: ignore[assignment]

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposed_status"].choices = [("", _("No change")), *statuses]


class ReportAnswerForm(VersionedForm):
    """The owner's answer to a report: required to answer, optional when accepting."""

    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to answer; optional when accepting."),
    )
    version = VersionField()


class PublicIdListField(forms.Field):
    """A list of records' public ids from repeated inputs of one name (checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return sorted({str(uuid.UUID(v)) for v in value or []})
        except (TypeError, ValueError, AttributeError):
            raise ValidationError(_("The selection is not valid."), code="invalid") from None


class BulkStatusForm(forms.Form):
    selected = PublicIdListField(
        label=_("Selected commitments"),
        error_messages={"required": _("Select at least one commitment.")},
    )
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[("", _("Choose a status")), *CommitmentStatus.choices],
        error_messages={"required": _("Choose the new status.")},
    )

    def versions(self, data) -> dict[str, int]:
        """The version each selected row was displayed at, from its `version-<public id>`
        input."""
        versions = {}
        for pk in self.cleaned_data["selected"]:
            try:
                versions[pk] = int(data.get(f"version-{pk}", ""))
            except ValueError:
                raise ValidationError(
                    _("The form is missing a record's version; reload the page.")
                ) from None
        return versions


class PublishForm(forms.Form):
    version = VersionField()


# --- the agreement and its parts ------------------------------------------------------

MAX_INT = 2_147_483_647  # PositiveIntegerField's range on every database


def party_label(party) -> str:
    return f"{party.code} – {party.name}" if party.name else party.code


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return party_label(obj)


def _handling(scope: str, marking: str) -> dict[str, forms.ChoiceField]:
    """Scope and marking of a new record. TLP:RED needs named recipients, which are set
    on the record once it exists (its marking action)."""
    return {
        "scope": forms.ChoiceField(
            label=_("Scope"),
            choices=Scope.choices,
            initial=scope,
            help_text=_(
                "Shared: the other parties of the agreement see it. Internal: only your "
                "party, until a coordinator publishes it."
            ),
        ),
        "marking": forms.ChoiceField(
            label=_("Marking"),
            choices=[(m.value, m.label) for m in Marking if m != Marking.RED],
            initial=marking,
        ),
    }


class PartForm(forms.Form):
    """Creates a record, or edits one (`editing`): then the fields named in CREATE_ONLY
    are left out and the version the record was loaded at is carried.

    TEXTS are written per language (`title_fr`, ...): name -> (label, widget,
    max_length, required in the reference language)."""

    TEXTS: dict = {}
    CREATE_ONLY: tuple[str, ...] = ()
    HANDLING: tuple[str, str] | None = None  # default scope and marking of a new record
    reference_language = forms.ChoiceField(
        label=_("Reference language"),
        choices=Language.choices,
        initial=Language.EN,
        help_text=_("The language whose text is authoritative."),
    )
    version = VersionField()

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, widget, max_length, _required) in self.TEXTS.items():
            for code in LANGUAGES:
                attrs = {"rows": 3} if widget is forms.Textarea else {}
                self.fields[f"{name}_{code}"] = language_field(
                    label, code, widget=widget, max_length=max_length, attrs=attrs
                )
        if self.HANDLING and not editing:
            self.fields |= _handling(*self.HANDLING)
        for name in (*self.CREATE_ONLY, "scope", "marking") if editing else ("version",):
            self.fields.pop(name, None)

    def clean(self):
        cleaned = super().clean()
        language = cleaned.get("reference_language")
        for name, (*_rest, required) in self.TEXTS.items():
            key = f"{name}_{language}"
            if required and language and not (cleaned.get(key) or "").strip():
                self.add_error(key, _("Give the text in the reference language."))
        return cleaned

    def text_names(self) -> list[str]:
        return [f"{name}_{code}" for name in self.TEXTS for code in LANGUAGES]

    def texts(self, name: str) -> dict[str, str]:
        """The languages given, for a create service's {"fr": ...} mapping."""
        return {
            code: text
            for code in LANGUAGES
            if (text := self.cleaned_data[f"{name}_{code}"].strip())
        }

    def values(self) -> dict:
        """The fields a service takes as they are (texts, handling and version apart)."""
        apart = {*self.text_names(), "version", "scope", "marking", *self.CREATE_ONLY}
        return {k: v for k, v in self.cleaned_data.items() if k not in apart}

    def arguments(self) -> dict:
        """The new record as its create service takes it: the fields, each text as its
        {"fr": ...} mapping and, where the form asks for it, the handling."""
        arguments = self.values() | {name: self.texts(name) for name in self.TEXTS}
        if self.HANDLING:
            arguments["handling"] = Handling.pop_from(dict(self.cleaned_data))
        return arguments

    def changes(self, record) -> dict:
        """What differs from the record: its fields, and its texts column by column (an
        emptied translation becomes no text)."""
        changes = {}
        for name, value in self.values().items():
            if (getattr(record, name) or None) != (value or None):
                changes[name] = value
        for name in self.text_names():
            value = self.cleaned_data[name].strip() or None
            if (getattr(record, name) or None) != value:
                changes[name] = value
        return changes

    def initial_for(self, record) -> dict:
        """The form's fields as the record has them, for an edit page."""
        initial = {name: getattr(record, name) for name in self.fields if name != "version"}
        for name in self.text_names():
            initial[name] = initial[name] or ""
        if "version" in self.fields:
            initial["version"] = record.version
        return initial


class AgreementForm(PartForm):
    TEXTS = {
        "title": (_("Title"), forms.TextInput, 300, True),
        "summary": (_("Summary"), forms.Textarea, None, False),
    }
    CREATE_ONLY = ("parties",)
    HANDLING = (Scope.INTERNAL, Marking.AMBER)

    instrument_type = forms.ChoiceField(label=_("Instrument type"), choices=InstrumentType.choices)
    parties: "forms.ModelMultipleChoiceField[Party]" = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your own party and at least one other."),
    )
    place = forms.CharField(label=_("Place of signature"), max_length=200, required=False)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput)
    in_force_on = forms.DateField(label=_("In force from"), required=False, widget=DateInput)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput)
    duration_months = forms.IntegerField(
        label=_("Duration (months)"), min_value=0, max_value=MAX_INT, required=False
    )
    renewal = forms.ChoiceField(label=_("Renewal"), choices=Renewal.choices)
    notice_period_days = forms.IntegerField(
        label=_("Notice period (days)"), min_value=0, max_value=MAX_INT, required=False
    )
    is_binding = forms.BooleanField(label=_("Legally binding"), required=False)
    urgent_response_hours = forms.IntegerField(
        label=_("Urgent request deadline (hours)"), min_value=0, max_value=MAX_INT, initial=48
    )
    normal_response_days = forms.IntegerField(
        label=_("Normal request deadline (days)"), min_value=0, max_value=MAX_INT, initial=30
    )
    source_references = forms.CharField(
        label=_("Sources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the text and the dates come from, one per line."),
    )

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "parties" in self.fields:
            self.fields["parties"].queryset = parties
            self.fields["parties"].label_from_instance = party_label


class AgreementEventForm(PartForm):
    HANDLING = (Scope.SHARED, Marking.GREEN)

    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    date_precision = forms.ChoiceField(
        label=_("Date precision"),
        choices=DatePrecision.choices,
        help_text=_("When only the month or the year is known, give any day of it."),
    )
    certainty = forms.ChoiceField(label=_("Certainty"), choices=Certainty.choices)
    party = PartyChoiceField(
        label=_("Party that took the step"),
        queryset=None,
        required=False,
        empty_label=_("None (a joint step)"),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the date comes from."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reference_language"]  # an event has no texts per language
        self.fields["party"].queryset = parties


class ClauseForm(PartForm):
    TEXTS = {
        "heading": (_("Heading"), forms.TextInput, 300, False),
        "text": (_("Text"), forms.Textarea, None, False),
    }
    HANDLING = (Scope.SHARED, Marking.GREEN)

    number = forms.CharField(
        label=_("Number"), max_length=20, help_text=_("As in the text: 3, 3.2, IV...")
    )


class AreaForm(PartForm):
    TEXTS = {"name": (_("Name"), forms.TextInput, 200, True)}

    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("A short name without spaces, unique in the agreement: cybercrime."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("version", None)  # areas are not versioned


class SignatoryForm(forms.Form):
    party = PartyChoiceField(label=_("Party"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    function = forms.CharField(label=_("Function"), max_length=300, required=False)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties

    def arguments(self) -> dict:
        """The new signatory as signatory_add takes it."""
        return self.cleaned_data
