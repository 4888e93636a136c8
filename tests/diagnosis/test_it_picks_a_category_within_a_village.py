"""The category rule (design §5, 找麻雀: "a category within a village"): one category carrying most
of a village's overdue items, more than in the town's other villages, is proposed; a town where
every village is alike, or where a category is late everywhere, proposes nobody."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from maque.diagnosis import rules
from maque.diagnosis.models import Subject, WatchEntry
from maque.diagnosis.services import entries_propose
from maque.organisation.models import Village
from tests.conftest import make_item

from .test_it_picks_the_typical_sparrow import at, snap_town

VILLAGES = list(range(1, 8))
RULES = rules.Thresholds()


def rows(table: dict[int, dict[int | None, int]]) -> list[dict[str, Any]]:
    """{village: {category (None: no category): overdue}} as the rule reads it."""
    return [
        {"village_id": v, "category_id": c, "label": f"类别{c}", "overdue": n}
        for v, counts in table.items()
        for c, n in counts.items()
    ]


def test_the_one_category_carrying_most_of_a_villages_overdue_items_is_proposed() -> None:
    table: dict[int, dict[int | None, int]] = {v: {10: 1, 11: 1, None: 1} for v in VILLAGES}
    table[4] = {10: 6, 11: 1, None: 1}
    found = rules.category_findings(rows(table), VILLAGES, RULES)
    assert [finding.key for finding in found] == ["category:4:10"]
    finding = found[0]
    assert finding.subject == "category" and finding.village_id == 4 and finding.category_id == 10
    assert finding.numbers["category_overdue"] == 6 and finding.numbers["village_overdue"] == 8
    assert finding.reasons[0].value == 75.0 and finding.reasons[0].threshold == 50
    assert "75%" in finding.reasons[0].text()


def test_a_uniform_town_proposes_no_category() -> None:
    table: dict[int, dict[int | None, int]] = {v: {10: 4, 11: 1} for v in VILLAGES}
    assert rules.category_findings(rows(table), VILLAGES, RULES) == []


def test_a_category_late_in_most_villages_is_the_towns_not_one_villages() -> None:
    # Five of seven villages have most of their overdue items in category 10: no worst quartile.
    table: dict[int | None, Any] = {v: {10: 5, 11: 1} for v in VILLAGES[:5]}
    table.update({v: {11: 1} for v in VILLAGES[5:]})
    assert rules.category_findings(rows(table), VILLAGES, RULES) == []


def test_the_boundaries_most_and_how_many() -> None:
    table: dict[int, dict[int | None, int]] = {v: {11: 1} for v in VILLAGES}

    def keys() -> list[str]:
        return [f.key for f in rules.category_findings(rows(table), VILLAGES, RULES)]

    # Exactly half each, three of each: both categories carry "most" (half) of village 4's.
    table[4] = {10: 3, 11: 3}
    assert keys() == ["category:4:10", "category:4:11"]
    table[4] = {10: 3, 11: 4}  # 10 is under half: only 11
    assert keys() == ["category:4:11"]
    table[4] = {10: 2}  # all of them, but only two
    assert keys() == []
    # A village not among the town's active ones is never proposed.
    table[4] = {10: 6}
    assert keys() == ["category:4:10"]
    assert rules.category_findings(rows(table), [1, 2, 3, 5, 6, 7], RULES) == []


@pytest.fixture
def town(world):  # noqa: ANN001, ANN201
    more = [Village.objects.create(town=world.town, name=f"{n}村") for n in "东南西北中"]
    world.villages = [world.gaige, world.shuangsheng, *more]
    return world


def overdue_item(world, village, category: str = "farmland-outflow"):  # noqa: ANN001, ANN201
    today = timezone.localdate()
    persona = "cadre_gaige" if village == world.gaige else "cadre_shuangsheng"
    return make_item(
        world,
        persona=persona,
        village=village,
        category=world.category(category),
        found_on=today - timedelta(days=30),
        deadline=today - timedelta(days=3),
    )


def test_the_tick_proposes_the_bad_category_and_labels_it(town) -> None:  # noqa: ANN001
    today = timezone.localdate()
    snap_town(town, today)  # every village good on its own figures
    for _n in range(4):
        overdue_item(town, town.gaige)
    overdue_item(town, town.shuangsheng)
    assert entries_propose(town=town.town, now=at(today)) == 1
    entry = WatchEntry.objects.get()
    assert entry.subject == Subject.CATEGORY
    assert entry.village == town.gaige and entry.category == town.category("farmland-outflow")
    assert entry.subject_key == f"category:{town.gaige.pk}:{entry.category.pk}"
    assert entry.reasons[0]["rule"] == "category_overdue"
    assert entry.numbers["category_overdue"] == 4
    # Idempotent: the subject is on its way already.
    assert entries_propose(town=town.town, now=at(today)) == 0


def test_the_tick_proposes_nobody_when_the_villages_are_alike(world) -> None:  # noqa: ANN001
    today = timezone.localdate()
    world.villages = list(Village.objects.filter(town=world.town, active=True).order_by("pk"))
    snap_town(world, today)
    for village in world.villages:
        for _n in range(3):
            overdue_item(world, village)
    assert entries_propose(town=world.town, now=at(today)) == 0
    assert not WatchEntry.objects.exists()
