from django.contrib import admin

from entente.attachments.models import Attachment
from entente.audit.admin import ReadOnlyModelAdmin


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyModelAdmin):
    list_display = ["filename", "agreement", "size", "sha256", "uploaded_by", "created_at"]
    readonly_fields = ["version", "created_at", "updated_at", "sha256", "size"]
