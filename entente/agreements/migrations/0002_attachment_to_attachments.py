# Attachment now belongs to entente.attachments (see attachments 0001): removed from
# agreements' state only; the table stays until attachments 0002 renames it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_initial"),
        ("attachments", "0001_attachment_from_agreements"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Attachment")],
            database_operations=[],
        ),
    ]
