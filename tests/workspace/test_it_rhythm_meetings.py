"""Meetings (会议) in the workspace: list and filters, a meeting's page with its action items and
the weekly diagnosis's indicator pack, recording a meeting, files, and who sees what."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from maque.ledger.models import Item, Kind, Source
from maque.meetings.models import Meeting, MeetingDecision, MeetingFile, MeetingKind
from maque.meetings.services import DecisionIn, diagnosis_draft, meeting_create
from tests.conftest import drive_to_closed, make_item, photo


def signed_in(client, world, persona):  # noqa: ANN001, ANN201
    client.force_login(world.user(persona))
    return client


def village_meeting(world, village, title: str, kind: str = MeetingKind.JOINT, **extra):  # noqa: ANN001, ANN003, ANN201
    return meeting_create(
        by=world.user("principal"),
        town=world.town,
        kind=kind,
        title=title,
        held_on=timezone.localdate(),
        villages=[village],
        **extra,
    )


def test_it_lists_meetings_by_scope_and_filters_by_kind_and_village(client, world):  # noqa: ANN001
    village_meeting(world, world.gaige, "改革村联席会议")
    village_meeting(world, world.shuangsheng, "双胜村主题党日", kind=MeetingKind.THEME_PARTY_DAY)
    page = signed_in(client, world, "principal").get("/meetings/").content.decode()
    assert "改革村联席会议" in page and "双胜村主题党日" in page
    by_kind = client.get("/meetings/", {"kind": MeetingKind.THEME_PARTY_DAY}).content.decode()
    assert "双胜村主题党日" in by_kind and "改革村联席会议" not in by_kind
    by_village = client.get("/meetings/", {"village": world.gaige.pk}).content.decode()
    assert "改革村联席会议" in by_village and "双胜村主题党日" not in by_village
    # A cadre of 改革村 sees the meetings of 改革村 only, and records the village meetings he
    # runs (a field walk, a forum); someone with no village role gets no button.
    page = signed_in(client, world, "cadre_gaige").get("/meetings/").content.decode()
    assert "改革村联席会议" in page and "双胜村主题党日" not in page
    assert "/meetings/new/" in page
    page = signed_in(client, world, "discipline").get("/meetings/").content.decode()
    assert "/meetings/new/" not in page
    assert client.get("/meetings/new/").status_code == 403


def test_it_shows_a_meeting_with_attendance_minutes_and_linked_action_items(client, world):  # noqa: ANN001
    deadline = timezone.localdate() + timedelta(days=10)
    meeting = village_meeting(
        world,
        world.gaige,
        "改革村推进会",
        kind=MeetingKind.PROGRESS,
        place="村委会会议室",
        host=world.people["principal"],
        recorder=world.people["secretary_gaige"],
        attendees=[world.people["cadre_gaige"], world.people["contact_gaige"]],
        attendee_count=12,
        minutes="会议研究了撂荒地复耕进度。",
        decisions=[
            DecisionIn(
                text="三组撂荒地月底前复耕", owner=world.people["cadre_gaige"], deadline=deadline
            ),
            DecisionIn(text="下周再议晒场选址"),
        ],
    )
    item = MeetingDecision.objects.get(meeting=meeting, text="三组撂荒地月底前复耕").item
    response = signed_in(client, world, "cadre_gaige").get(f"/meetings/{meeting.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "改革村推进会",
        "村委会会议室",
        "会议研究了撂荒地复耕进度。",
        "下周再议晒场选址",
        "12",
        "cadre_gaige",
    ):
        assert text in page
    assert f'href="/items/{item.pk}/"' in page and item.code in page
    assert deadline.strftime("%Y-%m-%d") in page
    # Nobody outside the meeting's villages or town-wide roles learns it exists.
    assert (
        signed_in(client, world, "cadre_shuangsheng").get(f"/meetings/{meeting.pk}/").status_code
        == 404
    )
    client.force_login(world.user("outsider"))
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404


def test_it_shows_the_weekly_diagnosis_pack_per_village_this_week_against_last(client, world):  # noqa: ANN001
    drive_to_closed(world, make_item(world, title="已销号"))
    make_item(world, title="新发现")
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村新问题")
    meeting = diagnosis_draft(town=world.town, now=timezone.now())
    response = signed_in(client, world, "leader").get(f"/meetings/{meeting.pk}/")
    page = response.content.decode()
    rows = {row["village"]: row for row in response.context["pack"]["rows"]}
    gaige = {cell["key"]: (cell["this"], cell["last"]) for cell in rows["改革村"]["cells"]}
    assert (
        gaige["found"] == (2, 0)
        and gaige["closed"] == (1, 0)
        and gaige["closure_rate"] == (50.0, "—")
    )
    shuangsheng = {cell["key"]: cell["this"] for cell in rows["双胜村"]["cells"]}
    assert shuangsheng["found"] == 1 and shuangsheng["closed"] == 0
    assert "指标包" in page and "销号率" in page and "改革村" in page and "双胜村" in page
    assert "草稿" in page


def test_it_records_a_meeting_whose_decision_becomes_an_action_item(client, world):  # noqa: ANN001
    deadline = timezone.localdate() + timedelta(days=7)
    client = signed_in(client, world, "secretary_gaige")
    assert "/meetings/new/" in client.get("/meetings/").content.decode()
    response = client.post(
        "/meetings/new/",
        {
            "kind": MeetingKind.PARTY_MASSES_COUNCIL,
            "title": "改革村党群议事会",
            "held_on": timezone.localdate().isoformat(),
            "place": "村部",
            "villages": [world.gaige.pk],
            "host": world.people["secretary_gaige"].pk,
            "attendees": [world.people["cadre_gaige"].pk],
            "attendee_count": "15",
            "minutes": "议定修缮晒场。",
            "decisions-TOTAL_FORMS": "3",
            "decisions-INITIAL_FORMS": "0",
            "decisions-0-text": "修缮二组晒场",
            "decisions-0-owner": world.people["cadre_gaige"].pk,
            "decisions-0-deadline": deadline.isoformat(),
            "decisions-1-text": "",
            "decisions-2-text": "",
        },
    )
    meeting = Meeting.objects.get(title="改革村党群议事会")
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert list(meeting.villages.all()) == [world.gaige] and meeting.attendee_count == 15
    item = meeting.decisions.get().item
    assert item.kind == Kind.ACTION and item.source == Source.MEETING
    assert (
        item.owner == world.people["cadre_gaige"]
        and item.deadline == deadline
        and item.village == world.gaige
    )
    assert "1 个行动事项" in client.get(response["Location"]).content.decode()


def test_it_refuses_bad_input_in_chinese_and_saves_nothing(client, world):  # noqa: ANN001
    client = signed_in(client, world, "secretary_gaige")
    before = (Meeting.objects.count(), Item.objects.count())
    base = {
        "decisions-TOTAL_FORMS": "3",
        "decisions-INITIAL_FORMS": "0",
        "held_on": timezone.localdate().isoformat(),
        "kind": MeetingKind.JOINT,
    }
    # No title; a decision with an owner but no deadline.
    response = client.post(
        "/meetings/new/",
        {
            **base,
            "title": "",
            "villages": [world.gaige.pk],
            "decisions-0-text": "某项决定",
            "decisions-0-owner": world.people["cadre_gaige"].pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "这个字段是必填项" in page
    # The service's rule, shown on the decision: an action needs both owner and deadline.
    response = client.post(
        "/meetings/new/",
        {
            **base,
            "title": "议事会",
            "villages": [world.gaige.pk],
            "decisions-0-text": "某项决定",
            "decisions-0-owner": world.people["cadre_gaige"].pk,
        },
    )
    assert response.status_code == 422
    assert "落实事项须同时指定责任人和完成时限" in response.content.decode()
    # A village outside the secretary's charge is not even a choice.
    response = client.post(
        "/meetings/new/", {**base, "title": "议事会", "villages": [world.shuangsheng.pk]}
    )
    assert response.status_code == 422 and "选择一个有效的选项" in response.content.decode()
    assert (Meeting.objects.count(), Item.objects.count()) == before


def test_it_adds_and_serves_meeting_files_only_to_those_who_see_the_meeting(client, world):  # noqa: ANN001
    meeting = village_meeting(world, world.gaige, "改革村联席会议")
    client = signed_in(client, world, "contact_gaige")
    response = client.post(f"/meetings/{meeting.pk}/files/", {"file": photo("签到表.jpg")})
    assert response.status_code == 302
    stored = MeetingFile.objects.get(meeting=meeting)
    assert stored.original_name == "签到表.jpg"
    assert "签到表.jpg" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert client.get(f"/meetings/files/{stored.pk}/").status_code == 200
    assert (
        signed_in(client, world, "cadre_shuangsheng")
        .get(f"/meetings/files/{stored.pk}/")
        .status_code
        == 404
    )
    # A cadre may read the meeting but not add files: the service refuses, nothing is stored.
    client = signed_in(client, world, "cadre_gaige")
    client.post(f"/meetings/{meeting.pk}/files/", {"file": photo("x.jpg")})
    assert MeetingFile.objects.filter(meeting=meeting).count() == 1


# --- completing the drafted weekly diagnosis, amending a held meeting's record ------------------


def drafted_diagnosis(world):  # noqa: ANN001, ANN201
    make_item(world)
    return diagnosis_draft(town=world.town, now=timezone.now())


def record_form(world, **overrides):  # noqa: ANN001, ANN003, ANN201
    data = {
        "seen": "draft",
        "held_on": timezone.localdate().isoformat(),
        "place": "镇政府会议室",
        "host": world.people["principal"].pk,
        "recorder": world.people["inspector"].pk,
        "attendees": [world.people["leader"].pk, world.people["contact_gaige"].pk],
        "attendee_count": "7",
        "minutes": "逐村会诊，改革村逾期事项较多。",
        "decisions-TOTAL_FORMS": "3",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-text": "",
        "decisions-1-text": "",
        "decisions-2-text": "",
    }
    data.update(overrides)
    return data


def test_it_offers_the_record_form_on_a_draft_only_to_those_who_may_record_it(client, world):  # noqa: ANN001
    meeting = drafted_diagnosis(world)
    page = signed_in(client, world, "principal").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "记录会议" in page and f'action="/meetings/{meeting.pk}/record/"' in page
    assert "修改纪要" not in page
    # The discipline commission reads the town's meetings but does not organise them.
    response = signed_in(client, world, "discipline").get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200 and "/record/" not in response.content.decode()
    assert client.post(f"/meetings/{meeting.pk}/record/", record_form(world)).status_code == 403
    # A village cadre does not even see the town's diagnosis.
    assert (
        signed_in(client, world, "cadre_shuangsheng")
        .post(f"/meetings/{meeting.pk}/record/", record_form(world))
        .status_code
        == 404
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT and meeting.history.count() == 1


def test_it_records_the_drafted_diagnosis_whose_decisions_become_action_items(client, world):  # noqa: ANN001
    meeting = drafted_diagnosis(world)
    deadline = timezone.localdate() + timedelta(days=14)
    client = signed_in(client, world, "inspector")
    response = client.post(
        f"/meetings/{meeting.pk}/record/",
        record_form(
            world,
            **{
                "decisions-0-text": "改革村逾期事项两周内清零",
                "decisions-0-owner": world.people["cadre_gaige"].pk,
                "decisions-0-deadline": deadline.isoformat(),
                "decisions-0-village": world.gaige.pk,
                "decisions-1-text": "下周继续会诊双胜村",
            },
        ),
    )
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.attendee_count == 7
    assert (meeting.place, meeting.host, meeting.recorder) == (
        "镇政府会议室",
        world.people["principal"],
        world.people["inspector"],
    )
    assert set(meeting.attendees.all()) == {world.people["leader"], world.people["contact_gaige"]}
    action, plain = meeting.decisions.order_by("order")
    assert plain.item is None
    assert (
        action.item.kind,
        action.item.source,
        action.item.owner,
        action.item.deadline,
        action.item.village,
    ) == (Kind.ACTION, Source.MEETING, world.people["cadre_gaige"], deadline, world.gaige)
    assert meeting.history.latest("history_date").history_user == world.user("inspector")
    page = client.get(response["Location"]).content.decode()
    assert "已记录为已召开" in page and "1 个行动事项" in page
    # Held now: no draft badge; the record form became the amendment form.
    assert "修改纪要" in page and "记录会议" not in page and 'name="seen" value="held"' in page


def test_it_refuses_a_bad_record_in_chinese_and_changes_nothing(client, world):  # noqa: ANN001
    meeting = drafted_diagnosis(world)
    client = signed_in(client, world, "principal")
    before = (Item.objects.count(), MeetingDecision.objects.count(), meeting.history.count())
    response = client.post(
        f"/meetings/{meeting.pk}/record/",
        record_form(
            world,
            **{
                "minutes": "",
                "decisions-0-text": "只有责任人",
                "decisions-0-owner": world.people["cadre_gaige"].pk,
                "decisions-0-village": world.gaige.pk,
            },
        ),
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert (
        "请填写会议纪要。" in page
        and "落实事项须同时指定责任人和完成时限" in page
        and "本次未保存任何内容" in page
    )
    # The service's rule on the decision: a deadline before the meeting fails in the ledger.
    response = client.post(
        f"/meetings/{meeting.pk}/record/",
        record_form(
            world,
            **{
                "decisions-0-text": "先建的事项",
                "decisions-0-owner": world.people["cadre_gaige"].pk,
                "decisions-0-deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
                "decisions-0-village": world.gaige.pk,
                "decisions-1-text": "时限早于会议",
                "decisions-1-owner": world.people["cadre_gaige"].pk,
                "decisions-1-deadline": (timezone.localdate() - timedelta(days=3)).isoformat(),
                "decisions-1-village": world.gaige.pk,
            },
        ),
    )
    assert response.status_code == 422 and "整改时限不能早于发现日期" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT and meeting.minutes == ""
    assert (
        Item.objects.count(),
        MeetingDecision.objects.count(),
        meeting.history.count(),
    ) == before


def test_it_amends_the_minutes_of_a_held_meeting_keeping_the_old_text(client, world):  # noqa: ANN001
    meeting = drafted_diagnosis(world)
    client = signed_in(client, world, "principal")
    client.post(f"/meetings/{meeting.pk}/record/", record_form(world))
    amended = record_form(world, seen="held", minutes="更正：改革村逾期3件。")
    # Without a reason: refused, nothing changes.
    response = client.post(f"/meetings/{meeting.pk}/record/", amended)
    assert (
        response.status_code == 422
        and "修改已召开会议的记录须说明原因" in response.content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "逐村会诊，改革村逾期事项较多。"
    response = client.post(f"/meetings/{meeting.pk}/record/", {**amended, "reason": "会后核对数字"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.minutes == "更正：改革村逾期3件。"
    assert meeting.history.filter(
        minutes="逐村会诊，改革村逾期事项较多。", status=Meeting.Status.HELD
    ).exists()
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert (
        "纪要修改记录" in page
        and "会后核对数字" in page
        and "逐村会诊，改革村逾期事项较多。" in page
    )
    # A page drawn while the meeting was a draft does not overwrite the record made since.
    response = client.post(
        f"/meetings/{meeting.pk}/record/", record_form(world, minutes="另一份纪要")
    )
    assert (
        response.status_code == 409 and "其他人已在此期间记录了该会议" in response.content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "更正：改革村逾期3件。"
