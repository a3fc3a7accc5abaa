from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from entente.training.models import TrainingActivity, TrainingParticipation


class ReadOnlyMixin:
    """The admin only shows: writes go through the services, which check the party's
    rights and append to the audit chain."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TrainingParticipationInline(ReadOnlyMixin, admin.TabularInline):
    model = TrainingParticipation
    fields = ["party", "count", "names"]
    extra = 0


@admin.register(TrainingActivity)
class TrainingActivityAdmin(ReadOnlyMixin, TranslationAdmin):
    list_display = [
        "title",
        "kind",
        "agreement",
        "host_party",
        "sending_party",
        "starts_on",
        "ends_on",
        "status",
        "owning_party",
        "scope",
        "marking",
    ]
    list_filter = ["status", "kind", "scope", "marking", "host_party", "sending_party", "starts_on"]
    search_fields = ["title", "title_ar", "title_fr", "title_en", "title_nl", "place"]
    date_hierarchy = "starts_on"
    list_select_related = ["agreement", "host_party", "sending_party", "owning_party"]
    inlines = [TrainingParticipationInline]
