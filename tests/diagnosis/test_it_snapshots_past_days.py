"""A past day's snapshot as the ledger stood then (issue 13, the demo's real trend): replaying a
ledger over several days and taking the live snapshot each evening, the snapshots computed
afterwards from the ledger's records equal those taken live, village by village and figure by
figure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from maque.demo.clock import at, replay_at
from maque.diagnosis.models import VillageSnapshot
from maque.diagnosis.past import past_snapshots_write
from maque.diagnosis.snapshots import COUNTED, snapshots_write
from maque.ledger import lifecycle
from maque.ledger.services import progress_add
from tests.conftest import add_evidence, make_item

FIGURES = (*COUNTED, "closure_rate", "stale_share")
STALE_DAYS = 5


def rows() -> dict[tuple[int, str], dict[str, Any]]:
    return {
        (row["village_id"], row["day"].isoformat()): {name: row[name] for name in FIGURES}
        for row in VillageSnapshot.objects.values("village_id", "day", *FIGURES)
    }


def test_the_past_days_equal_the_snapshots_taken_live(world) -> None:  # noqa: ANN001
    today = timezone.localdate()
    start = today - timedelta(days=24)
    cadre, contact = world.user("cadre_gaige"), world.user("contact_gaige")
    other = world.user("cadre_shuangsheng")
    items: list[Any] = []
    evenings = []
    for step, day in enumerate(start + timedelta(days=n) for n in (0, 2, 5, 8, 12, 17, 21)):
        with replay_at(at(day, 9)):
            items.append(make_item(world, found_on=day, deadline=day + timedelta(days=2)))
            items.append(
                make_item(
                    world,
                    persona="cadre_shuangsheng",
                    village=world.shuangsheng,
                    found_on=day,
                    deadline=day + timedelta(days=4),
                )
            )
        with replay_at(at(day, 11)):
            first = items[2 * (step // 2)]
            if first.state == "found":
                first = lifecycle.item_start(item=first, by=cadre)
                progress_add(item=first, by=cadre, text="已推进", percent=30)
            elif first.state == "rectifying":
                add_evidence(world, first)
                first = lifecycle.item_submit(item=first, by=cadre)
            items[2 * (step // 2)] = first
            if step == 2:
                # An extension decided at once: the deadline moves on this day.
                lifecycle.item_request_extension(
                    item=items[0],
                    by=contact,
                    new_deadline=items[0].deadline + timedelta(days=20),
                    reason="雨季",
                )
            if step == 3:
                submitted = lifecycle.item_start(item=items[4], by=cadre)
                add_evidence(world, submitted)
                submitted = lifecycle.item_submit(item=submitted, by=cadre)
                items[4] = lifecycle.item_return(item=submitted, by=contact, reason="不到位")
            if step == 4:
                lifecycle.item_cancel(item=items[5], by=world.user("principal"), reason="重复")
            if step == 5 and items[2].state == "submitted":
                closed = lifecycle.item_verify(item=items[2], by=contact, note="合格")
                items[2] = lifecycle.item_reopen(
                    item=closed, by=world.user("principal"), reason="回头看复发"
                )
            if step == 6:
                started = lifecycle.item_start(item=items[3], by=other)
                add_evidence(world, started, "cadre_shuangsheng")
                submitted = lifecycle.item_submit(item=started, by=other)
                lifecycle.item_verify(
                    item=submitted, by=world.user("contact_shuangsheng"), note="好"
                )
        evening = at(day, 20)
        with replay_at(evening):
            snapshots_write(town=world.town, now=evening, stale_days=STALE_DAYS)
        evenings.append(evening)
    live = rows()
    assert any(row["overdue"] for row in live.values())
    assert any(row["returned"] for row in live.values())
    assert any(row["reopened"] for row in live.values())
    assert any(row["stale"] for row in live.values())
    assert any(row["closed"] for row in live.values())
    VillageSnapshot.objects.all().delete()
    written = past_snapshots_write(town=world.town, moments=evenings, stale_days=STALE_DAYS)
    assert written == len(live)
    assert rows() == live
