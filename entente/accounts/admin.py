from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from entente.accounts.models import Contact, Membership, Party, Unit
from entente.audit.admin import AuditedModelAdmin, ReadOnlyModelAdmin


@admin.register(Party)
class PartyAdmin(AuditedModelAdmin, TranslationAdmin):
    list_display = ["code", "name", "country", "time_zone"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["name", "party", "is_contact_cell"]
    list_filter = ["party", "is_contact_cell"]
    search_fields = ["name"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "unit", "owning_party", "scope", "marking"]
    list_filter = ["owning_party", "scope"]
    search_fields = ["name", "email"]
    readonly_fields = ["version"]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "party", "role", "unit"]
    list_filter = ["party", "role"]
    search_fields = ["user__username"]
