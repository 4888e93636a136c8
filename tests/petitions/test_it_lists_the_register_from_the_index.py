"""The petition register reads a town's petitions through its (town, state, limit) index, not by
scanning them: the scope of a reader of the whole town is a plain `town_id IN (…)` (an owner is
always of the petition's town, so their own clause adds nothing there), which the index answers;
an OR with the owner would make the database read every petition of the town for the overdue
page, its count and the counts by state. Checked with the database's own plan on SQLite."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from maque.petitions.models import Petition
from maque.petitions.queries import petition_list, register_villages
from tests.conftest import World
from tests.petitions.helpers import register

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")


def _plan(queryset: Any) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize("persona", ["principal", "discipline"])
def test_the_overdue_page_searches_the_register_index(world: World, persona: str) -> None:
    for back in (40, 20, 3):
        register(world, received_on=date.today() - timedelta(days=back))
    user = world.user(persona)
    overdue = petition_list(user=user, overdue=True)
    assert [p.received_on for p in overdue] == [
        date.today() - timedelta(days=40),
        date.today() - timedelta(days=20),
    ]
    plans = {
        "page": _plan(overdue.all()[:30]),
        "count": _plan(overdue.order_by().values("pk")),
        "states": _plan(
            Petition.objects.visible_to(user).values_list("state").annotate(n=Count("pk"))
        ),
    }
    assert list(register_villages(user=user)) == [world.gaige]
    # The village filter asks each village for one petition, through the village's index.
    villages = _plan(register_villages(user=user))
    assert "SCAN petitions_petition" not in villages, villages
    for name, plan in plans.items():
        lines = [line for line in plan.splitlines() if "petitions_petition" in line]
        assert lines and all("petition_town_due" in line for line in lines), f"{name}: {plan}"
        assert "SCAN petitions_petition" not in plan.replace("COVERING INDEX", ""), plan


def test_an_owner_outside_the_readers_still_sees_their_own(world: World) -> None:
    petition = register(world)
    assert list(petition_list(user=world.user("cadre_gaige"))) == [petition]
    assert list(petition_list(user=world.user("cadre_shuangsheng"))) == []
