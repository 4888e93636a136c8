"""Registering many items at once (a spreadsheet import) in two steps.

`items_prepare_bulk` checks every row exactly as `item_create` would and builds the rows to
insert, writing nothing: a long import can prepare all its rows without holding the database's
write lock. `items_insert_prepared` then writes them in one transaction: the items as plain
parameter rows through one prepared statement, and their history rows and `create` transitions
copied from the inserted items by the database itself (`INSERT … SELECT`), so the write holds the
lock for as short a time as the database allows. `items_create_bulk` does both.

The codes come from the town's counter. Inside the write's transaction the counter row stays
locked until the write commits, and every other registration in the town waits for it; an import
therefore takes its codes first, in a short transaction of its own (`items_reserve_codes`), and
gives back those of a write that did not happen (`items_release_codes`) unless somebody took a
later number meanwhile: those numbers then stay unused, and the import says which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any, overload

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from maque.ledger.attributes import References
from maque.ledger.errors import NotPermitted
from maque.ledger.lifecycle.machinery import context_for
from maque.ledger.lifecycle.registration import item_code, new_item_values, take_numbers
from maque.ledger.models import Category, Item, ItemCounter, Source, State, Transition


class BulkCreateError(Exception):
    """Some rows of a bulk creation are invalid, so nothing was created.

    `errors` maps the index of each bad row to its messages per field, as `item_create` would
    have raised them (a missing right to register in the village is reported on `village`).
    """

    def __init__(self, errors: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(f"{len(errors)} invalid rows")
        self.errors = errors


BULK_CODE_LOOKUP = 500  # codes per query when reading back the ids of new items
BULK_COPY = 500  # items per `INSERT … SELECT` of their history rows and transitions


class CreatedItems(Sequence[Item]):
    """The items `items_create_bulk` created, in the order of its rows.

    `codes` and `ids` are at hand; an `Item` instance is only built when one is asked for (an
    import of a hundred thousand rows needs a few of them, not all).
    """

    def __init__(
        self,
        values: list[dict[str, Any]],
        codes: list[str],
        ids: list[int],
        created_at: datetime,
        db: str,
    ) -> None:
        self._values = values
        self.codes = codes
        self.ids = ids
        self._created_at = created_at
        self._db = db
        self._built: dict[int, Item] = {}

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, index: int) -> Item: ...

    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...

    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self))[index]
        if index not in self._built:
            item = Item(**self._values[index])
            item.pk = self.ids[index]
            item.code = self.codes[index]
            item.created_at = item.updated_at = self._created_at
            item._state.adding = False
            item._state.db = self._db
            self._built[index] = item
        return self._built[index]


@dataclass
class PreparedItems:
    """Rows checked by `items_prepare_bulk`: the new items' field values, and the bad rows.

    `values[i]` belongs to row `rows[indexes[i]]`; `errors` maps the index of each bad row to
    its messages per field.
    """

    by: User
    via: str
    actor_person_id: int | None
    values: list[dict[str, Any]] = dataclass_field(default_factory=list)
    indexes: list[int] = dataclass_field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = dataclass_field(default_factory=dict)
    # The items' rows as the database takes them (code and times are filled in by the write).
    rows: list[list[Any]] = dataclass_field(default_factory=list)
    # Codes taken ahead of the write by `items_reserve_codes`, one per value.
    codes: list[str] | None = None


@dataclass(frozen=True)
class CodeReservation:
    """Numbers `first`..`last` of a town's year, taken for a write that has not happened yet."""

    town_id: int
    year: int
    first: int
    last: int
    town_code: str

    @property
    def codes(self) -> tuple[str, str]:
        """The first and last code of the reservation."""
        return (
            item_code(self.town_code, self.year, self.first),
            item_code(self.town_code, self.year, self.last),
        )


