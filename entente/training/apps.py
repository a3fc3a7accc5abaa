from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "entente.training"
    label = "training"

    def ready(self) -> None:
        # The record types the audit trail, publishing and attachments reach by name.
        from entente.core.registry import register_record_type
        from entente.training.models import TrainingActivity
        from entente.training.selectors import get_training_for_user, training_visible_to

        register_record_type(
            TrainingActivity,
            door=get_training_for_user,
            visible=training_visible_to,
            api_path="/trainings/{id}",
        )
