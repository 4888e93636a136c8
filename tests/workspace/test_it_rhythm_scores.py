"""Scores (考评): the ranking of villages and owners for a period, with every point explained."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from maque.supervision.scoring import period_of
from tests.conftest import drive_to_closed, make_item


def signed_in(client, world, persona):  # noqa: ANN001, ANN201
    client.force_login(world.user(persona))
    return client


def test_it_ranks_villages_with_a_breakdown_that_adds_up(client, world):  # noqa: ANN001
    drive_to_closed(world, make_item(world))
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng)
    response = signed_in(client, world, "inspector").get("/scores/")
    page = response.content.decode()
    rows = response.context["rows"]
    assert [row["name"] for row in rows] == ["改革村", "双胜村"]
    assert rows[0]["rank"] == 1 and rows[0]["score"] == Decimal("110.00")
    for row in rows:
        assert sum(Decimal(line["points"]) for line in row["breakdown"]) == row["score"]
    assert response.context["period"] == period_of(timezone.localdate())
    for text in ("基础分", "销号率加分", "110.00", "第 1 名"):
        assert text in page


def test_it_shows_owners_and_a_village_role_only_its_own(client, world):  # noqa: ANN001
    drive_to_closed(world, make_item(world))
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng)
    owners = (
        signed_in(client, world, "principal").get("/scores/", {"subject": "owner"}).context["rows"]
    )
    assert {row["name"] for row in owners} == {"cadre_gaige", "cadre_shuangsheng"}
    response = signed_in(client, world, "cadre_gaige").get("/scores/")
    assert [row["name"] for row in response.context["rows"]] == ["改革村"]
    mine = client.get("/scores/", {"subject": "owner"}).context["rows"]
    assert [row["name"] for row in mine] == ["cadre_gaige"]


def test_it_explains_a_bad_period_in_chinese(client, world):  # noqa: ANN001
    response = signed_in(client, world, "inspector").get("/scores/", {"period": "去年"})
    assert response.status_code == 200
    assert "考评周期的格式" in response.content.decode() and "2026-W47" in response.content.decode()
    # Nothing is ranked under the error (another period's figures would mislead).
    assert response.context["period"] == "" and response.context["rows"] == []
    assert (
        signed_in(client, world, "inspector")
        .get("/scores/", {"period": "2025-Q4"})
        .context["period"]
        == "2025-Q4"
    )


def test_it_tells_a_user_without_a_town(client, world):  # noqa: ANN001
    response = signed_in(client, world, "outsider").get("/scores/")
    assert response.status_code == 200 and "rows" not in response.context