def items_prepare_bulk(
    *, by: User, rows: Sequence[Mapping[str, Any]], via: str = "import", source: str = Source.IMPORT
) -> PreparedItems:
    """Check many new items: every row gets exactly the checks of `item_create`. Writes nothing."""
    ctx = context_for(by, via)
    actor = ctx.actor
    references = References()
    # Category fields once per category, not once per row; the right to register once per
    # village and campaign.
    category_ids = {row["category"].pk for row in rows if row.get("category") is not None}
    categories = {
        c.pk: c for c in Category.objects.filter(pk__in=category_ids).prefetch_related("fields")
    }
    permitted: dict[tuple[int, int], bool] = {}
    people: dict[int, set[int]] = {}
    prepared = PreparedItems(
        by=by, via=via, actor_person_id=actor.person.pk if actor.person is not None else None
    )
    for index, row in enumerate(rows):
        arguments = {"source": source, **row}
        if arguments.get("category") is not None:
            arguments["category"] = categories[arguments["category"].pk]
        try:
            prepared.values.append(
                new_item_values(
                    actor,
                    by=by,
                    references=references,
                    permitted=permitted,
                    people=people,
                    **arguments,
                )
            )
            prepared.indexes.append(index)
        except NotPermitted as error:
            prepared.errors[index] = {"village": [error.message]}
        except ValidationError as error:
            prepared.errors[index] = error.message_dict
    if prepared.values:
        builder = _RowInsert(Item, connections[router.db_for_write(Item)], timezone.now())
        prepared.rows = [builder.row(value) for value in prepared.values]
    return prepared


def items_create_bulk(
    *, by: User, rows: Sequence[Mapping[str, Any]], via: str = "import", source: str = Source.IMPORT
) -> CreatedItems:
    """Register many items at once: if any row fails the checks of `item_create`, nothing is
    written and `BulkCreateError` lists them all."""
    prepared = items_prepare_bulk(by=by, rows=rows, via=via, source=source)
    if prepared.errors:
        raise BulkCreateError(prepared.errors)
    return items_insert_prepared(prepared)


def items_reserve_codes(preparations: Sequence[PreparedItems]) -> list[CodeReservation]:
    """Take the codes of every prepared item, in order, in one short transaction of its own:
    one bump of the counter per town and year."""
    wanted: dict[tuple[int, int], list[tuple[PreparedItems, int]]] = {}
    town_codes: dict[int, str] = {}
    for prepared in preparations:
        prepared.codes = [""] * len(prepared.values)
        for index, value in enumerate(prepared.values):
            wanted.setdefault((value["town_id"], value["year"]), []).append((prepared, index))
            if value["town_id"] not in town_codes:
                town_codes[value["town_id"]] = value["village"].town.code
    reservations = []
    with transaction.atomic(using=router.db_for_write(ItemCounter)):
        for (town_id, year), places in wanted.items():
            numbers = take_numbers(town_id, year, len(places))
            for (prepared, index), number in zip(places, numbers, strict=True):
                assert prepared.codes is not None
                prepared.codes[index] = item_code(town_codes[town_id], year, number)
            reservations.append(
                CodeReservation(town_id, year, numbers[0], numbers[-1], town_codes[town_id])
            )
    return reservations


def items_release_codes(reservations: Sequence[CodeReservation]) -> list[CodeReservation]:
    """Give back the numbers of a write that did not happen, where nobody has taken a later
    number since; return the reservations that could not be given back (unused numbers)."""
    kept = []
    with transaction.atomic(using=router.db_for_write(ItemCounter)):
        for reservation in reservations:
            given_back = ItemCounter.objects.filter(
                town_id=reservation.town_id, year=reservation.year, last=reservation.last
            ).update(last=reservation.first - 1)
            if not given_back:
                kept.append(reservation)
    return kept


