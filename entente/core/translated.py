from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from entente.core.enums import Language


def translated_fields(
    name: str, values: Mapping[str, str] | None, *, reference_language: str, required: bool = True
) -> dict[str, str]:
    """Turn {"fr": "...", "en": "..."} into model fields {"title_fr": ..., "title_en": ...}.

    The text in the reference language is the authoritative one, so it is required
    whenever the field is.
    """
    values = dict(values or {})
    unknown = sorted(set(values) - set(Language.values))
    if unknown:
        raise ValidationError({name: _("Unknown language: %s.") % ", ".join(unknown)})
    if reference_language not in Language.values:
        raise ValidationError({"reference_language": _("Unknown language.")})
    if required and not (values.get(reference_language) or "").strip():
        raise ValidationError(
            {f"{name}_{reference_language}": _("Give the text in the reference language.")}
        )
    return {f"{name}_{lang}": (text or "").strip() for lang, text in values.items()}
