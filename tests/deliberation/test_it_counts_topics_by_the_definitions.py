"""The topic figures per village and period (issue 12 §6), equal to the plain definitions of
`deliberation/definitions.py` applied topic by topic."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from maque.deliberation import definitions as d
from maque.deliberation import lifecycle
from maque.deliberation.figures import village_topic_figures
from maque.deliberation.lifecycle.rules import ReceiptHolder
from maque.deliberation.models import Topic
from maque.deliberation.tick import complete_finished_topics
from maque.ledger.definitions import rate
from tests.conftest import World
from tests.deliberation.helpers import (
    close_item,
    propose,
    propose_public,
    topic_items,
)

pytestmark = pytest.mark.django_db


def build(world: World, seed: int) -> None:
    generator = random.Random(seed)
    concerns = ["urgent", "difficult", "worrying", "hoped_for"]
    for number in range(14):
        village = world.gaige if number % 3 else world.shuangsheng
        persona = "secretary_gaige" if village == world.gaige else "contact_shuangsheng"
        if number % 4 == 0:
            topic, _receipt = propose_public(
                world, village=village, concern=generator.choice(concerns)
            )
        else:
            topic = propose(
                world, persona=persona, village=village, concern=generator.choice(concerns)
            )
        fate = generator.choice(["submitted", "joint", "declined", "spam", "answered", "answered"])
        if fate == "joint":
            lifecycle.topic_accept(topic=topic, by=world.user(persona), track="joint")
        elif fate == "declined":
            lifecycle.topic_decline(topic=topic, by=world.user(persona), reason="不属于村级事务")
        elif fate == "spam" and topic.source == "public":
            lifecycle.topic_mark_spam(topic=topic, by=world.user(persona))
        elif fate == "answered":
            topic = lifecycle.topic_accept(
                topic=topic,
                by=world.user(persona),
                track="quick",
                owner=world.people[
                    "cadre_gaige" if village == world.gaige else "cadre_shuangsheng"
                ],
                deadline=timezone.localdate() + timedelta(days=9),
            )
            item = topic_items(topic)[0]
            if village == world.gaige:
                close_item(world, item)
            else:
                from maque.ledger import lifecycle as items
                from maque.ledger.services import attachment_add
                from tests.conftest import photo

                item = items.item_start(item=item, by=world.user("cadre_shuangsheng"))
                attachment_add(item=item, by=world.user("cadre_shuangsheng"), upload=photo())
                item = items.item_submit(item=item, by=world.user("cadre_shuangsheng"))
                items.item_verify(item=item, by=world.user("contact_shuangsheng"), note="已核查")
            complete_finished_topics(now=timezone.now())
            topic = lifecycle.topic_answer(
                topic=Topic.objects.get(pk=topic.pk), by=world.user(persona), answer="已办结"
            )
            if generator.random() < 0.7:
                lifecycle.topic_rate(
                    topic=topic,
                    by=ReceiptHolder(topic_id=topic.pk, day=timezone.localdate()),
                    satisfaction=generator.choice(["satisfied", "fairly", "dissatisfied"]),
                )
    # Spread the moments over two weeks, so that medians and "in time" differ by topic.
    now = timezone.now()
    for topic in Topic.objects.all():
        created = now - timedelta(days=generator.randint(0, 14), hours=generator.randint(0, 5))
        changes: dict[str, object] = {"created_at": created}
        if topic.accepted_at:
            changes["accepted_at"] = created + timedelta(days=generator.randint(0, 5))
        if topic.answered_at:
            answered = created + timedelta(days=generator.randint(1, 12))
            changes["answered_at"] = answered
            changes["answer_due"] = (answered + timedelta(days=generator.randint(-3, 3))).date()
        Topic.objects.filter(pk=topic.pk).update(**changes)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_figures_are_the_definitions(world: World, seed: int):
    build(world, seed)
    today = timezone.localdate()
    for start, end in ((today - timedelta(days=14), today), (today - timedelta(days=6), today)):
        figures = village_topic_figures(town=world.town, start=start, end=end)
        for village in (world.gaige, world.shuangsheng):
            topics = [
                topic
                for topic in Topic.objects.filter(village=village)
                if d.is_counted(topic, start, end)
            ]
            if not topics:
                assert village.pk not in figures
                continue
            got = figures[village.pk]
            assert got.topics == len(topics)
            concerns = Counter(topic.concern for topic in topics)
            assert {k: v for k, v in got.by_concern.items() if v} == dict(concerns)
            tracks = Counter(topic.track for topic in topics if topic.track)
            assert {k: v for k, v in got.by_track.items() if v} == dict(tracks)
            accepted = [v for t in topics if (v := d.days_to_accept(t)) is not None]
            answered = [v for t in topics if (v := d.days_to_answer(t)) is not None]
            assert got.median_days_to_accept == d.median_days(accepted)
            assert got.median_days_to_answer == d.median_days(answered)
            in_time = [d.answered_in_time(t) for t in topics if d.answered_in_time(t) is not None]
            assert got.answered_in_time_rate == rate(sum(in_time), len(in_time))
            rated = [d.is_satisfied(t) for t in topics if d.is_satisfied(t) is not None]
            assert got.satisfaction_rate == rate(sum(bool(x) for x in rated), len(rated))


def test_nothing_to_rate_is_none_not_zero(world: World):
    propose(world)
    today = timezone.localdate()
    got = village_topic_figures(town=world.town, start=today, end=today)[world.gaige.pk]
    assert got.topics == 1
    assert got.median_days_to_accept is None and got.answered_in_time_rate is None
    assert got.satisfaction_rate is None


def test_a_merged_duplicate_is_counted_once(world: World):
    survivor = propose(world)
    duplicate = propose(world)
    lifecycle.topic_merge(topic=duplicate, by=world.user("secretary_gaige"), into=survivor)
    today = timezone.localdate()
    assert (
        village_topic_figures(town=world.town, start=today, end=today)[world.gaige.pk].topics == 1
    )
