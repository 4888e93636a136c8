"""`overdue`, `days_overdue` and the light (design §4), computed in the database.

These run unchanged on SQLite and PostgreSQL (`DaysBetween` has one form for each).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.models import Item, Light, State
from maque.ledger.queries import counts_by_village_state_light, item_list, with_indicators
from maque.ledger.services import progress_add
from tests.conftest import World, add_evidence, drive_to_closed, drive_to_submitted, make_item


def indicators(item: Item, day: date) -> tuple[bool, int, str]:
    row = with_indicators(Item.objects.filter(pk=item.pk), day=day).get()
    return row.overdue, row.days_overdue, row.light


def due(world: World, today: date, deadline_in: int, **overrides) -> Item:  # noqa: ANN003
    """An item found 40 days ago, due `deadline_in` days from today (negative: already late)."""
    return make_item(
        world,
        found_on=today - timedelta(days=40),
        deadline=today + timedelta(days=deadline_in),
        **overrides,
    )


def resubmit(world: World, item: Item) -> Item:
    add_evidence(world, item)
    return lifecycle.item_submit(item=item, by=world.user("cadre_gaige"))


def recent_progress(world: World, item: Item) -> None:
    progress_add(item=item, by=world.user("cadre_gaige"), text="正在翻耕")


@pytest.mark.parametrize("late", [1, 3, 7, 15])
def test_it_counts_whole_days_overdue(world, today, late):
    item = due(world, today, -late)
    assert indicators(item, today) == (True, late, Light.RED)
    # The deadline day itself is not late yet, the day after is one day late.
    assert indicators(item, item.deadline) == (False, 0, Light.YELLOW)
    assert indicators(item, item.deadline + timedelta(days=1))[:2] == (True, 1)


def test_it_never_counts_closed_cancelled_or_suspended_items_as_overdue(world, today):
    closed = drive_to_closed(world, due(world, today, -5))
    cancelled = lifecycle.item_cancel(
        item=due(world, today, -5), by=world.user("leader"), reason="重复登记"
    )
    suspended = lifecycle.item_request_suspension(
        item=due(world, today, -5),
        by=world.user("contact_gaige"),
        resume_on=today + timedelta(days=30),
        reason="等待农时",
    )
    submitted = drive_to_submitted(world, due(world, today, -5))
    assert suspended.state == State.SUSPENDED
    assert indicators(closed, today) == (False, 0, Light.GREY)
    assert indicators(cancelled, today) == (False, 0, Light.GREY)
    assert indicators(suspended, today) == (False, 0, Light.BLUE)
    # Waiting for verification still counts: the work is not done until it is checked.
    assert indicators(submitted, today) == (True, 5, Light.RED)
    overdue_codes = set(
        item_list(user=world.user("principal"), overdue=True).values_list("code", flat=True)
    )
    assert overdue_codes == {submitted.code}


def test_it_lights_by_returns_due_date_and_staleness(world, today):
    fresh = due(world, today, 20)
    recent_progress(world, fresh)
    due_soon = due(world, today, 3)
    recent_progress(world, due_soon)
    due_later = due(world, today, 4)
    recent_progress(world, due_later)
    returned_once = drive_to_submitted(world, due(world, today, 20))
    returned_once = lifecycle.item_return(
        item=returned_once, by=world.user("inspector"), reason="照片不清晰"
    )
    recent_progress(world, returned_once)
    returned_twice = drive_to_submitted(world, due(world, today, 20))
    returned_twice = lifecycle.item_return(
        item=returned_twice, by=world.user("inspector"), reason="未复耕"
    )
    returned_twice = resubmit(world, returned_twice)
    returned_twice = lifecycle.item_return(
        item=returned_twice, by=world.user("inspector"), reason="仍未复耕"
    )
    recent_progress(world, returned_twice)
    stale = due(world, today, 20)
    Item.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=8))
    stale_progress = due(world, today, 20)
    recent_progress(world, stale_progress)
    Item.objects.filter(pk=stale_progress.pk).update(
        last_progress_at=timezone.now() - timedelta(days=8)
    )

    assert indicators(fresh, today)[2] == Light.GREEN
    assert indicators(due_soon, today)[2] == Light.YELLOW
    assert indicators(due_later, today)[2] == Light.GREEN
    assert indicators(returned_once, today)[2] == Light.YELLOW
    assert indicators(returned_twice, today)[2] == Light.RED
    assert indicators(returned_twice, today)[:2] == (False, 0)
    assert indicators(stale, today)[2] == Light.YELLOW
    assert indicators(stale_progress, today)[2] == Light.YELLOW

    # Each town sets its own thresholds.
    world.town.light_due_soon_days = 5
    world.town.light_red_returns = 3
    world.town.light_stale_days = 10
    world.town.save()
    assert indicators(due_later, today)[2] == Light.YELLOW
    assert indicators(returned_twice, today)[2] == Light.YELLOW
    assert indicators(stale, today)[2] == Light.GREEN
    assert indicators(stale_progress, today)[2] == Light.GREEN


def test_it_judges_staleness_as_of_the_day_asked(world, today):
    item = due(world, today, 30)
    recent_progress(world, item)
    assert indicators(item, today)[2] == Light.GREEN
    # Ten days on, without a report since today, the item has gone quiet.
    assert indicators(item, today + timedelta(days=10))[2] == Light.YELLOW


def test_it_uses_the_moved_deadline_after_an_extension(world, today):
    item = due(world, today, -3)
    item = lifecycle.item_request_extension(
        item=item,
        by=world.user("cadre_gaige"),
        new_deadline=today + timedelta(days=20),
        reason="雨季无法施工",
    )
    assert indicators(item, today)[:2] == (True, 3)
    item = lifecycle.item_approve_extension(item=item, by=world.user("contact_gaige"), note="同意")
    item.refresh_from_db()
    assert item.deadline == today + timedelta(days=20)
    assert item.original_deadline == today - timedelta(days=3)
    assert item.extension_count == 1
    assert indicators(item, today)[:2] == (False, 0)


def test_it_pauses_the_clock_while_suspended(world, today):
    item = due(world, today, -2)
    item = lifecycle.item_start(item=item, by=world.user("cadre_gaige"))
    item = lifecycle.item_request_suspension(
        item=item,
        by=world.user("contact_gaige"),
        resume_on=today + timedelta(days=60),
        reason="等待农时",
    )
    # Suspended five days ago (as if): resuming today gives the five days back.
    Item.objects.filter(pk=item.pk).update(suspended_on=today - timedelta(days=5))
    item = lifecycle.item_resume(item=item, by=world.user("cadre_gaige"))
    item.refresh_from_db()
    assert item.state == State.RECTIFYING
    assert item.deadline == today + timedelta(days=3)
    assert item.suspended_on is None and item.suspended_until is None
    assert indicators(item, today)[:2] == (False, 0)


def test_it_filters_and_sorts_the_list_by_indicators(world, today, django_assert_max_num_queries):
    late = {days: due(world, today, -days) for days in (1, 15, 7)}
    on_time = due(world, today, 20)
    recent_progress(world, on_time)
    other_village = due(world, today, -4, village=world.shuangsheng, persona="cadre_shuangsheng")
    principal = world.user("principal")

    # The actor (person, roles), the towns' light thresholds, then one query for the page.
    with django_assert_max_num_queries(4):
        rows = list(item_list(user=principal, overdue=True, sort="-days_overdue"))
    assert [(row.code, row.days_overdue) for row in rows] == [
        (late[15].code, 15),
        (late[7].code, 7),
        (other_village.code, 4),
        (late[1].code, 1),
    ]
    assert [row.code for row in item_list(user=principal, overdue=True, sort="days_overdue")] == [
        late[1].code,
        other_village.code,
        late[7].code,
        late[15].code,
    ]
    assert list(item_list(user=principal, overdue=False).values_list("code", flat=True)) == [
        on_time.code
    ]
    assert set(item_list(user=principal, light="red").values_list("code", flat=True)) == {
        *(item.code for item in late.values()),
        other_village.code,
    }
    assert list(item_list(user=principal, light="green").values_list("code", flat=True)) == [
        on_time.code
    ]
    assert item_list(user=principal, light="grey").count() == 0
    # The village filter and the user's scope apply before the indicators.
    assert item_list(user=principal, village=world.shuangsheng.pk, overdue=True).count() == 1
    assert item_list(user=principal, village="改革村", overdue=True).count() == 3
    assert item_list(user=world.user("cadre_shuangsheng"), overdue=True).count() == 1
    assert item_list(user=principal, due_before=today - timedelta(days=7)).count() == 2

    counts = {
        (row["village__name"], row["state"], row["light"]): row["count"]
        for row in counts_by_village_state_light(user=principal)
    }
    assert counts == {
        ("改革村", "found", "red"): 3,
        ("改革村", "found", "green"): 1,
        ("双胜村", "found", "red"): 1,
    }
