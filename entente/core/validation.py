from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def validate_instance(instance: models.Model) -> None:
    """Full model validation, plus the NUL-byte check PostgreSQL needs.

    Raises ValidationError keyed by field name, so every caller can show the message
    next to the field it concerns.
    """
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and "\x00" in value:
            errors.setdefault(field.name, []).append(_("Null characters are not allowed."))
    if errors:
        raise ValidationError(errors)
    instance.full_clean()
