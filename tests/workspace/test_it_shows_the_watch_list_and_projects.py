"""The watch-list board and entry page (with the solving-meeting form), the village diagnosis
page and the projects' pages, as the personas see them."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from maque.diagnosis.models import EntryState, WatchEntry
from maque.diagnosis.services import entry_act, entry_propose
from maque.diagnosis.snapshots import snapshots_write
from maque.ledger.models import Campaign
from maque.meetings.models import MeetingKind
from maque.meetings.services import meeting_create
from maque.organisation.models import Department
from maque.projects.services import MilestoneIn, project_create
from tests.conftest import make_item


def client_for(world, persona: str) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(world.user(persona))
    return client


def charts(page: str) -> list:
    start = page.index(">", page.index('id="diagnosis-charts"')) + 1
    return json.loads(page[start : page.index("</script>", start)])


def test_it_shows_the_board_and_takes_a_decision_from_the_entry_page(world):
    entry = entry_propose(
        by=world.user("principal"), town=world.town, village=world.gaige, reason="推进缓慢"
    )
    principal = client_for(world, "principal")
    board = principal.get("/watchlist/").content.decode()
    assert "改革村" in board and "推进缓慢" in board
    page = principal.get(f"/watchlist/{entry.pk}/").content.decode()
    assert "列入走看清单" in page and "不予列入" in page
    refused = principal.post(f"/watchlist/{entry.pk}/act/accept/", {"version": 1})
    assert refused.status_code == 422
    done = principal.post(f"/watchlist/{entry.pk}/act/accept/", {"version": 1, "reason": "典型"})
    assert done.status_code == 302
    assert WatchEntry.objects.get().state == EntryState.LISTED
    cadre = client_for(world, "cadre_gaige")
    page = cadre.get(f"/watchlist/{entry.pk}/").content.decode()
    assert "列入走看清单" not in page and "记录解难会议" not in page


def test_it_records_a_solving_meeting_from_the_entry_page(world):
    entry = entry_propose(
        by=world.user("principal"), town=world.town, village=world.gaige, reason="推进缓慢"
    )
    entry = entry_act(entry=entry, by=world.user("principal"), action="accept", reason="典型")
    solving = meeting_create(
        by=world.user("principal"),
        town=world.town,
        kind=MeetingKind.SOLVING,
        title="解难会议",
        held_on=timezone.localdate(),
        villages=[world.gaige],
    )
    water = Department.objects.create(town=world.town, name="水利站")
    contact = client_for(world, "contact_gaige")
    assert "记录解难会议" in contact.get(f"/watchlist/{entry.pk}/").content.decode()
    response = contact.post(
        f"/watchlist/{entry.pk}/dissect/",
        {
            "version": entry.version,
            "meeting": solving.pk,
            "cause_kind_0": "funds",
            "cause_text_0": "资金未到位",
            "department_0": water.pk,
            "brings_0": "机械",
            "measure_0": "协调机械进场",
            "owner_0": world.people["cadre_gaige"].pk,
            "deadline_0": str(timezone.localdate() + timedelta(days=7)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = contact.get(f"/watchlist/{entry.pk}/").content.decode()
    assert "资金未到位" in page and "水利站：机械" in page and "协调机械进场" in page


def test_it_shows_a_village_diagnosis_with_its_trend(world):
    make_item(
        world,
        title="逾期",
        found_on=timezone.localdate() - timedelta(days=30),
        deadline=timezone.localdate() - timedelta(days=16),
    )
    snapshots_write(town=world.town, now=timezone.now(), stale_days=14)
    page = (
        client_for(world, "cadre_gaige")
        .get(f"/villages/{world.gaige.pk}/diagnosis/")
        .content.decode()
    )
    assert "全镇中位数" in page and "逾期最久的事项" in page and "逾期" in page
    assert [chart["id"] for chart in charts(page)][0] == "trend-closure_rate"
    assert (
        client_for(world, "cadre_gaige")
        .get(f"/villages/{world.shuangsheng.pk}/diagnosis/")
        .status_code
        == 404
    )


def test_it_lists_projects_by_deviation_and_draws_the_curve(world):
    today = timezone.localdate()
    project_create(
        by=world.user("principal"),
        town=world.town,
        code="hetang",
        name="荷塘园区建设",
        campaign=Campaign.objects.get(town=world.town, code="key-projects"),
        villages=[world.gaige],
        owner=world.people["leader"],
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=14),
        milestones=[
            MilestoneIn(
                "清淤",
                50,
                today - timedelta(days=14),
                today - timedelta(days=1),
                world.people["cadre_gaige"],
            ),
            MilestoneIn("栈道", 50, today, today + timedelta(days=14), world.people["cadre_gaige"]),
        ],
    )
    principal = client_for(world, "principal")
    listing = principal.get("/projects/").content.decode()
    assert "荷塘园区建设" in listing
    page = principal.get("/projects/hetang/").content.decode()
    assert "清淤" in page and "栈道" in page
    curve, timeline = charts(page)
    assert curve["series"][0]["data"][0] == 0.0 and timeline["labels"] == ["清淤", "栈道"]
