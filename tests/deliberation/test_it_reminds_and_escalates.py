"""`maque tick` for topics: acceptance and answers due within working days, the secretary
reminded on the due day, the contact leader told once it has passed, each rung once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from maque.deliberation import lifecycle
from maque.deliberation.models import Topic, TopicReminder
from maque.deliberation.tick import complete_finished_topics, remind_topics
from maque.notifications.models import Notification
from maque.rhythm.tick import STEPS, tick
from tests.conftest import World
from tests.deliberation.helpers import accept_quick, close_item, propose, topic_items

pytestmark = pytest.mark.django_db


def at(day):  # noqa: ANN001, ANN201
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_it_reminds_then_escalates_acceptance_once_per_rung(world: World):
    topic = propose(world)
    due = topic.accept_due
    assert remind_topics(now=at(due - timedelta(days=1))) == 0
    assert remind_topics(now=at(due)) == 1
    assert told("topic.accept_due") == {"secretary_gaige"}
    assert remind_topics(now=at(due)) == 0  # once
    assert remind_topics(now=at(due + timedelta(days=1))) == 1
    assert told("topic.accept_late") == {"contact_gaige"}
    assert remind_topics(now=at(due + timedelta(days=2))) == 0
    assert TopicReminder.objects.filter(topic=topic).count() == 2


def test_an_accepted_topic_is_not_reminded(world: World):
    topic = propose(world)
    lifecycle.topic_accept(topic=topic, by=world.user("secretary_gaige"), track="joint")
    assert remind_topics(now=at(topic.accept_due + timedelta(days=5))) == 0


def test_it_reminds_of_the_answer_after_completion(world: World):
    topic = accept_quick(world, propose(world))
    close_item(world, topic_items(topic)[0])
    complete_finished_topics(now=timezone.now())
    topic = Topic.objects.get(pk=topic.pk)
    assert remind_topics(now=at(topic.answer_due)) == 1
    assert told("topic.answer_due") == {"secretary_gaige"}
    assert remind_topics(now=at(topic.answer_due + timedelta(days=1))) == 1
    assert told("topic.answer_late") == {"contact_gaige"}


def test_the_steps_run_in_maque_tick(world: World):
    assert "maque.deliberation.tick.complete_finished_topics" in STEPS
    assert "maque.deliberation.tick.remind_topics" in STEPS
    topic = accept_quick(world, propose(world))
    close_item(world, topic_items(topic)[0])
    result = tick(steps=["maque.deliberation.tick.complete_finished_topics"])
    assert result.ok and result.effects["maque.deliberation.tick.complete_finished_topics"] == 1
