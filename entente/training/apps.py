from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "entente.training"
    label = "training"
