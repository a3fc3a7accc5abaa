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
    REQUEST_ANSWERED = "request_answered", _("Request of your contact cell answered")
    REQUEST_REFUSED = "request_refused", _("Request of your contact cell refused")
    REQUEST_CLARIFICATION = "request_clarification", _("Clarification asked of your contact cell")
    PROGRESS_REPORT = "progress_report", _("Progress report on a record you follow")
    COMMENT = "comment", _("Comment on a record you follow")
    MEETING_SOON = "meeting_soon", _("Meeting coming up")
    MEETING_CHANGED = "meeting_changed", _("Meeting changed")
    MEETING_AGENDA = "meeting_agenda", _("Meeting agenda changed")
    MEETING_MINUTES = "meeting_minutes", _("Meeting minutes published")
    TRAINING_SOON = "training_soon", _("Training coming up")
    TRAINING_CHANGED = "training_changed", _("Training changed")
    DECISION_ASSIGNED = "decision_assigned", _("A decision assigns your party a commitment")
    RECORD_SHARED = "record_shared", _("Record newly shared with your party")


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
