from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "entente.liaison"
    label = "liaison"

    def ready(self) -> None:
        # The record types the audit trail and attachments reach by name.
        from entente.core.registry import register_by_convention
        from entente.liaison import selectors
        from entente.liaison.models import LiaisonMessage, LiaisonRequest

        register_by_convention(
            selectors,
            {LiaisonRequest: "liaison_request", LiaisonMessage: "message"},
            {LiaisonRequest: "/requests/{id}"},
        )
