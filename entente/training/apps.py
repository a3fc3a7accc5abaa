from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "entente.training"
    label = "training"

    def ready(self) -> None:
        # The record types the audit trail, publishing and attachments reach by name.
        from entente.core.registry import register_by_convention
        from entente.training import selectors
        from entente.training.models import TrainingActivity

        register_by_convention(
            selectors, {TrainingActivity: "training"}, {TrainingActivity: "/trainings/{id}"}
        )
