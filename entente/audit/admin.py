from django.contrib import admin

from entente.audit.models import AuditEvent
from entente.audit.services import audit_record, snapshot


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Content records change only through services, which check access and audit;
    the technical operator may look at them here but not change them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """Operator-managed records (parties, units, memberships): every change the admin
    saves is audited in the admin's own transaction."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin_update" if change else "admin_create",
            target=obj,
            before=before,
            after=snapshot(obj),
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="admin_delete", target=obj, before=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """The chain is append-only, even for the technical operator."""

    list_display = ["seq", "at", "actor_name", "party", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_id", "hash"]
    ordering = ["-seq"]
