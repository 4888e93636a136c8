"""The vocabulary of figures (`maque.ledger.definitions`): each database filter selects exactly
the items its plain-Python twin accepts, and one item reads the same "逾期N天" everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maque.core.masking import mask_id_number, mask_phone, mask_text
from maque.ledger import definitions, lifecycle
from maque.ledger.models import Item, State

from ..conftest import drive_to_closed, drive_to_submitted, make_item


@pytest.fixture
def ledger(world):  # noqa: ANN001, ANN201
    """Items in every open state and some finished ones, with deadlines around today."""
    today = timezone.localdate()
    items = []
    for offset in (-30, -1, 0, 1, 3, 4, 10):
        found_on = today - timedelta(days=40)
        items.append(
            make_item(
                world,
                title=f"到期{offset}",
                found_on=found_on,
                deadline=today + timedelta(days=offset),
            )
        )
    started = lifecycle.item_start(item=items[0], by=world.user("cadre_gaige"))
    drive_to_submitted(
        world,
        make_item(
            world,
            title="待验收",
            found_on=today - timedelta(days=9),
            deadline=today - timedelta(days=2),
        ),
    )
    drive_to_closed(
        world,
        make_item(
            world,
            title="已销号",
            found_on=today - timedelta(days=9),
            deadline=today - timedelta(days=5),
        ),
    )
    long_ago = timezone.now() - timedelta(days=20)
    Item.objects.filter(pk__in=[started.pk, items[3].pk]).update(last_progress_at=long_ago)
    Item.objects.filter(pk=items[4].pk).update(created_at=long_ago)
    return list(Item.objects.filter(town=world.town))


def test_it_selects_in_the_database_what_it_accepts_in_python(ledger):  # noqa: ANN001
    today = timezone.localdate()
    now = timezone.now()
    assert {item.state for item in ledger} >= {
        State.FOUND,
        State.RECTIFYING,
        State.SUBMITTED,
        State.CLOSED,
    }
    for day in (today - timedelta(days=3), today, today + timedelta(days=2)):
        overdue = {
            i.pk
            for i in ledger
            if definitions.is_overdue(state=i.state, deadline=i.deadline, day=day)
        }
        assert overdue, "the ledger must have overdue items on each day asked"
        assert (
            set(Item.objects.filter(definitions.overdue(day)).values_list("pk", flat=True))
            == overdue
        )
        due = {
            i.pk
            for i in ledger
            if definitions.is_due_soon(state=i.state, deadline=i.deadline, day=day, within_days=3)
        }
        assert due
        assert (
            set(Item.objects.filter(definitions.due_soon(day, 3)).values_list("pk", flat=True))
            == due
        )
        assert not overdue & due
    stale = {
        i.pk
        for i in ledger
        if definitions.is_stale(
            state=i.state,
            last_progress_at=i.last_progress_at,
            created_at=i.created_at,
            moment=now,
            stale_days=14,
        )
    }
    assert len(stale) >= 2
    assert (
        set(Item.objects.filter(definitions.stale(now, 14)).values_list("pk", flat=True)) == stale
    )


def test_it_lights_in_python_what_it_lights_in_the_database(ledger):  # noqa: ANN001
    from maque.ledger.queries import with_indicators

    today = timezone.localdate()
    town = ledger[0].town
    for day in (today - timedelta(days=3), today, today + timedelta(days=2)):
        moment = timezone.now() + (day - today)
        shown = dict(
            with_indicators(Item.objects.filter(town=town), day=day).values_list("pk", "light")
        )
        assert len(set(shown.values())) >= 3
        for item in ledger:
            assert shown[item.pk] == definitions.light_of(
                state=item.state,
                deadline=item.deadline,
                returned_count=item.returned_count,
                last_progress_at=item.last_progress_at,
                created_at=item.created_at,
                day=day,
                moment=moment,
                red_returns=town.light_red_returns,
                due_soon_days=town.light_due_soon_days,
                stale_days=town.light_stale_days,
            ), (item.title, day)


def test_it_counts_days_overdue_in_calendar_days():
    today = timezone.localdate()
    assert (
        definitions.days_overdue(
            state=State.RECTIFYING, deadline=today - timedelta(days=45), day=today
        )
        == 45
    )
    assert (
        definitions.days_overdue(state=State.CLOSED, deadline=today - timedelta(days=45), day=today)
        == 0
    )
    assert definitions.days_overdue(state=State.FOUND, deadline=today, day=today) == 0


def test_it_rates_nothing_as_no_rate():
    assert definitions.rate(1, 3) == 33.3
    assert definitions.rate(0, 0) is None
    assert definitions.closure_rate(0, 4) == 0.0
    assert definitions.rate_text(None) == "—"
    assert definitions.rate_text(33.3) == "33.3%"


def test_it_masks_personal_data_one_way():
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone(" 0915-5551234 ") == "091*****1234"
    assert mask_phone("") == ""
    assert mask_id_number("61092419800101123X") == "610924********123X"
    text = "户主电话13800001234，身份证61092419800101123X，编号2024001"
    assert mask_text(text) == "户主电话138****1234，身份证610924********123X，编号2024001"
