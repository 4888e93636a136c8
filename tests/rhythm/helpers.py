"""Helpers for the rhythm tests: the 2025 calendar, moments in Shanghai time, recipients."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.models import Item
from maque.notifications.models import Notification
from tests.conftest import World, add_evidence, make_item


def at(day: date, hour: int = 9) -> datetime:
    """A moment of that day in the project's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def item_due(world: World, deadline: date, *, village: Any = None, persona: str = "cadre_gaige", **extra: Any) -> Item:
    return make_item(world, village=village, persona=persona, found_on=date(2025, 9, 1), deadline=deadline, **extra)


def notified(key_part: str) -> set[str]:
    """Usernames that received a notification whose key contains `key_part`."""
    return set(Notification.objects.filter(key__contains=key_part).values_list("user__username", flat=True))


def return_times(world: World, item: Item, times: int, owner: str = "cadre_gaige", start: bool = True) -> Item:
    """Submit and return the item `times` times (整改不到位)."""
    if start:
        item = lifecycle.item_start(item=item, by=world.user(owner))
    for _ in range(times):
        add_evidence(world, item, owner)
        item = lifecycle.item_submit(item=item, by=world.user(owner))
        item = lifecycle.item_return(item=item, by=world.user("inspector"), reason="复耕面积不足")
    return item
