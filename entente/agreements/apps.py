from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "entente.agreements"
    label = "agreements"
