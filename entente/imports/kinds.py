"""What each kind of record an import makes reads from a row, and the one place where
each kind's create service is called (so that a change of the services' signatures is
met in one function per kind)."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.accounts.selectors import party_list, unit_list
from entente.accounts.services import contact_create
from entente.agreements.enums import CommitmentStatus
from entente.agreements.selectors import area_visible_to, clause_visible_to
from entente.agreements.services.commitments import commitment_change_status, commitment_create
from entente.core.access import membership_of
from entente.core.enums import Language, Marking, Scope
from entente.core.models import Handling
from entente.imports.reading import plain
from entente.imports.values import as_date, as_datetime, as_decimal, as_percentage, as_text
from entente.meetings.enums import MeetingKind
from entente.meetings.services.meetings import meeting_create
from entente.training.enums import TrainingKind
from entente.training.services import training_create


class Lookups:
    """The agreement's parties, areas and clauses and the directory's units, read once
    per import (as the actor may see them) rather than once per row."""

    def __init__(self, actor, agreement) -> None:
        self.actor = actor
        self.agreement = agreement
        # The importer was found a member of a party (require_importer).
        self.own_party = membership_of(actor).party
        ids = set(agreement.agreement_parties.values_list("party_id", flat=True))
        self.parties = _by_names(
            party_list().filter(pk__in=ids), lambda p: [p.code, p.name_en, p.name_fr, p.name_nl]
        )
        self.areas = _by_names(
            area_visible_to(actor).filter(agreement=agreement),
            lambda a: [a.code, a.name_en, a.name_fr, a.name_nl, a.name_ar],
        )
        self.clauses = _by_names(
            clause_visible_to(actor).filter(agreement=agreement), lambda c: [c.number]
        )
        self.units: dict[tuple[int | None, str], Any] = {
            (unit.party_id, plain(unit.name)): unit
            for unit in unit_list().filter(party_id__in=ids | {getattr(self.own_party, "pk", 0)})
        }

    def party(self, value) -> Any:
        return _found(self.parties, value, _("No party “%(value)s” is a party to the agreement."))

    def area(self, value) -> Any:
        return _found(self.areas, value, _("The agreement has no area “%(value)s”."))

    def clauses_of(self, value) -> list:
        numbers = [n for n in as_text(value).replace(";", ",").split(",") if n.strip()]
        return [
            _found(self.clauses, n, _("The agreement has no clause “%(value)s”.")) for n in numbers
        ]

    def unit(self, party, name: str, field: str) -> Any:
        """The unit of `party` named `name` (None for no name), or a refusal on `field`."""
        if not name:
            return None
        unit = self.units.get((getattr(party, "pk", None), plain(name)))
        if unit is None:
            raise ValidationError(
                {field: _("%(party)s has no unit “%(name)s”.") % {"party": party, "name": name}}
            )
        return unit


def _by_names(records, names: Callable[[Any], list]) -> dict[str, Any]:
    return {plain(str(n)): record for record in records for n in names(record) if n}


def _found(found: dict, value, message: str):
    record = found.get(plain(as_text(value)))
    if record is None:
        raise ValueError(message % {"value": as_text(value)})
    return record


def in_every_language(text) -> list[str]:
    """`text`, a lazy translation, in each of the site's languages."""
    names = []
    for code in Language.values:
        with translation.override(code):
            names.append(str(text))
    return names


def _choice(choices: type[TextChoices]) -> Callable:
    """A converter to one of `choices`, by its value or its label in any language."""

    @functools.cache  # once the translations are loaded, not when this module is
    def known() -> dict[str, str]:
        return {plain(str(v)): v for v in choices.values} | {
            plain(name): value
            for value, label in choices.choices
            for name in in_every_language(label)
        }

    def convert(value, lookups: Lookups) -> str:
        try:
            return known()[plain(as_text(value))]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": as_text(value), "choices": ", ".join(choices.values)}
            ) from None

    return convert


def _plain_value(convert: Callable) -> Callable:
    return lambda value, lookups: convert(value)


@dataclass(frozen=True)
class Target:
    """A field a column may be mapped to: how a cell becomes its value; `choices` when
    the value is one of them; `also`, what spreadsheets call the field besides its label
    in our four languages."""

    name: str
    label: Any
    convert: Callable[[Any, Lookups], Any] = _plain_value(as_text)
    required: bool = False
    choices: type[TextChoices] | None = None
    also: tuple[str, ...] = ()

    def shown(self, value: str) -> str:
        """A value as the reader calls it: a choice by its label, in their language."""
        if self.choices is not None and value in self.choices.values:
            return str(self.choices(value).label)
        return value

    def names(self) -> list[str]:
        """What a column filling this field may be headed: the field's name and label in
        every language, and the words of `also`."""
        return [self.name.replace("_", " "), *in_every_language(self.label), *self.also]


def _chosen(name: str, label, choices: type[TextChoices], required: bool = False) -> Target:
    return Target(name, label, _choice(choices), required, choices=choices)


TEXT = _plain_value(as_text)
DATE = _plain_value(as_date)
HANDLING = [
    _chosen("scope", gettext_lazy("Scope"), Scope),
    _chosen("marking", gettext_lazy("Marking"), Marking),
]
REFERENCE_LANGUAGE = _chosen("reference_language", gettext_lazy("Reference language"), Language)


def _party(value, lookups: Lookups):
    return lookups.party(value)


def _area(value, lookups: Lookups):
    return lookups.area(value)


def _clauses(value, lookups: Lookups):
    return lookups.clauses_of(value)


# --- one create function per kind -------------------------------------------------------


