from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "entente.demo"
    label = "demo"
