from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from entente.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementParty,
    Clause,
    Commitment,
    CooperationArea,
    IndicatorValue,
    Signatory,
)
from entente.audit.admin import ReadOnlyModelAdmin, ReadOnlyTabularInline

OWNED_READONLY = ["version", "created_at", "updated_at"]


class AgreementPartyInline(ReadOnlyTabularInline):
    model = AgreementParty


class SignatoryInline(ReadOnlyTabularInline):
    model = Signatory


class AreaInline(ReadOnlyTabularInline, TranslationTabularInline):
    model = CooperationArea


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyModelAdmin, TranslationAdmin):
    list_display = ["title", "instrument_type", "status", "signed_on", "owning_party", "scope"]
    list_filter = ["instrument_type", "status", "scope", "marking", "is_illustrative"]
    search_fields = ["title_en", "title_fr", "title_ar", "title_nl"]
    inlines = [AgreementPartyInline, SignatoryInline, AreaInline]
    readonly_fields = OWNED_READONLY


@admin.register(AgreementEvent)
class AgreementEventAdmin(ReadOnlyModelAdmin):
    list_display = ["agreement", "kind", "date", "date_precision", "certainty"]
    list_filter = ["kind", "certainty"]
    readonly_fields = OWNED_READONLY


@admin.register(Clause)
class ClauseAdmin(ReadOnlyModelAdmin, TranslationAdmin):
    list_display = ["agreement", "number", "heading"]
    readonly_fields = OWNED_READONLY


@admin.register(CooperationArea)
class CooperationAreaAdmin(ReadOnlyModelAdmin, TranslationAdmin):
    list_display = ["agreement", "code", "name"]


class IndicatorValueInline(ReadOnlyTabularInline):
    model = IndicatorValue


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyModelAdmin, TranslationAdmin):
    list_display = ["title", "agreement", "responsible_party", "due_date", "status", "scope"]
    list_filter = ["status", "kind", "scope", "marking", "is_illustrative"]
    search_fields = ["title_en", "title_fr", "title_ar", "title_nl"]
    inlines = [IndicatorValueInline]
    readonly_fields = OWNED_READONLY


for model in (AgreementParty, Signatory, IndicatorValue):
    admin.site.register(model, ReadOnlyModelAdmin)
