"""Plain multi-row inserts of generated rows (no model instances, no per-row history)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models


def _insert(
    model: type[models.Model], attnames: Iterable[str], rows: list[tuple[Any, ...]]
) -> None:
    """Multi-row INSERT of plain values into the model's table (columns named by attribute)."""
    if not rows:
        return
    meta = model._meta
    by_attname = {f.attname: f.column for f in meta.concrete_fields if f.column is not None}
    columns = [by_attname[name] for name in attnames]
    quote = connection.ops.quote_name
    # Only identifiers from the model's own metadata are interpolated; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
