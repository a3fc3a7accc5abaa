"""Recording exports in the audit chain: who exported what, never the content."""

from typing import Any

from entente.audit.services import audit_record, write_transaction


def export_record(*, actor, what: str, details: dict[str, Any]) -> None:
    """An export by `actor` of `what` (a list, an agreement), with its filter, format
    and row count in `details`. The event is the actor's: its target is the actor, so
    that no record's own history tells the other party who exported it."""
    with write_transaction():
        audit_record(actor=actor, action="export", target=actor, after={"what": what, **details})
