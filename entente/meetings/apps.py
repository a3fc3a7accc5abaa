from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "entente.meetings"
    label = "meetings"
