# IdempotencyKey now belongs to entente.apikit (see apikit 0001): removed from accounts'
# state only; the table stays until apikit 0002 renames it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_tokens"),
        ("apikit", "0001_idempotency_key_from_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
