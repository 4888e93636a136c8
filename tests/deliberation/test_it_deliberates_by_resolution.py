"""A topic's resolution at its meeting moves it (issue 12 §3): a passed resolution deliberates the
topic through the lifecycle (history, version, transition); one without a majority or without a
quorum is kept on the agenda row and the topic stays scheduled."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maque.core.errors import ConflictError, NotPermitted
from maque.deliberation import lifecycle
from maque.deliberation.models import AgendaItem, Topic, TopicState, TopicTransition
from maque.meetings.models import Meeting, MeetingKind, Resolution, RollEntry, RosterBody
from maque.meetings.resolutions import resolution_record
from maque.meetings.rolls import attendance_record, roster_member_add
from maque.meetings.services import DecisionIn, meeting_create
from tests.api.conftest import assert_error
from tests.conftest import World
from tests.deliberation.helpers import deadline, propose, statutory_rules

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _statutory_rules(db: None) -> None:
    statutory_rules()


def _scheduled(world: World) -> tuple[Topic, Meeting]:
    for n in range(9):
        roster_member_add(
            by=world.user("secretary_gaige"),
            village=world.gaige,
            body=RosterBody.REPRESENTATIVES,
            valid_from=date(2024, 1, 1),
            name=f"代表{n}",
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
    topic = lifecycle.topic_schedule(topic=topic, by=world.user("secretary_gaige"), meeting=meeting)
    return topic, meeting


def _attend(world: World, meeting: Meeting, present: int) -> None:
    entries = list(meeting.roll.order_by("order"))
    attendance_record(
        meeting=meeting,
        by=world.user("secretary_gaige"),
        marks={
            e.pk: RollEntry.Attendance.PRESENT if i < present else RollEntry.Attendance.ABSENT
            for i, e in enumerate(entries)
        },
    )


def _vote(world: World, topic: Topic, meeting: Meeting, votes_for: int, **extra):  # noqa: ANN003, ANN202
    return lifecycle.topic_vote(
        topic=topic,
        meeting=meeting,
        by=extra.pop("by", world.user("secretary_gaige")),
        text="同意在三组建设集体晒场",
        votes_for=votes_for,
        votes_against=extra.pop("against", 0),
        votes_abstain=0,
        **extra,
    )


def test_a_passed_resolution_deliberates_the_topic(world: World):
    topic, meeting = _scheduled(world)
    _attend(world, meeting, 6)  # 6 of 9: exactly two thirds, quorate
    vote = _vote(
        world,
        topic,
        meeting,
        4,
        against=2,
        actions=[
            DecisionIn(text="平整晒场用地", owner=world.people["cadre_gaige"], deadline=deadline())
        ],
    )
    assert vote.passed
    assert vote.topic.state == TopicState.DELIBERATED and vote.topic.version == topic.version + 1
    row = AgendaItem.objects.get(meeting=meeting, topic=topic)
    assert row.deliberated and row.resolution == vote.resolution
    assert row.outcome == "同意在三组建设集体晒场"
    last = TopicTransition.objects.filter(topic=topic).order_by("id").last()
    assert last is not None and (last.action, last.from_state, last.to_state) == (
        "deliberate",
        TopicState.SCHEDULED,
        TopicState.DELIBERATED,
    )
    assert topic.history.filter(state=TopicState.DELIBERATED).exists()
    assert vote.resolution.actions.get().item is not None


@pytest.mark.parametrize(
    ("present", "votes_for", "outcome"),
    [
        (6, 3, Resolution.Outcome.REJECTED),  # exactly half of those present: no majority
        (5, 5, Resolution.Outcome.NOT_QUORATE),  # 5 of 9: short of two thirds by one
    ],
)
def test_a_failed_resolution_leaves_the_topic_scheduled(
    world: World, present: int, votes_for: int, outcome: str
):
    topic, meeting = _scheduled(world)
    _attend(world, meeting, present)
    vote = _vote(world, topic, meeting, votes_for)
    assert not vote.passed and vote.resolution.outcome == outcome and vote.resolution.refusal
    assert vote.topic.state == TopicState.SCHEDULED and vote.topic.version == topic.version
    row = AgendaItem.objects.get(meeting=meeting, topic=topic)
    assert not row.deliberated and row.resolution == vote.resolution
    # It stays on the agenda: the next vote, once quorate, deliberates it.
    _attend(world, meeting, 9)
    again = _vote(world, vote.topic, meeting, 7)
    assert again.passed and again.topic.state == TopicState.DELIBERATED


def test_deliberating_with_a_failed_resolution_is_refused_in_words(world: World):
    topic, meeting = _scheduled(world)
    _attend(world, meeting, 5)
    failed = resolution_record(
        meeting=meeting,
        by=world.user("secretary_gaige"),
        text="同意建设晒场",
        votes_for=5,
        votes_against=0,
        votes_abstain=0,
    )
    with pytest.raises(ConflictError) as error:
        lifecycle.topic_deliberate(topic=topic, by=world.user("secretary_gaige"), resolution=failed)
    assert error.value.code == "resolution_not_passed" and failed.refusal in error.value.message
    topic.refresh_from_db()
    assert topic.state == TopicState.SCHEDULED


def _second_meeting(world: World) -> Meeting:
    return meeting_create(
        by=world.user("secretary_gaige"),
        town=world.town,
        kind=MeetingKind.REPRESENTATIVES,
        title="改革村村民代表会议（第二次）",
        held_on=timezone.localdate(),
        villages=[world.gaige],
    )


def test_a_resolution_of_another_meeting_does_not_deliberate(world: World):
    topic, _meeting = _scheduled(world)
    other = _second_meeting(world)
    _attend(world, other, 9)
    passed = resolution_record(
        meeting=other,
        by=world.user("secretary_gaige"),
        text="同意",
        votes_for=9,
        votes_against=0,
        votes_abstain=0,
    )
    assert passed.passed
    with pytest.raises(ConflictError) as error:
        lifecycle.topic_deliberate(topic=topic, by=world.user("secretary_gaige"), resolution=passed)
    assert error.value.code == "resolution_other_meeting"
    topic.refresh_from_db()
    assert topic.state == TopicState.SCHEDULED


def test_a_vote_needs_the_topic_on_the_meetings_agenda_and_changes_nothing(world: World):
    _topic, meeting = _scheduled(world)
    other = lifecycle.topic_accept(
        topic=propose(world, title="另一个议题"), by=world.user("secretary_gaige"), track="joint"
    )
    other = lifecycle.topic_schedule(
        topic=other, by=world.user("secretary_gaige"), meeting=_second_meeting(world)
    )
    _attend(world, meeting, 9)
    with pytest.raises(ValidationError) as error:
        _vote(world, other, meeting, 7)
    assert "topic" in error.value.message_dict
    assert not Resolution.objects.filter(meeting=meeting).exists()
    with pytest.raises(NotPermitted):
        _vote(world, other, meeting, 7, by=world.user("cadre_gaige"))


def test_the_api_deliberates_with_a_passed_resolution_only(world: World, api):  # noqa: ANN001
    topic, meeting = _scheduled(world)
    _attend(world, meeting, 5)
    client = api("secretary_gaige")
    failed = client.post(
        f"/api/v1/meetings/{meeting.pk}/resolutions",
        {"text": "同意建设晒场", "votes_for": 5, "votes_against": 0, "votes_abstain": 0},
    )
    assert failed.status_code == 201, failed.content
    refused = client.post(
        f"/api/v1/topics/{topic.code}/actions/deliberate", {"resolution": failed.json()["id"]}
    )
    assert_error(refused, 409)
    assert_error(
        client.post(f"/api/v1/topics/{topic.code}/actions/deliberate", {"resolution": 999999}),
        422,
        fields=("resolution",),
    )
    _attend(world, meeting, 9)
    passed = client.post(
        f"/api/v1/meetings/{meeting.pk}/resolutions",
        {"text": "同意建设晒场", "votes_for": 8, "votes_against": 1, "votes_abstain": 0},
    )
    body = client.post(
        f"/api/v1/topics/{topic.code}/actions/deliberate", {"resolution": passed.json()["id"]}
    ).json()
    assert body["state"] == TopicState.DELIBERATED
    assert body["agenda"][0]["resolution"] == passed.json()["id"]
    assert body["agenda"][0]["resolution_outcome"] == "passed"
    assert body["agenda"][0]["outcome"] == "同意建设晒场"
