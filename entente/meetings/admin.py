from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from entente.meetings.models import AgendaItem, Attendance, Decision, Meeting

OWNED_READONLY = ["version", "created_at", "updated_at"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title", "notes", "carried_commitment", "carried_decision"]
    raw_id_fields = ["carried_commitment", "carried_decision"]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["number", "text", "status"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["contact"]


@admin.register(Meeting)
class MeetingAdmin(TranslationAdmin):
    list_display = [
        "title",
        "agreement",
        "kind",
        "starts_at",
        "time_zone",
        "host_party",
        "status",
        "owning_party",
        "scope",
        "marking",
    ]
    list_filter = ["kind", "status", "scope", "marking", "host_party", "is_illustrative"]
    search_fields = ["title_en", "title_fr", "title_ar", "title_nl", "place"]
    date_hierarchy = "starts_at"
    list_select_related = ["agreement", "host_party", "owning_party"]
    raw_id_fields = ["agreement"]
    filter_horizontal = ["red_recipients"]
    inlines = [AgendaItemInline, DecisionInline, AttendanceInline]
    readonly_fields = OWNED_READONLY


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting", "number", "status"]
    list_filter = ["status"]
    search_fields = ["text"]
    list_select_related = ["meeting"]
    raw_id_fields = ["meeting"]
    filter_horizontal = ["commitments"]
