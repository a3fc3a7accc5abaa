from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "entente.audit"
    label = "audit"
