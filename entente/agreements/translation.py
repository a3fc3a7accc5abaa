from modeltranslation.translator import TranslationOptions, register

from entente.agreements.models import Agreement, Clause, Commitment, CooperationArea


@register(Agreement)
class AgreementTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Clause)
class ClauseTranslation(TranslationOptions):
    fields = ("heading", "text")


@register(CooperationArea)
class CooperationAreaTranslation(TranslationOptions):
    fields = ("name",)


@register(Commitment)
class CommitmentTranslation(TranslationOptions):
    fields = ("title", "description")
