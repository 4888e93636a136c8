"""Completing a drafted meeting (the weekly diagnosis) and amending a held meeting's record:
status, attendance, decisions that become action items, history, permissions, and bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import Item, Kind, Source, Transition
from maque.meetings.models import Meeting, MeetingDecision, MeetingKind
from maque.meetings.services import DecisionIn, diagnosis_draft, may_record, meeting_record
from tests.conftest import make_item


def drafted(world) -> Meeting:  # noqa: ANN001
    make_item(world)
    meeting = diagnosis_draft(town=world.town, now=timezone.now())
    assert meeting is not None and meeting.status == Meeting.Status.DRAFT
    return meeting


def record_values(world, **overrides: Any) -> dict[str, Any]:  # noqa: ANN001
    values: dict[str, Any] = {
        "held_on": timezone.localdate(),
        "place": "镇政府三楼会议室",
        "host": world.people["principal"],
        "recorder": world.people["inspector"],
        "attendees": [
            world.people["leader"],
            world.people["contact_gaige"],
            world.people["secretary_gaige"],
        ],
        "attendee_count": 9,
        "minutes": "逐村分析本周逾期事项，改革村逾期较多。",
    }
    values.update(overrides)
    return values


def state_of(meeting: Meeting) -> tuple[Any, ...]:
    """Everything a failed call must leave alone."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    return (
        meeting.status,
        meeting.minutes,
        meeting.place,
        meeting.attendee_count,
        sorted(meeting.attendees.values_list("pk", flat=True)),
        meeting.history.count(),
        MeetingDecision.objects.count(),
        Item.objects.count(),
        Transition.objects.count(),
    )


