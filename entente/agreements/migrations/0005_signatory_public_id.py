"""Signatories get a random public id, as the other parts of an agreement have, so that
the web pages that correct or remove one can name it: added nullable, filled one uuid4
per row, then made unique and required."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    model = apps.get_model("agreements", "signatory")
    for pk in model._base_manager.filter(public_id__isnull=True).values_list("pk", flat=True):
        model._base_manager.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("agreements", "0004_progress_report")]

    operations = [
        migrations.AddField(
            model_name="signatory",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signatory",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
    ]
