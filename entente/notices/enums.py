from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    REQUEST_NEW = "request_new", _("New request to your contact cell")
    REQUEST_DUE = "request_due", _("Request nearing its deadline")
    REQUEST_OVERDUE = "request_overdue", _("Request overdue")
    COMMITMENT_DUE = "commitment_due", _("Commitment coming due")
    COMMITMENT_OVERDUE = "commitment_overdue", _("Commitment overdue")
    AGREEMENT_NOTICE = "agreement_notice", _("Agreement in its renewal notice window")
    AGREEMENT_EXPIRY = "agreement_expiry", _("Agreement nearing expiry")
    MENTION = "mention", _("You were mentioned in a comment")


class EmailState(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Claimed by one `remind` run, so that a second run at the same moment skips it.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not e-mailed")


class Channel(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("One e-mail a day")
    NONE = "none", _("In the application only")
