"""The working calendar of a town (design §5): weekdays, minus public holidays, plus the weekend
days worked in exchange (调休), as entered for each year in `CalendarDay`.

Conventions, used everywhere "working days" are counted:
- `working_days_between(town, start, end)` counts the working days d with start < d <= end, so
  the deadline day itself is never "a day overdue" (when end is before start: minus the number
  with end <= d < start);
- `add_working_days(town, day, n)` is the n-th working day after `day` (before it when n < 0;
  `day` itself when n == 0), so `working_days_between(town, day, add_working_days(town, day, n))
  == n` for every n.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from maque.organisation.models import Town
from maque.rhythm.models import CalendarDay

# How far the arithmetic looks before giving up: a year of non-working days means bad data.
MAX_SCAN_DAYS = 400


@dataclass(frozen=True)
class WorkingCalendar:
    """A town's exceptions to the weekday rule, loaded once (a few dozen rows a year)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, town: Town | int) -> WorkingCalendar:
        town_id = town if isinstance(town, int) else town.pk
        holidays: set[date] = set()
        workdays: set[date] = set()
        for day, kind in CalendarDay.objects.filter(town_id=town_id, active=True).values_list(
            "day", "kind"
        ):
            (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
        return cls(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, day: date, n: int) -> date:
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        current = day
        scanned = 0
        while remaining:
            current += timedelta(days=step)
            scanned += 1
            if self.is_working_day(current):
                remaining -= 1
            elif scanned > MAX_SCAN_DAYS * max(1, abs(n)):
                raise ValueError("the calendar has no working days in range")
        return current

    def working_days_between(self, start: date, end: date) -> int:
        if end < start:
            # Backwards, count the working days d with end <= d < start (mirror of the forward rule).
            one = timedelta(days=1)
            return -self.working_days_between(end - one, start - one)
        # Whole weeks hold five weekdays; only the exceptions and the remainder need a look.
        total_days = (end - start).days
        weeks, remainder = divmod(total_days, 7)
        count = weeks * 5
        for offset in range(1, remainder + 1):
            if (start + timedelta(days=offset)).weekday() < 5:
                count += 1
        for holiday in self.holidays:
            if start < holiday <= end and holiday.weekday() < 5 and holiday not in self.workdays:
                count -= 1
        for workday in self.workdays:
            if start < workday <= end and workday.weekday() >= 5:
                count += 1
        return count

    def previous_working_day(self, day: date) -> date:
        return self.add_working_days(day, -1)

    def next_working_day(self, day: date) -> date:
        return self.add_working_days(day, 1)


def is_working_day(town: Town | int, day: date) -> bool:
    return WorkingCalendar.of(town).is_working_day(day)


def add_working_days(town: Town | int, day: date, n: int) -> date:
    return WorkingCalendar.of(town).add_working_days(day, n)


def working_days_between(town: Town | int, start: date, end: date) -> int:
    return WorkingCalendar.of(town).working_days_between(start, end)


def previous_working_day(town: Town | int, day: date) -> date:
    """The last working day strictly before `day`."""
    return WorkingCalendar.of(town).previous_working_day(day)


def next_working_day(town: Town | int, day: date) -> date:
    """The first working day strictly after `day`."""
    return WorkingCalendar.of(town).next_working_day(day)
