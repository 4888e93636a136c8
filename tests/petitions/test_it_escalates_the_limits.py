"""Each limit climbs the petitions' ladder in calendar days, once per rung."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from maque.notifications.models import Notification
from maque.petitions import lifecycle
from maque.petitions.models import PetitionEscalation
from maque.petitions.tick import escalate_petitions, rungs_reached
from maque.rhythm.models import CalendarDay
from tests.petitions.helpers import NAME, register

pytestmark = pytest.mark.django_db


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))


def told(world, rung: str) -> set[str]:  # noqa: ANN001
    return set(
        Notification.objects.filter(kind=f"petition.{rung}").values_list(
            "user__username", flat=True
        )
    )


def test_it_reaches_each_rung_on_its_calendar_day():
    due = date(2026, 2, 20)
    assert rungs_reached(due, due - timedelta(days=4)) == []
    assert rungs_reached(due, due - timedelta(days=3)) == ["due_soon"]
    assert rungs_reached(due, due) == ["due_soon"]
    assert rungs_reached(due, due + timedelta(days=1)) == ["overdue_1"]
    assert rungs_reached(due, due + timedelta(days=3)) == ["overdue_1", "overdue_3"]
    assert rungs_reached(due, due + timedelta(days=7)) == ["overdue_1", "overdue_3", "overdue_7"]


def test_it_tells_the_owner_then_the_leaders_once_per_rung_holidays_or_not(world):
    received = date(2026, 2, 1)
    # The Spring Festival holiday moves no statutory limit.
    for offset in range(14):
        CalendarDay.objects.create(
            town=world.town, day=received + timedelta(days=offset), kind=CalendarDay.Kind.HOLIDAY
        )
    petition = register(world, received_on=received)
    assert petition.due_on == date(2026, 2, 16)
    assert escalate_petitions(now=at(date(2026, 2, 12))) == 0
    assert escalate_petitions(now=at(date(2026, 2, 13))) == 1
    assert told(world, "due_soon") == {"cadre_gaige"}
    assert escalate_petitions(now=at(date(2026, 2, 13))) == 0
    assert escalate_petitions(now=at(date(2026, 2, 19))) == 2  # day 1 and day 3 at once
    assert told(world, "overdue_1") == {"cadre_gaige", "leader"}
    assert told(world, "overdue_3") == {"cadre_gaige", "leader", "principal"}
    assert escalate_petitions(now=at(date(2026, 2, 23))) == 1
    assert told(world, "overdue_7") == {"cadre_gaige", "leader", "principal", "discipline"}
    assert escalate_petitions(now=at(date(2026, 2, 24))) == 0
    # No message names the petitioner.
    assert not Notification.objects.filter(title__contains=NAME).exists()
    assert not Notification.objects.filter(body__contains=NAME).exists()
    # Accepted: the handling limit climbs the ladder afresh.
    lifecycle.petition_accept(petition=petition, by=world.user("principal"), on=date(2026, 2, 24))
    assert escalate_petitions(now=at(date(2026, 2, 24) + timedelta(days=58))) == 1
    assert PetitionEscalation.objects.filter(petition=petition, limit="handling").count() == 1
