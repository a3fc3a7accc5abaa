# The model moves from agreements to attachments: first in Django's state only, on the
# table agreements made; 0002 then gives the table, its constraints and its index
# attachments' names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("agreements", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Attachment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        ("scope", models.CharField(choices=[("shared", "Shared"), ("internal", "Internal")], default="internal", max_length=8, verbose_name="scope")),
                        ("marking", models.CharField(choices=[("TLP:CLEAR", "TLP:CLEAR"), ("TLP:GREEN", "TLP:GREEN"), ("TLP:AMBER", "TLP:AMBER"), ("TLP:AMBER+STRICT", "TLP:AMBER+STRICT"), ("TLP:RED", "TLP:RED")], default="TLP:AMBER", max_length=16, verbose_name="marking")),
                        ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="version")),
                        ("is_illustrative", models.BooleanField(default=False, help_text="Demo data that illustrates the tool; not a fact.", verbose_name="illustrative")),
                        ("target_id", models.PositiveBigIntegerField()),
                        ("file", models.FileField(upload_to="attachments/%Y/%m/", verbose_name="file")),
                        ("filename", models.CharField(max_length=255, verbose_name="file name")),
                        ("content_type", models.CharField(max_length=100, verbose_name="content type")),
                        ("size", models.PositiveBigIntegerField(verbose_name="size (bytes)")),
                        ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                        ("agreement", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="attachments", to="agreements.agreement")),
                        ("owning_party", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.party", verbose_name="owning party")),
                        ("red_recipients", models.ManyToManyField(blank=True, help_text="Only these users see the record while it is marked TLP:RED.", related_name="%(app_label)s_%(class)s_red+", to=settings.AUTH_USER_MODEL, verbose_name="TLP:RED recipients")),
                        ("target_type", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype")),
                        ("uploaded_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="uploaded by")),
                    ],
                    options={
                        "db_table": "agreements_attachment",
                        "ordering": ["-created_at"],
                        "abstract": False,
                        "indexes": [models.Index(fields=["target_type", "target_id"], name="agreements_attach_target")],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("scope__in", ["shared", "internal"])), name="agreements_attachment_scope_valid"),
                            models.CheckConstraint(condition=models.Q(("marking__in", ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"])), name="agreements_attachment_marking_valid"),
                            models.CheckConstraint(condition=models.Q(("version__gte", 1)), name="agreements_attachment_version_positive"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
