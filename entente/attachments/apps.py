from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "entente.attachments"
    label = "attachments"

    def ready(self) -> None:
        # The audit trail reaches attachments by name, like every other record.
        from entente.attachments import selectors
        from entente.attachments.models import Attachment
        from entente.core.registry import register_record_type

        register_record_type(
            Attachment,
            door=selectors.get_attachment_for_user,
            visible=selectors.attachment_visible_to,
            api_path="/attachments/{id}",
        )
