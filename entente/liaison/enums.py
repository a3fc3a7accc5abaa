from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.transitions import Workflow


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

_S = RequestStatus

REQUEST_WORKFLOW = Workflow(
    RequestStatus,
    {
        _S.SENT: {_S.ACKNOWLEDGED, _S.CLARIFICATION, _S.ANSWERED, _S.REFUSED},
        _S.ACKNOWLEDGED: {_S.CLARIFICATION, _S.ANSWERED, _S.REFUSED},
        # A cell may refuse while still waiting for a clarification that never comes.
        # The clarification itself returns the request to where it stood when the
        # question was asked (`services.clarification_provide`): not a move of its own,
        # or the receiver could "acknowledge" a request whose clock is paused.
        _S.CLARIFICATION: {_S.REFUSED},
        _S.ANSWERED: {_S.CLOSED},
        _S.REFUSED: {_S.CLOSED},
    },
    message=_("A request cannot go from %(old)s to %(new)s."),
)


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    CLARIFICATION_QUESTION = "clarification_question", _("Clarification question")
    CLARIFICATION_ANSWER = "clarification_answer", _("Clarification")
    ANSWER = "answer", _("Answer")
    REFUSAL = "refusal", _("Refusal")
    NOTE = "note", _("Internal note")
