"""The weekly diagnosis pack carries each village's topic figures of the week (issue 12 §6), as
`deliberation.figures` counts them, passed in from the diagnosis app above the meetings."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from maque.deliberation.figures import village_topic_figures, week_topic_figures
from maque.meetings.services import diagnosis_draft
from tests.conftest import World
from tests.deliberation.helpers import accept_quick, propose

pytestmark = pytest.mark.django_db


def test_the_pack_carries_the_weeks_topic_figures(world: World):
    accept_quick(world, propose(world, title="三组路灯不亮", concern="urgent"))
    propose(world, title="希望修建文化广场", concern="hoped_for")
    propose(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜水渠")
    now = timezone.now()
    meeting = diagnosis_draft(town=world.town, now=now, topics=week_topic_figures)
    assert meeting is not None
    rows = {row["village"]: row for row in meeting.indicators["villages"]}
    today = timezone.localdate(now)
    plain = village_topic_figures(town=world.town, start=today, end=today)
    gaige = rows[world.gaige.name]["topics"]
    assert gaige["topics"] == 2 == plain[world.gaige.pk].topics
    assert gaige["by_concern"]["urgent"] == 1 and gaige["by_track"]["quick"] == 1
    assert rows[world.shuangsheng.name]["topics"]["topics"] == 1
    page = Client()
    page.force_login(world.user("principal"))
    text = page.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "本周联村共议议题" in text and "1/0/0/1" in text


def test_without_the_figures_the_pack_is_as_before(world: World):
    propose(world)
    meeting = diagnosis_draft(town=world.town, now=timezone.now())
    assert meeting is not None
    assert all("topics" not in row for row in meeting.indicators["villages"])
