"""The import itself: every row of a table made into a record through its app's create
service, all of them in one transaction or none.

A dry run goes through the very same steps, services and their checks included, and
then rolls everything back, so that it reports every problem the real import would
meet. The real import writes nothing when the file has any problem.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from entente.agreements.selectors import require_party_to
from entente.audit.services import batched_writes
from entente.core.access import require_visible
from entente.core.errors import PermissionDenied
from entente.imports.kinds import Lookups
from entente.imports.mapping import Mapping
from entente.imports.reading import Table
from entente.imports.values import as_text


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file as a whole
    column: str  # the file's column, or "" when no one column is at fault
    message: str


@dataclass
class Outcome:
    """What an import made (or, dry, would make): a row's number and its values."""

    created: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    imported: bool = False


def import_table(
    *,
    actor,
    agreement,
    table: Table,
    mapping: Mapping,
    dry_run: bool,
    on_row: Callable[[], None] | None = None,
) -> Outcome:
    """Make a record of `mapping.kind` from every row of `table`, as `actor`, under
    `agreement`; with `dry_run`, or when any row has a problem, nothing is kept."""
    kind = mapping.record_kind
    require_importer(actor, agreement, kind.name)
    outcome = Outcome(skipped=list(table.skipped))
    missing = [c for c in mapping.columns if mapping.columns[c] and c not in table.columns]
    if missing:
        raise ValidationError(
            {
                "columns": _("The file has no column %(missing)s; its columns are %(columns)s.")
                % {
                    "missing": ", ".join(f"“{c}”" for c in missing),
                    "columns": ", ".join(f"“{c}”" for c in table.columns),
                }
            }
        )
    lookups = Lookups(actor, agreement)
    rows = [
        (number, _values(number, cells, table, mapping, lookups, outcome))
        for number, cells in table.rows
    ]
    if outcome.problems and not dry_run:
        return outcome  # nothing is written while the file itself has problems
    with batched_writes():
        for number, values in rows:
            if values is not None:
                _create(actor, agreement, number, values, mapping, lookups, outcome)
            if on_row is not None:
                on_row()
        outcome.imported = not dry_run and not outcome.problems
        if not outcome.imported:
            transaction.set_rollback(True)
    return outcome


def require_importer(actor, agreement, kind: str) -> None:
    """Records under an agreement are imported by its parties' writers; contacts, by
    whoever keeps their party's directory (checked by the service, row by row)."""
    if kind == "contacts":
        require_visible(actor, agreement)
    else:
        require_party_to(actor, agreement)


def _values(number, cells, table, mapping, lookups, outcome) -> dict[str, Any] | None:
    """The row's fields, converted; None (and its problems noted) when a cell is wrong."""
    kind = mapping.record_kind
    raw: dict[str, tuple[str, Any]] = {
        name: ("", value) for name, value in mapping.defaults.items()
    }
    for index, column in enumerate(table.columns):
        name = mapping.columns.get(column)
        value = cells[index] if index < len(cells) else None
        if name and as_text(value) != "":
            raw[name] = (column, value)
    values, ok = {}, True
    for target in kind.targets:
        column, value = raw.get(target.name, ("", None))
        if value is None:
            if target.required:
                outcome.problems.append(
                    Problem(
                        number,
                        mapping.column_of(target.name),
                        _("This cell is empty; it is needed."),
                    )
                )
                ok = False
            continue
        try:
            values[target.name] = target.convert(mapping.translate(target.name, value), lookups)
        except ValueError as error:
            outcome.problems.append(Problem(number, column or _("default"), str(error)))
            ok = False
    return values if ok else None


def _create(actor, agreement, number, values, mapping, lookups, outcome) -> None:
    shown = {name: _shown(value) for name, value in values.items()}
    try:
        mapping.record_kind.create(actor, agreement, dict(values), lookups)
    except ValidationError as error:
        for name, messages in _by_field(error):
            column = mapping.column_of(_field_of(name, mapping)) if name else ""
            outcome.problems.extend(Problem(number, column, m) for m in messages)
    except PermissionDenied as error:
        outcome.problems.append(Problem(number, "", str(error)))
    else:
        outcome.created.append((number, shown))


def _by_field(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [
            ("" if name == NON_FIELD_ERRORS else name, messages)
            for name, messages in error.message_dict.items()
        ]
    return [("", error.messages)]


def _field_of(name: str, mapping: Mapping) -> str:
    """The import's field for a service's: "title_fr" is the title."""
    if mapping.record_kind.target(name) is None:
        base = name.rsplit("_", 1)[0]
        if mapping.record_kind.target(base) is not None:
            return base
    return name


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)
