from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from modeltranslation.translator import NotRegistered, translator


def _translated_originals(model: type[models.Model]) -> set[str]:
    # modeltranslation keeps the original column beside title_en, title_fr...; its value
    # mirrors one of them, so errors are reported on the per-language field only.
    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()


def validate_instance(instance: models.Model) -> None:
    """Full model validation, plus the NUL-byte check PostgreSQL needs.

    Raises ValidationError keyed by field name, so every caller can show the message
    next to the field it concerns.
    """
    errors: dict[str, list[str]] = {}
    skip = _translated_originals(type(instance))
    for field in instance._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and "\x00" in value:
            errors.setdefault(field.name, []).append(_("Null characters are not allowed."))
    if errors:
        raise ValidationError(errors)
    instance.full_clean()
