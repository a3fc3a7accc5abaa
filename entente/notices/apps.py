from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "entente.notices"
    label = "notices"