def items_insert_prepared(prepared: PreparedItems) -> CreatedItems:
    """Write the good rows of a preparation, in one transaction (the only part of a bulk
    registration that needs the write lock)."""
    values, by, via = prepared.values, prepared.by, prepared.via
    now = timezone.now()
    connection = connections[router.db_for_write(Item)]
    if not values:
        return CreatedItems([], [], [], now, connection.alias)
    with transaction.atomic(using=connection.alias):
        codes = prepared.codes
        if codes is None:
            codes = _take_codes(prepared)
        items = _RowInsert(Item, connection, now)
        item_rows = prepared.rows or [items.row(value) for value in values]
        code_slot = items.slot("code")
        times = [
            (items.slot(name), items.base(name))
            for name in ("created_at", "updated_at")
            if items.has(name)
        ]
        for row, code in zip(item_rows, codes, strict=True):
            row[code_slot] = code
            for slot, value in times:
                row[slot] = value
        items.insert(item_rows)
        ids = _ids_of(
            connection,
            [(value["town_id"], code) for value, code in zip(values, codes, strict=True)],
        )
        transitions = _RowInsert(Transition, connection, now)
        transitions.copy_from_items(
            ids,
            {
                "action": "create",
                "from_state": State.FOUND,
                "to_state": State.FOUND,
                "actor_id": prepared.actor_person_id,
                "actor_user_id": by.pk,
                "via": via,
            },
            from_item={"item_id": "id"},
        )
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            # What `bulk_history_create` writes: the item's tracked fields, who, why and when.
            history = _RowInsert(Item.history.model, connection, now)
            history.copy_from_items(
                ids,
                {
                    "history_date": now,
                    "history_type": "+",
                    "history_user_id": by.pk,
                    "history_change_reason": f"{via}: create",
                },
                from_item={"id": "id"} | {name: name for name in history.names if items.has(name)},
            )
    return CreatedItems(values, codes, ids, now, connection.alias)


def _take_codes(prepared: PreparedItems) -> list[str]:
    """The codes of the prepared items, taken now (inside the caller's transaction)."""
    items_reserve_codes([prepared])
    assert prepared.codes is not None
    codes, prepared.codes = prepared.codes, None
    return codes


def _column(field: str | models.Field) -> str:
    """The column of one of the item's concrete fields (only concrete fields have one)."""
    found = Item._meta.get_field(field) if isinstance(field, str) else field
    assert isinstance(found, models.Field) and found.column is not None, field
    return found.column


def _ids_of(connection: BaseDatabaseWrapper, keys: list[tuple[int, str]]) -> list[int]:
    """The ids of the items just inserted, by town and code (the unique key), in the same order."""
    found: dict[tuple[int, str], int] = {}
    by_town: dict[int, list[str]] = {}
    for town_id, code in keys:
        by_town.setdefault(town_id, []).append(code)
    quote = connection.ops.quote_name
    meta = Item._meta
    table, code_column, id_column = (
        quote(meta.db_table),
        quote(_column("code")),
        quote(_column(meta.pk)),
    )
    town_column = quote(_column("town"))
    with connection.cursor() as cursor:
        for town_id, codes in by_town.items():
            for start in range(0, len(codes), BULK_CODE_LOOKUP):
                chunk = codes[start : start + BULK_CODE_LOOKUP]
                cursor.execute(
                    f"SELECT {code_column}, {id_column} FROM {table} "  # noqa: S608 - names only; values are parameters
                    f"WHERE {town_column} = %s AND {code_column} IN ({', '.join(['%s'] * len(chunk))})",
                    [town_id, *chunk],
                )
                for code, pk in cursor.fetchall():
                    found[(town_id, code)] = pk
    return [found[key] for key in keys]


