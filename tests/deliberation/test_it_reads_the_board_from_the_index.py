"""The topic board, newest first, reads a town's or a village's topics in the order of an index
(town or village, time of submission) and stops after the page: no sort of every topic of the
town (at 50,000 topics that sort was most of the page's time). Checked with SQLite's own plan."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from maque.deliberation.queries import topic_list
from tests.conftest import World
from tests.deliberation.helpers import propose

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")


def _plan(queryset: Any) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("persona", "index"),
    [("principal", "topic_town_time"), ("secretary_gaige", "topic_village_time")],
)
def test_the_first_page_is_read_in_the_index_order(world: World, persona: str, index: str) -> None:
    first, second = propose(world), propose(world, title="村委会门前积水")
    topics = topic_list(user=world.user(persona))
    assert list(topics) == [second, first]
    plan = _plan(topics.all()[:30])
    topic_lines = [line for line in plan.splitlines() if "deliberation_topic" in line]
    assert topic_lines and all(index in line for line in topic_lines), plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
