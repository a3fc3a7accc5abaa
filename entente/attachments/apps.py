from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "entente.attachments"
    label = "attachments"

    def ready(self) -> None:
        # The audit trail reaches attachments by name, like every other record.
        from entente.attachments import selectors
        from entente.attachments.models import Attachment
        from entente.core.registry import register_by_convention

        register_by_convention(
            selectors, {Attachment: "attachment"}, {Attachment: "/attachments/{id}"}
        )