class _RowInsert:
    """Rows of one model's table as lists of database values, inserted by `executemany`.

    Each column's value is converted exactly as the model field would convert it on save;
    values that are the same on every row (defaults, `auto_now` times) are converted once, and
    dates once per distinct date.
    """

    def __init__(
        self, model: type[models.Model], connection: BaseDatabaseWrapper, now: datetime
    ) -> None:
        self.model = model
        self.connection = connection
        fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
        self.names = [f.attname for f in fields]
        self._fields = fields
        self._slots: dict[str, tuple[int, Any]] = {}
        self._base: list[Any] = []
        for position, field in enumerate(fields):
            convert = self._converter(field)
            self._slots[field.attname] = (position, convert)
            if field.name != field.attname:
                # A related field given as an instance (`village=`) rather than its id.
                target = field.target_field.attname  # type: ignore[attr-defined]
                self._slots[field.name] = (
                    position,
                    lambda obj, target=target: None if obj is None else getattr(obj, target),
                )
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = (
                    now if isinstance(field, models.DateTimeField) else timezone.localdate(now)
                )
            else:
                default = field.get_default()
            self._base.append(field.get_db_prep_save(default, connection))

    def _converter(self, field: models.Field) -> Any:
        kind = field.get_internal_type()
        if kind in (
            "CharField",
            "TextField",
            "SlugField",
            "IntegerField",
            "PositiveIntegerField",
            "BigIntegerField",
            "PositiveSmallIntegerField",
            "SmallIntegerField",
            "PositiveBigIntegerField",
            "BooleanField",
            "ForeignKey",
        ):
            return None  # stored as given
        if kind in ("DateField", "DateTimeField"):
            known: dict[Any, Any] = {}

            def convert(value: Any, field: models.Field = field) -> Any:
                if value not in known:
                    known[value] = field.get_db_prep_save(value, self.connection)
                return known[value]

            return convert
        return lambda value, field=field: field.get_db_prep_save(value, self.connection)

    def has(self, name: str) -> bool:
        return name in self._slots

    def base(self, name: str) -> Any:
        """The column's value on every row unless given (its default, or the time for auto_now)."""
        return self._base[self.slot(name)]

    def slot(self, name: str) -> int:
        return self._slots[name][0]

    def row(self, values: Mapping[str, Any], **more: Any) -> list[Any]:
        row = self._base.copy()
        slots = self._slots
        for mapping in (values, more):
            for name, value in mapping.items():
                position, convert = slots[name]
                row[position] = value if convert is None else convert(value)
        return row

    def insert(self, rows: list[list[Any]]) -> None:
        if not rows:
            return
        quote = self.connection.ops.quote_name
        # Only the model's own table and column names, quoted; every value is a parameter.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(self.model._meta.db_table),
            ", ".join(quote(_column(field)) for field in self._fields),
            ", ".join(["%s"] * len(self._fields)),
        )
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def copy_from_items(
        self, ids: list[int], constants: Mapping[str, Any], *, from_item: Mapping[str, str]
    ) -> None:
        """Insert one row per item of `ids`, its columns `from_item` (this table's field ->
        the item's field) copied from the item's row by the database, the others `constants`."""
        quote = self.connection.ops.quote_name
        fixed = self.row(constants)
        selected, parameters = [], []
        for position, field in enumerate(self._fields):
            if field.attname in from_item:
                selected.append(quote(_column(from_item[field.attname])))
            else:
                selected.append("%s")
                parameters.append(fixed[position])
        item_table, item_id = quote(Item._meta.db_table), quote(_column(Item._meta.pk))
        # Only the models' own table and column names, quoted; every value is a parameter.
        head = "INSERT INTO {} ({}) SELECT {} FROM {} WHERE {} IN ".format(  # noqa: S608
            quote(self.model._meta.db_table),
            ", ".join(quote(_column(field)) for field in self._fields),
            ", ".join(selected),
            item_table,
            item_id,
        )
        with self.connection.cursor() as cursor:
            for start in range(0, len(ids), BULK_COPY):
                chunk = ids[start : start + BULK_COPY]
                cursor.execute(
                    head + "(" + ", ".join(["%s"] * len(chunk)) + ")", [*parameters, *chunk]
                )
