"""Idempotency keys keep the ids of the records made, not the answer body."""

from django.db import migrations, models


def ids_from_bodies(apps, schema_editor):
    # As entente.apikit.idempotency.record_ids, for the keys still honoured.
    IdempotencyKey = apps.get_model("apikit", "IdempotencyKey")
    for stored in IdempotencyKey.objects.exclude(response_body=None):
        body = stored.response_body
        if "id" in body:
            ids = [body["id"]]
        else:
            lists = [value for value in body.values() if isinstance(value, list)]
            ids = [item["id"] for value in lists for item in value if "id" in item]
        stored.record_ids = ids
        stored.save(update_fields=["record_ids"])


class Migration(migrations.Migration):
    dependencies = [
        ("apikit", "0002_idempotency_key_own_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencykey",
            name="record_ids",
            field=models.JSONField(default=list, verbose_name="ids of the records made"),
        ),
        migrations.RunPython(ids_from_bodies, migrations.RunPython.noop),
        migrations.RemoveField(model_name="idempotencykey", name="response_body"),
        migrations.AddIndex(
            model_name="idempotencykey",
            index=models.Index(fields=["created_at"], name="apikit_idempotency_created"),
        ),
    ]
