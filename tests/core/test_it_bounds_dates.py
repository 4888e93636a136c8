"""The one rule for the dates a person types (core/dates.py), as the services apply it: the web
forms, imports and the API refuse the same found, deadline, meeting and bulletin dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maque.bulletins.models import Bulletin
from maque.bulletins.services import bulletin_issue
from maque.core.dates import RECORDS_START, DayKind, day_problem, latest_day
from maque.ledger import lifecycle
from maque.ledger.models import Item
from maque.meetings.models import Meeting, MeetingKind
from maque.meetings.services import meeting_create
from tests.conftest import make_item


def test_it_keeps_days_between_the_start_of_records_and_their_latest():
    today = date(2028, 2, 29)
    assert day_problem(RECORDS_START, DayKind.HAPPENED, today) is None
    assert day_problem(RECORDS_START - timedelta(days=1), DayKind.HAPPENED, today)
    assert day_problem(today, DayKind.HAPPENED, today) is None
    assert day_problem(today + timedelta(days=1), DayKind.HAPPENED, today)
    assert latest_day(DayKind.PLANNED, today) == today + timedelta(days=365)
    assert latest_day(DayKind.DEADLINE, today) == date(2033, 2, 28)
    assert day_problem(date(2033, 3, 1), DayKind.DEADLINE, today)


def test_it_refuses_an_item_found_before_the_start_of_records(world):
    before = Item.objects.count()
    with pytest.raises(ValidationError) as refused:
        make_item(world, found_on=date(1999, 12, 31))
    assert "found_on" in refused.value.message_dict
    assert Item.objects.count() == before


def test_it_refuses_an_extension_years_ahead(world):
    item = make_item(world)
    far = timezone.localdate() + timedelta(days=6 * 366)
    with pytest.raises(ValidationError) as refused:
        lifecycle.item_request_extension(
            item=item, by=world.user("cadre_gaige"), new_deadline=far, reason="等雨季"
        )
    assert "new_deadline" in refused.value.message_dict
    item.refresh_from_db()
    assert item.deadline < far and not item.requests.exists()


def test_it_refuses_a_typed_deadline_years_ahead_in_the_register_form(world):
    from maque.ledger.models import Category
    from maque.organisation.models import Village
    from maque.workspace.forms import RegisterForm

    far = str(timezone.localdate() + timedelta(days=6 * 366))
    towns = {"town": world.town}
    form = RegisterForm(
        {"deadline": far},
        categories=Category.objects.filter(**towns),
        villages=Village.objects.filter(**towns),
    )
    assert not form.is_valid() and "deadline" in form.errors
    near = RegisterForm(
        {"deadline": str(timezone.localdate())},
        categories=Category.objects.filter(**towns),
        villages=Village.objects.filter(**towns),
    )
    near.is_valid()
    assert "deadline" not in near.errors


def test_it_refuses_meetings_and_bulletins_before_the_start_of_records(world):
    with pytest.raises(ValidationError) as refused:
        meeting_create(
            by=world.user("principal"),
            town=world.town,
            kind=MeetingKind.PROGRESS,
            title="会",
            held_on=date(1999, 1, 1),
            villages=[world.gaige],
        )
    assert "held_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        bulletin_issue(town=world.town, day=date(1999, 1, 1), by=world.user("inspector"))
    assert "day" in refused.value.message_dict
    assert not Meeting.objects.exists() and not Bulletin.objects.exists()
