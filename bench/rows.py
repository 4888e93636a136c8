"""Bulk rows for the app benchmarks: plain multi-row inserts of generated values, every column
the caller leaves out filled with the field's default (no model instances, no history rows), and
the sizes of the extra data each benchmark adds to the county data set."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection, models, transaction

BATCH = 5000


def size(env: str, *, items: int, per_million: int, least: int = 1) -> int:
    """How many rows a benchmark generates: `env` when set, else in proportion to the data set's
    items (`per_million` at 1,000,000 items), at least `least`."""
    value = os.environ.get(env)
    if value:
        return int(value)
    return max(least, items * per_million // 1_000_000)


def _columns(model: type[models.Model], given: Iterable[str]) -> list[models.Field[Any, Any]]:
    given = set(given)
    fields = []
    for field in model._meta.concrete_fields:
        if field.attname in given or field.name in given:
            fields.append(field)
        elif not (field.primary_key or field.null):
            fields.append(field)
    return fields


def _value(field: models.Field[Any, Any], row: Mapping[str, Any]) -> Any:
    if field.attname in row:
        value = row[field.attname]
    elif field.name in row:
        value = row[field.name]
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raise ValueError(f"{field.model.__name__}.{field.name} needs a value")
    else:
        value = field.get_default()
    return field.get_db_prep_save(value, connection)


def insert(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert `rows` (dicts by field name or attribute name, each with the same keys) into the
    model's table in batches; returns how many."""
    quote = connection.ops.quote_name
    count = 0
    columns: list[models.Field[Any, Any]] | None = None
    sql = ""
    for batch in _batches(rows):
        if columns is None:
            columns = _columns(model, batch[0].keys())
            # Only identifiers from the model's own metadata are interpolated.
            sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
                quote(model._meta.db_table),
                ", ".join(quote(field.column) for field in columns),
                ", ".join(["%s"] * len(columns)),
            )
        values = [tuple(_value(field, row) for field in columns) for row in batch]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, values)
        count += len(values)
    return count


def _batches(rows: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def next_id(model: type[models.Model]) -> int:
    """The first free primary key of the model's table (ids given explicitly link rows)."""
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def analyze(*tables: str) -> None:
    """Planner statistics for the tables just filled, as after any bulk load."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def sql(statement: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return [tuple(row) for row in cursor.fetchall()]


def plan(statement: str, params: Any = None) -> list[str]:
    return [row[-1] for row in sql("EXPLAIN QUERY PLAN " + statement, params)]


def queryset_plan(queryset: Any) -> list[str]:
    statement, params = queryset.query.sql_with_params()
    return plan(statement, params)


def ratio(timing: Any, baseline: Any) -> float | None:
    return round(timing.p50 / baseline.p50, 2) if baseline.p50 else None


def cpu_ratio(timing: Any, baseline: Any) -> float | None:
    return round(timing.cpu_p50 / baseline.cpu_p50, 2) if baseline.cpu_p50 else None


def compared(timing: Any, baseline: Any, **extra: Any) -> dict[str, Any]:
    """One measurement against its hand-written SQL: both timings and the ratios."""
    return {
        "product": timing.as_dict(),
        "sql": baseline.as_dict(),
        "ratio": ratio(timing, baseline),
        "cpu_ratio": cpu_ratio(timing, baseline),
        **extra,
    }
