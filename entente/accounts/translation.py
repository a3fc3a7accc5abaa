from modeltranslation.translator import TranslationOptions, register

from entente.accounts.models import Party


@register(Party)
class PartyTranslation(TranslationOptions):
    fields = ("name",)
