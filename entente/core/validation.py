from collections.abc import Iterable, Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ValidationError(_with_unique_errors_on_a_field(error)) from None


def _with_unique_errors_on_a_field(error: ValidationError) -> dict:
    """Django reports a violated multi-field unique constraint on no field; the caller
    needs a field to show it next to, so it goes on the constraint's last field (the
    clause's number, the area's code: the one the user typed)."""
    errors = dict(error.error_dict)
    for item in errors.pop(NON_FIELD_ERRORS, []):
        fields = (item.params or {}).get("unique_check") or ()
        errors.setdefault(fields[-1] if fields else NON_FIELD_ERRORS, []).append(item)
    return errors


# Fields a caller may never set through update services: ownership, history, workflow.
PROTECTED_FIELDS = frozenset(
    {
        "id",
        "pk",
        "public_id",
        "owning_party",
        "owning_party_id",
        "version",
        "created_at",
        "updated_at",
        "scope",
        "marking",
        "status",
        "agreement",
        "agreement_id",
    }
)


def refuse_unknown_changes(changes: Mapping, allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    refused = sorted(set(changes) - allowed)
    if refused:
        raise ValidationError({name: _("This field cannot be changed here.") for name in refused})


def editable_fields(model: type[models.Model], *extra_excluded: str) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields} | {
        f.attname for f in model._meta.concrete_fields
    }
    return names - PROTECTED_FIELDS - set(extra_excluded)
