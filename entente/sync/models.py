"""What one instance knows of the other parties' instances (issue 16): their keys and
addresses, per agreement. Bundles and their acknowledgements come later."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Party
from entente.agreements.models import Agreement
from entente.core.enums import Scope
from entente.core.models import PartyOwned


class Peer(PartyOwned):
    """The other party's instance for one agreement, as the party recording it knows it:
    the Ed25519 public key its bundles are signed with and, when it can be reached, its
    HTTPS address.

    Internal to its recording party, always: it describes this instance's links, not the
    agreement, and never travels in a bundle. A key no longer used is retired, not
    deleted (`retired_at`), so what it signed can still be checked and the history
    keeps it; a new key is a new entry.
    """

    # A peer is a setting of the instance, not a record of the agreement to annotate.
    takes_files = False

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="peers", verbose_name=_("agreement")
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("party")
    )
    public_key = models.CharField(
        _("public key"),
        max_length=44,
        help_text=_("The peer instance's Ed25519 public key: 32 bytes in base64."),
    )
    # Derived from the key (entente.core.instance_key.fingerprint), kept for lookup and display.
    fingerprint = models.CharField(_("fingerprint"), max_length=39, editable=False)
    address = models.URLField(
        _("address"),
        max_length=300,
        blank=True,
        help_text=_("Where the peer instance answers, when it can be reached: https:// only."),
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True, editable=False)

    class Meta(PartyOwned.Meta):
        ordering = ["agreement", "party", "-created_at", "-pk"]
        verbose_name = _("peer instance")
        verbose_name_plural = _("peer instances")
        constraints = [
            *PartyOwned.Meta.constraints,
            # One key in use per other party and agreement, as each recording party sees it
            # (two parties sharing one instance each keep their own entries).
            models.UniqueConstraint(
                fields=["owning_party", "agreement", "party"],
                condition=Q(retired_at__isnull=True),
                name="%(app_label)s_%(class)s_one_active_per_party",
            ),
            models.CheckConstraint(
                condition=Q(scope=Scope.INTERNAL),
                name="%(app_label)s_%(class)s_internal",
            ),
            models.CheckConstraint(
                condition=~Q(party=F("owning_party")),
                name="%(app_label)s_%(class)s_not_own_party",
            ),
        ]
        indexes = [
            # an incoming bundle's sender: WHERE fingerprint = %s (issue 16, bundles)
            models.Index(fields=["fingerprint"], name="sync_peer_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.party.code} {self.fingerprint}"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def get_absolute_url(self) -> str:
        return f"{self.agreement.get_absolute_url()}#peers"
