# The model moves from accounts to apikit: first in Django's state only, on the table
# accounts made; 0002 then gives the table and its constraint apikit's names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=255, verbose_name="key")),
                        ("method", models.CharField(max_length=10, verbose_name="method")),
                        ("path", models.CharField(max_length=500, verbose_name="path")),
                        ("request_hash", models.CharField(max_length=64, verbose_name="request hash")),
                        ("response_status", models.PositiveSmallIntegerField(null=True, verbose_name="response status")),
                        ("response_body", models.JSONField(null=True, verbose_name="response body")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "accounts_idempotencykey",
                        "constraints": [models.UniqueConstraint(fields=("user", "key"), name="accounts_idempotencykey_unique_key")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
