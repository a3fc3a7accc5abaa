import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.enums import Language, Marking, Scope

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def unique_per(parent: str, field: str) -> models.UniqueConstraint:
    """One `field` value per `parent` (one number per meeting, one code per agreement),
    named by the house rule: `<app>_<model>_unique_<field>`."""
    return models.UniqueConstraint(
        fields=[parent, field], name=f"%(app_label)s_%(class)s_unique_{field}"
    )


def one_of(field: str, values: Iterable[str]) -> models.CheckConstraint:
    """`field` holds one of `values` (its choices' values), so that the database refuses
    a value the code does not know; named `<app>_<model>_<field>_valid`."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": list(values)}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


def percentage(field: str) -> models.CheckConstraint:
    """`field` is a percentage: at most 100 (its field is positive), named
    `<app>_<model>_<field>_max_100`."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__lte": 100}),
        name=f"%(app_label)s_%(class)s_{field}_max_100",
    )


def acting_user(
    verbose_name: "StrOrPromise | None" = None, *, optional: bool = False
) -> "models.ForeignKey[Any, Any]":
    """The user who did something to a record (wrote, reported, answered, uploaded it):
    kept as long as the record is, and not reached back from the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=optional,
        blank=optional,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
    )


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PublicIdentified(models.Model):
    """A record addressed outside the database (URLs, API, exports) by a random id, so
    that nobody can count another party's records from the ids they see, and so that
    a record keeps its identity when it travels to another instance; the integer
    primary key stays internal."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Handling:
    """How a new party-owned record is to be handled: who sees it (`scope`), its TLP
    `marking`, its recipients while TLP:RED, and whether it is illustrative demo data.

    The create services take one of these; a scope or marking left None is the record
    type's own default (its `default_scope` and `default_marking`).
    """

    scope: str | None = None
    marking: str | None = None
    red_recipients: Iterable = ()
    is_illustrative: bool = False

    @classmethod
    def pop_from(cls, data: dict, **given) -> "Handling":
        """The handling named in a form's or payload's `data` (taken out of it), with
        the values `given` (recipients looked up, say) over it."""
        named = {name: data.pop(name) for name in HANDLING_FIELDS if name in data}
        return cls(**(named | given))

    def applied_to(self, record: "PartyOwned", party_id: int) -> None:
        """Give a new `record` its owner and this handling (defaults filled in)."""
        record.owning_party_id = party_id
        record.scope = self.scope or record.default_scope
        record.marking = self.marking or record.default_marking
        record.is_illustrative = self.is_illustrative


HANDLING_FIELDS = ("scope", "marking", "red_recipients", "is_illustrative")


class PartyOwned(PublicIdentified, TimeStamped):
    """A record a party owns: shared with its agreement's parties or internal to it.

    Subclasses set `agreement_path`, the lookup from the record to its agreement
    ("agreement", "request__agreement", "" for the agreement itself, None for a record
    of no agreement); its first step is the record's parent, whose visibility the rule
    in `entente.core.access` requires too. Subclasses that declare their own Meta must
    inherit `PartyOwned.Meta` to keep the constraints.
    """

    agreement_path: str | None = "agreement"
    # What a new record of this type gets when its creator names no scope or marking.
    default_scope: str = Scope.INTERNAL
    default_marking: str = Marking.AMBER

    owning_party = models.ForeignKey(
        "accounts.Party",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning party"),
    )
    scope = models.CharField(
        _("scope"), max_length=8, choices=Scope.choices, default=Scope.INTERNAL
    )
    marking = models.CharField(
        _("marking"), max_length=16, choices=Marking.choices, default=Marking.AMBER
    )
    red_recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="%(app_label)s_%(class)s_red+",
        verbose_name=_("TLP:RED recipients"),
        help_text=_("Only these users see the record while it is marked TLP:RED."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Demo data that illustrates the tool; not a fact."),
    )

    class Meta:
        abstract = True
        constraints = [
            one_of("scope", Scope.values),
            one_of("marking", Marking.values),
            models.CheckConstraint(
                condition=models.Q(version__gte=1),
                name="%(app_label)s_%(class)s_version_positive",
            ),
        ]


class SharedByDefault:
    """Mixed into a `PartyOwned` model (before it) whose new records its agreement's
    parties see, TLP:GREEN, unless their creator says otherwise: parts of the text and
    the timeline of an agreement, the people of the directory."""

    default_scope: str = Scope.SHARED
    default_marking: str = Marking.GREEN


def ownership(party_id: int, scope: str, marking: str, is_illustrative: bool = False) -> dict:
    """The fields a new party-owned record starts with: its owner, scope and marking."""
    return {
        "owning_party_id": party_id,
        "scope": scope,
        "marking": marking,
        "is_illustrative": is_illustrative,
    }


class OnRecord(PartyOwned):
    """A party-owned note or file hanging on any record of an agreement (a comment, an
    attachment): its `target`. Each declares its own `agreement` link, the agreement of
    that record, whose reverse name ("comments") its migrations already record."""

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")

    class Meta(PartyOwned.Meta):
        abstract = True


def on_record_relation(model: str) -> GenericRelation:
    """The `OnRecord` notes or files of `model` ("attachments.Attachment") that hang on
    the record declaring this field."""
    return GenericRelation(model, content_type_field="target_type", object_id_field="target_id")


class Translated(models.Model):
    """A record whose texts are written in several languages, one of them the reference.

    The per-language columns (`title_ar`, `title_fr`, ...) are added by
    django-modeltranslation from each app's `translation.py`.
    """

    reference_language = models.CharField(
        _("reference language"),
        max_length=2,
        choices=Language.choices,
        default=Language.EN,
        help_text=_("The language whose text is authoritative."),
    )

    class Meta:
        abstract = True


class CacheEntry(models.Model):
    """A row of Django's database cache (settings.CACHES), where every server process
    counts API requests against one shared limit.

    The same columns as `createcachetable` makes, declared here so that `migrate` creates
    the table and a test database's flush empties it. Only the cache reads and writes it.
    """

    # "key" is reserved in MySQL; the names are the ones the cache backend queries.
    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "entente_cache"

    def __str__(self) -> str:
        return self.cache_key