def test_it_records_the_drafted_diagnosis_as_held_with_its_action_items(world):  # noqa: ANN001
    meeting = drafted(world)
    deadline = timezone.localdate() + timedelta(days=14)
    recorded = meeting_record(
        meeting=meeting,
        by=world.user("principal"),
        **record_values(world),
        decisions=[
            DecisionIn(
                text="改革村三组撂荒地两周内复耕",
                owner=world.people["cadre_gaige"],
                deadline=deadline,
                village=world.gaige,
            ),
            DecisionIn(text="下周会诊继续跟踪双胜村"),
        ],
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert recorded.pk == meeting.pk and meeting.status == Meeting.Status.HELD
    assert (meeting.place, meeting.host, meeting.recorder, meeting.attendee_count) == (
        "镇政府三楼会议室",
        world.people["principal"],
        world.people["inspector"],
        9,
    )
    assert set(meeting.attendees.all()) == {
        world.people["leader"],
        world.people["contact_gaige"],
        world.people["secretary_gaige"],
    }
    assert meeting.minutes == "逐村分析本周逾期事项，改革村逾期较多。"
    # The indicator pack the tick drafted is kept.
    assert {v["village"] for v in meeting.indicators["villages"]} == {"改革村", "双胜村"}
    action, plain = meeting.decisions.order_by("order")
    assert plain.item is None and plain.text == "下周会诊继续跟踪双胜村"
    item = Item.objects.get(pk=action.item_id)
    assert (item.kind, item.source, item.owner, item.deadline, item.village) == (
        Kind.ACTION,
        Source.MEETING,
        world.people["cadre_gaige"],
        deadline,
        world.gaige,
    )
    assert item.transitions.filter(
        action="create", via="meeting", actor_user=world.user("principal")
    ).exists()
    # History: the draft as the tick wrote it, then one row for the record, by the principal.
    draft_row, record_row = meeting.history.order_by("history_date", "history_id")
    assert draft_row.status == Meeting.Status.DRAFT and draft_row.minutes == ""
    assert (record_row.status, record_row.history_user, record_row.history_change_reason) == (
        Meeting.Status.HELD,
        world.user("principal"),
        "record",
    )


def test_it_amends_a_held_meeting_keeping_the_old_record_and_its_action_items(world):  # noqa: ANN001
    meeting = drafted(world)
    deadline = timezone.localdate() + timedelta(days=7)
    meeting_record(
        meeting=meeting,
        by=world.user("inspector"),
        **record_values(world),
        decisions=[
            DecisionIn(
                text="清理二组河道",
                owner=world.people["cadre_gaige"],
                deadline=deadline,
                village=world.gaige,
            )
        ],
    )
    first = MeetingDecision.objects.get()
    meeting = Meeting.objects.get(pk=meeting.pk)
    meeting_record(
        meeting=meeting,
        by=world.user("leader"),
        **record_values(
            world,
            minutes="更正：改革村逾期3件，双胜村逾期1件。",
            attendees=[world.people["leader"], world.people["cadre_gaige"]],
            attendee_count=None,
        ),
        decisions=[
            DecisionIn(
                text="双胜村补报台账",
                owner=world.people["cadre_shuangsheng"],
                deadline=deadline,
                village=world.shuangsheng,
            )
        ],
        reason="会后核对数字有误",
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (
        meeting.status == Meeting.Status.HELD
        and meeting.minutes == "更正：改革村逾期3件，双胜村逾期1件。"
    )
    assert meeting.attendee_count == 2
    assert set(meeting.attendees.all()) == {world.people["leader"], world.people["cadre_gaige"]}
    # Decisions are only added: the first one and its action item are untouched.
    assert list(meeting.decisions.order_by("order").values_list("text", "order")) == [
        ("清理二组河道", 0),
        ("双胜村补报台账", 1),
    ]
    assert MeetingDecision.objects.get(pk=first.pk).item_id == first.item_id
    assert Item.objects.filter(kind=Kind.ACTION, source=Source.MEETING).count() == 2
    # The history keeps the old text and attendance, and says who changed it and why.
    latest, recorded, _draft = meeting.history.order_by("-history_date", "-history_id")
    assert (
        recorded.minutes == "逐村分析本周逾期事项，改革村逾期较多。"
        and recorded.attendee_count == 9
    )
    assert {a.person_id for a in recorded.attendees.all()} == {
        world.people["leader"].pk,
        world.people["contact_gaige"].pk,
        world.people["secretary_gaige"].pk,
    }
    assert (latest.history_user, latest.history_change_reason) == (
        world.user("leader"),
        "amend: 会后核对数字有误",
    )
    assert {a.person_id for a in latest.attendees.all()} == {
        world.people["leader"].pk,
        world.people["cadre_gaige"].pk,
    }


def test_it_refuses_an_amendment_without_a_reason_or_without_a_change(world):  # noqa: ANN001
    meeting = drafted(world)
    meeting_record(meeting=meeting, by=world.user("principal"), **record_values(world))
    meeting = Meeting.objects.get(pk=meeting.pk)
    before = state_of(meeting)
    with pytest.raises(ValidationError) as error:
        meeting_record(
            meeting=meeting, by=world.user("principal"), **record_values(world, minutes="改了")
        )
    assert error.value.message_dict == {"reason": ["修改已召开会议的记录须说明原因。"]}
    with pytest.raises(ValidationError) as error:
        meeting_record(
            meeting=meeting, by=world.user("principal"), **record_values(world), reason="核对"
        )
    assert error.value.message_dict == {"__all__": ["没有任何修改。"]}
    assert state_of(meeting) == before


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("principal", True),
        ("leader", True),
        ("inspector", True),
        ("discipline", False),
        ("contact_gaige", False),
        ("secretary_gaige", False),
        ("cadre_gaige", False),
        ("cadre_shuangsheng", False),
        ("outsider", False),
    ],
)
def test_only_town_organisers_record_the_town_wide_diagnosis(world, persona, allowed):  # noqa: ANN001
    meeting = drafted(world)
    before = state_of(meeting)
    assert may_record(by=world.user(persona), meeting=meeting) is allowed
    if allowed:
        meeting_record(meeting=meeting, by=world.user(persona), **record_values(world))
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD
    else:
        with pytest.raises(NotPermitted):
            meeting_record(meeting=meeting, by=world.user(persona), **record_values(world))
        assert state_of(meeting) == before


