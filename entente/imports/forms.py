from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.core.enums import Language, Marking, Scope
from entente.imports.kinds import KINDS, Kind
from entente.imports.uploads import SUFFIXES

# Fields the mapping step asks a value of for every row that no column gives one.
ROW_DEFAULTS = ("reference_language", "scope", "marking")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An .xlsx workbook or a .csv file (separated by ; or ,)."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Each row is"),
        choices=[(name, kind.label) for name, kind in KINDS.items()],
    )
    header_row = forms.IntegerField(
        label=gettext_lazy("Row of the column names"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("Leave empty to let Entente find it."),
    )
    mapping = forms.FileField(
        label=gettext_lazy("Mapping file (optional)"),
        required=False,
        help_text=gettext_lazy("A JSON mapping saved earlier or shipped with the file."),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if Path(file.name).suffix.lower() not in SUFFIXES:
            raise ValidationError(_("Upload an .xlsx or a .csv file."))
        return file


class MappingForm(forms.Form):
    """One select per column of the file (which field it fills, or none), and the
    handling every record gets."""

    reference_language = forms.ChoiceField(
        label=gettext_lazy("Language of the texts"), choices=Language.choices
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=Scope.choices)
    marking = forms.ChoiceField(label=gettext_lazy("Marking"), choices=Marking.choices)

    def __init__(self, *args, kind: Kind, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = [("", _("(not imported)"))] + [(t.name, t.label) for t in kind.targets]
        for index, column in enumerate(columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column, choices=choices, required=False
            )
        if kind.target("reference_language") is None:
            del self.fields["reference_language"]

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.columns))]

    def columns_mapped(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[f"column_{index}"]
            for index, column in enumerate(self.columns)
            if self.cleaned_data[f"column_{index}"]
        }

    def defaults(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ROW_DEFAULTS if name in self.fields}
