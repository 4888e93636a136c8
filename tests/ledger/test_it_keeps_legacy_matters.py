"""Legacy matters (遗留问题): 轻重缓急, a coordination log, never overdue without a deadline, and
the rhythm's reminder when nobody has coordinated for the town's number of days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maque.api.services import token_issue
from maque.ledger import definitions, lifecycle
from maque.ledger.errors import NotPermitted
from maque.ledger.figures import most_overdue, overdue_counts
from maque.ledger.models import Item, Kind
from maque.ledger.queries import item_list, with_indicators
from maque.ledger.services import coordination_add
from maque.notifications.models import Notification
from maque.rhythm.coordination import remind_coordination
from maque.rhythm.models import rhythm_settings
from tests.conftest import World

pytestmark = pytest.mark.django_db


def legacy(world: World, title: str, **values) -> Item:  # noqa: ANN003
    return lifecycle.item_create(
        by=world.user("secretary_gaige"),
        campaign=world.campaign,
        village=world.gaige,
        title=title,
        kind=Kind.LEGACY,
        owner=world.people["cadre_gaige"],
        **values,
    )


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))


def test_it_sorts_legacy_matters_by_weight_then_urgency(world):
    today = timezone.localdate()
    minor_slack = legacy(world, "轻缓", importance="minor", urgency="slack")
    major_slack = legacy(world, "重缓", importance="major", urgency="slack")
    unsorted = legacy(world, "未分")
    major_urgent = legacy(world, "重急", importance="major", urgency="urgent")
    minor_urgent = legacy(world, "轻急", importance="minor", urgency="urgent")
    rows = item_list(user=world.user("principal"), kind=Kind.LEGACY, sort="priority", day=today)
    assert [i.title for i in rows] == ["重急", "重缓", "轻急", "轻缓", "未分"]
    assert {major_urgent, major_slack, minor_urgent, minor_slack, unsorted} == set(rows)


def test_it_gives_importance_and_urgency_to_legacy_matters_only(world):
    with pytest.raises(ValidationError) as refused:
        lifecycle.item_create(
            by=world.user("leader"),
            campaign=world.campaign,
            category=world.category("farmland-outflow"),
            village=world.gaige,
            title="撂荒",
            importance="major",
            attributes={
                "plot": "GG-001",
                "area_mu": "3.5",
                "current_use": "撂荒",
                "target_use": "复耕",
            },
        )
    assert "importance" in refused.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        legacy(world, "错值", urgency="tomorrow")
    assert set(unknown.value.message_dict) == {"urgency"}


def test_it_never_counts_a_legacy_matter_without_a_deadline_overdue(world):
    today = timezone.localdate()
    old = legacy(world, "历史遗留宅基地纠纷", found_on=today - timedelta(days=400))
    dated = legacy(
        world,
        "有时限的遗留问题",
        found_on=today - timedelta(days=40),
        deadline=today - timedelta(days=10),
    )
    assert old.open_ended and not dated.open_ended
    rows = {i.pk: i for i in with_indicators(Item.objects.filter(kind=Kind.LEGACY), day=today)}
    assert not rows[old.pk].overdue and rows[old.pk].days_overdue == 0
    assert rows[old.pk].light == "green"
    assert rows[dated.pk].overdue and rows[dated.pk].days_overdue == 10
    assert not definitions.is_overdue(
        state=old.state, deadline=old.deadline, day=today, open_ended=True
    )
    overdue = Item.objects.filter(definitions.overdue(today))
    assert list(overdue) == [dated]
    # The bulletin's and the diagnosis' figures read the same definition.
    before = timezone.now() + timedelta(minutes=1)
    assert sum(row["n"] for row in overdue_counts(town=world.town, day=today, before=before)) == 1
    assert [row["code"] for row in most_overdue(town=world.town, day=today, limit=10)] == [
        dated.code
    ]
    # Setting a deadline starts the clock.
    old = lifecycle.item_update(
        item=old, by=world.user("contact_gaige"), changes={"deadline": today - timedelta(days=1)}
    )
    assert not old.open_ended
    assert Item.objects.filter(definitions.overdue(today), pk=old.pk).exists()


def test_it_logs_coordination_and_refuses_bad_entries(world, client):
    item = legacy(world, "水渠权属争议")
    entry = coordination_add(
        item=item,
        by=world.user("secretary_gaige"),
        with_whom="邻村村委会",
        said="双方同意请镇司法所调解",
        next_step="下周三联合现场勘界",
    )
    assert entry.author == world.people["secretary_gaige"]
    with pytest.raises(NotPermitted):
        coordination_add(item=item, by=world.user("cadre_shuangsheng"), with_whom="x", said="y")
    with pytest.raises(ValidationError) as bad:
        coordination_add(
            item=item,
            by=world.user("cadre_gaige"),
            with_whom=" ",
            said="",
            on=timezone.localdate() + timedelta(days=1),
        )
    assert set(bad.value.message_dict) == {"with_whom", "said", "on"}
    token = token_issue(request=None, username="cadre_gaige", password="pw-cadre_gaige").token
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    posted = client.post(
        f"/api/v1/items/{item.code}/coordination",
        {"with_whom": "镇司法所", "said": "已约定调解时间", "next_step": "周三调解"},
        content_type="application/json",
    )
    assert posted.status_code == 201, posted.content
    listed = client.get(f"/api/v1/items/{item.code}/coordination").json()
    assert [e["with_whom"] for e in listed] == ["镇司法所", "邻村村委会"] or len(listed) == 2
    detail = client.get(f"/api/v1/items/{item.code}").json()
    assert detail["open_ended"] is True and detail["last_coordination_on"] is not None
    page = client.get("/api/v1/items", {"kind": "legacy"}).json()
    assert [row["code"] for row in page["items"]] == [item.code]
    assert page["items"][0]["importance"] == ""


def test_it_reminds_the_owner_then_the_secretary_and_contact_leader(world):
    today = timezone.localdate()
    days = rhythm_settings(world.town).legacy_contact_days
    item = legacy(world, "老旧供水管网产权", found_on=today - timedelta(days=days + 20))
    coordination_add(
        item=item,
        by=world.user("cadre_gaige"),
        with_whom="县水务局",
        said="等待改造计划",
        on=today - timedelta(days=days + 1),
    )
    assert remind_coordination(now=at(today - timedelta(days=2))) == 0
    assert remind_coordination(now=at(today)) == 1
    assert set(
        Notification.objects.filter(kind="legacy.coordination").values_list(
            "user__username", flat=True
        )
    ) == {"cadre_gaige"}
    assert remind_coordination(now=at(today)) == 0
    later = today + timedelta(days=7)
    assert remind_coordination(now=at(later)) == 3
    assert set(
        Notification.objects.filter(kind="legacy.coordination").values_list(
            "user__username", flat=True
        )
    ) == {"cadre_gaige", "secretary_gaige", "contact_gaige"}
    # A new entry starts the count again.
    coordination_add(
        item=item, by=world.user("cadre_gaige"), with_whom="县水务局", said="已列入计划"
    )
    assert remind_coordination(now=at(later)) == 0


def test_it_shows_the_village_board_by_weight_and_urgency(world, client):
    today = timezone.localdate()
    days = rhythm_settings(world.town).legacy_contact_days
    legacy(world, "重急：山体滑坡隐患户搬迁", importance="major", urgency="urgent")
    quiet = legacy(
        world,
        "轻缓：老村部产权",
        importance="minor",
        urgency="slack",
        found_on=today - timedelta(days=days + 5),
    )
    client.force_login(world.user("secretary_gaige"))
    page = client.get(f"/villages/{world.gaige.pk}/legacy/").content.decode()
    assert page.index("重·急") < page.index("山体滑坡") < page.index("轻·缓") < page.index("老村部")
    assert "需沟通协调" in page and quiet.code in page
    client.force_login(world.user("cadre_shuangsheng"))
    assert client.get(f"/villages/{world.gaige.pk}/legacy/").status_code == 404