def test_village_organisers_record_drafts_of_their_own_villages_only(world):  # noqa: ANN001
    meeting = Meeting.objects.create(
        town=world.town,
        kind=MeetingKind.PARTY_MASSES_COUNCIL,
        status=Meeting.Status.DRAFT,
        title="改革村党群议事会",
        held_on=timezone.localdate(),
    )
    meeting.villages.set([world.gaige])
    joint = Meeting.objects.create(
        town=world.town,
        kind=MeetingKind.JOINT,
        status=Meeting.Status.DRAFT,
        title="改革村联席会议",
        held_on=timezone.localdate(),
    )
    joint.villages.set([world.gaige])
    # A cadre records the village meetings he runs (a council), not a joint meeting with the town.
    for persona, draft in (("contact_shuangsheng", meeting), ("cadre_gaige", joint)):
        with pytest.raises(NotPermitted):
            meeting_record(meeting=draft, by=world.user(persona), **record_values(world))
    deadline = timezone.localdate() + timedelta(days=5)
    # One village: an action without a village belongs to it.
    meeting_record(
        meeting=meeting,
        by=world.user("secretary_gaige"),
        **record_values(world, host=world.people["secretary_gaige"]),
        decisions=[
            DecisionIn(text="修缮晒场", owner=world.people["cadre_gaige"], deadline=deadline)
        ],
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.status == Meeting.Status.HELD
    assert meeting.decisions.get().item.village == world.gaige


@pytest.mark.parametrize(
    ("overrides", "decisions", "field", "message"),
    [
        (
            {"held_on": timezone.localdate() + timedelta(days=1)},
            [],
            "held_on",
            "会议不能记录为在将来的日期召开。",
        ),
        ({"minutes": "  "}, [], "minutes", "请填写会议纪要。"),
        (
            {"attendees": [], "attendee_count": None},
            [],
            "attendees",
            "请记录出席情况：列出参会人员或填写到会人数。",
        ),
        ({"attendee_count": 1}, [], "attendee_count", "到会人数不能少于登记的参会人员数。"),
        ({"expected_count": -1}, [], "expected_count", "人数不能为负数。"),
        (
            {},
            [{"text": "只有责任人", "owner": "cadre_gaige", "village": "gaige"}],
            "decisions[0]",
            "落实事项须同时指定责任人和完成时限。",
        ),
        (
            {},
            [{"text": "没说哪个村", "owner": "cadre_gaige", "deadline": 1}],
            "decisions[0].village",
            "请指明落实事项所属的村（社区）。",
        ),
        ({}, [{"text": " "}], "decisions[0].text", "请填写决定事项的内容。"),
        # The first action is valid and would be created; the second fails in the ledger: nothing stays.
        (
            {},
            [
                {"text": "先建的事项", "owner": "cadre_gaige", "deadline": 3, "village": "gaige"},
                {
                    "text": "时限早于会议",
                    "owner": "cadre_gaige",
                    "deadline": -3,
                    "village": "gaige",
                },
            ],
            "decisions[1].deadline",
            "整改时限不能早于发现日期。",
        ),
    ],
)
def test_bad_input_is_refused_in_chinese_and_changes_nothing(
    world, overrides, decisions, field, message
):  # noqa: ANN001
    meeting = drafted(world)
    before = state_of(meeting)
    today = timezone.localdate()
    # Personas, villages and days from now are named in the parameters (the world exists only here).
    decisions = [
        DecisionIn(
            text=d["text"],
            owner=world.people[d["owner"]] if "owner" in d else None,
            deadline=today + timedelta(days=d["deadline"]) if "deadline" in d else None,
            village=getattr(world, d["village"]) if "village" in d else None,
        )
        for d in decisions
    ]
    with pytest.raises(ValidationError) as error:
        meeting_record(
            meeting=meeting,
            by=world.user("principal"),
            **record_values(world, **overrides),
            decisions=decisions,
        )
    assert error.value.message_dict[field] == [message]
    assert state_of(meeting) == before


def test_it_refuses_to_record_a_draft_someone_recorded_meanwhile(world):  # noqa: ANN001
    meeting = drafted(world)
    stale = Meeting.objects.get(pk=meeting.pk)
    meeting_record(meeting=meeting, by=world.user("principal"), **record_values(world))
    before = state_of(meeting)
    with pytest.raises(ConflictError):
        meeting_record(
            meeting=stale, by=world.user("inspector"), **record_values(world, minutes="另一份纪要")
        )
    assert state_of(meeting) == before
    assert Meeting.objects.get(pk=meeting.pk).minutes == "逐村分析本周逾期事项，改革村逾期较多。"


def test_it_records_and_amends_through_the_api(world, client):  # noqa: ANN001
    meeting = drafted(world)
    url = f"/api/v1/meetings/{meeting.pk}/record"
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    payload = {
        "place": "镇会议室",
        "host": world.people["principal"].pk,
        "recorder": world.people["inspector"].pk,
        "attendees": [world.people["leader"].pk, world.people["contact_gaige"].pk],
        "attendee_count": 6,
        "minutes": "会诊纪要。",
        "decisions": [
            {
                "text": "改革村补齐整改照片",
                "owner": world.people["cadre_gaige"].pk,
                "deadline": deadline,
                "village": world.gaige.pk,
            }
        ],
    }
    # Who cannot see the diagnosis learns nothing; who sees it but does not organise is refused.
    for persona in ("cadre_shuangsheng", "outsider"):
        client.force_login(world.user(persona))
        assert client.post(url, payload, content_type="application/json").status_code == 404
    # A contact leader reads the diagnosis of his villages but the town's leaders record it.
    for persona in ("discipline", "contact_gaige"):
        client.force_login(world.user(persona))
        refused = client.post(url, payload, content_type="application/json")
        assert refused.status_code == 403 and refused.json()["code"]
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.DRAFT
    # Bad input: a structured 422, nothing written.
    client.force_login(world.user("inspector"))
    before = state_of(meeting)
    bad = client.post(
        url,
        {
            **payload,
            "minutes": "",
            "attendee_count": 1,
            "decisions": [{"text": "缺时限", "owner": world.people["cadre_gaige"].pk}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "minutes": ["请填写会议纪要。"],
        "attendee_count": ["到会人数不能少于登记的参会人员数。"],
        "decisions[0]": ["落实事项须同时指定责任人和完成时限。"],
        "decisions[0].village": ["请指明落实事项所属的村（社区）。"],
    }
    unknown = client.post(url, {**payload, "host": 999999}, content_type="application/json")
    assert unknown.status_code == 422 and list(unknown.json()["errors"]) == ["host"]
    assert state_of(meeting) == before
    # Recorded: the answer is the meeting as GET shows it.
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == client.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert body["status"] == "held" and body["attendee_count"] == 6 and body["host"] == "principal"
    assert (
        body["decisions"][0]["owner"] == "cadre_gaige"
        and body["decisions"][0]["deadline"] == deadline
    )
    assert Item.objects.get(code=body["decisions"][0]["item"]).kind == Kind.ACTION
    # Amending: fields left out keep their value; a reason is required.
    assert (
        client.post(
            url, {"minutes": "会诊纪要（更正）。"}, content_type="application/json"
        ).status_code
        == 422
    )
    amended = client.post(
        url, {"minutes": "会诊纪要（更正）。", "reason": "补充"}, content_type="application/json"
    )
    assert amended.status_code == 200
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.minutes, meeting.place, meeting.attendee_count, meeting.decisions.count()) == (
        "会诊纪要（更正）。",
        "镇会议室",
        6,
        1,
    )
    assert meeting.history.filter(minutes="会诊纪要。", status=Meeting.Status.HELD).exists()
    # An attendee now sees the meeting but may not amend it.
    client.force_login(world.user("contact_gaige"))
    assert client.get(f"/api/v1/meetings/{meeting.pk}").status_code == 200
    assert (
        client.post(
            url, {"minutes": "x", "reason": "y"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert Meeting.objects.get(pk=meeting.pk).minutes == "会诊纪要（更正）。"
