"""The item list reads the town's items through an index, not by scanning them (issue: reads at
the speed of the index). Each common list query is checked with the database's own plan, on
SQLite and on PostgreSQL: the items table is searched through an index (never scanned), and on
SQLite a list ordered by an indexed column needs no sort of its rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from maque.ledger.queries import item_list
from tests.conftest import World, make_item

# (filters, whether the order must come from the index without a sort)
COMMON = [
    ({}, True),
    ({"overdue": True, "sort": "-days_overdue"}, True),
    ({"sort": "deadline"}, True),
    ({"village": "__gaige__"}, True),
    ({"light": "red"}, False),
    ({"state": ["rectifying"]}, False),
    ({"parent": "__parent__"}, False),
]


def _plan(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # A table of a few rows is always cheaper to scan: forbid that to see the index plan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _filters(world: World, filters: dict[str, Any]) -> dict[str, Any]:
    named = {"__gaige__": lambda: world.gaige.pk, "__parent__": lambda: make_item(world).pk}
    return {
        name: named[value]() if isinstance(value, str) and value in named else value
        for name, value in filters.items()
    }


@pytest.mark.parametrize(("filters", "ordered"), COMMON, ids=[str(f) for f, _o in COMMON])
def test_the_common_lists_search_the_items_through_an_index(
    world: World, filters: dict[str, Any], ordered: bool
) -> None:
    for _n in range(3):
        make_item(world)
    items = item_list(user=world.user("principal"), **_filters(world, filters))
    page = _plan(*items[:50].query.sql_with_params())
    count = _plan(*items.order_by().values("pk").query.sql_with_params())
    if connection.vendor == "sqlite":
        lines = [line for line in page.splitlines() if "ledger_item" in line]
        assert lines and all("USING" in line and "INDEX" in line for line in lines), page
        assert "SCAN ledger_item" not in page + count, page + count
        if ordered:
            assert "TEMP B-TREE" not in page, page
    else:
        # PostgreSQL sorts the handful of rows of a test table after its joins whatever the
        # index (a cost choice on an unanalysed table), so only the read is checked: by an index.
        assert "Seq Scan on ledger_item" not in page + count, page + count
        assert "on ledger_item" in page and "Index" in page, page


def test_the_overdue_list_is_the_open_items_by_deadline(world: World) -> None:
    items = item_list(user=world.user("principal"), overdue=True, sort="-days_overdue")
    sql, _params = items.query.sql_with_params()
    assert sql.rstrip().endswith('ORDER BY "ledger_item"."deadline" ASC, "ledger_item"."id" ASC')
    # "Open" is spelled in literals so that SQLite can match the open items' partial index.
    assert "IN ('found', 'rectifying', 'submitted')" in sql


def test_the_light_filter_picks_the_rows_the_light_is_shown_on(world: World) -> None:
    """`light=` filters on plain predicates; the rows it picks are exactly those whose computed
    light is that colour, over items of every light."""
    from datetime import timedelta

    from django.utils import timezone

    from maque.ledger.models import Item, Light, State

    today = timezone.localdate()
    now = timezone.now()
    shapes = [
        {"state": State.FOUND},
        {"state": State.RECTIFYING, "deadline": today - timedelta(days=1)},
        {"state": State.SUBMITTED, "returned_count": 2},
        {"state": State.RECTIFYING, "returned_count": 1},
        {"state": State.RECTIFYING, "deadline": today + timedelta(days=1)},
        {"state": State.FOUND, "last_progress_at": now - timedelta(days=30)},
        {"state": State.FOUND, "created_at": now - timedelta(days=30)},
        {"state": State.SUSPENDED, "deadline": today - timedelta(days=9)},
        {"state": State.CANCELLED, "deadline": today - timedelta(days=9)},
    ]
    for shape in shapes:
        item = make_item(
            world, found_on=today - timedelta(days=60), deadline=today + timedelta(days=30)
        )
        Item.objects.filter(pk=item.pk).update(**shape)
    user = world.user("principal")
    shown = dict(item_list(user=user).values_list("pk", "light"))
    assert set(shown.values()) == set(Light.values)
    for light in Light.values:
        picked = set(item_list(user=user, light=light).values_list("pk", flat=True))
        assert picked == {pk for pk, colour in shown.items() if colour == light}, light
