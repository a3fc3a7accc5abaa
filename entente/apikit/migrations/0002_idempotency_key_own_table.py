from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("apikit", "0001_idempotency_key_from_accounts"),
        ("accounts", "0003_idempotency_key_to_apikit"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="idempotencykey", name="accounts_idempotencykey_unique_key"
        ),
        migrations.AlterModelTable(name="idempotencykey", table=None),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(
                fields=("user", "key"), name="apikit_idempotencykey_unique_key"
            ),
        ),
    ]
