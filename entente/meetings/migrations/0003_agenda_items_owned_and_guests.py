"""Agenda items become party-owned records: each existing item is given its meeting's
owning party, scope, marking and TLP:RED recipients, so that it is seen exactly as
before (it was seen with its meeting), and may from now on be proposed by either party.
Guests are people at a meeting who are in no party's directory."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


def items_as_their_meetings(apps, schema_editor):
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    for item in AgendaItem._base_manager.select_related("meeting"):
        meeting = item.meeting
        item.owning_party_id = meeting.owning_party_id
        item.scope = meeting.scope
        item.marking = meeting.marking
        item.is_illustrative = meeting.is_illustrative
        item.save(update_fields=["owning_party", "scope", "marking", "is_illustrative"])
        item.red_recipients.set(meeting.red_recipients.all())


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_contact_public_id'),
        ('meetings', '0002_meeting_parts_public_id'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Guest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('organisation', models.CharField(blank=True, max_length=200, verbose_name='organisation')),
                ('status', models.CharField(choices=[('invited', 'Invited'), ('attended', 'Attended'), ('excused', 'Excused')], default='invited', max_length=16, verbose_name='status')),
            ],
            options={
                'ordering': ['meeting', 'name', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name='created'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='is_illustrative',
            field=models.BooleanField(default=False, help_text='Demo data that illustrates the tool; not a fact.', verbose_name='illustrative'),
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='marking',
            field=models.CharField(choices=[('TLP:CLEAR', 'TLP:CLEAR'), ('TLP:GREEN', 'TLP:GREEN'), ('TLP:AMBER', 'TLP:AMBER'), ('TLP:AMBER+STRICT', 'TLP:AMBER+STRICT'), ('TLP:RED', 'TLP:RED')], default='TLP:AMBER', max_length=16, verbose_name='marking'),
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='owning_party',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.party', verbose_name='owning party'),
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='red_recipients',
            field=models.ManyToManyField(blank=True, help_text='Only these users see the record while it is marked TLP:RED.', related_name='%(app_label)s_%(class)s_red+', to=settings.AUTH_USER_MODEL, verbose_name='TLP:RED recipients'),
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='scope',
            field=models.CharField(choices=[('shared', 'Shared'), ('internal', 'Internal')], default='internal', max_length=8, verbose_name='scope'),
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated'),
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name='version'),
        ),
        migrations.RunPython(items_as_their_meetings, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='agendaitem',
            name='owning_party',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.party', verbose_name='owning party'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=models.Q(('scope__in', ['shared', 'internal'])), name='meetings_agendaitem_scope_valid'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=models.Q(('marking__in', ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'])), name='meetings_agendaitem_marking_valid'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='meetings_agendaitem_version_positive'),
        ),
        migrations.AddField(
            model_name='guest',
            name='meeting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='guests', to='meetings.meeting'),
        ),
        migrations.AddConstraint(
            model_name='guest',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['invited', 'attended', 'excused'])), name='meetings_guest_status_valid'),
        ),
    ]
