from modeltranslation.translator import TranslationOptions, register

from entente.meetings.models import Meeting


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = ("title", "minutes")
