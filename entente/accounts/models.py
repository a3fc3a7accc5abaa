import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.accounts.enums import WRITER_ROLES, Role
from entente.core.models import (
    PartyOwned,
    SharedByDefault,
    TimeStamped,
    Translated,
    one_of,
    unique_per,
)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_names() -> list[str]:
    """Every IANA time zone name, sorted: what a time zone field accepts."""
    return sorted(_time_zones())


def validate_time_zone(value: str) -> None:
    """An IANA time zone name, as zoneinfo knows it."""
    if value and value not in _time_zones():
        raise ValidationError(
            _("Unknown time zone: give its IANA name, e.g. Europe/Amsterdam."), code="time_zone"
        )


# Digits with the separators people write them with; a leading + for the country code.
validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ()./-]{2,48}$",
    _("Enter a phone number in digits, e.g. +31 70 123 45 67."),
    code="phone",
)
# Language codes (ISO 639-1, or -2 where there is no two-letter one), comma-separated.
validate_languages = RegexValidator(
    r"^[a-z]{2,3}(,[a-z]{2,3})*$",
    _("Enter language codes separated by commas, e.g. ar,fr."),
    code="languages",
)


class Party(Translated, TimeStamped):
    """One side of agreements: a state agency or ministry."""

    code = models.SlugField(_("code"), max_length=32, unique=True, help_text="MA-DGSN")
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.code


class Unit(TimeStamped):
    """An organisational unit of a party; contact cells exchange liaison requests."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    is_contact_cell = models.BooleanField(_("contact cell"), default=False)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["party__code", "name"]
        constraints = [
            unique_per("party", "name"),
        ]

    def __str__(self) -> str:
        return f"{self.party.code} / {self.name}"


class Contact(SharedByDefault, PartyOwned):
    """A person at a unit, in the directory; internal contacts stay with their party."""

    agreement_path = None  # visibility does not follow an agreement, see accounts.selectors

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True, validators=[validate_phone])
    languages = models.CharField(
        _("languages"),
        max_length=50,
        blank=True,
        help_text=_("e.g. ar,fr"),
        validators=[validate_languages],
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Africa/Casablanca"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )

    class Meta(PartyOwned.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStamped):
    """A user's one membership: the party they act for and their role in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            one_of("role", Role.values),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.party.code}, {self.get_role_display()})"

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR


class ApiToken(models.Model):
    """A personal API token: its owner acts through it as through their session.

    Only the SHA-256 of the token is stored; the token itself is shown once when it is
    created. `key_prefix` is the token's random public part, for telling tokens apart.
    A token never outlives the credential that made it: it stops working when its owner
    is deactivated, changes password, or has their membership changed or removed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    # The token itself, on the one answer that creates it (never stored).
    token: str | None = None
    key_hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    read_only = models.BooleanField(
        _("read-only"), default=False, help_text=_("Reads only: any change is refused.")
    )
    # A fingerprint of the owner's password and membership when the token was made
    # (accounts.selectors.credential_stamp): a token stops working when either changes.
    credential_stamp = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        indexes = [
            # token list of one user: token_list_for(user)
            models.Index(fields=["user", "-created_at"], name="accounts_apitoken_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (ent_{self.key_prefix}_…)"


class RecoveryCode(models.Model):
    """A one-time code that passes the second sign-in step once, for a lost authenticator.

    Shown once, when made; stored only as a salted SHA-256. A code carries about 79
    random bits, so a slow password hash would add nothing but time to each check.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    salt = models.CharField(_("salt"), max_length=32, editable=False)
    code_hash = models.CharField(_("hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("recovery code")
        indexes = [
            # the unused codes of one user: recovery_code_use, recovery_codes_left
            models.Index(fields=["user", "used_at"], name="accounts_recoverycode_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'used' if self.used_at else 'unused'})"


class Profile(TimeStamped):
    """A user's own preferences: the interface language and the time zone times are shown
    in. Blank means the default: the browser's language, the party's time zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, default="", validators=[validate_time_zone]
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'}, {self.time_zone or '-'})"
