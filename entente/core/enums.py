from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """Whether a record is shared with the other parties of its agreement."""

    SHARED = "shared", _("Shared")
    INTERNAL = "internal", _("Internal")


class Marking(models.TextChoices):
    """Traffic Light Protocol 2.0 handling markings, least to most restrictive."""

    CLEAR = "TLP:CLEAR", "TLP:CLEAR"
    GREEN = "TLP:GREEN", "TLP:GREEN"
    AMBER = "TLP:AMBER", "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "TLP:RED", "TLP:RED"

    @property
    def rank(self) -> int:
        return list(Marking).index(self)


class Language(models.TextChoices):
    AR = "ar", "العربية"
    FR = "fr", "Français"
    EN = "en", "English"
    NL = "nl", "Nederlands"
