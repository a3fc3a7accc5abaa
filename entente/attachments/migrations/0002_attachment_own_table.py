from django.db import migrations, models

MARKINGS = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]


class Migration(migrations.Migration):
    dependencies = [
        ("attachments", "0001_attachment_from_agreements"),
        ("agreements", "0002_attachment_to_attachments"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="attachment", name="agreements_attachment_scope_valid"),
        migrations.RemoveConstraint(model_name="attachment", name="agreements_attachment_marking_valid"),
        migrations.RemoveConstraint(model_name="attachment", name="agreements_attachment_version_positive"),
        migrations.AlterModelTable(name="attachment", table=None),
        migrations.RenameIndex(
            model_name="attachment", new_name="attachments_attach_target", old_name="agreements_attach_target"
        ),
        migrations.AddConstraint(
            model_name="attachment",
            constraint=models.CheckConstraint(
                condition=models.Q(("scope__in", ["shared", "internal"])), name="attachments_attachment_scope_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="attachment",
            constraint=models.CheckConstraint(
                condition=models.Q(("marking__in", MARKINGS)), name="attachments_attachment_marking_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="attachment",
            constraint=models.CheckConstraint(
                condition=models.Q(("version__gte", 1)), name="attachments_attachment_version_positive"
            ),
        ),
    ]
