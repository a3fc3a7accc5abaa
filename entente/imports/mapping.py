"""The mapping of a spreadsheet to records: which kind of record each row makes, where
the table is, which column fills which field, how the file's words translate to ours
(French or Dutch statuses), and the values of fields no column gives.

A mapping file is JSON:

    {"kind": "commitments", "sheet": "Suivi", "header_row": 4,
     "columns": {"Engagement": "title", "Échéance": "due_date"},
     "values": {"status": {"En cours": "in_progress", "Lopend": "in_progress"}},
     "defaults": {"scope": "shared", "marking": "TLP:GREEN"}}
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from entente.imports.kinds import KINDS, Kind
from entente.imports.reading import plain

KEYS = {"kind", "sheet", "header_row", "columns", "values", "defaults"}


@dataclass
class Mapping:
    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # file column -> field
    sheet: str = ""
    header_row: int | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> word -> value
    defaults: dict[str, str] = field(default_factory=dict)

    @property
    def record_kind(self) -> Kind:
        return KINDS[self.kind]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    def column_of(self, field_name: str) -> str:
        """The file's column mapped to `field_name`, or "" when none is."""
        return next((c for c, f in self.columns.items() if f == field_name), "")

    def translate(self, field_name: str, value):
        """The file's word for a value (a status in French, say) as ours."""
        words = {plain(k): v for k, v in self.values.get(field_name, {}).items()}
        if isinstance(value, str) and plain(value) in words:
            return words[plain(value)]
        return value


def mapping_from(data, *, complete: bool = True) -> Mapping:
    """A checked mapping from the parsed JSON; every mistake names its key. One that is
    not `complete` may leave required fields to the web's mapping step."""
    if not isinstance(data, dict):
        raise ValidationError({"mapping": _("A mapping is a JSON object.")})
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ValidationError({"mapping": _("Unknown keys: %s.") % ", ".join(unknown)})
    if data.get("kind") not in KINDS:
        raise ValidationError({"kind": _("The kind is one of: %s.") % ", ".join(KINDS)})
    kind = KINDS[data["kind"]]
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise ValidationError({"header_row": _("The header row is a row number, from 1.")})
    mapping = Mapping(
        kind=kind.name,
        columns=_strings(data, "columns"),
        sheet=str(data.get("sheet") or ""),
        header_row=header_row,
        values={name: _strings(data["values"], name) for name in data.get("values") or {}},
        defaults=_strings(data, "defaults"),
    )
    check_fields(mapping, complete=complete)
    return mapping


def _strings(data: dict, key: str) -> dict[str, str]:
    value = data.get(key) or {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError({key: _("“%(key)s” maps names to names.") % {"key": key}})
    return dict(value)


def check_fields(mapping: Mapping, *, complete: bool = True) -> None:
    """Every field named exists for the kind, none is filled by two columns, and every
    required one is given by a column or a default."""
    kind = mapping.record_kind
    errors: dict[str, list[str]] = {}
    mapped = [f for f in mapping.columns.values() if f]
    for where, names in (
        ("columns", mapped),
        ("values", list(mapping.values)),
        ("defaults", list(mapping.defaults)),
    ):
        for name in names:
            if kind.target(name) is None:
                errors.setdefault(where, []).append(
                    _("%(kind)s have no field “%(field)s”.") % {"kind": kind.label, "field": name}
                )
    for name in sorted({f for f in mapped if mapped.count(f) > 1}):
        errors.setdefault("columns", []).append(
            _("Only one column may fill “%(field)s”.") % {"field": name}
        )
    for target in kind.targets if complete else []:
        if target.required and target.name not in mapped and target.name not in mapping.defaults:
            errors.setdefault("columns", []).append(
                _("No column gives “%(field)s”, which every record needs.") % {"field": target.name}
            )
    if errors:
        raise ValidationError(errors)


def load_mapping(path: Path) -> Mapping:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(
            {"mapping": _("The mapping file cannot be read: %(error)s") % {"error": error}}
        ) from None
    return mapping_from(data)


def suggested(kind: Kind, columns: list[str]) -> dict[str, str]:
    """Column -> field where a column's name is one of the field's names (its label in
    any of our languages, say: "Échéance", "Uiterste datum")."""
    names: dict[str, str] = {}
    for target in reversed(kind.targets):  # a name two fields share goes to the first
        names |= {plain(name): target.name for name in target.names()}
    found: dict[str, str] = {}
    for column in columns:
        name = names.get(plain(column.rsplit(" / ", 1)[-1]))
        if name and name not in found.values():
            found[column] = name
    return found
