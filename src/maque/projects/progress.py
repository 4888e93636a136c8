"""A project's progress (design §3, 偏航): planned against actual, in points.

- **Planned** on a day: each milestone's share of its working days from `planned_start` to
  `planned_on` that have passed (`WorkingCalendar.working_days_between`: weekends, holidays and
  the 调休 working weekends as the town's calendar says), weighted; 100 once every finish date
  has passed.
- **Actual** on a day: a verified (closed) milestone counts 100, an open one its last reported
  percent by then, weighted. Cancelled milestones count in neither.
- **Deviation** = planned − actual, in points (positive: behind plan); and the worst open
  milestone's calendar days past its planned finish.

Pure functions over plain rows, so that the plan can be checked by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from maque.rhythm.calendar import WorkingCalendar


@dataclass(frozen=True)
class MilestoneRow:
    weight: int
    planned_start: date
    planned_on: date
    # On the day asked about: closed (verified) by then, and the percent last reported by then.
    closed: bool = False
    percent: int = 0
    cancelled: bool = False


def planned_share(row: MilestoneRow, day: date, calendar: WorkingCalendar) -> float:
    """How much of the milestone the plan expects done on `day`, from 0 to 1."""
    if day >= row.planned_on:
        return 1.0
    if day <= row.planned_start:
        return 0.0
    total = calendar.working_days_between(row.planned_start, row.planned_on)
    if total <= 0:
        return 0.0
    done = calendar.working_days_between(row.planned_start, day)
    return min(max(done / total, 0.0), 1.0)


def _counted(rows: list[MilestoneRow]) -> list[MilestoneRow]:
    return [row for row in rows if not row.cancelled]


def planned(rows: list[MilestoneRow], day: date, calendar: WorkingCalendar) -> float | None:
    """Planned progress on `day` in percent (one decimal); None without milestones."""
    counted = _counted(rows)
    weights = sum(row.weight for row in counted)
    if not weights:
        return None
    share = sum(row.weight * planned_share(row, day, calendar) for row in counted)
    return round(100.0 * share / weights, 1)


def actual(rows: list[MilestoneRow]) -> float | None:
    """Actual progress in percent (one decimal); None without milestones."""
    counted = _counted(rows)
    weights = sum(row.weight for row in counted)
    if not weights:
        return None
    done = sum(row.weight * (100 if row.closed else row.percent) for row in counted)
    return round(done / weights, 1)


def deviation(rows: list[MilestoneRow], day: date, calendar: WorkingCalendar) -> float | None:
    """Planned − actual on `day`, in points; None without milestones."""
    plan, done = planned(rows, day, calendar), actual(rows)
    return None if plan is None or done is None else round(plan - done, 1)


def late_days(rows: list[MilestoneRow], day: date) -> int:
    """The worst open milestone's calendar days past its planned finish on `day` (0: none)."""
    return max(
        (
            (day - row.planned_on).days
            for row in _counted(rows)
            if not row.closed and row.planned_on < day
        ),
        default=0,
    )
