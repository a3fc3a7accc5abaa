from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "entente.liaison"
    label = "liaison"

    def ready(self) -> None:
        # The record types the audit trail and attachments reach by name.
        from entente.core.registry import door_from_visible, register_record_type
        from entente.liaison import selectors
        from entente.liaison.models import LiaisonMessage, LiaisonRequest

        register_record_type(
            LiaisonRequest,
            door=selectors.get_liaison_request_for_user,
            visible=selectors.liaison_request_visible_to,
            api_path="/requests/{id}",
        )
        register_record_type(
            LiaisonMessage,
            door=door_from_visible(selectors.message_visible_to),
            visible=selectors.message_visible_to,
        )
