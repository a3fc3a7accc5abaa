from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member may do for their party (see DESIGN.md, access model)."""

    READER = "reader", _("Reader")
    OFFICER = "officer", _("Contact-cell officer")
    COORDINATOR = "coordinator", _("Coordinator")
    PARTY_ADMIN = "party_admin", _("Party administrator")
    AUDITOR = "auditor", _("Auditor")


WRITER_ROLES = frozenset({Role.OFFICER, Role.COORDINATOR})

# The second factor: the name given to a user's authenticator, and the form field (and
# ValidationError key) that carries its code.
MFA_DEVICE_NAME = "authenticator"
MFA_CODE_FIELD = "otp_token"
# The form field (and ValidationError key) of a recovery code, typed instead of a code.
RECOVERY_CODE_FIELD = "recovery_code"
