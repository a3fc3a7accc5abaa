from modeltranslation.translator import TranslationOptions, register

from entente.training.models import TrainingActivity


@register(TrainingActivity)
class TrainingActivityTranslation(TranslationOptions):
    fields = ("title",)
