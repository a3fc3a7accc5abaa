"""Give existing records a random public id, in the three steps Django's documentation
gives for a unique field on a table with rows: add it nullable, fill it row by row (one
uuid4 each, never one default shared by all), then make it unique and required."""

import uuid

from django.db import migrations, models

MODELS = ["meeting", "attendance", "agendaitem", "decision"]


def fill_public_ids(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("meetings", name)
        for pk in model._base_manager.filter(public_id__isnull=True).values_list("pk", flat=True):
            model._base_manager.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.AddField(
            model_name="attendance",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.AddField(
            model_name="agendaitem",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.AddField(
            model_name="decision",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meeting",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
        migrations.AlterField(
            model_name="attendance",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
        migrations.AlterField(
            model_name="agendaitem",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
        migrations.AlterField(
            model_name="decision",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
    ]
