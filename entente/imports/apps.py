from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "entente.imports"
    label = "imports"
