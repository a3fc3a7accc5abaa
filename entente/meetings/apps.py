from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "entente.meetings"
    label = "meetings"

    def ready(self) -> None:
        # The record types the audit trail, publishing and attachments reach by name.
        from entente.core.registry import register_by_convention
        from entente.meetings import selectors
        from entente.meetings.models import AgendaItem, Attendance, Decision, Guest, Meeting

        register_by_convention(
            selectors,
            {
                Meeting: "meeting",
                AgendaItem: "agenda_item",
                Attendance: "attendance",
                Decision: "decision",
                Guest: "guest",
            },
            {Meeting: "/meetings/{id}"},
        )
