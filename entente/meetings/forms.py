"""Forms of the meeting pages. They check shape only; the services decide policy.

Every form takes the records it offers as choices from the view (parties of the
agreement, visible contacts, carry-over candidates), so a choice the user may not see is
never offered, and a forged one is refused as "not one of the available choices".
"""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from entente.agreements.enums import CommitmentStatus
from entente.core.enums import Language, Marking, Scope
from entente.core.pages import (
    VersionedForm,
    language_field,
    marking_field,
    red_recipients_field,
    reference_language_field,
    scope_field,
)
from entente.meetings.enums import AttendanceStatus, DecisionStatus, MeetingKind, MeetingStatus

if TYPE_CHECKING:
    from entente.accounts.models import Contact, Party, Unit
    from entente.agreements.models import Clause, CooperationArea

# Offered in every meeting form; the zones of the agreement's parties are added to them.
TIME_ZONES = [
    "Africa/Casablanca",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/London",
    "UTC",
]

# How a datetime-local input writes its value.
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def time_zone_choices(*extra: str) -> list[tuple[str, str]]:
    zones = list(dict.fromkeys([*TIME_ZONES, *(z for z in extra if z)]))
    return [(zone, zone.replace("_", " ")) for zone in zones]


def changed_texts(record, name: str, values: dict[str, str]) -> dict[str, str]:
    """Only the languages the user changed: an untouched empty translation stays as it is."""
    return {
        code: text
        for code, text in values.items()
        if text != (getattr(record, f"{name}_{code}") or "")
    }


class LocalDateTimeField(forms.Field):
    """A date and time as written on the wall clock of the meeting's time zone.

    Django's DateTimeField would read it in the server's zone; this keeps it naive,
    and the service reads it in the time zone chosen on the same form.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT_FORMAT)
    default_error_messages = {"invalid": _("Enter a date and a time.")}

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return value
        value = (value or "").strip()
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class MeetingForm(VersionedForm):
    """Create or edit a meeting (the version only when editing). Titles are per language."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    reference_language = reference_language_field(_("The language whose text is authoritative."))
    title_ar = language_field(_("Title"), "ar", max_length=300)
    title_fr = language_field(_("Title"), "fr", max_length=300)
    title_en = language_field(_("Title"), "en", max_length=300)
    title_nl = language_field(_("Title"), "nl", max_length=300)
    starts_at = LocalDateTimeField(
        label=_("Starts at"), help_text=_("On the clock of the meeting's time zone.")
    )
    ends_at = LocalDateTimeField(
        label=_("Ends at"), help_text=_("On the clock of the meeting's time zone.")
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())
    host_party: "forms.ModelChoiceField[Party]" = forms.ModelChoiceField(
        label=_("Host party"), queryset=None
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    scope = scope_field(_("Shared: the other parties of the agreement see it."))
    marking = marking_field()
    red_recipients = red_recipients_field(
        _("Only for TLP:RED: the people who may see the meeting.")
    )

    # Scope, marking and the reference language have their own doors once created.
    CREATE_ONLY = ("reference_language", "scope", "marking", "red_recipients")

    def __init__(self, *args, parties, zones=(), recipients=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_party"].queryset = parties
        self.fields["time_zone"].choices = time_zone_choices(*zones)
        if editing:
            for name in self.CREATE_ONLY:
                del self.fields[name]
        else:
            del self.fields["version"]
            self.fields["red_recipients"].queryset = recipients

    @staticmethod
    def initial_for(meeting) -> dict:
        """The form's fields as the meeting has them, its times on its own clock."""
        with timezone.override(meeting.time_zone):
            times = {
                name: timezone.localtime(getattr(meeting, name)).strftime(LOCAL_INPUT_FORMAT)
                for name in ("starts_at", "ends_at")
            }
        names = ("kind", "time_zone", "host_party", "place", "online_url", "version")
        return (
            times
            | {name: getattr(meeting, name) for name in names}
            | {f"title_{code}": getattr(meeting, f"title_{code}") or "" for code in Language.values}
        )

    def titles(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"title_{code}", "") for code in Language.values}

    def changes(self, meeting) -> dict:
        """What meeting_update is to change: the schedule, and the titles edited."""
        titles = changed_texts(meeting, "title", self.titles())
        return self.schedule() | ({"title": titles} if titles else {})

    def schedule(self) -> dict:
        names = ("kind", "starts_at", "ends_at", "time_zone", "host_party", "place", "online_url")
        values = {name: self.cleaned_data[name] for name in names}
        try:
            zone = ZoneInfo(values["time_zone"])
        except (ValueError, KeyError):  # the service names the field
            return values
        for name in ("starts_at", "ends_at"):
            # Read on the meeting's clock, handed on in UTC: the record then compares
            # equal to what is stored, so an unchanged time is not logged as a change.
            if timezone.is_naive(values[name]):
                values[name] = timezone.make_aware(values[name], zone).astimezone(dt.UTC)
        return values


class MeetingStatusForm(VersionedForm):
    # Every status: the service names the move it refuses, and why.
    status = forms.ChoiceField(choices=MeetingStatus.choices)


class AgendaItemForm(forms.Form):
    """Propose an item; it starts as shared as its meeting."""

    title = forms.CharField(label=_("Title"), max_length=300)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scope = forms.ChoiceField(
        label=_("Who sees it"),
        choices=Scope.choices,
        required=False,
        help_text=_("Internal: only your party sees the item, and counts it in the numbering."),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].initial = meeting.scope

    def clean_scope(self):
        return self.cleaned_data["scope"] or None  # as shared as the meeting


class AgendaItemEditForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def of(cls, item, data=None):
        initial = {"version": item.version, "title": item.title, "notes": item.notes}
        return cls(data, initial=initial)


class AgendaMoveForm(forms.Form):
    position = forms.IntegerField(label=_("Position"), min_value=1, max_value=999)


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Attendance"), choices=AttendanceStatus.choices, initial=AttendanceStatus.INVITED
    )


class GuestStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AttendanceStatus.choices)


class _CarryChoice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, label_from_instance, **kwargs):
        super().__init__(queryset=None, required=False, to_field_name="public_id", **kwargs)
        self.label_from_instance = label_from_instance


def _commitment_label(commitment) -> str:
    due = (
        formats.date_format(commitment.due_date, "DATE_FORMAT")
        if commitment.due_date
        else gettext("no due date")
    )
    status = str(CommitmentStatus(commitment.status).label)
    if commitment.is_overdue:
        status = f"{status} · {gettext('Overdue')}"
    return f"{commitment.title} · {commitment.responsible_party.code} · {due} · {status}"


def _decision_label(decision) -> str:
    meeting = decision.meeting
    return gettext("%(meeting)s (%(date)s), decision %(number)s: %(text)s") % {
        "meeting": meeting.title,
        "date": formats.date_format(timezone.localtime(meeting.starts_at), "DATE_FORMAT"),
        "number": decision.number,
        "text": decision.text,
    }


class CarryOverForm(forms.Form):
    """Open commitments and decisions of earlier meetings, to put on the agenda."""

    commitments = _CarryChoice(_commitment_label, label=_("Open commitments"))
    decisions = _CarryChoice(_decision_label, label=_("Open decisions of earlier meetings"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitments"].queryset = candidates.commitments
        self.fields["decisions"].queryset = candidates.decisions

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("commitments") and not data.get("decisions"):
            raise forms.ValidationError(_("Choose at least one item to carry over."))
        return data


class AttendanceForm(forms.Form):
    contact: "forms.ModelChoiceField[Contact]" = forms.ModelChoiceField(
        label=_("Contact"), queryset=None, to_field_name="public_id"
    )
    status = forms.ChoiceField(
        label=_("Attendance"), choices=AttendanceStatus.choices, initial=AttendanceStatus.INVITED
    )

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts
        self.fields["contact"].label_from_instance = lambda c: f"{c.name} ({c.unit})"


class MinutesForm(VersionedForm):
    """The minutes per language; the reference language comes first."""

    @classmethod
    def of(cls, meeting, data=None) -> "MinutesForm":
        initial = {"version": meeting.version} | {
            f"minutes_{code}": getattr(meeting, f"minutes_{code}") or "" for code in Language.values
        }
        return cls(data, initial=initial, reference_language=meeting.reference_language)

    def __init__(self, *args, reference_language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference_language = reference_language
        order = [reference_language] + [c for c in Language.values if c != reference_language]
        for code in order:
            self.fields[f"minutes_{code}"] = language_field(
                _("Minutes"),
                code,
                widget=forms.Textarea,
                attrs={"rows": 8 if code == reference_language else 4},
            )

    def reference_field(self):
        return self[f"minutes_{self.reference_language}"]

    def other_fields(self):
        return [self[f"minutes_{c}"] for c in Language.values if c != self.reference_language]

    def has_translations(self) -> bool:
        return any(field.value() for field in self.other_fields())

    def changes(self, meeting) -> dict[str, str]:
        """The minutes in the languages the user edited."""
        minutes = {code: self.cleaned_data[f"minutes_{code}"] for code in Language.values}
        return changed_texts(meeting, "minutes", minutes)


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=DecisionStatus.choices)


@dataclass(frozen=True)
class RowChoices:
    """What every commitment row of a meeting offers, taken by the view through the
    doors: the agreement's parties and their units, the clauses and areas the user may
    see, the meeting's marking and, under TLP:RED, who may be named a recipient."""

    parties: Any
    units: Any
    clauses: Any
    areas: Any
    scope: str
    marking: str
    recipients: Any = None  # users, offered only when the meeting is TLP:RED
    red_recipients: tuple = ()  # the meeting's own, preselected


class CommitmentRowForm(forms.Form):
    """One commitment to create from a decision; a row left untouched is skipped."""

    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible_party: "forms.ModelChoiceField[Party]" = forms.ModelChoiceField(
        label=_("Responsible party"), queryset=None
    )
    responsible_unit: "forms.ModelChoiceField[Unit]" = forms.ModelChoiceField(
        label=_("Responsible unit"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("A unit of the responsible party."),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    clauses: "forms.ModelMultipleChoiceField[Clause]" = forms.ModelMultipleChoiceField(
        label=_("Clauses it implements"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    area: "forms.ModelChoiceField[CooperationArea]" = forms.ModelChoiceField(
        label=_("Cooperation area"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        to_field_name="public_id",
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    marking = forms.ChoiceField(
        label=_("Marking"),
        help_text=_("The meeting's by default; a stricter one may be chosen, not a looser one."),
    )
    red_recipients = red_recipients_field(
        _("Only for TLP:RED: the people who may see the commitment.")
    )

    def __init__(self, *args, options: RowChoices, **kwargs):
        super().__init__(*args, **kwargs)
        for name, records in (
            ("responsible_party", options.parties),
            ("responsible_unit", options.units),
            ("clauses", options.clauses),
            ("area", options.areas),
        ):
            _model_choices(self, name).queryset = records
        # Django's way to relabel a model choice per form: it reads the method off the
        # field instance, where the stubs see only the class's method.
        unit = _model_choices(self, "responsible_unit")
        unit.label_from_instance = _unit_label  # type: ignore[method-assign,assignment]
        self.fields["scope"].initial = options.scope
        marking = cast(forms.ChoiceField, self.fields["marking"])  # declared so above
        marking.choices = _markings_from(options.marking)
        marking.initial = options.marking
        if options.recipients is None:
            del self.fields["red_recipients"]
        else:
            recipients = _model_choices(self, "red_recipients")
            recipients.queryset = options.recipients
            recipients.initial = list(options.red_recipients)


def _model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    # form.fields holds copies of the fields the form class declares, each of the class
    # it is declared with; the names handed here are those of model choice fields.
    return cast(forms.ModelChoiceField, form.fields[name])


def _markings_from(least: str) -> list[tuple[str, str]]:
    """The meeting's marking and the stricter ones; TLP:RED only under a TLP:RED meeting,
    as it needs recipients (set on the commitment once it exists otherwise)."""
    rank = Marking(least).rank
    return [
        (m.value, m.label)
        for m in Marking
        if m.rank >= rank and (m != Marking.RED or least == Marking.RED)
    ]


def _unit_label(unit) -> str:
    return f"{unit.name} ({unit.party.code})"


# What a commitment_create error key means on a row: title_en -> title, ...
_ROW_ALIASES = {
    f"{name}_{code}": name for name in ("title", "description") for code in Language.values
}


class CommitmentRows:
    """A few commitment rows for one decision, all sent at once (all or nothing).

    Rows are numbered from 0 in the page; rows left as they were offered are skipped,
    so `specs()` gives the filled rows only and `row_of` maps the service's index
    (counting filled rows) back to the row in the page.
    """

    MAX_ROWS = 10

    def __init__(self, data=None, *, decision, options: RowChoices, rows=2, initial=(), cache=None):
        self.decision = decision
        self.prefix = f"d{decision.public_id}"
        self.non_form_errors: list[str] = []
        if data is not None:
            rows = _bounded_int(data.get(f"{self.prefix}-rows"), default=rows)
        initial = list(initial)
        rows = min(max(rows, len(initial), 1), self.MAX_ROWS)
        self.forms = [
            CommitmentRowForm(
                data,
                prefix=f"{self.prefix}-{index}",
                options=options,
                empty_permitted=True,
                use_required_attribute=False,
                initial=initial[index] if index < len(initial) else None,
            )
            for index in range(rows)
        ]
        self.row_of: list[int] = []
        self._share_choices({} if cache is None else cache)

    def _share_choices(self, cache: dict) -> None:
        # Every row offers the same records: read them once, not per select.
        for name in ("responsible_party", "responsible_unit", "clauses", "area", "red_recipients"):
            if name not in self.forms[0].fields:
                continue
            if name not in cache:
                # A model choice field's choices are a ModelChoiceIterator over its queryset.
                choices = cast(ModelChoiceIterator, _model_choices(self.forms[0], name).choices)
                cache[name] = list(choices)
            for form in self.forms:
                _model_choices(form, name).choices = cache[name]

    @property
    def rows(self) -> int:
        return len(self.forms)

    @property
    def rows_name(self) -> str:
        return f"{self.prefix}-rows"

    @property
    def can_add_row(self) -> bool:
        return self.rows < self.MAX_ROWS

    def is_valid(self) -> bool:
        valid = all(form.is_valid() for form in self.forms)
        self.row_of = [i for i, form in enumerate(self.forms) if form.has_changed()]
        return valid

    def specs(self, *, reference_language: str) -> list[dict]:
        """The filled rows as decision_to_commitments' specs; texts in `reference_language`."""
        specs = []
        for index in self.row_of:
            data = self.forms[index].cleaned_data
            spec = {
                "title": {reference_language: data["title"]},
                "reference_language": reference_language,
                "responsible_party": data["responsible_party"],
                "scope": data["scope"],
                "marking": data["marking"],
                "clauses": list(data["clauses"]),
            }
            if data["description"].strip():
                spec["description"] = {reference_language: data["description"]}
            if data["marking"] == Marking.RED:
                spec["red_recipients"] = list(data.get("red_recipients") or ())
            for name in ("responsible_unit", "due_date", "area"):
                if data.get(name):
                    spec[name] = data[name]
            specs.append(spec)
        return specs

    def apply_errors(self, error: ValidationError) -> None:
        """A service's errors keyed "commitments.<i>.<field>" go next to that row's field."""
        errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for key, messages in errors.items():
            form, field = self._target(key)
            for message in messages:
                if form is None:
                    self.non_form_errors.append(message)
                else:
                    form.add_error(field, message)

    def _target(self, key: str):
        parts = key.split(".", 2)
        if parts[0] != "commitments" or len(parts) < 2 or not parts[1].isdigit():
            return None, None
        position = int(parts[1])
        if position >= len(self.row_of):
            return None, None
        form = self.forms[self.row_of[position]]
        field = _ROW_ALIASES.get(parts[2], parts[2]) if len(parts) == 3 else None
        return form, field if field in form.fields else None

    def with_extra_row(self):
        """The same rows as typed so far, plus an empty one, without error messages."""
        initial = [
            {
                name: form[name].value()
                for name in form.fields
                if form[name].value() not in ("", None)
            }
            for form in self.forms
        ]
        return initial, self.rows + 1


def _bounded_int(value, *, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
