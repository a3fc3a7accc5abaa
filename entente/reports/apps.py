from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "entente.reports"
    label = "reports"
