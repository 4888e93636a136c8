"""Planned progress, actual progress and deviation (偏航) on hand-checked projects, across
weekends, a public holiday and a 调休 working Saturday; and the projects API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.models import Campaign, Item, Kind
from maque.ledger.services import progress_add
from maque.projects.progress import MilestoneRow, actual, deviation, late_days, planned
from maque.projects.queries import village_deviation
from maque.rhythm.calendar import WorkingCalendar
from maque.rhythm.models import CalendarDay
from tests.conftest import add_evidence

# 2026-10-10 is a Saturday worked in exchange (调休); 2026-10-23, a Friday, a holiday.
CALENDAR = WorkingCalendar(
    holidays=frozenset({date(2026, 10, 23)}), workdays=frozenset({date(2026, 10, 10)})
)
# 清淤 (weight 40): Fri 10-09 → Fri 10-16, working days Sat 10, Mon 12 … Fri 16: six.
# 栈道 (weight 60): Fri 10-16 → Fri 10-30, working days 19–22 and 26–30: nine (23 is off).
DREDGING = MilestoneRow(weight=40, planned_start=date(2026, 10, 9), planned_on=date(2026, 10, 16))
BOARDWALK = MilestoneRow(weight=60, planned_start=date(2026, 10, 16), planned_on=date(2026, 10, 30))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 9), 0.0),  # the start: nothing yet
        (date(2026, 10, 10), 6.7),  # the 调休 Saturday counts: 40 × 1/6
        (date(2026, 10, 11), 6.7),  # Sunday adds nothing
        (date(2026, 10, 12), 13.3),  # 40 × 2/6
        (date(2026, 10, 16), 40.0),  # 清淤 due
        (date(2026, 10, 18), 40.0),  # the weekend adds nothing
        (date(2026, 10, 22), 66.7),  # 40 + 60 × 4/9
        (date(2026, 10, 23), 66.7),  # the holiday adds nothing
        (date(2026, 10, 26), 73.3),  # 40 + 60 × 5/9
        (date(2026, 10, 30), 100.0),
        (date(2026, 11, 30), 100.0),
    ],
)
def test_it_plans_over_the_working_calendar(day, expected):
    assert planned([DREDGING, BOARDWALK], day, CALENDAR) == expected


def test_it_counts_verified_milestones_whole_and_open_ones_by_their_report():
    rows = [
        MilestoneRow(**{**DREDGING.__dict__, "closed": True}),
        MilestoneRow(**{**BOARDWALK.__dict__, "percent": 20}),
    ]
    assert actual(rows) == 52.0  # (40 × 100 + 60 × 20) / 100
    assert deviation(rows, date(2026, 10, 23), CALENDAR) == 14.7  # 66.7 − 52.0
    assert late_days(rows, date(2026, 10, 30)) == 0
    assert late_days(rows, date(2026, 11, 13)) == 14  # 栈道 two weeks past its finish
    # A cancelled milestone counts in neither.
    cancelled = MilestoneRow(**{**BOARDWALK.__dict__, "cancelled": True})
    assert planned([DREDGING, cancelled], date(2026, 10, 12), CALENDAR) == 33.3
    assert actual([]) is None and planned([], date(2026, 10, 12), CALENDAR) is None


def post_project(world, persona="leader", **changes):  # noqa: ANN001, ANN003, ANN201
    today = timezone.localdate()
    owner = world.people["cadre_gaige"].pk
    body = {
        "code": "hetang",
        "name": "荷塘园区建设",
        "campaign": "key-projects",
        "villages": [world.gaige.pk],
        "owner": world.people["leader"].pk,
        "budget_yuan": "1200000.00",
        "funding": [
            {"source": "衔接资金", "amount_yuan": "800000"},
            {"source": "村集体自筹", "amount_yuan": "400000"},
        ],
        "starts_on": str(today - timedelta(days=20)),
        "ends_on": str(today + timedelta(days=40)),
        "milestones": [
            {
                "title": "清淤",
                "weight": 40,
                "planned_start": str(today - timedelta(days=20)),
                "planned_on": str(today - timedelta(days=5)),
                "owner": owner,
            },
            {
                "title": "栈道",
                "weight": 60,
                "planned_start": str(today - timedelta(days=5)),
                "planned_on": str(today + timedelta(days=30)),
                "owner": owner,
            },
        ],
    }
    body.update(changes)
    client = Client()
    client.force_login(world.user(persona))
    return client.post("/api/v1/projects", body, content_type="application/json")


def test_it_registers_a_project_with_milestone_items_and_reads_its_deviation(world):
    response = post_project(world)
    assert response.status_code == 201, response.content
    project = response.json()
    assert [m["title"] for m in project["milestones"]] == ["清淤", "栈道"]
    items = Item.objects.filter(kind=Kind.MILESTONE).order_by("deadline")
    assert items.count() == 2 and items[0].campaign.code == "key-projects"
    # 清淤 is 5 days past its finish and not verified: behind plan.
    assert project["late_days"] == 5 and project["actual"] == 0.0
    assert project["deviation"] == project["planned"] > 40
    dredging, boardwalk = items
    cadre = world.user("cadre_gaige")
    progress_add(
        item=lifecycle.item_start(item=boardwalk, by=cadre), by=cadre, text="桩基完成", percent=50
    )
    dredging = lifecycle.item_start(item=dredging, by=cadre)
    add_evidence(world, dredging)
    dredging = lifecycle.item_submit(item=dredging, by=cadre)
    lifecycle.item_verify(item=dredging, by=world.user("leader"), note="验收合格")
    client = Client()
    client.force_login(world.user("cadre_gaige"))
    again = client.get("/api/v1/projects/hetang").json()
    assert again["actual"] == 70.0 and again["late_days"] == 0  # 40 + 60 × 50%
    assert again["deviation"] == round(again["planned"] - 70.0, 1)
    assert again["curve"][0]["planned"] == 0.0 and again["curve"][-1]["actual"] is None
    assert village_deviation(world.town, timezone.localdate()) == {
        world.gaige.pk: again["deviation"]
    }


def test_it_sorts_projects_by_deviation_and_hides_other_villages(world):
    post_project(world)
    post_project(
        world, code="shaichang", name="晒场", villages=[world.shuangsheng.pk], milestones=[]
    )
    client = Client()
    client.force_login(world.user("principal"))
    rows = client.get("/api/v1/projects?sort=-deviation").json()["items"]
    assert [row["code"] for row in rows] == ["hetang", "shaichang"]
    client.force_login(world.user("cadre_shuangsheng"))
    assert [r["code"] for r in client.get("/api/v1/projects").json()["items"]] == ["shaichang"]
    assert client.get("/api/v1/projects/hetang").status_code == 404


def test_it_refuses_projects_from_a_cadre_and_bad_plans(world):
    assert post_project(world, persona="cadre_gaige").status_code == 403
    today = timezone.localdate()
    late = post_project(world, ends_on=str(today - timedelta(days=30)))
    assert late.status_code == 422
    assert not Item.objects.filter(kind=Kind.MILESTONE).exists()


def test_it_reads_the_towns_calendar(world):
    CalendarDay.objects.create(town=world.town, day=date(2026, 10, 10), kind="workday")
    CalendarDay.objects.create(town=world.town, day=date(2026, 10, 23), kind="holiday")
    assert planned([DREDGING, BOARDWALK], date(2026, 10, 10), WorkingCalendar.of(world.town)) == 6.7
    assert Campaign.objects.filter(town=world.town, code="key-projects").exists()
