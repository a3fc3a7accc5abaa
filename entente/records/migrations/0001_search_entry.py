"""The search index's table (see entente.records.models)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('target_type', models.CharField(max_length=100, verbose_name='record type')),
                ('target_id', models.PositiveBigIntegerField(verbose_name='record id')),
                ('document', models.TextField(verbose_name='words')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('target_type', 'target_id'), name='records_searchentry_unique_target')],
            },
        ),
    ]
