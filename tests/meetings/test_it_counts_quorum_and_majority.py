"""Meetings that count: rosters with history, the roll, attendance, quorum and majority at their
exact boundaries (村民委员会组织法), and resolutions whose outcome is computed, not claimed."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maque.ledger.errors import NotPermitted
from maque.ledger.models import Item, Kind
from maque.meetings.counting import Share, quorum_of
from maque.meetings.models import (
    CountingRule,
    Meeting,
    MeetingKind,
    Resolution,
    RollEntry,
    RosterBody,
)
from maque.meetings.resolutions import resolution_record
from maque.meetings.rolls import (
    attendance_record,
    population_record,
    roster_member_add,
    roster_member_end,
)
from maque.meetings.services import DecisionIn, meeting_create

START = date(2024, 1, 1)


@given(
    num=st.integers(1, 9),
    den=st.integers(1, 9),
    strict=st.booleans(),
    total=st.integers(0, 500),
    count=st.integers(0, 500),
)
def test_a_share_is_reached_as_exact_fractions_say(num, den, strict, total, count):
    share = Share(num, den, strict)
    target = Fraction(num, den) * total
    assert share.reached(count, total) == (count > target if strict else count >= target)
    needed = share.needed(total)
    assert share.reached(needed, total) and (needed == 0 or not share.reached(needed - 1, total))


def test_exactly_two_thirds_is_a_quorum_and_exactly_half_is_no_majority():
    two_thirds, half = Share(2, 3, strict=False), Share(1, 2, strict=True)
    assert two_thirds.reached(20, 30) and not two_thirds.reached(19, 30)
    assert two_thirds.needed(30) == 20 and two_thirds.needed(31) == 21
    assert not half.reached(15, 30) and half.reached(16, 30) and half.needed(30) == 16


def _roster(world, body, count, village=None, prefix="代表"):
    village = village or world.gaige
    return [
        roster_member_add(
            by=world.user("secretary_gaige"),
            village=village,
            body=body,
            valid_from=START,
            name=f"{prefix}{n}",
        )
        for n in range(count)
    ]


def _meeting(world, kind=MeetingKind.REPRESENTATIVES, persona="secretary_gaige", **extra):
    return meeting_create(
        by=world.user(persona),
        town=world.town,
        kind=kind,
        title="村民代表会议",
        held_on=timezone.localdate(),
        villages=[world.gaige],
        **extra,
    )


def _attend(world, meeting, present, attendee_count=None):
    entries = list(meeting.roll.order_by("order"))
    marks = {
        e.pk: RollEntry.Attendance.PRESENT if i < present else RollEntry.Attendance.ABSENT
        for i, e in enumerate(entries)
    }
    return attendance_record(
        meeting=meeting,
        by=world.user("secretary_gaige"),
        marks=marks,
        attendee_count=attendee_count,
    )


def _resolve(world, meeting, votes_for, against=0, abstain=0, **extra):
    return resolution_record(
        meeting=meeting,
        by=world.user("secretary_gaige"),
        text="晒场建设方案",
        votes_for=votes_for,
        votes_against=against,
        votes_abstain=abstain,
        **extra,
    )


def test_the_roll_is_the_roster_on_the_meeting_day(world):
    members = _roster(world, RosterBody.REPRESENTATIVES, 3)
    roster_member_end(
        by=world.user("secretary_gaige"), member=members[0], valid_to=START + timedelta(days=10)
    )
    _roster(world, RosterBody.PARTY_MEMBERS, 2, prefix="党员")
    meeting = _meeting(world)
    assert [e.name for e in meeting.roll.order_by("order")] == ["代表1", "代表2"]
    assert Meeting.objects.get(pk=meeting.pk).expected_count == 2
    # A later change to the roster leaves the roll as it was called.
    _roster(world, RosterBody.REPRESENTATIVES, 1, prefix="新代表")
    assert meeting.roll.count() == 2
    assert members[0].history.count() == 2


def test_a_person_in_both_committees_is_called_once(world):
    person = world.people["secretary_gaige"]
    for body in (RosterBody.BRANCH_COMMITTEE, RosterBody.VILLAGE_COMMITTEE):
        roster_member_add(
            by=world.user("secretary_gaige"),
            village=world.gaige,
            body=body,
            valid_from=START,
            person=person,
        )
    _roster(world, RosterBody.VILLAGE_COMMITTEE, 2, prefix="委员")
    meeting = _meeting(world, kind=MeetingKind.TWO_COMMITTEES)
    assert meeting.roll.count() == 3 and meeting.roll.filter(person=person).count() == 1


def test_roster_input_is_checked_and_kept_to_ones_villages(world):
    with pytest.raises(ValidationError) as error:
        roster_member_add(
            by=world.user("secretary_gaige"),
            village=world.gaige,
            body=RosterBody.REPRESENTATIVES,
            valid_from=START,
        )
    assert "name" in error.value.message_dict
    with pytest.raises(NotPermitted):
        roster_member_add(
            by=world.user("secretary_gaige"),
            village=world.shuangsheng,
            body=RosterBody.REPRESENTATIVES,
            valid_from=START,
            name="某某",
        )
    _roster(world, RosterBody.REPRESENTATIVES, 1)
    with pytest.raises(ValidationError):
        _roster(world, RosterBody.REPRESENTATIVES, 1)


def test_a_representatives_meeting_at_exactly_two_thirds_is_quorate(world):
    _roster(world, RosterBody.REPRESENTATIVES, 30)
    meeting = _attend(world, _meeting(world), 20)
    assert (meeting.expected_count, meeting.attendee_count) == (30, 20)
    quorum = quorum_of(meeting)
    assert quorum.met and quorum.problem() == ""
    # Exactly half of those present is no majority; one more vote carries it.
    rejected = _resolve(world, meeting, 10, against=10)
    assert rejected.outcome == Resolution.Outcome.REJECTED
    assert rejected.refusal == "赞成 10 票，未超过实到 20 人的半数（差 1 票）"
    passed = _resolve(world, meeting, 11, against=9)
    assert passed.passed and (passed.expected, passed.present) == (30, 20)


def test_one_short_of_two_thirds_refuses_to_pass_and_says_by_how_many(world):
    _roster(world, RosterBody.REPRESENTATIVES, 30)
    meeting = _attend(world, _meeting(world), 19)
    assert not quorum_of(meeting).met
    with pytest.raises(ValidationError) as error:
        _resolve(world, meeting, 19, passed=True)
    assert (
        "应到 30 人，实到 19 人，不足三分之二（差 1 人）" in error.value.message_dict["passed"][0]
    )
    assert not Resolution.objects.exists()
    # Recorded as such: 未通过（不足法定人数）.
    recorded = _resolve(world, meeting, 19)
    assert recorded.outcome == Resolution.Outcome.NOT_QUORATE and not recorded.passed
    assert recorded.refusal == "应到 30 人，实到 19 人，不足三分之二（差 1 人）"


def test_a_villagers_meeting_needs_over_half_the_adults_or_two_thirds_of_households(world):
    population_record(
        by=world.user("secretary_gaige"),
        village=world.gaige,
        counted_on=START,
        adults=100,
        households=60,
    )
    _roster(world, RosterBody.HOUSEHOLDS, 60, prefix="户主")
    meeting = _meeting(world, kind=MeetingKind.VILLAGERS)
    # 50 adults (exactly half) and 39 household representatives (one short of two thirds).
    meeting = _attend(world, meeting, 39, attendee_count=50)
    quorum = quorum_of(meeting)
    assert not quorum.met
    assert quorum.problem() == (
        "成年村民 100 人，实到 50 人，未超过半数（差 1 人）；且"
        "应到户代表 60 人，实到 39 人，不足三分之二（差 1 人）"
    )
    assert quorum_of(_attend(world, meeting, 39, attendee_count=51)).met  # over half the adults
    assert quorum_of(_attend(world, meeting, 40, attendee_count=40)).met  # two thirds of households


def test_a_party_assembly_passes_with_over_half_of_the_roll(world):
    _roster(world, RosterBody.PARTY_MEMBERS, 10, prefix="党员")
    meeting = _attend(world, _meeting(world, kind=MeetingKind.PARTY_ASSEMBLY), 8)
    assert _resolve(world, meeting, 5, against=3).outcome == Resolution.Outcome.REJECTED
    assert _resolve(world, meeting, 6, against=2).passed


def test_a_town_rule_overrides_the_statutory_default(world):
    CountingRule.objects.create(
        town=world.town,
        kind=MeetingKind.REPRESENTATIVES,
        quorum_num=4,
        quorum_den=5,
    )
    _roster(world, RosterBody.REPRESENTATIVES, 10)
    meeting = _attend(world, _meeting(world), 7)
    assert not quorum_of(meeting).met
    assert quorum_of(_attend(world, meeting, 8)).met


def test_a_passed_resolutions_actions_become_action_items(world):
    _roster(world, RosterBody.REPRESENTATIVES, 3)
    meeting = _attend(world, _meeting(world), 3)
    action = DecisionIn(
        text="晒场月底前完工",
        owner=world.people["cadre_gaige"],
        deadline=timezone.localdate() + timedelta(days=20),
    )
    resolution = _resolve(world, meeting, 3, actions=[action])
    decision = resolution.actions.get()
    assert decision.meeting == meeting and decision.item.kind == Kind.ACTION
    assert Item.objects.filter(meeting_decision__resolution=resolution).count() == 1
    with pytest.raises(ValidationError) as error:
        _resolve(world, meeting, 1, against=2, actions=[action])
    assert "actions" in error.value.message_dict


def test_votes_are_checked_against_those_present(world):
    _roster(world, RosterBody.REPRESENTATIVES, 3)
    meeting = _attend(world, _meeting(world), 2)
    with pytest.raises(ValidationError) as error:
        _resolve(world, meeting, 2, against=1)
    assert "votes" in error.value.message_dict
    with pytest.raises(ValidationError):
        _resolve(world, meeting, -1)
    with pytest.raises(ValidationError) as error:
        _resolve(world, meeting, 2, passed=False)
    assert "passed" in error.value.message_dict
    with pytest.raises(NotPermitted):
        resolution_record(
            meeting=meeting,
            by=world.user("cadre_shuangsheng"),
            text="x",
            votes_for=1,
            votes_against=0,
            votes_abstain=0,
        )
    assert not Resolution.objects.exists()


def test_a_meeting_without_a_roll_or_expected_number_is_not_quorate(world):
    meeting = _meeting(world, attendee_count=12)
    quorum = quorum_of(meeting)
    assert not quorum.met and "名单" in quorum.problem()
    # A meeting of a kind without a rule needs no quorum.
    forum = _meeting(world, kind=MeetingKind.FOUR_TEAMS_FORUM, attendee_count=12)
    assert quorum_of(forum).met
    assert _resolve(world, forum, 7, against=5).passed


def test_rosters_attendance_and_resolutions_through_the_api(world, client):
    client.force_login(world.user("secretary_gaige"))
    for n in range(3):
        response = client.post(
            "/api/v1/rosters",
            {
                "village": world.gaige.pk,
                "body": "representatives",
                "valid_from": START.isoformat(),
                "name": f"代表{n}",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    listed = client.get(f"/api/v1/rosters?village={world.gaige.pk}").json()
    assert listed["count"] == 3
    created = client.post(
        "/api/v1/meetings",
        {
            "kind": "representatives",
            "title": "村民代表会议",
            "held_on": timezone.localdate().isoformat(),
            "villages": [world.gaige.pk],
        },
        content_type="application/json",
    ).json()
    assert [e["attendance"] for e in created["roll"]] == ["absent"] * 3
    assert created["expected_count"] == 3 and not created["quorum"]["met"]
    meeting = f"/api/v1/meetings/{created['id']}"
    marks = [{"entry": e["id"], "attendance": "present"} for e in created["roll"][:1]]
    marks.append({"entry": created["roll"][1]["id"], "attendance": "leave"})
    marked = client.post(
        f"{meeting}/attendance", {"marks": marks}, content_type="application/json"
    ).json()
    assert marked["attendee_count"] == 1 and marked["quorum"]["tests"][0]["needed"] == 2
    refused = client.post(
        f"{meeting}/resolutions",
        {"text": "晒场建设", "votes_for": 1, "passed": True},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "应到 3 人，实到 1 人，不足三分之二（差 1 人）" in refused.json()["detail"]
    recorded = client.post(
        f"{meeting}/resolutions",
        {"text": "晒场建设", "votes_for": 1},
        content_type="application/json",
    )
    assert recorded.status_code == 201 and recorded.json()["outcome"] == "not_quorate"
    shown = client.get(meeting).json()
    assert shown["resolutions"][0]["outcome_label"] == "未通过（不足法定人数）"
    # Other villages' rosters stay out of sight; their meetings out of reach.
    client.force_login(world.user("cadre_shuangsheng"))
    assert client.get("/api/v1/rosters").json()["count"] == 0
    assert client.post(
        f"{meeting}/attendance", {"marks": []}, content_type="application/json"
    ).status_code in {403, 404}
