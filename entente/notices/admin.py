"""The operator sees which e-mails of notices are pending or failed, and why (the mail
server's answer), by metadata only: recipient, kind, state, attempts; never a record's text."""

from django.contrib import admin

from entente.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "email_state", "attempts", "created_at", "emailed_at")
    list_filter = ("email_state", "kind", "digest")
    search_fields = ("recipient__username",)
    fields = (*list_display, "digest", "last_error", "read_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
