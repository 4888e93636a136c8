"""Helpers for the rhythm tests: the 2025 calendar, moments in Shanghai time, recipients."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.models import Item
from maque.notifications.models import Notification
from maque.rhythm.models import EscalationStep
from tests.conftest import World, add_evidence, make_item


def at(day: date, hour: int = 9) -> datetime:
    """A moment of that day in the project's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def item_due(
    world: World, deadline: date, *, village: Any = None, persona: str = "cadre_gaige", **extra: Any
) -> Item:
    found_on = extra.pop("found_on", date(2025, 9, 1))
    item = make_item(
        world, village=village, persona=persona, found_on=found_on, deadline=deadline, **extra
    )
    return registered_on(item, found_on)


def registered_on(item: Item, day: date) -> Item:
    """Date the item's registration back to `day`, as if it had been entered when it was found
    (the rhythm runs on simulated days; what was not yet registered is not held against anyone)."""
    Item.objects.filter(pk=item.pk).update(created_at=at(day))
    item.refresh_from_db()
    return item


RUNG = re.compile(r"^(\w+):item:(\d+)$")


def notified(key_part: str) -> set[str]:
    """Usernames that received a notification whose key contains `key_part`; for a rung
    ("<step>:item:<id>"), those whose digest of the day lists the item and who are recorded as
    the rung's recipients."""
    rung = RUNG.match(key_part)
    if rung is None:
        return set(
            Notification.objects.filter(key__contains=key_part).values_list(
                "user__username", flat=True
            )
        )
    step, item_id = rung.group(1), int(rung.group(2))
    code = Item.objects.get(pk=item_id).code
    recipients = set(
        EscalationStep.objects.filter(item_id=item_id, step=step).values_list(
            "recipients__user__username", flat=True
        )
    )
    digests = Notification.objects.filter(kind="escalation.digest", body__contains=code)
    return recipients & set(digests.values_list("user__username", flat=True))


def return_times(
    world: World, item: Item, times: int, owner: str = "cadre_gaige", start: bool = True
) -> Item:
    """Submit and return the item `times` times (整改不到位)."""
    if start:
        item = lifecycle.item_start(item=item, by=world.user(owner))
    for _ in range(times):
        add_evidence(world, item, owner)
        item = lifecycle.item_submit(item=item, by=world.user(owner))
        item = lifecycle.item_return(item=item, by=world.user("inspector"), reason="复耕面积不足")
    return item
