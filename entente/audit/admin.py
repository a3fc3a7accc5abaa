"""The admin is the operator's: people and structure only (DESIGN.md, "Access model").

Every save it makes is audited in the admin's own transaction (AuditedModelAdmin). The
audit chain is shown by its metadata: the operator checks who did what and when, and
that the chain holds, without reading the records' texts (internal or TLP:RED) that the
events' before and after carry.
"""

from django.contrib import admin
from django.db import transaction

from entente.audit.models import AuditEvent
from entente.audit.services import audit_record, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Operator-managed records (parties, units, contacts, memberships, users): every
    change the admin saves is audited, and a versioned record's version goes up."""

    def audit_snapshot(self, obj) -> dict:
        return snapshot(obj)

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            current = type(obj)._default_manager.get(pk=obj.pk)
            before = self.audit_snapshot(current)
            if hasattr(obj, "version"):
                obj.version = current.version + 1
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin_update" if change else "admin_create",
            target=obj,
            before=before,
            after=self.audit_snapshot(obj),
        )

    def delete_model(self, request, obj):
        before = self.audit_snapshot(obj)
        audit_record(actor=request.user, action="admin_delete", target=obj, before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The changelist's delete action runs outside the admin's view transaction.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


# Listed, and shown on the read-only page, alike.
AUDIT_COLUMNS = (
    "seq",
    "at",
    "actor_name",
    "party",
    "action",
    "target_type",
    "target_id",
    "prev_hash",
    "hash",
)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The chain's metadata, read-only: the chain is append-only, even for the operator,
    and before/after (record texts) are not shown."""

    list_display = list(AUDIT_COLUMNS)
    fields = list(AUDIT_COLUMNS)
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_id", "hash"]
    ordering = ["-seq"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("before", "after")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
