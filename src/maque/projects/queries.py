"""Reads of projects: their milestones as they stood on a day, progress and deviation, the
planned-against-actual curve, and the figures the village snapshots and the watch list read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from maque.ledger.models import Item, ProgressLog, State
from maque.organisation.models import Town
from maque.projects import progress
from maque.projects.models import Milestone, Project
from maque.rhythm.calendar import WorkingCalendar


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def milestone_rows(
    milestones: Iterable[Milestone], day: date
) -> dict[int, list[tuple[Milestone, progress.MilestoneRow]]]:
    """Each project's milestones as they stood at the end of `day`: verified by then, and the
    percent last reported by then (one query for the reports)."""
    milestones = list(milestones)
    end = _end_of(day)
    percents: dict[int, int] = {}
    for item_id, percent in (
        ProgressLog.objects.filter(
            item_id__in=[m.item_id for m in milestones], percent__isnull=False, created_at__lt=end
        )
        .order_by("item_id", "created_at", "id")
        .values_list("item_id", "percent")
    ):
        if percent is not None:
            percents[item_id] = percent
    rows: dict[int, list[tuple[Milestone, progress.MilestoneRow]]] = defaultdict(list)
    for milestone in milestones:
        item = milestone.item
        closed = item.state == State.CLOSED and item.closed_at is not None and item.closed_at < end
        rows[milestone.project_id].append(
            (
                milestone,
                progress.MilestoneRow(
                    weight=milestone.weight,
                    planned_start=milestone.planned_start,
                    planned_on=milestone.planned_on,
                    closed=closed,
                    percent=percents.get(milestone.item_id, 0),
                    cancelled=item.state == State.CANCELLED,
                ),
            )
        )
    return rows


def figures(
    projects: Iterable[Project], day: date, calendar: WorkingCalendar
) -> dict[int, dict[str, Any]]:
    """Planned, actual, deviation and the worst lateness of each project on `day`."""
    projects = list(projects)
    milestones = Milestone.objects.filter(project__in=projects).select_related("item")
    by_project = milestone_rows(milestones, day)
    result = {}
    for project in projects:
        rows = [row for _m, row in by_project.get(project.pk, [])]
        result[project.pk] = {
            "planned": progress.planned(rows, day, calendar),
            "actual": progress.actual(rows),
            "deviation": progress.deviation(rows, day, calendar),
            "late_days": progress.late_days(rows, day),
        }
    return result


def project_list(*, user: Any) -> QuerySet[Project]:
    return (
        Project.objects.visible_to(user)
        .select_related("campaign", "owner", "lead_department")
        .prefetch_related("villages")
        .order_by("code")
    )


def running(town: Town | int, day: date) -> QuerySet[Project]:
    """The town's projects under way on `day` (started, and not yet past their end)."""
    return Project.objects.filter(town=town, starts_on__lte=day, ends_on__gte=day)


def village_deviation(town: Town, day: date) -> dict[int, float | None]:
    """Per village, the largest deviation among its projects under way on `day` (a source of the
    village snapshots' `projects_deviation`); villages without such projects are absent."""
    projects = list(running(town, day).prefetch_related("villages"))
    found = figures(projects, day, WorkingCalendar.of(town))
    result: dict[int, float | None] = {}
    for project in projects:
        value = found[project.pk]["deviation"]
        if value is None:
            continue
        for village in project.villages.all():
            current = result.get(village.pk)
            result[village.pk] = value if current is None else max(current, value)
    return result


def rule_rows(town: Town, day: date) -> list[dict[str, Any]]:
    """The projects under way on `day` for the watch list's rules: deviation and lateness."""
    projects = list(running(town, day).prefetch_related("villages"))
    found = figures(projects, day, WorkingCalendar.of(town))
    rows = []
    for project in projects:
        villages = sorted(v.pk for v in project.villages.all())
        rows.append(
            {
                "project_id": project.pk,
                "label": project.name,
                "code": project.code,
                "village_id": villages[0] if villages else None,
                **found[project.pk],
            }
        )
    return rows


def curve(project: Project, *, until: date, calendar: WorkingCalendar) -> list[dict[str, Any]]:
    """Planned and actual progress each week from the start (and on the last day), for the
    project page's chart; actual only up to `until` (today)."""
    milestones = list(project.milestones.select_related("item"))
    days: list[date] = []
    day = project.starts_on
    while day < project.ends_on:
        days.append(day)
        day += timedelta(days=7)
    days.append(project.ends_on)
    points = []
    for point in days:
        rows = [
            row for _m, row in milestone_rows(milestones, min(point, until)).get(project.pk, [])
        ]
        points.append(
            {
                "day": point,
                "planned": progress.planned(rows, point, calendar),
                "actual": progress.actual(rows) if point <= until else None,
            }
        )
    return points


def project_out(project: Project, found: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": project.code,
        "name": project.name,
        "campaign": project.campaign.code,
        "villages": [v.name for v in project.villages.all()],
        "owner": project.owner.name,
        "lead_department": project.lead_department.name if project.lead_department else None,
        "budget_yuan": project.budget_yuan,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        **found,
    }


def sorted_projects(*, user: Any, sort: str) -> list[tuple[Project, dict[str, Any]]]:
    """The projects the user may read with today's figures, by code or by deviation."""
    projects = list(project_list(user=user))
    today = timezone.localdate()
    found: dict[int, dict[str, Any]] = {}
    for town_id in {p.town_id for p in projects}:
        found |= figures(
            [p for p in projects if p.town_id == town_id], today, WorkingCalendar.of(town_id)
        )
    rows = [(p, found[p.pk]) for p in projects]
    if sort != "code":
        missing = -1e9 if sort == "-deviation" else 1e9
        rows.sort(
            key=lambda row: row[1]["deviation"] if row[1]["deviation"] is not None else missing,
            reverse=sort == "-deviation",
        )
    return rows


def detail(project: Project, *, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    calendar = WorkingCalendar.of(project.town_id)
    found = figures([project], today, calendar)[project.pk]
    milestones = project.milestones.select_related("item")
    readable = set(
        project.milestones.filter(item__in=Item.objects.visible_to(user)).values_list(
            "pk", flat=True
        )
    )
    body = project_out(project, found)
    body["description"] = project.description
    body["funding"] = [
        {"source": f.source, "amount_yuan": str(f.amount_yuan)} for f in project.funding.all()
    ]
    body["milestones"] = [
        {
            "item": milestone.item.code if milestone.pk in readable else None,
            "title": milestone.item.title,
            "weight": row.weight,
            "planned_start": row.planned_start,
            "planned_on": row.planned_on,
            "state": milestone.item.state,
            "closed": row.closed,
            "percent": 100 if row.closed else row.percent,
            "days_late": progress.late_days([row], today),
        }
        for milestone, row in milestone_rows(milestones, today).get(project.pk, [])
    ]
    body["curve"] = curve(project, until=today, calendar=calendar)
    return body
