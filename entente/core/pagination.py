"""Lists paged alike on every page (`_pagination.html`): by keyset for a queryset
(`page_of`), by number for what a keyset cannot follow (`numbered_page`)."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, Model, OrderBy, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from entente.core.http import decode_cursor, encode_cursor, tie_breaker

PAGE_SIZE = 25

# Lists are paged by keyset: a page is the `size` rows after (or before) the row a cursor
# names, in the list's order, so the last page of 100,000 rows costs what the first does
# (no OFFSET) and a page never repeats or skips a row because others came or went. The
# order's keys become aliases (`keyset_0`...), compared lexicographically; it always ends
# in a unique key (the primary key is added when it does not), and a key that may be NULL
# says where its NULLs go (last unless the list said otherwise), so that SQLite and
# PostgreSQL order alike. `?page=` holds the cursor: `[">" or "<", the row's keys...]`
# as `encode_cursor` writes it, the public id standing in for the primary key so that
# no URL shows a row id; `?page=last` is the end of the list. A cursor that is not one
# (edited, or from an older order) shows the first page.

LAST = "last"
AFTER, BEFORE = ">", "<"


@dataclass(frozen=True)
class _Key:
    """One key of a list's order: the alias it is compared under, its direction, and
    where its NULLs go ("first", "last", or None for a key that is never NULL)."""

    name: str
    descending: bool
    nulls: str | None

    def reversed(self) -> "_Key":
        flipped = {"first": "last", "last": "first"}.get(self.nulls or "")
        return _Key(self.name, not self.descending, flipped)

    def order(self) -> OrderBy:
        return OrderBy(
            F(self.name),
            descending=self.descending,
            nulls_first=self.nulls == "first" or None,
            nulls_last=self.nulls == "last" or None,
        )

    def after(self, value: Any) -> Q | None:
        """The rows past `value` on this key; None when no row is."""
        if value is None:
            return Q(**{f"{self.name}__isnull": False}) if self.nulls == "first" else None
        past = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        return past | Q(**{f"{self.name}__isnull": True}) if self.nulls == "last" else past

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


def _past(keys: list[_Key], values: list[Any]) -> Q:
    """The rows after `values` in the order of `keys`: past the first key, or equal to it
    and past the second, and so on; bounded by the first key so that an index serves."""
    condition, same = Q(pk__in=[]), Q()
    for key, value in zip(keys, values, strict=True):
        if (past := key.after(value)) is not None:
            condition |= same & past
        same &= key.equal(value)
    first = keys[0].after(values[0])
    bound = keys[0].equal(values[0]) | first if first is not None else keys[0].equal(values[0])
    return bound & condition


def _as_order(term: Any) -> OrderBy:
    if isinstance(term, OrderBy):
        return term
    if isinstance(term, str):
        if "?" in term or "." in term:
            raise ValueError(f"keyset pages cannot follow the order {term!r}")
        return OrderBy(F(term.removeprefix("-")), descending=term.startswith("-"))
    return OrderBy(term)


def _nullable(queryset: QuerySet, expression: Any) -> bool:
    """Whether the key may be NULL: through a nullable field or an outer join on its
    path; any other expression (a subquery, an annotation) is taken to be."""
    if (
        not isinstance(expression, F)
        or expression.name.split("__")[0] in queryset.query.annotations
    ):
        return True
    model: Any = queryset.model
    for part in expression.name.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if field.null:
            return True
        model = field.related_model
    if model is not None:
        # order_by("agreement") follows the agreement's own ordering, not its key.
        raise ValueError(f"order by a field of the related record, not {expression.name!r}")
    return False


def _unique(queryset: QuerySet, order: OrderBy) -> bool:
    expression = order.expression
    if not isinstance(expression, F) or "__" in expression.name:
        return False
    if expression.name in queryset.query.annotations:
        return False
    meta = queryset.model._meta
    field = meta.pk if expression.name == "pk" else meta.get_field(expression.name)
    return field.unique and not field.null


class _Keyset:
    """A queryset in its order, as keys to compare: the rows after or before a row."""

    def __init__(self, queryset: QuerySet) -> None:
        query = queryset.query
        if query.extra_order_by:
            raise ValueError("keyset pages cannot follow an extra() order")
        terms = query.order_by or (
            query.get_meta().ordering or () if query.default_ordering else ()
        )
        orders = [_as_order(term) for term in terms]
        if not orders or not _unique(queryset, orders[-1]):
            descending = orders[-1].descending if orders else False
            orders.append(OrderBy(F("pk"), descending=descending))
        self.model, self.listed = queryset.model, queryset
        # The cursor names a row by its public id, never by its primary key.
        self.public = tie_breaker(self.model) == "public_id" and _is_pk(self.model, orders[-1])
        names = [f"keyset_{n}" for n in range(len(orders))]
        self.queryset = queryset.annotate(
            **{name: order.expression for name, order in zip(names, orders, strict=True)}
        )
        self.keys = [
            _Key(name, order.descending, self._nulls(order))
            for name, order in zip(names, orders, strict=True)
        ]

    def _nulls(self, order: OrderBy) -> str | None:
        if order.nulls_first:
            return "first"
        if order.nulls_last or _nullable(self.queryset, order.expression):
            return "last"
        return None

    def rows(self, direction: str, values: list[Any] | None, size: int) -> tuple[list, bool]:
        """The `size` rows after `values` (before, going BEFORE; from the start of that
        direction without values), nearest first, and whether more follow them."""
        keys = self.keys if direction == AFTER else [key.reversed() for key in self.keys]
        queryset = self.queryset.order_by(*(key.order() for key in keys))
        if values is not None:
            queryset = queryset.filter(_past(keys, values))
        rows = list(queryset[: size + 1])
        return rows[:size], len(rows) > size

    def page(self, rows: list, *, before: bool, after: bool) -> "KeysetPage":
        """A page of `rows`, with links to the rows before and after them if any."""
        return KeysetPage(
            object_list=rows,
            previous=self.cursor(BEFORE, rows[0]) if before and rows else None,
            next=self.cursor(AFTER, rows[-1]) if after and rows else None,
            listed=self.listed,
        )

    def cursor(self, direction: str, row: Model) -> str:
        values = [getattr(row, key.name) for key in self.keys]
        if self.public:
            values[-1] = row.public_id  # type: ignore[attr-defined]
        return encode_cursor([direction, *values])

    def read(self, cursor: str) -> tuple[str, list[Any]] | None:
        """The direction and key values `cursor` names; None when it is not a cursor."""
        try:
            direction, *values = decode_cursor(cursor)
            if direction not in (AFTER, BEFORE) or len(values) != len(self.keys):
                return None
            return direction, [self._value(n, value) for n, value in enumerate(values)]
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            return None

    def _value(self, n: int, value: Any) -> Any:
        # What a database would refuse (a NUL, a 65-bit number, a moment out of range)
        # is refused here, so that an edited cursor never reaches it.
        key = self.keys[n]
        if value is None:
            if key.nulls is None:
                raise ValueError("a NULL for a key that has none")
            return None
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("a NUL in a cursor")
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise ValueError("a number out of range")
        if self.public and n == len(self.keys) - 1:
            public_id = self.model._meta.get_field("public_id").to_python(value)
            return Subquery(self.model._base_manager.filter(public_id=public_id).values("pk"))
        value = self.queryset.query.annotations[key.name].output_field.to_python(value)
        if isinstance(value, dt.datetime):
            if timezone.is_naive(value):
                raise ValueError("a moment without its offset")
            value = value.astimezone(dt.UTC)
        return value


def _is_pk(model: type[Model], order: OrderBy) -> bool:
    expression = order.expression
    return isinstance(expression, F) and expression.name in ("pk", model._meta.pk.name)


@dataclass
class KeysetPage:
    """A page of a list for `_pagination.html`: its rows, and the cursors (`?page=`) of
    the pages before and after it (None at either end)."""

    object_list: list
    previous: str | None
    next: str | None
    listed: QuerySet
    last = LAST

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.previous is not None

    @property
    def has_next(self) -> bool:
        return self.next is not None

    @cached_property
    def total(self) -> int:
        """How many rows the whole list has: one COUNT, read only where it is shown."""
        return self.listed.count()


def page_of(request: HttpRequest, queryset: QuerySet, *, size: int = PAGE_SIZE) -> KeysetPage:
    """The page of `queryset`, in its order, that `?page=` names: the first page without
    a cursor or with one that is not valid, the last with `?page=last` or when a cursor
    points past the end."""
    keyset = _Keyset(queryset)
    asked = request.GET.get("page")
    cursor = keyset.read(asked) if asked and asked != LAST else None
    if asked == LAST or (cursor is not None and cursor[0] == AFTER):
        direction, values = cursor or (BEFORE, None)
        rows, more = keyset.rows(direction, values, size)
        if direction == AFTER and rows:
            return keyset.page(rows, before=True, after=more)
        if direction == AFTER:  # past the end: the end
            rows, more = keyset.rows(BEFORE, None, size)
        return keyset.page(rows[::-1], before=more, after=False)
    if cursor is not None:
        rows, more = keyset.rows(BEFORE, cursor[1], size)
        if len(rows) == size:
            return keyset.page(rows[::-1], before=more, after=True)
        # Going back reached the start: the first page, full.
    rows, more = keyset.rows(AFTER, None, size)
    return keyset.page(rows, before=False, after=more)


class NumberedPage(Page):
    """A page counted by number (`?page=2`), with a keyset page's names for
    `_pagination.html`: for what keyset pages cannot follow, a list built in Python
    (a record's trail) or an order the database scores (the full-text search)."""

    last = LAST

    @property
    def total(self) -> int:
        return self.paginator.count

    @property
    def previous(self) -> str | None:
        return str(self.previous_page_number()) if self.has_previous() else None

    @property
    def next(self) -> str | None:
        return str(self.next_page_number()) if self.has_next() else None


class _NumberedPaginator(Paginator):
    def _get_page(self, *args: Any, **kwargs: Any) -> NumberedPage:
        return NumberedPage(*args, **kwargs)


def numbered_page(request: HttpRequest, items: Any, *, size: int = PAGE_SIZE) -> NumberedPage:
    """The page of `items` that `?page=` names (a number, or "last"), the first or last
    when out of range. Each page costs an OFFSET: use `page_of` for a queryset."""
    paginator = _NumberedPaginator(items, size)
    asked = request.GET.get("page")
    return paginator.get_page(paginator.num_pages if asked == LAST else asked)  # type: ignore[return-value]
