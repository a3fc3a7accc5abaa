from django.apps import AppConfig


class ApikitConfig(AppConfig):
    name = "entente.apikit"
    label = "apikit"
    verbose_name = "API toolkit"
