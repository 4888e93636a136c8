"""The topic page's "deliberate" form offers the passed resolutions of the meetings the topic was
scheduled into; the ones that did not pass are named next to it with why (issue 12 §3)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from maque.deliberation.models import AgendaItem, Topic, TopicState
from maque.meetings.resolutions import resolution_record
from tests.conftest import World
from tests.deliberation.helpers import statutory_rules
from tests.deliberation.test_it_deliberates_by_resolution import _attend, _scheduled

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _statutory_rules(db: None) -> None:
    statutory_rules()


def _resolutions(world: World):  # noqa: ANN202
    topic, meeting = _scheduled(world)
    _attend(world, meeting, 5)  # 5 of 9: short of two thirds
    failed = resolution_record(
        meeting=meeting,
        by=world.user("secretary_gaige"),
        text="同意在三组建设集体晒场（第一次表决）",
        votes_for=5,
        votes_against=0,
        votes_abstain=0,
    )
    _attend(world, meeting, 9)
    passed = resolution_record(
        meeting=meeting,
        by=world.user("secretary_gaige"),
        text="同意在三组建设集体晒场",
        votes_for=8,
        votes_against=1,
        votes_abstain=0,
    )
    assert passed.passed and not failed.passed and failed.refusal
    return Topic.objects.get(pk=topic.pk), meeting, passed, failed


def _secretary(world: World) -> Client:
    client = Client()
    client.force_login(world.user("secretary_gaige"))
    return client


def test_the_form_offers_only_the_passed_resolutions_and_says_why_not_the_others(world: World):
    topic, meeting, passed, failed = _resolutions(world)
    page = _secretary(world).get(f"/topics/{topic.code}/").content.decode()
    select = re.search(r'<select name="deliberate-resolution".*?</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="(\d*)"', select.group(0))
    assert options == ["", str(passed.pk)]
    assert meeting.title in select.group(0)
    assert "未通过，不可选" in page and failed.refusal in page


def test_choosing_the_passed_resolution_deliberates_the_topic(world: World):
    topic, meeting, passed, _failed = _resolutions(world)
    response = _secretary(world).post(
        f"/topics/{topic.code}/act/deliberate/",
        {"deliberate-version": topic.version, "deliberate-resolution": passed.pk},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.state == TopicState.DELIBERATED
    row = AgendaItem.objects.get(topic=topic, meeting=meeting)
    assert row.deliberated and row.resolution == passed and row.outcome == passed.text


def test_a_failed_resolution_or_nothing_at_all_is_refused_and_changes_nothing(world: World):
    topic, _meeting, _passed, failed = _resolutions(world)
    client = _secretary(world)
    forged = client.post(
        f"/topics/{topic.code}/act/deliberate/",
        {"deliberate-version": topic.version, "deliberate-resolution": failed.pk},
    )
    assert forged.status_code == 422
    empty = client.post(
        f"/topics/{topic.code}/act/deliberate/",
        {
            "deliberate-version": topic.version,
            "deliberate-resolution": "",
            "deliberate-outcome": "",
        },
    )
    assert empty.status_code == 422
    assert "请记录会议议定的内容。" in empty.content.decode()
    version = topic.version
    topic.refresh_from_db()
    assert topic.state == TopicState.SCHEDULED and topic.version == version
    assert not AgendaItem.objects.get(topic=topic).deliberated


def test_without_a_resolution_the_written_consensus_deliberates(world: World):
    topic, meeting = _scheduled(world)
    response = _secretary(world).post(
        f"/topics/{topic.code}/act/deliberate/",
        {"deliberate-version": topic.version, "deliberate-outcome": "同意先平整场地"},
    )
    assert response.status_code == 302
    row = AgendaItem.objects.get(topic=topic, meeting=meeting)
    assert row.deliberated and row.resolution is None and row.outcome == "同意先平整场地"
