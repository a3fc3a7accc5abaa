from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "entente.liaison"
    label = "liaison"
