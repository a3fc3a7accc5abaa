"""The search index: one row per searchable record, kept in step with every audited write.

A row holds only the record's words, made comparable (`search_words`): lower case,
without accents or Arabic vowel marks, split on anything that is not a letter or a
digit. Queries go through the same function, so both database engines, and every
language, match the same way. The full-text index over `document` is made by migration
0002 for each engine, outside the ORM's sight: on PostgreSQL a generated `tsvector`
column with a GIN index, on SQLite an FTS5 table kept in step by triggers (a later
migration that rebuilds this table on SQLite must recreate them).

A row says nothing about who may see its record: every query intersects the hits with
the record type's `visible(user)` queryset, so a row of a record since deleted, or
hidden, is never shown.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Letters and digits; "_" and every other character separate words.
_WORD = re.compile(r"[^\W_]+")


def search_words(text: str) -> list[str]:
    """The words of `text` as both the index and the queries compare them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(bare)


QUERY_MAX_LENGTH = 200
QUERY_MAX_WORDS = 20  # words past these add little and cost a join each


def query_words(text: str) -> list[str]:
    """The words to look for in a query, as `search_words` gives them; a ValidationError
    when there is nothing to look for (a word needs two letters or digits)."""
    words = search_words(text)
    if not any(len(word) >= 2 for word in words):
        raise ValidationError(gettext("Type at least two letters or digits to search for."))
    return words[:QUERY_MAX_WORDS]


class SearchEntry(models.Model):
    """The searchable words of one record (see the module's docstring)."""

    target_type = models.CharField(_("record type"), max_length=100)
    target_id = models.PositiveBigIntegerField(_("record id"))
    document = models.TextField(_("words"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id"], name="%(app_label)s_%(class)s_unique_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_type} {self.target_id}"
