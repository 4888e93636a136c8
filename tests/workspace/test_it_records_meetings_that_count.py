"""The meeting page of a meeting that counts (its roll from the village roster, attendance against
it, the agenda of topics, resolutions with their votes and the refusal in words) and the 四议两公开
screens (the list, a decision's six steps in order, a step out of order refused with its
message)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from maque.decisions.models import DecisionState, Step, VillageDecision
from maque.decisions.services import decision_create
from maque.deliberation import lifecycle
from maque.deliberation.models import TopicState
from maque.meetings.models import Meeting, MeetingKind, Resolution, RollEntry, RosterBody
from maque.meetings.rolls import roster_member_add
from maque.meetings.services import meeting_create
from tests.conftest import World
from tests.deliberation.helpers import propose, statutory_rules

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _statutory_rules(db: None) -> None:
    statutory_rules()


PREFIX = {
    RosterBody.REPRESENTATIVES: "代表",
    RosterBody.BRANCH_COMMITTEE: "支委",
    RosterBody.VILLAGE_COMMITTEE: "村委",
    RosterBody.PARTY_MEMBERS: "党员",
}


def signed_in(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def _roster(world: World, body: str, count: int) -> None:
    for n in range(count):
        roster_member_add(
            by=world.user("secretary_gaige"),
            village=world.gaige,
            body=body,
            valid_from=date(2024, 1, 1),
            name=f"{PREFIX[body]}{n}",
        )


def _meeting(world: World, kind: str = MeetingKind.REPRESENTATIVES, **extra) -> Meeting:  # noqa: ANN003
    return meeting_create(
        by=world.user("secretary_gaige"),
        town=world.town,
        kind=kind,
        title=extra.pop("title", "改革村村民代表会议"),
        held_on=extra.pop("held_on", timezone.localdate()),
        villages=[world.gaige],
        **extra,
    )


def _marks(meeting: Meeting, present: int) -> dict[str, str]:
    return {
        f"roll-mark_{entry.pk}": "present" if index < present else "absent"
        for index, entry in enumerate(meeting.roll.order_by("order"))
    }


def test_the_page_takes_attendance_against_the_roll_and_says_the_quorum(world: World):
    _roster(world, RosterBody.REPRESENTATIVES, 9)
    meeting = _meeting(world)
    client = signed_in(world, "secretary_gaige")
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "应到人员与到会情况" in page and page.count('class="btn-check"') == 27
    assert "未达到法定人数" in page
    response = client.post(f"/meetings/{meeting.pk}/attendance/", _marks(meeting, 5))
    assert response.status_code == 302
    assert meeting.roll.filter(attendance=RollEntry.Attendance.PRESENT).count() == 5
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "应到 9 人，实到 5 人" in page and "差 1 人" in page
    client.post(f"/meetings/{meeting.pk}/attendance/", _marks(meeting, 6))
    assert "已达到法定人数" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    # A mark that is not present/absent/leave changes nothing.
    bad = {**_marks(meeting, 9), f"roll-mark_{meeting.roll.first().pk}": "asleep"}
    assert client.post(f"/meetings/{meeting.pk}/attendance/", bad).status_code == 422
    assert meeting.roll.filter(attendance=RollEntry.Attendance.PRESENT).count() == 6


def test_a_resolution_on_an_agenda_topic_is_refused_in_words_then_deliberates_it(world: World):
    _roster(world, RosterBody.REPRESENTATIVES, 9)
    meeting = _meeting(world)
    topic = lifecycle.topic_accept(
        topic=propose(world, title="晒场建设"), by=world.user("secretary_gaige"), track="joint"
    )
    lifecycle.topic_schedule(topic=topic, by=world.user("secretary_gaige"), meeting=meeting)
    client = signed_in(world, "secretary_gaige")
    client.post(f"/meetings/{meeting.pk}/attendance/", _marks(meeting, 6))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "议程" in page and topic.code in page
    check = client.get(
        f"/meetings/{meeting.pk}/resolutions/check/", {"votes_for": "3", "votes_against": "3"}
    ).content.decode()
    assert "不能通过" in check and "差 1" in check
    assert (
        "可以通过"
        in client.get(
            f"/meetings/{meeting.pk}/resolutions/check/", {"votes_for": "4", "votes_against": "x"}
        ).content.decode()
    )
    body = {"text": "同意建设晒场", "votes_for": 3, "votes_against": 3, "votes_abstain": 0}
    response = client.post(f"/meetings/{meeting.pk}/resolutions/", {**body, "topic": topic.code})
    assert response.status_code == 302
    failed = Resolution.objects.get(meeting=meeting)
    assert failed.outcome == Resolution.Outcome.REJECTED
    topic.refresh_from_db()
    assert topic.state == TopicState.SCHEDULED
    page = client.get(f"/meetings/{meeting.pk}/", follow=True).content.decode()
    assert failed.refusal in page
    # Claiming more votes than people present is refused next to the form, nothing recorded.
    too_many = client.post(
        f"/meetings/{meeting.pk}/resolutions/",
        {**body, "votes_for": 7, "votes_against": 0, "topic": topic.code},
    )
    assert too_many.status_code == 422 and "实到仅 6 人" in too_many.content.decode()
    assert Resolution.objects.filter(meeting=meeting).count() == 1
    passed = client.post(
        f"/meetings/{meeting.pk}/resolutions/",
        {**body, "votes_for": 5, "votes_against": 1, "topic": topic.code},
    )
    assert passed.status_code == 302
    topic.refresh_from_db()
    assert topic.state == TopicState.DELIBERATED


def test_people_who_may_not_record_see_the_roll_without_forms(world: World):
    _roster(world, RosterBody.REPRESENTATIVES, 3)
    meeting = _meeting(world)
    client = signed_in(world, "discipline")
    page = client.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "代表0" in text and 'class="btn-check"' not in text and "resolution-form" not in text
    assert client.post(f"/meetings/{meeting.pk}/attendance/", _marks(meeting, 3)).status_code in (
        403,
        404,
    )
    assert not meeting.roll.filter(attendance=RollEntry.Attendance.PRESENT).exists()


def _passed(world: World, kind: str, body: str, count: int, held_on: date) -> Meeting:
    meeting = _meeting(world, kind=kind, title=str(MeetingKind(kind).label), held_on=held_on)
    client = signed_in(world, "secretary_gaige")
    client.post(f"/meetings/{meeting.pk}/attendance/", _marks(meeting, count))
    client.post(
        f"/meetings/{meeting.pk}/resolutions/",
        {"text": "同意晒场建设方案", "votes_for": count, "votes_against": 0, "votes_abstain": 0},
    )
    assert Resolution.objects.get(meeting=meeting).passed
    return meeting


def test_the_decision_page_takes_the_six_steps_in_order(world: World):
    _roster(world, RosterBody.BRANCH_COMMITTEE, 3)
    _roster(world, RosterBody.VILLAGE_COMMITTEE, 2)
    _roster(world, RosterBody.PARTY_MEMBERS, 4)
    client = signed_in(world, "secretary_gaige")
    assert "四议两公开" in client.get("/decisions/").content.decode()
    response = client.post(
        "/decisions/new/", {"village": world.gaige.pk, "title": "晒场建设", "description": ""}
    )
    assert response.status_code == 302
    decision = VillageDecision.objects.get(title="晒场建设")
    today = timezone.localdate()
    branch = _passed(
        world, MeetingKind.PARTY_BRANCH, RosterBody.BRANCH_COMMITTEE, 3, today - timedelta(5)
    )
    assembly = _passed(
        world, MeetingKind.PARTY_ASSEMBLY, RosterBody.PARTY_MEMBERS, 4, today - timedelta(2)
    )
    page = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert page.index("党支部会议提议") < page.index("党员大会审议") < page.index("实施结果公开")
    assembly_resolution = Resolution.objects.get(meeting=assembly)
    # Skipping ahead to the assembly's review is refused with the message, nothing recorded.
    skipped = client.post(
        f"/decisions/{decision.pk}/steps/",
        {"step": Step.REVIEW, "resolution": assembly_resolution.pk, "version": decision.version},
    )
    assert skipped.status_code == 422
    assert "下一步" in skipped.content.decode()
    decision.refresh_from_db()
    assert decision.state == DecisionState.OPEN
    # The wrong kind of meeting for the step is refused next to the field.
    wrong = client.post(
        f"/decisions/{decision.pk}/steps/",
        {"step": Step.PROPOSE, "resolution": assembly_resolution.pk, "version": decision.version},
    )
    assert wrong.status_code == 422
    taken = client.post(
        f"/decisions/{decision.pk}/steps/",
        {
            "step": Step.PROPOSE,
            "resolution": Resolution.objects.get(meeting=branch).pk,
            "version": decision.version,
        },
    )
    assert taken.status_code == 302
    decision.refresh_from_db()
    assert decision.state == DecisionState.PROPOSED
    page = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert branch.title in page and "同意晒场建设方案" in page


def test_a_disclosure_needs_its_day_and_text(world: World):
    decision = decision_create(by=world.user("secretary_gaige"), village=world.gaige, title="修路")
    client = signed_in(world, "secretary_gaige")
    refused = client.post(
        f"/decisions/{decision.pk}/steps/",
        {"step": Step.DISCLOSE_RESULT, "text": "", "version": decision.version},
    )
    assert refused.status_code in (409, 422)
    decision.refresh_from_db()
    assert decision.state == DecisionState.OPEN and not decision.steps.exists()


def test_only_organisers_are_offered_the_forms(world: World):
    decision = decision_create(by=world.user("secretary_gaige"), village=world.gaige, title="修路")
    cadre = signed_in(world, "cadre_gaige")
    page = cadre.get(f"/decisions/{decision.pk}/")
    assert page.status_code == 200 and "step-form-title" not in page.content.decode()
    assert cadre.post(
        f"/decisions/{decision.pk}/steps/", {"step": Step.PROPOSE, "version": 1}
    ).status_code in (403, 404)
    assert cadre.get("/decisions/new/").status_code == 403
    outsider = signed_in(world, "cadre_shuangsheng")
    assert outsider.get(f"/decisions/{decision.pk}/").status_code == 404
