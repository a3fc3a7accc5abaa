from django.contrib import admin

from entente.audit.admin import ReadOnlyModelAdmin, ReadOnlyTabularInline
from entente.liaison.models import LiaisonMessage, LiaisonRequest


class LiaisonMessageInline(ReadOnlyTabularInline):
    model = LiaisonMessage
    fields: list[str] = ["created_at", "kind", "author", "owning_party", "scope", "marking", "body"]
    readonly_fields = fields


@admin.register(LiaisonRequest)
class LiaisonRequestAdmin(ReadOnlyModelAdmin):
    list_display = [
        "reference",
        "subject",
        "from_unit",
        "to_unit",
        "priority",
        "status",
        "sent_at",
        "due_at",
    ]
    list_filter = ["status", "priority", "marking", "is_illustrative"]
    list_select_related = ["from_unit__party", "to_unit__party"]
    search_fields = ["reference", "subject"]
    date_hierarchy = "sent_at"
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [LiaisonMessageInline]
