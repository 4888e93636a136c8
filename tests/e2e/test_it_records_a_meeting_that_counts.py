"""A meeting that counts and 四议两公开 on a phone, in headless Chromium: the secretary marks the
roll by tapping, sees the quorum in words, types the votes and is told before recording that
they would not carry (htmx), records a resolution that deliberates the agenda topic, and takes
a decision's first step. Every control labelled, nothing wider than the screen, no console
errors, no request leaving the server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from maque.decisions.models import DecisionState
from maque.decisions.services import decision_create
from maque.deliberation import lifecycle
from maque.deliberation.models import Topic, TopicState
from maque.meetings.models import MeetingKind, RosterBody
from maque.meetings.rolls import roster_member_add
from maque.meetings.services import meeting_create
from tests.deliberation.helpers import propose, statutory_rules
from tests.e2e.conftest import screenshot
from tests.e2e.test_it_accessibility import UNLABELLED
from tests.e2e.test_it_field_work import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_a_secretary_records_a_meeting_that_counts_on_a_phone(open_context, live_server, world):  # noqa: ANN001
    base = live_server.url
    statutory_rules()
    for n in range(6):
        roster_member_add(
            by=world.user("secretary_gaige"),
            village=world.gaige,
            body=RosterBody.REPRESENTATIVES,
            valid_from=date(2024, 1, 1),
            name=f"村民代表{n + 1}",
        )
    for n in range(3):
        roster_member_add(
            by=world.user("secretary_gaige"),
            village=world.gaige,
            body=RosterBody.BRANCH_COMMITTEE,
            valid_from=date(2024, 1, 1),
            name=f"支委{n + 1}",
        )
    meeting = meeting_create(
        by=world.user("secretary_gaige"),
        town=world.town,
        kind=MeetingKind.REPRESENTATIVES,
        title="改革村村民代表会议",
        held_on=timezone.localdate(),
        villages=[world.gaige],
    )
    topic = lifecycle.topic_accept(
        topic=propose(world, title="晒场建设"), by=world.user("secretary_gaige"), track="joint"
    )
    lifecycle.topic_schedule(topic=topic, by=world.user("secretary_gaige"), meeting=meeting)
    branch = meeting_create(
        by=world.user("secretary_gaige"),
        town=world.town,
        kind=MeetingKind.PARTY_BRANCH,
        title="党支部会议",
        held_on=timezone.localdate() - timedelta(days=3),
        villages=[world.gaige],
    )
    decision = decision_create(
        by=world.user("secretary_gaige"), village=world.gaige, title="晒场建设"
    )

    page, watch = open_context(phone=True)
    sign_in(page, base, "secretary_gaige")
    page.goto(f"{base}/meetings/{meeting.pk}/")
    assert "未达到法定人数" in page.inner_text("#quorum-verdict")
    # Four of six present: exactly two thirds, quorate.
    for n in range(4):
        page.get_by_role("radiogroup", name=f"村民代表{n + 1}").get_by_text("出席").click()
    page.get_by_role("button", name="保存到会情况").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/**")
    assert "已达到法定人数" in page.inner_text("#quorum-verdict")
    page.fill("#id_text", "同意在三组建设集体晒场")
    page.fill("#id_votes_for", "2")
    page.fill("#id_votes_against", "2")
    page.wait_for_function(
        "() => document.querySelector('#resolution-check').innerText.includes('不能通过')"
    )
    assert "差 1" in page.inner_text("#resolution-check")
    page.fill("#id_votes_for", "3")
    page.fill("#id_votes_against", "1")
    page.wait_for_function(
        "() => document.querySelector('#resolution-check').innerText.includes('可以通过')"
    )
    page.select_option("#id_topic", topic.code)
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "meeting-counts-375")
    page.get_by_role("button", name="保存决议").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/**")
    assert Topic.objects.get(pk=topic.pk).state == TopicState.DELIBERATED
    assert "决议通过" in page.content()
    screenshot(page, "meeting-resolved-375")

    # The branch meeting's roll: all three present, the proposal passes, the decision's first step.
    page.goto(f"{base}/meetings/{branch.pk}/")
    for n in range(3):
        page.get_by_role("radiogroup", name=f"支委{n + 1}").get_by_text("出席").click()
    page.get_by_role("button", name="保存到会情况").click()
    page.wait_for_url(f"**/meetings/{branch.pk}/**")
    page.fill("#id_text", "提议建设集体晒场")
    page.fill("#id_votes_for", "3")
    page.get_by_role("button", name="保存决议").click()
    page.wait_for_url(f"**/meetings/{branch.pk}/**")
    page.goto(f"{base}/decisions/")
    assert page.evaluate(OVERFLOW) <= 0
    page.get_by_role("link", name="晒场建设").click()
    option = page.locator("#id_resolution option", has_text="党支部会议").first
    page.select_option("#id_resolution", value=option.get_attribute("value"))
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "decision-steps-375")
    page.get_by_role("button", name="保存步骤").click()
    page.wait_for_url(f"**/decisions/{decision.pk}/")
    decision.refresh_from_db()
    assert decision.state == DecisionState.PROPOSED
    screenshot(page, "decision-proposed-375")
    assert watch.console_errors == []
