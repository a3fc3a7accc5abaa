"""Status workflows as data: which status may follow which, checked in one place.

Each app declares its workflow once (`Workflow(...)` in its `enums.py`); services apply a
change with `entente.audit.services.audited_transition`, which checks it against the
locked current row, and pages offer only the statuses `allowed_from` the current one.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import TextChoices
from django.utils.functional import Promise

from entente.core.errors import ValidationError


class Workflow:
    """The allowed moves between the statuses of `choices`.

    `message` is the refusal, with `%(old)s` and `%(new)s` for the statuses' labels,
    e.g. gettext_lazy("A commitment cannot go from %(old)s to %(new)s."). `requires`
    names, for a status, a condition the record must meet to reach it and the refusal
    when it does not (a meeting is held only once it has started).
    """

    def __init__(
        self,
        choices: type[TextChoices],
        moves: Mapping[str, Iterable[str]],
        *,
        message: str | Promise,
        field: str = "status",
        requires: Mapping[str, tuple[Callable[[Any], bool], str | Promise]] | None = None,
    ) -> None:
        self.choices = choices
        self.moves = {str(old): frozenset(str(new) for new in news) for old, news in moves.items()}
        self.message = message
        self.field = field
        self.requires = {str(status): rule for status, rule in (requires or {}).items()}

    def allowed_from(self, current: str) -> frozenset[str]:
        return self.moves.get(str(current), frozenset())

    def can(self, current: str, new: str) -> bool:
        return str(new) in self.allowed_from(current)

    def choices_from(self, current: str) -> list[tuple[str, str]]:
        """(value, label) of the statuses reachable from `current`, in declaration order."""
        allowed = self.allowed_from(current)
        return [(value, label) for value, label in self.choices.choices if value in allowed]

    def label(self, status: str) -> str:
        try:
            return str(self.choices(status).label)
        except ValueError:
            return str(status)

    def check(self, current: str, new: str) -> None:
        """Refuse a move the workflow does not allow, naming the field."""
        if not self.can(current, new):
            raise ValidationError(
                {
                    self.field: str(self.message)
                    % {"old": self.label(current), "new": self.label(new)}
                }
            )

    def unmet(self, record: Any, new: str) -> str | None:
        """Why the record cannot reach `new` now by the condition `requires` names for
        it, or None: pages offer a move only when the service would accept it."""
        condition, refusal = self.requires.get(str(new), (None, ""))
        if condition is not None and not condition(record):
            return str(refusal)
        return None

    def check_record(self, record: Any, new: str) -> None:
        """Refuse a move from the record's status, or to a status it does not meet the
        condition of."""
        self.check(getattr(record, self.field), new)
        refusal = self.unmet(record, new)
        if refusal is not None:
            raise ValidationError({self.field: refusal})
