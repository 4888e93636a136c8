"""A day's village snapshots are put together from several narrow queries; here they are held
against the ledger's plain definitions, item by item in Python, on random ledgers over several
days — and the tick writes each village's day once, however often (or however many at once) it
runs."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from maque.diagnosis.models import VillageSnapshot
from maque.diagnosis.snapshots import day_start, snapshots_write
from maque.diagnosis.tick import write_snapshots
from maque.ledger import definitions
from maque.ledger.models import OPEN_STATES, Campaign, Item, Kind, State, Transition
from maque.organisation.models import Village
from tests.conftest import make_item

STALE_DAYS = 14


def scramble(world, rng: random.Random, now: datetime, items: list[Item]) -> None:  # noqa: ANN001
    """Give `items` random states, kinds, deadlines and times around `now`, and some returns and
    reopenings before, on and after `now`'s day."""
    campaigns = list(Campaign.objects.filter(town=world.town).order_by("pk")[:2])

    def moment(low_days: float, high_days: float) -> datetime:
        return now + timedelta(days=rng.uniform(low_days, high_days))

    for item in items:
        state = rng.choice(list(State))
        created = moment(-30, 0) if rng.random() < 0.8 else moment(-1.2, 0)
        item.state = state
        item.kind = rng.choice([Kind.RECTIFICATION, Kind.RECTIFICATION, Kind.ACTION, Kind.LEGACY])
        item.campaign = rng.choice(campaigns)
        item.created_at = created
        item.deadline = timezone.localdate(now) + timedelta(days=rng.randint(-25, 10))
        item.found_on = item.deadline - timedelta(days=rng.randint(0, 20))
        item.last_progress_at = (
            None if rng.random() < 0.3 else min(created + timedelta(days=rng.uniform(0, 25)), now)
        )
        item.closed_at = None
        if state == State.CLOSED:
            item.closed_at = min(created + timedelta(days=rng.uniform(0, 30)), now)
    Item.objects.bulk_update(
        items,
        ["state", "kind", "campaign", "created_at", "deadline", "found_on", "last_progress_at"]
        + ["closed_at"],
    )
    for item in rng.sample(items, len(items) // 3):
        transition = Transition.objects.create(
            item=item,
            action=rng.choice(["return", "reopen", "start"]),
            from_state=State.SUBMITTED,
            to_state=State.RECTIFYING,
        )
        Transition.objects.filter(pk=transition.pk).update(created_at=moment(-2, 0))


def expected(items: list[Item], now: datetime) -> dict[str, dict[str, Any]]:
    """The figures of each village at `now`, item by item, by the ledger's definitions."""
    day = timezone.localdate(now)
    since = day_start(day)
    result: dict[str, dict[str, Any]] = {}
    for item in items:
        row = result.setdefault(
            item.village.name,
            dict.fromkeys(
                ("open", "found", "closed", "registered", "closed_total", "overdue")
                + ("overdue_15", "stale", "returned", "reopened", "legacy"),
                0,
            ),
        )
        state = item.state
        late = definitions.days_overdue(state=state, deadline=item.deadline, day=day)
        row["open"] += state in OPEN_STATES
        row["found"] += since <= item.created_at <= now
        row["closed"] += item.closed_at is not None and since <= item.closed_at <= now
        row["registered"] += state != State.CANCELLED
        row["closed_total"] += state == State.CLOSED
        row["overdue"] += late > 0
        row["overdue_15"] += late >= 15
        row["legacy"] += late > 0 and item.kind == Kind.LEGACY
        row["stale"] += definitions.is_stale(
            state=state,
            last_progress_at=item.last_progress_at,
            created_at=item.created_at,
            moment=now,
            stale_days=STALE_DAYS,
        )
        for transition in item.transitions.all():
            if since <= transition.created_at <= now:
                row["returned"] += transition.action == "return"
                row["reopened"] += transition.action == "reopen"
    for row in result.values():
        row["closure_rate"] = definitions.closure_rate(row["closed_total"], row["registered"])
        row["stale_share"] = definitions.rate(row["stale"], row["open"])
    return result


def stored(day: Any) -> dict[str, dict[str, Any]]:
    return {
        snapshot.village.name: {
            "open": snapshot.open,
            "found": snapshot.found,
            "closed": snapshot.closed,
            "registered": snapshot.registered,
            "closed_total": snapshot.closed_total,
            "overdue": snapshot.overdue,
            "overdue_15": snapshot.overdue_15,
            "stale": snapshot.stale,
            "returned": snapshot.returned,
            "reopened": snapshot.reopened,
            "legacy": snapshot.legacy_overdue,
            "closure_rate": snapshot.closure_rate,
            "stale_share": snapshot.stale_share,
        }
        for snapshot in VillageSnapshot.objects.filter(day=day).select_related("village")
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_snapshots_each_village_by_the_definitions_over_several_days(world, seed):
    rng = random.Random(seed)
    villages = [(world.gaige, "cadre_gaige"), (world.shuangsheng, "cadre_shuangsheng")]
    items = [
        make_item(world, persona=villages[i % 2][1], village=villages[i % 2][0], title=f"事项{i}")
        for i in range(40)
    ]
    start = day_start(timezone.localdate() + timedelta(days=1))
    seen = {}
    for offset in range(3):
        now = start + timedelta(days=offset, hours=rng.uniform(1, 23))
        scramble(world, rng, now, items)
        fresh = list(Item.objects.filter(pk__in=[i.pk for i in items]).select_related("village"))
        assert snapshots_write(town=world.town, now=now, stale_days=STALE_DAYS) == 2
        seen[timezone.localdate(now)] = expected(fresh, now)
        assert stored(timezone.localdate(now)) == seen[timezone.localdate(now)]
    # The earlier days keep what they showed then.
    for day, figures in seen.items():
        assert stored(day) == figures


def test_it_snapshots_a_village_without_items_as_nothing_to_rate(world):
    quiet = Village.objects.create(town=world.town, name="安坪村")
    now = timezone.now()
    snapshots_write(town=world.town, now=now, stale_days=STALE_DAYS)
    snapshot = VillageSnapshot.objects.get(village=quiet)
    assert (snapshot.open, snapshot.closure_rate, snapshot.stale_share) == (0, None, None)
    assert snapshot.overdue_per_100 is None
    # Columns without a source are "not tracked", not zero; a counting source gives 0.
    assert snapshot.topics_waiting is None
    snapshots_write(
        town=world.town,
        now=now,
        stale_days=STALE_DAYS,
        sources={"topics_waiting": lambda town, day: {}, "projects_deviation": lambda t, d: {}},
    )
    snapshot.refresh_from_db()
    assert (snapshot.topics_waiting, snapshot.projects_deviation) == (0, None)


def test_it_writes_a_day_once_however_often_the_tick_runs(world):
    make_item(world, title="待整改")
    now = timezone.now()
    assert write_snapshots(now=now) == 2
    make_item(world, title="又一件")
    later = now + timedelta(minutes=5)
    assert write_snapshots(now=later) == 0  # brought up to date, no new row
    assert VillageSnapshot.objects.count() == 2
    snapshot = VillageSnapshot.objects.get(village=world.gaige)
    assert (snapshot.open, snapshot.taken_at) == (2, later)
    assert write_snapshots(now=later + timedelta(days=1)) == 2
    assert VillageSnapshot.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_it_writes_one_row_per_village_with_two_ticks_at_once(world):
    make_item(world, title="待整改")
    now = timezone.now()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            write_snapshots(now=now)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert VillageSnapshot.objects.filter(day=timezone.localdate(now)).count() == 2