def _titled_record(actor, agreement, values: dict) -> dict:
    """What the create service of every titled kind takes, taken out of `values`: who
    records it in which agreement, its title in its reference language, its handling."""
    language = values.pop("reference_language", Language.EN)
    return {
        "actor": actor,
        "agreement": agreement,
        "title": {language: values.pop("title", "")},
        "reference_language": language,
        "handling": Handling.pop_from(values),
    }


def create_commitment(actor, agreement, values: dict, lookups: Lookups):
    titled = _titled_record(actor, agreement, values)
    party = values.pop("responsible_party", None) or lookups.own_party
    unit = lookups.unit(party, values.pop("responsible_unit", ""), "responsible_unit")
    status = values.pop("status", CommitmentStatus.PLANNED)
    description = values.pop("description", "")
    commitment = commitment_create(
        **titled,
        description={titled["reference_language"]: description} if description else None,
        responsible_party=party,
        responsible_unit=unit,
        **values,
    )
    if status != CommitmentStatus.PLANNED:
        # A new commitment starts planned; the workflow takes it from there at once.
        commitment = commitment_change_status(
            actor=actor,
            commitment=commitment,
            status=status,
            expected_version=commitment.version,
            progress=values.get("progress") if status == CommitmentStatus.DONE else None,
        )
    return commitment


def create_meeting(actor, agreement, values: dict, lookups: Lookups):
    titled = _titled_record(actor, agreement, values)
    host = values.pop("host_party", None) or lookups.own_party
    time_zone = values.pop("time_zone", "") or host.time_zone
    return meeting_create(**titled, host_party=host, time_zone=time_zone, **values)


def create_training(actor, agreement, values: dict, lookups: Lookups):
    titled = _titled_record(actor, agreement, values)
    host = values.pop("host_party", None) or lookups.own_party
    return training_create(**titled, host_party=host, **values)


def create_contact(actor, agreement, values: dict, lookups: Lookups):
    unit = lookups.unit(lookups.own_party, values.pop("unit", ""), "unit")
    if unit is None:
        raise ValidationError({"unit": _("Name the unit of the contact.")})
    handling = Handling.pop_from(values)
    return contact_create(
        actor=actor,
        unit=unit,
        handling=handling,
        **values,
    )


@dataclass(frozen=True)
class Kind:
    """A kind of record an import makes: its fields and its create function."""

    name: str
    label: Any
    targets: list[Target]
    create: Callable
    title_field: str = "title"

    def target(self, name: str) -> Target | None:
        return next((t for t in self.targets if t.name == name), None)


# What the kinds with a title per language share: the title first, and last the language
# it is in and the record's handling.
TITLE = Target("title", gettext_lazy("Title"), TEXT, required=True)
HOST_PARTY = Target("host_party", gettext_lazy("Host party"), _party)
AREA = Target("area", gettext_lazy("Area"), _area)
PLACE = Target("place", gettext_lazy("Place"))
TIME_ZONE = Target("time_zone", gettext_lazy("Time zone"))


def _titled(name: str, label, create: Callable, targets: list[Target]) -> Kind:
    """A kind whose records are titled in a reference language: `targets` between the
    title and the reference language, the handling last."""
    return Kind(name, label, [TITLE, *targets, REFERENCE_LANGUAGE, *HANDLING], create)


KINDS = {
    kind.name: kind
    for kind in [
        _titled(
            "commitments",
            gettext_lazy("Commitments"),
            create_commitment,
            [
                Target("description", gettext_lazy("Description"), also=("Omschrijving",)),
                Target("due_date", gettext_lazy("Due date"), DATE, also=("Vervaldatum",)),
                _chosen("status", gettext_lazy("Status"), CommitmentStatus),
                Target("progress", gettext_lazy("Progress (%)"), _plain_value(as_percentage)),
                Target("responsible_party", gettext_lazy("Responsible party"), _party),
                Target("responsible_unit", gettext_lazy("Responsible unit")),
                AREA,
                Target("clauses", gettext_lazy("Clauses"), _clauses),
                Target("indicator", gettext_lazy("Indicator")),
                Target("indicator_unit", gettext_lazy("Indicator unit")),
                Target("baseline", gettext_lazy("Baseline"), _plain_value(as_decimal)),
                Target("target", gettext_lazy("Target"), _plain_value(as_decimal)),
            ],
        ),
        _titled(
            "meetings",
            gettext_lazy("Meetings"),
            create_meeting,
            [
                _chosen("kind", gettext_lazy("Kind"), MeetingKind, required=True),
                Target("starts_at", gettext_lazy("Starts"), _plain_value(as_datetime), True),
                Target("ends_at", gettext_lazy("Ends"), _plain_value(as_datetime), True),
                TIME_ZONE,
                HOST_PARTY,
                PLACE,
                Target("online_url", gettext_lazy("Online link")),
            ],
        ),
        _titled(
            "trainings",
            gettext_lazy("Trainings"),
            create_training,
            [
                _chosen("kind", gettext_lazy("Kind"), TrainingKind, required=True),
                HOST_PARTY,
                Target("sending_party", gettext_lazy("Sending party"), _party, required=True),
                Target("starts_on", gettext_lazy("Starts on"), DATE, required=True),
                Target("ends_on", gettext_lazy("Ends on"), DATE, required=True),
                AREA,
                PLACE,
            ],
        ),
        Kind(
            "contacts",
            gettext_lazy("Contacts"),
            [
                Target("name", gettext_lazy("Name"), TEXT, required=True),
                Target("unit", gettext_lazy("Unit"), TEXT, required=True),
                Target("title", gettext_lazy("Function")),
                Target("email", gettext_lazy("E-mail")),
                Target("phone", gettext_lazy("Phone")),
                Target("languages", gettext_lazy("Languages")),
                TIME_ZONE,
                *HANDLING,
            ],
            create_contact,
            title_field="name",
        ),
    ]
}
