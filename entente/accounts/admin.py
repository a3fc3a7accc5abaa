from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice
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


# django-otp's own admin would let the operator delete devices without an audit event;
# devices are shown read-only here and reset with `entente mfa reset` instead.
admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, ReadOnlyModelAdmin)
