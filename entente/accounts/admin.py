"""The operator's admin: parties, units, contacts, memberships and users, every save
audited (entente.audit.admin). Content (agreements and everything under them) has no
admin: it changes only through the services, by the parties themselves."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from modeltranslation.admin import TranslationAdmin

from entente.accounts.models import Contact, Membership, Party, Unit
from entente.accounts.sessions import sessions_end
from entente.audit.admin import AuditedModelAdmin
from entente.audit.services import audit_record
from entente.core.enums import Marking, Scope

User = get_user_model()


@admin.register(Party)
class PartyAdmin(AuditedModelAdmin, TranslationAdmin):
    list_display = ["code", "name", "country", "time_zone"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["name", "party", "is_contact_cell"]
    list_filter = ["party", "is_contact_cell"]
    search_fields = ["name"]


class ContactForm(forms.ModelForm):
    def clean_unit(self):
        unit = self.cleaned_data["unit"]
        if self.instance.pk and unit.party_id != self.instance.owning_party_id:
            raise forms.ValidationError(_("A contact stays with a unit of its own party."))
        return unit


@admin.register(Contact)
class ContactAdmin(AuditedModelAdmin):
    """The shared directory only: internal and TLP:RED contacts are their party's, and
    their scope, marking and recipients are changed by its coordinators, not here."""

    form = ContactForm
    list_display = ["name", "unit", "owning_party", "marking"]
    list_filter = ["owning_party"]
    search_fields = ["name", "email"]
    fields = ["unit", "name", "title", "email", "phone", "languages", "user"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        shared = super().get_queryset(request).filter(scope=Scope.SHARED)
        return shared.exclude(marking=Marking.RED)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owning_party_id = obj.unit.party_id
            obj.scope, obj.marking = Scope.SHARED, Marking.GREEN
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    """A change of who a member is, or of their party or role, or the membership's
    removal, signs the people concerned out everywhere."""

    list_display = ["user", "party", "role", "unit"]
    list_filter = ["party", "role"]
    search_fields = ["user__username"]

    def save_model(self, request, obj, form, change):
        old = Membership.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if old is not None and (old.user_id, old.party_id, old.role) != (
            obj.user_id,
            obj.party_id,
            obj.role,
        ):
            for user in {old.user, obj.user}:
                sessions_end(actor=request.user, user=user, reason="role_changed")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        sessions_end(actor=request.user, user=obj.user, reason="membership_removed")


admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedModelAdmin, UserAdmin):
    """Users without groups or permissions (roles live in memberships); never deleted,
    since the audit chain names them: deactivate instead."""

    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    filter_horizontal = []

    def save_model(self, request, obj, form, change):
        flags = ["is_active", "is_staff", "is_superuser"]
        old = User.objects.values(*flags).get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if old is not None and old != {flag: getattr(obj, flag) for flag in flags}:
            reason = "deactivated" if old["is_active"] and not obj.is_active else "role_changed"
            sessions_end(actor=request.user, user=obj, reason=reason)

    def audit_snapshot(self, obj) -> dict:
        # No password hash in the chain; a password change has its own event.
        return {k: v for k, v in super().audit_snapshot(obj).items() if k != "password"}

    def has_delete_permission(self, request, obj=None):
        return False

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user else None
            response = super().user_change_password(request, id, form_url)
            if user is not None and User.objects.get(pk=user.pk).password != before:
                audit_record(actor=request.user, action="admin_password", target=user)
        return response


# Groups and permissions are not used (roles are memberships); MFA devices hold their
# secret key and are reset with `entente mfa reset`, which audits the reset.
admin.site.unregister(Group)
admin.site.unregister(TOTPDevice)
