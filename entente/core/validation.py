from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.db.models import Q
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
        _full_clean(instance)
    except ValidationError as error:
        raise ValidationError(_with_unique_errors_on_a_field(error)) from None


# What was found valid inside `validation_remembered()`: (model, check constraint's name,
# the values of the fields it names) and (model, foreign key's name, its value).
_found_valid: ContextVar[set | None] = ContextVar("entente_found_valid", default=None)


@contextmanager
def validation_remembered() -> Iterator[None]:
    """Inside the block, the database is not asked the same question twice: a check
    constraint's answer depends only on the values of the fields it names, and a foreign
    key found to point at a row still does (for a batch that deletes nothing it refers
    to). Every message stays Django's own: only the repeated queries go."""
    token = _found_valid.set(set())
    try:
        yield
    finally:
        _found_valid.reset(token)


def _full_clean(instance: models.Model) -> None:
    """`instance.full_clean()`, in the same steps (each run even when one before failed,
    and uniqueness and constraints only for the fields that passed), asking the database
    only what `validation_remembered` has not found valid yet."""
    found_valid = _found_valid.get()
    if found_valid is None:
        instance.full_clean()
        return
    model = type(instance)
    foreign_keys = {
        field.name: (model, field.name, getattr(instance, field.attname))
        for field in model._meta.concrete_fields
        if field.is_relation
    }
    errors: dict = {}
    try:
        known = {name for name, key in foreign_keys.items() if key in found_valid}
        instance.full_clean(exclude=known, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    failed = {name for name in errors if name != NON_FIELD_ERRORS}
    found_valid.update(
        key for name, key in foreign_keys.items() if name not in failed and key[2] is not None
    )
    try:
        instance.validate_unique(exclude=failed)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        _validate_constraints(instance, failed, found_valid)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _validate_constraints(instance: models.Model, exclude: set[str], found_valid: set) -> None:
    """`Model.validate_constraints`, skipping a check constraint already found to hold
    for the same values."""
    using = router.db_for_write(type(instance), instance=instance)
    errors: dict = {}
    constraint: Any  # the stubs' BaseConstraint lacks the validate() every one has
    for model, constraints in instance.get_constraints():
        for constraint in constraints:
            key = _check_key(instance, model, constraint, exclude)
            if key in found_valid:
                continue
            try:
                constraint.validate(model, instance, exclude=exclude, using=using)
            except ValidationError as error:
                fields: tuple = getattr(constraint, "fields", ())
                if getattr(error, "code", None) == "unique" and len(fields) == 1:
                    errors.setdefault(fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
            else:
                if key is not None:
                    found_valid.add(key)
    if errors:
        raise ValidationError(errors)


def _check_key(instance, model, constraint, exclude: set[str]) -> tuple | None:
    """What a check constraint's answer depends on; None for another constraint, or one
    not checked (a field it names is excluded) or whose values cannot be remembered."""
    if not isinstance(constraint, models.CheckConstraint):
        return None
    names = Q(constraint.condition).referenced_base_fields
    if names & exclude:
        return None
    meta = model._meta
    fields = [meta.pk if name == "pk" else meta.get_field(name) for name in sorted(names)]
    key = (model, constraint.name, tuple(getattr(instance, f.attname) for f in fields))
    try:
        hash(key)
    except TypeError:  # a JSON field's dict, say
        return None
    return key


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
