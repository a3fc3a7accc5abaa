from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "entente.meetings"
    label = "meetings"

    def ready(self) -> None:
        # The record types the audit trail, publishing and attachments reach by name.
        from entente.core.registry import register_record_type
        from entente.meetings import selectors
        from entente.meetings.models import AgendaItem, Attendance, Decision, Meeting

        register_record_type(
            Meeting,
            door=selectors.get_meeting_for_user,
            visible=selectors.meeting_visible_to,
            api_path="/meetings/{id}",
        )
        register_record_type(
            AgendaItem,
            door=selectors.get_agenda_item_for_user,
            visible=selectors.agenda_item_visible_to,
        )
        register_record_type(
            Attendance,
            door=selectors.get_attendance_for_user,
            visible=selectors.attendance_visible_to,
        )
        register_record_type(
            Decision, door=selectors.get_decision_for_user, visible=selectors.decision_visible_to
        )
