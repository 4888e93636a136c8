"""Meetings: recording with decisions that become action items, scoping, and the weekly diagnosis."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from maque.ledger import lifecycle
from maque.ledger.errors import NotPermitted
from maque.ledger.models import Item, Kind, Source
from maque.meetings.models import Meeting, MeetingKind
from maque.meetings.queries import diagnosis_pack
from maque.meetings.services import DecisionIn, meeting_create
from maque.meetings.tick import draft_weekly_diagnosis
from tests.conftest import drive_to_closed, drive_to_submitted, make_item, photo


def test_it_records_a_progress_meeting_whose_decisions_become_action_items(world):
    deadline = timezone.localdate() + timedelta(days=10)
    meeting = meeting_create(
        by=world.user("contact_gaige"),
        town=world.town,
        kind=MeetingKind.PROGRESS,
        title="改革村撂荒地整治推进会",
        held_on=timezone.localdate(),
        place="改革村村委会",
        villages=[world.gaige],
        host=world.people["contact_gaige"],
        recorder=world.people["secretary_gaige"],
        attendees=[world.people["cadre_gaige"], world.people["secretary_gaige"]],
        attendee_count=12,
        minutes="逐户分析撂荒原因。",
        decisions=[
            DecisionIn(
                text="三组撂荒地月底前完成翻耕",
                owner=world.people["cadre_gaige"],
                deadline=deadline,
            ),
            DecisionIn(text="下周再议"),
        ],
    )
    meeting.refresh_from_db()
    assert meeting.attendee_count == 12 and set(meeting.attendees.all()) == {
        world.people["cadre_gaige"],
        world.people["secretary_gaige"],
    }
    action, plain = meeting.decisions.order_by("order")
    assert plain.item is None
    item = Item.objects.get(pk=action.item_id)
    assert (item.kind, item.source, item.owner, item.deadline, item.village) == (
        Kind.ACTION,
        Source.MEETING,
        world.people["cadre_gaige"],
        deadline,
        world.gaige,
    )
    assert item.transitions.filter(action="create", via="meeting").exists()
    assert meeting.history.count() >= 1


def test_it_refuses_meetings_outside_ones_villages_and_bad_decisions(world):
    with pytest.raises(NotPermitted):
        meeting_create(
            by=world.user("contact_gaige"),
            town=world.town,
            kind=MeetingKind.JOINT,
            title="x",
            held_on=timezone.localdate(),
            villages=[world.shuangsheng],
        )
    with pytest.raises(NotPermitted):
        meeting_create(
            by=world.user("cadre_gaige"),
            town=world.town,
            kind=MeetingKind.JOINT,
            title="x",
            held_on=timezone.localdate(),
            villages=[world.gaige],
        )
    with pytest.raises(ValidationError) as error:
        meeting_create(
            by=world.user("principal"),
            town=world.town,
            kind=MeetingKind.JOINT,
            title="x",
            held_on=timezone.localdate(),
            villages=[world.gaige],
            decisions=[DecisionIn(text="只有责任人", owner=world.people["cadre_gaige"])],
        )
    assert "decisions[0]" in error.value.message_dict
    assert not Meeting.objects.exists() and not Item.objects.filter(kind=Kind.ACTION).exists()


def test_it_lists_and_records_meetings_through_the_api(world, client):
    client.force_login(world.user("secretary_gaige"))
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        "/api/v1/meetings",
        {
            "kind": "party_masses_council",
            "title": "党群议事会",
            "held_on": timezone.localdate().isoformat(),
            "villages": [world.gaige.pk],
            "attendees": [world.people["cadre_gaige"].pk],
            "attendee_count": 9,
            "decisions": [
                {"text": "修缮晒场", "owner": world.people["cadre_gaige"].pk, "deadline": deadline}
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["villages"] == ["改革村"] and body["decisions"][0]["item"]
    assert Item.objects.get(code=body["decisions"][0]["item"]).kind == Kind.ACTION
    upload = client.post(f"/api/v1/meetings/{body['id']}/files", {"file": photo("签到表.jpg")})
    assert upload.status_code == 201 and Meeting.objects.get(pk=body["id"]).files.count() == 1
    assert client.get("/api/v1/meetings").json()["count"] == 1
    client.force_login(world.user("cadre_shuangsheng"))
    assert client.get("/api/v1/meetings").json()["count"] == 0
    assert client.get(f"/api/v1/meetings/{body['id']}").status_code == 404
    client.force_login(world.user("outsider"))
    assert client.get("/api/v1/meetings").json()["count"] == 0


def test_it_computes_the_diagnosis_pack_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    today = timezone.localdate()
    make_item(world, found_on=today - timedelta(days=20), deadline=today - timedelta(days=2))
    drive_to_closed(world, make_item(world, title="已销号"))
    returned = drive_to_submitted(world, make_item(world, title="退回"))
    lifecycle.item_return(item=returned, by=world.user("inspector"), reason="不到位")
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng)
    # Four for the items, one for the returns, one for the villages.
    with django_assert_max_num_queries(6):
        pack = diagnosis_pack(town=world.town, now=timezone.now() + timedelta(seconds=1))
    gaige = next(v for v in pack["villages"] if v["village"] == "改革村")
    assert gaige["this"] == {
        "found": 3,
        "closed": 1,
        "overdue": 1,
        "returned": 1,
        "stale": 0,
        "closure_rate": 33.3,
    }
    assert gaige["last"] == {
        "found": 0,
        "closed": 0,
        "overdue": 0,
        "returned": 0,
        "stale": 0,
        "closure_rate": None,
    }
    shuangsheng = next(v for v in pack["villages"] if v["village"] == "双胜村")
    assert shuangsheng["this"]["found"] == 1 and shuangsheng["this"]["closed"] == 0


def test_it_drafts_the_weekly_diagnosis_once(world):
    make_item(world)
    monday = datetime(2026, 11, 23)
    before = timezone.make_aware(datetime.combine(monday, time(8, 0)))
    due = timezone.make_aware(datetime.combine(monday, time(9, 5)))
    assert draft_weekly_diagnosis(now=before) == 0
    assert draft_weekly_diagnosis(now=due) == 1
    assert draft_weekly_diagnosis(now=due + timedelta(hours=1)) == 0
    assert draft_weekly_diagnosis(now=due + timedelta(days=2)) == 0
    meeting = Meeting.objects.get()
    assert meeting.kind == MeetingKind.DIAGNOSIS and meeting.status == Meeting.Status.DRAFT
    assert meeting.week_start == monday.date() and {
        v["village"] for v in meeting.indicators["villages"]
    } == {"改革村", "双胜村"}
    assert draft_weekly_diagnosis(now=due + timedelta(days=7)) == 1


def test_it_lists_the_watch_list_it_is_given_and_flags_nobody_by_itself(world):
    today = timezone.localdate()
    for number in range(5):
        make_item(
            world,
            persona="cadre_shuangsheng",
            village=world.shuangsheng,
            title=f"逾期{number}",
            found_on=today - timedelta(days=20),
            deadline=today - timedelta(days=2),
        )
    now = timezone.now() + timedelta(seconds=1)
    # The watch list is the diagnosis app's (above this one): without it, no candidates at all.
    assert diagnosis_pack(town=world.town, now=now)["watch_candidates"] == []
    entries = [{"village": "双胜村", "reasons": ["逾期15天以上2件"]}]
    pack = diagnosis_pack(town=world.town, now=now, watch_list=lambda town, moment: entries)
    assert pack["watch_candidates"] == entries


def test_it_titles_the_drafted_diagnosis_by_its_week(world):
    due = timezone.make_aware(datetime.combine(datetime(2026, 11, 23), time(9, 5)))
    assert draft_weekly_diagnosis(now=due) == 1
    assert Meeting.objects.get().title == "2026年第48周会诊会"
    with translation.override("en"):
        assert draft_weekly_diagnosis(now=due + timedelta(days=7)) == 1
    assert Meeting.objects.latest("id").title == "Weekly diagnosis, week 49 of 2026"


def test_it_drafts_the_diagnosis_with_the_watch_list_it_is_given(world, monkeypatch):
    seen = []
    monkeypatch.setattr("maque.meetings.tick.diagnosis_draft", lambda **kwargs: seen.append(kwargs))
    due = timezone.make_aware(datetime.combine(datetime(2026, 11, 23), time(9, 5)))

    def provider(town, moment):  # noqa: ANN001, ANN202
        return []

    draft_weekly_diagnosis(now=due, watch_list=provider)
    assert [(k["town"], k["watch_list"]) for k in seen] == [(world.town, provider)]
