from django.db import models
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Contact, Party, Unit
from entente.agreements.enums import (
    OPEN_COMMITMENT_STATUSES,
    AgreementStatus,
    Certainty,
    CommitmentKind,
    CommitmentStatus,
    DatePrecision,
    EventKind,
    InstrumentType,
    PartyRole,
    Recurrence,
    Renewal,
    ReportStatus,
)
from entente.core.models import (
    PartyOwned,
    PublicIdentified,
    SharedByDefault,
    Translated,
    acting_user,
    on_record_relation,
    one_of,
    percentage,
    unique_per,
)


class Agreement(Translated, PartyOwned):
    """A cooperation instrument between parties, and the root of everything tracked."""

    agreement_path = ""  # the agreement itself

    search_fields = ("title", "summary", "place", "source_references")

    instrument_type = models.CharField(
        _("instrument type"), max_length=24, choices=InstrumentType.choices
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    parties: "models.ManyToManyField[Party, AgreementParty]" = models.ManyToManyField(
        Party, through="AgreementParty", related_name="agreements", verbose_name=_("parties")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    in_force_on = models.DateField(_("in force from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    duration_months = models.PositiveIntegerField(_("duration (months)"), null=True, blank=True)
    renewal = models.CharField(
        _("renewal"), max_length=8, choices=Renewal.choices, default=Renewal.NONE
    )
    notice_period_days = models.PositiveIntegerField(
        _("notice period (days)"), null=True, blank=True
    )
    is_binding = models.BooleanField(_("legally binding"), default=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent agreement"),
        help_text=_("The agreement this one amends, implements or supplements."),
    )
    source_references = models.TextField(_("sources"), blank=True)
    urgent_response_hours = models.PositiveIntegerField(
        _("urgent request deadline (hours)"), default=48
    )
    normal_response_days = models.PositiveIntegerField(
        _("normal request deadline (days)"), default=30
    )

    class Meta(PartyOwned.Meta):
        ordering = ["-signed_on", "title"]
        constraints = [
            *PartyOwned.Meta.constraints,
            models.CheckConstraint(
                condition=Q(in_force_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(in_force_on__gte=F("signed_on")),
                name="%(app_label)s_%(class)s_in_force_after_signing",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(expires_on__gt=F("signed_on")),
                name="%(app_label)s_%(class)s_expires_after_signing",
            ),
            one_of("status", AgreementStatus.values),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="%(app_label)s_%(class)s_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:agreement-detail", args=[self.public_id])


class AgreementParty(models.Model):
    """A party to an agreement, with its role."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="agreement_parties"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="agreement_roles")
    role = models.CharField(
        _("role"), max_length=16, choices=PartyRole.choices, default=PartyRole.PARTY
    )

    class Meta:
        constraints = [
            unique_per("agreement", "party"),
        ]

    def __str__(self) -> str:
        return f"{self.party} in {self.agreement}"


class Signatory(PublicIdentified):
    """A person who signed (or initialed) the agreement for a party."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=300, blank=True)

    class Meta:
        ordering = ["party__code", "name"]
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return f"{self.name} ({self.party})"


class AgreementEvent(SharedByDefault, PartyOwned):
    """A dated step in an agreement's life, with how sure we are of the date and why."""

    search_fields = ("source", "note")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    certainty = models.CharField(
        _("certainty"), max_length=16, choices=Certainty.choices, default=Certainty.CONFIRMED
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.TextField(_("source"), blank=True, help_text=_("Where the date comes from."))
    note = models.TextField(_("note"), blank=True)

    class Meta(PartyOwned.Meta):
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    def get_absolute_url(self) -> str:
        return reverse("reports:agreement-detail", args=[self.agreement.public_id]) + "#timeline"


class Clause(SharedByDefault, Translated, PartyOwned):
    """An article or section of the agreement's text."""

    search_fields = ("number", "heading", "text")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="clauses")
    number = models.CharField(_("number"), max_length=20)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta(PartyOwned.Meta):
        ordering = ["agreement", "number"]
        constraints = [
            *PartyOwned.Meta.constraints,
            unique_per("agreement", "number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()

    def get_absolute_url(self) -> str:
        return (
            reverse("reports:agreement-detail", args=[self.agreement.public_id])
            + f"#clause-{self.public_id}"
        )


class CooperationArea(Translated, PublicIdentified):
    """A field of cooperation an agreement covers (its own taxonomy)."""

    search_fields = ("code", "name")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["agreement", "code"]
        constraints = [
            unique_per("agreement", "code"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:agreement-detail", args=[self.agreement.public_id]) + "#about-title"


def area_link(
    related_name: str,
) -> "models.ForeignKey[CooperationArea | None, CooperationArea | None]":
    """The cooperation area of its agreement a record falls under, if any (a commitment,
    a request, a training): the area stays while a record names it."""
    return models.ForeignKey(
        CooperationArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )


def due_order() -> Func:
    """A commitment's due date with the undated last: the sort key of the commitment lists
    (pages, exports, API), and the expression of the index that serves them. The end date is written into the SQL, not
    passed as a parameter, so that SQLite sees the query's expression as the index's."""
    return Func(
        F("due_date"),
        template="COALESCE(%(expressions)s, '9999-12-31')",
        output_field=models.DateField(),
    )


class Commitment(Translated, PartyOwned):
    """Who must do what, by when, under an agreement."""

    search_fields = ("title", "description", "indicator")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="commitments")
    clauses = models.ManyToManyField(Clause, blank=True, related_name="commitments")
    area = area_link("commitments")
    responsible_party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="commitments"
    )
    responsible_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )
    responsible_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CommitmentKind.choices, default=CommitmentKind.ONE_OFF
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=16, choices=Recurrence.choices, blank=True, default=""
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # One next occurrence per occurrence of a recurring commitment: unique, so reopening
    # and closing one again cannot give it a second successor.
    previous_occurrence = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="next_occurrence",
        verbose_name=_("previous occurrence"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.PLANNED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    indicator = models.CharField(_("indicator"), max_length=300, blank=True)
    indicator_unit = models.CharField(_("indicator unit"), max_length=50, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    evidence_links = models.TextField(_("evidence links"), blank=True)
    evidence = on_record_relation("attachments.Attachment")

    class Meta(PartyOwned.Meta):
        ordering = ["due_date", "pk"]
        constraints = [
            *PartyOwned.Meta.constraints,
            percentage("progress"),
            one_of("status", CommitmentStatus.values),
            models.CheckConstraint(
                condition=(Q(kind=CommitmentKind.ONE_OFF) & Q(recurrence=""))
                | (Q(kind=CommitmentKind.RECURRING) & ~Q(recurrence="")),
                name="%(app_label)s_%(class)s_recurrence_matches_kind",
            ),
        ]
        indexes = [
            # dashboard: open commitments by due date
            models.Index(fields=["status", "due_date"], name="agreements_commit_due"),
            # portfolio: each agreement's open commitments and next deadline
            # (agreement_portfolio's subqueries on agreement, status and due_date)
            models.Index(
                fields=["agreement", "status", "due_date"], name="agreements_commit_agr_due"
            ),
            # API commitment list: ORDER BY COALESCE(due_date, '9999-12-31'), id
            # (commitments_as_shown's due_order in api_commitments.py, the cursor's key)
            models.Index(due_order(), "id", name="agreements_commit_due_order"),
            # calendar: commitments due in the days shown
            # (calendar_commitments: by due_date, the cancelled left out)
            models.Index(fields=["due_date"], name="agreements_commit_due_day"),
            # dashboard: visible commitments grouped by agreement and area (area_progress),
            # answered from the index alone, with the visibility rule's columns
            models.Index(
                fields=[
                    "agreement",
                    "area",
                    "status",
                    "progress",
                    "owning_party",
                    "scope",
                    "marking",
                ],
                name="agreements_commit_areas",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in OPEN_COMMITMENT_STATUSES
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )

    def get_absolute_url(self) -> str:
        return reverse("agreements:commitment-detail", args=[self.public_id])


class IndicatorValue(PublicIdentified):
    """The measured value of a commitment's indicator for one period."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="indicator_values"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    actual = models.DecimalField(_("actual"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["commitment", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_start"], name="%(app_label)s_%(class)s_unique_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="%(app_label)s_%(class)s_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.actual} ({self.period_start})"


class ProgressReport(PartyOwned):
    """The responsible party's report on a commitment: progress, a proposed status, an
    indicator value and evidence, owned by the reporter's party and answered by the
    commitment's owner, who accepts it onto the commitment or answers it with a note."""

    agreement_path = "commitment__agreement"
    search_fields = ("note", "answer")

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="reports")
    reporter = acting_user(_("reported by"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    proposed_status = models.CharField(
        _("proposed status"),
        max_length=16,
        choices=CommitmentStatus.choices,
        blank=True,
        default="",
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    indicator_value = models.DecimalField(
        _("indicator value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = acting_user(_("answered by"), optional=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    evidence = on_record_relation("attachments.Attachment")

    class Meta(PartyOwned.Meta):
        ordering = ["-created_at", "-pk"]
        constraints = [
            *PartyOwned.Meta.constraints,
            percentage("progress"),
            one_of("proposed_status", ["", *CommitmentStatus.values]),
            one_of("status", ReportStatus.values),
            # An indicator value is for a period: all three, or none.
            models.CheckConstraint(
                condition=Q(period_start__isnull=True, period_end__isnull=True)
                & Q(indicator_value__isnull=True)
                | Q(period_start__isnull=False, period_end__gte=F("period_start"))
                & Q(indicator_value__isnull=False),
                name="%(app_label)s_%(class)s_indicator_period",
            ),
        ]
        indexes = [
            # commitment page: the timeline of its reports, newest first
            models.Index(fields=["commitment", "-created_at"], name="agreements_report_timeline"),
        ]

    def __str__(self) -> str:
        return _("Report on %(commitment)s, %(progress)s %%") % {
            "commitment": self.commitment,
            "progress": self.progress,
        }

    def get_absolute_url(self) -> str:
        return reverse("agreements:commitment-detail", args=[self.commitment.public_id]) + (
            f"#report-{self.public_id}"
        )
