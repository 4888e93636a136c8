"""The bulletin's and the diagnosis pack's figures are put together from several narrow queries
(see `maque.ledger.figures`); here they are checked against the plain definitions, item by item
in Python, over ledgers of every shape: each state, closings before, inside and after the weeks
counted, registrations after the moment asked about, stale and fresh progress."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from maque.bulletins.queries import bulletin_figures
from maque.ledger.definitions import rate
from maque.ledger.models import OPEN_STATES, Campaign, Item, State
from maque.meetings.queries import diagnosis_pack
from tests.conftest import make_item

STALE_DAYS = 14
LIVE_AT_END = (*OPEN_STATES, State.CLOSED)


def scramble(world, rng: random.Random, now: datetime, count: int) -> list[Item]:  # noqa: ANN001
    """`count` items with random states, villages, owners, campaigns and times around `now`."""
    villages = [(world.gaige, "cadre_gaige"), (world.shuangsheng, "cadre_shuangsheng")]
    campaigns = list(Campaign.objects.filter(town=world.town).order_by("pk")[:2])
    owners = [
        world.people["cadre_gaige"],
        world.people["secretary_gaige"],
        world.people["cadre_shuangsheng"],
    ]
    items = []
    for index in range(count):
        village, persona = villages[index % 2]
        items.append(make_item(world, persona=persona, village=village, title=f"事项{index}"))

    def moment(low_days: float, high_days: float) -> datetime:
        return now + timedelta(days=rng.uniform(low_days, high_days))

    for item in items:
        state = rng.choice(list(State))
        created = moment(-30, 1) if rng.random() < 0.9 else moment(-3, 3)
        item.state = state
        item.campaign = rng.choice(campaigns)
        item.owner = rng.choice(owners)
        item.created_at = created
        item.deadline = timezone.localdate(now) + timedelta(days=rng.randint(-25, 10))
        item.found_on = item.deadline - timedelta(days=rng.randint(0, 20))
        item.last_progress_at = (
            None if rng.random() < 0.3 else created + timedelta(days=rng.uniform(0, 25))
        )
        item.closed_at = None
        if state == State.CLOSED:
            item.closed_at = created + timedelta(days=rng.uniform(0, 30))
    Item.objects.bulk_update(
        items,
        [
            "state",
            "campaign",
            "owner",
            "created_at",
            "deadline",
            "found_on",
            "last_progress_at",
            "closed_at",
        ],
    )
    return items


def expected_pack(items: list[Item], now: datetime) -> dict[str, dict[str, dict[str, Any]]]:
    windows = {
        "this": (now - timedelta(days=7), now),
        "last": (now - timedelta(days=14), now - timedelta(days=7)),
    }
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for village in {item.village.name for item in items}:
        mine = [item for item in items if item.village.name == village]
        result[village] = {}
        for prefix, (start, end) in windows.items():
            stale_since = end - timedelta(days=STALE_DAYS)

            def open_at_end(item: Item, end: datetime = end) -> bool:
                return (
                    item.created_at < end
                    and item.state in LIVE_AT_END
                    and (item.closed_at is None or item.closed_at >= end)
                )

            registered = [i for i in mine if i.created_at < end and i.state != State.CANCELLED]
            closed_total = [
                i
                for i in registered
                if i.state == State.CLOSED and i.closed_at and i.closed_at < end
            ]
            result[village][prefix] = {
                "found": sum(start <= i.created_at < end for i in mine),
                "closed": sum(
                    i.state == State.CLOSED
                    and i.closed_at is not None
                    and start <= i.closed_at < end
                    for i in mine
                ),
                "overdue": sum(
                    open_at_end(i) and i.deadline < timezone.localdate(end) for i in mine
                ),
                "stale": sum(
                    open_at_end(i)
                    and (
                        (i.last_progress_at is not None and i.last_progress_at < stale_since)
                        or (i.last_progress_at is None and i.created_at < stale_since)
                    )
                    for i in mine
                ),
                "closure_rate": rate(len(closed_total), len(registered)),
            }
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_computes_the_diagnosis_pack_as_defined(world, seed):  # noqa: ANN001
    now = timezone.now()
    items = scramble(world, random.Random(seed), now, 120)
    items = list(Item.objects.filter(pk__in=[i.pk for i in items]).select_related("village"))
    pack = diagnosis_pack(town=world.town, now=now, stale_days=STALE_DAYS)
    expected = expected_pack(items, now)
    # Both villages are in the pack, and the figures compared below are not all zero.
    assert (
        sorted(row["village"] for row in pack["villages"])
        == sorted(expected)
        == sorted(["改革村", "双胜村"])
    )
    for prefix in ("this", "last"):
        for key in ("found", "closed", "overdue", "stale"):
            assert sum(expected[village][prefix][key] for village in expected) > 0, (prefix, key)
    for row in pack["villages"]:
        for prefix in ("this", "last"):
            got = {key: value for key, value in row[prefix].items() if key != "returned"}
            assert got == expected[row["village"]][prefix], (row["village"], prefix)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("first", [True, False])
def test_it_computes_the_bulletin_figures_as_defined(world, seed, first):  # noqa: ANN001
    now = timezone.now()
    day = timezone.localdate(now)
    since = None if first else now - timedelta(days=1, hours=3)
    scramble(world, random.Random(seed), now, 120)
    items = list(
        Item.objects.filter(town=world.town).select_related("village", "owner", "campaign")
    )
    figures = bulletin_figures(town=world.town, day=day, as_of=now, since=since)

    counted = [i for i in items if i.created_at < now and i.state != State.CANCELLED]

    def overdue(item: Item) -> bool:
        return item.state in OPEN_STATES and item.deadline < day

    def is_new(item: Item) -> bool:
        return since is None or item.created_at >= since

    def closed_new(item: Item) -> bool:
        return (
            item.state == State.CLOSED
            and item.closed_at is not None
            and item.closed_at < now
            and (since is None or item.closed_at >= since)
        )

    by_campaign: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in counted:
        values = by_campaign[item.campaign.name]
        values["total"] += 1
        values["open"] += item.state in OPEN_STATES
        values["closed"] += item.state == State.CLOSED
        values["overdue"] += overdue(item)
        values["new"] += is_new(item)
        values["closed_new"] += closed_new(item)
    got = {
        row["campaign"]: {key: row[key] for key in by_campaign[row["campaign"]]}
        for row in figures["campaigns"]
    }
    assert got == {name: dict(values) for name, values in by_campaign.items()}

    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in counted:
        if overdue(item):
            groups[(item.village.name, item.owner.name)].append((day - item.deadline).days)
    assert {
        (r["village"], r["owner"]): (r["count"], r["max_days"], r["total_days"])
        for r in figures["overdue_groups"]
    } == {key: (len(days), max(days), sum(days)) for key, days in groups.items()}

    ranking = {
        row["village"]: (row["total"], row["closed"], row["overdue"]) for row in figures["ranking"]
    }
    for village in ("改革村", "双胜村"):
        mine = [i for i in counted if i.village.name == village]
        assert ranking[village] == (
            len(mine),
            sum(i.state == State.CLOSED for i in mine),
            sum(overdue(i) for i in mine),
        )

    # The list one by one: every open overdue item, registered before now or not, earliest first.
    listed = sorted((i for i in items if overdue(i)), key=lambda i: (i.deadline, i.code))
    assert [row["code"] for row in figures["overdue_items"]] == [i.code for i in listed][:100]
    assert [row["days_overdue"] for row in figures["overdue_items"]] == [
        (day - i.deadline).days for i in listed
    ][:100]
