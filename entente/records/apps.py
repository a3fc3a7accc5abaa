from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "entente.records"
    label = "records"
