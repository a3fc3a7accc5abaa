from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class RequestStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLARIFICATION = "clarification", _("Clarification asked")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")
    CLOSED = "closed", _("Closed")


# Statuses in which the receiving cell still owes an answer.
WAITING_STATUSES = frozenset({RequestStatus.SENT, RequestStatus.ACKNOWLEDGED})


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    CLARIFICATION_QUESTION = "clarification_question", _("Clarification question")
    CLARIFICATION_ANSWER = "clarification_answer", _("Clarification")
    ANSWER = "answer", _("Answer")
    REFUSAL = "refusal", _("Refusal")
    NOTE = "note", _("Internal note")
