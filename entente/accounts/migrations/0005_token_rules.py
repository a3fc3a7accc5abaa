"""Token rules: read-only tokens, and tokens bound to their owner's credential.

Existing tokens are stamped with their owner's credential as it is now (they stop
working at its next change), and a token that never expired gets the longest lifetime
allowed from today.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def stamp_existing(apps, schema_editor):
    # As accounts.selectors.credential_stamp, on historical models.
    ApiToken = apps.get_model("accounts", "ApiToken")
    Membership = apps.get_model("accounts", "Membership")
    latest = timezone.now() + dt.timedelta(days=settings.TOKEN_MAX_DAYS)
    for token in ApiToken.objects.select_related("user"):
        membership = Membership.objects.filter(user_id=token.user_id).first()
        party, role = (membership.party_id, membership.role) if membership else ("", "")
        text = f"{token.user.password}\x00{party}\x00{role}"
        token.credential_stamp = hashlib.sha256(text.encode()).hexdigest()
        if token.expires_at is None or token.expires_at > latest:
            token.expires_at = latest
        token.save(update_fields=["credential_stamp", "expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_recovery_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(
                default=False, help_text="Reads only: any change is refused.", verbose_name="read-only"
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="credential_stamp",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(stamp_existing, migrations.RunPython.noop),
    ]
