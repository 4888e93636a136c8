"""Topics for tests, made through the services."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from django.utils import timezone

from maque.deliberation import lifecycle
from maque.deliberation.models import Topic
from maque.ledger import lifecycle as items
from maque.ledger.models import Item
from maque.ledger.services import attachment_add
from tests.conftest import World, photo


def propose(world: World, persona: str = "secretary_gaige", **overrides: Any) -> Topic:
    values: dict[str, Any] = {
        "village": world.gaige,
        "title": "三组村道路灯不亮",
        "description": "三组到荷塘的村道晚上没有路灯，老人走夜路不安全。",
        "concern": "urgent",
        "proposer_name": "王秀英",
        "proposer_phone": "13912345678",
    }
    values.update(overrides)
    return lifecycle.topic_propose(by=world.user(persona), **values).topic


def propose_public(world: World, **overrides: Any) -> tuple[Topic, str]:
    values: dict[str, Any] = {
        "village": world.gaige,
        "title": "村口垃圾堆放点没人清运",
        "description": "村口垃圾已经堆了一周，夏天有味道。",
        "concern": "worrying",
        "proposer_name": "李大山",
        "proposer_phone": "13700001111",
    }
    values.update(overrides)
    proposed = lifecycle.topic_propose_public(**values)
    return proposed.topic, proposed.receipt


def deadline() -> Any:
    return timezone.localdate() + timedelta(days=10)


def accept_quick(world: World, topic: Topic, persona: str = "secretary_gaige") -> Topic:
    return lifecycle.topic_accept(
        topic=topic,
        by=world.user(persona),
        track="quick",
        owner=world.people["cadre_gaige"],
        deadline=deadline(),
    )


def close_item(world: World, item: Item) -> Item:
    item = items.item_start(item=item, by=world.user("cadre_gaige"))
    attachment_add(item=item, by=world.user("cadre_gaige"), upload=photo())
    item = items.item_submit(item=item, by=world.user("cadre_gaige"))
    return items.item_verify(item=item, by=world.user("contact_gaige"), note="现场核查已修好")


def topic_items(topic: Topic) -> list[Item]:
    return [row.item for row in topic.actions.select_related("item").order_by("id")]


def statutory_rules() -> None:
    """The statutory quorum and majority rules as `meetings/migrations/0003` installs them. A
    transactional test (the browser tests) flushes every table, a data migration's rows too, and
    the worker's next tests would count without them."""
    from django.apps import apps

    module = import_module("maque.meetings.migrations.0003_statutory_counting_rules")
    module.install(apps, None)
