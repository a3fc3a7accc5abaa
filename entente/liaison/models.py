from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Unit
from entente.agreements.models import Agreement, area_link
from entente.core.enums import Marking, Scope
from entente.core.models import PartyOwned, acting_user, one_of, unique_per
from entente.liaison.enums import MessageKind, Priority, RequestStatus


class LiaisonRequest(PartyOwned):
    """A request from one party's contact cell to another's, against a deadline.

    The owning party is the sender. While a clarification is pending the clock is
    paused: `paused_at` is set, and when the clarification arrives `due_at` moves
    forward by the time spent waiting.
    """

    search_fields = ("reference", "subject", "body", "refusal_reason", "delay_reason")
    default_scope = Scope.SHARED
    default_marking = Marking.AMBER

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="liaison_requests"
    )
    reference = models.CharField(_("reference"), max_length=40)
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sent_requests")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="received_requests")
    area = area_link("liaison_requests")
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("request"))
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SENT
    )
    sent_at = models.DateTimeField(_("sent at"))
    due_at = models.DateTimeField(_("due at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    delay_reason = models.TextField(_("reason for delay"), blank=True)

    class Meta(PartyOwned.Meta):
        ordering = ["due_at", "pk"]
        constraints = [
            *PartyOwned.Meta.constraints,
            # Per agreement: references are numbered per agreement (see request_send).
            unique_per("agreement", "reference"),
            models.CheckConstraint(
                condition=Q(due_at__gt=F("sent_at")), name="%(app_label)s_%(class)s_due_after_sent"
            ),
            models.CheckConstraint(
                condition=~Q(from_unit=F("to_unit")), name="%(app_label)s_%(class)s_distinct_units"
            ),
            one_of("status", RequestStatus.values),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REFUSED) | ~Q(refusal_reason=""),
                name="%(app_label)s_%(class)s_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=RequestStatus.CLARIFICATION) | Q(paused_at__isnull=True),
                name="%(app_label)s_%(class)s_paused_only_in_clarification",
            ),
        ]
        indexes = [
            # inbox: requests waiting on a unit, by deadline
            models.Index(fields=["to_unit", "status", "due_at"], name="liaison_inbox"),
            # outbox: requests a unit sent, by status and deadline
            models.Index(fields=["from_unit", "status", "due_at"], name="liaison_outbox"),
            # API request list: ORDER BY sent_at DESC, id DESC (the cursor's key)
            models.Index(fields=["-sent_at", "-id"], name="liaison_request_sent"),
            # calendar: open requests whose deadline falls in the days shown
            # (calendar_requests, filtered by status and due_at)
            models.Index(fields=["status", "due_at"], name="liaison_request_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("liaison:request-detail", args=[self.public_id])


class LiaisonMessage(PartyOwned):
    """One message in a request's thread; internal notes stay with their party."""

    agreement_path = "request__agreement"
    search_fields = ("body",)

    request = models.ForeignKey(LiaisonRequest, on_delete=models.PROTECT, related_name="messages")
    author = acting_user()
    kind = models.CharField(_("kind"), max_length=24, choices=MessageKind.choices)
    body = models.TextField(_("message"))
    # When it was posted, as the posting service says: the moment of the state change it
    # comes with, so that a clarification question is dated when the clock paused.
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta(PartyOwned.Meta):
        ordering = ["created_at", "pk"]
        indexes = [
            # a request's thread, oldest first (messages_for, the API's message list)
            models.Index(fields=["request", "created_at"], name="liaison_message_thread"),
        ]

    def __str__(self) -> str:
        return f"{self.request.reference} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return (
            reverse("liaison:request-detail", args=[self.request.public_id])
            + f"#message-{self.public_id}"
        )
