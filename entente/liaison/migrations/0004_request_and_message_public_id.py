"""Give existing records a random public id, in the three steps Django's documentation
gives for a unique field on a table with rows: add it nullable, fill it row by row (one
uuid4 each, never one default shared by all), then make it unique and required."""

import uuid

from django.db import migrations, models

MODELS = ["liaisonrequest", "liaisonmessage"]


def fill_public_ids(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("liaison", name)
        for pk in model._base_manager.filter(public_id__isnull=True).values_list("pk", flat=True):
            model._base_manager.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("liaison", "0003_message_dated_by_its_service")]

    operations = [
        migrations.AddField(
            model_name="liaisonrequest",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.AddField(
            model_name="liaisonmessage",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="liaisonrequest",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
        migrations.AlterField(
            model_name="liaisonmessage",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
    ]
