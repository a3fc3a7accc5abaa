from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "entente.exports"
    label = "exports"
