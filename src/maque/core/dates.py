"""The sane bounds of a date a person types (design §4, §5): one rule, used by the API's input
schemas and by the services, so web forms, imports and the API refuse the same dates.

- A day something happened (an item found, a meeting held, a bulletin's day) lies between the
  start of records and today.
- A day something is planned for (a drafted meeting) may lie up to a year ahead.
- A deadline may lie up to a few years ahead.

The start of records is the same for every town: no town keeps records from before it.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

RECORDS_START = date(2000, 1, 1)
PLANNED_DAYS_AHEAD = 365
DEADLINE_YEARS_AHEAD = 5


class DayKind(Enum):
    HAPPENED = "happened"
    PLANNED = "planned"
    DEADLINE = "deadline"


def latest_day(kind: DayKind, today: date | None = None) -> date:
    today = today or timezone.localdate()
    if kind is DayKind.HAPPENED:
        return today
    if kind is DayKind.PLANNED:
        return date.fromordinal(today.toordinal() + PLANNED_DAYS_AHEAD)
    try:
        return today.replace(year=today.year + DEADLINE_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + DEADLINE_YEARS_AHEAD, day=28)


def day_problem(
    value: date, kind: DayKind, today: date | None = None, *, too_late: str | None = None
) -> str | None:
    """Why `value` is not a sane day of this kind, or None (`too_late`: the message for a day
    past the latest, in the words of the caller's form)."""
    if value < RECORDS_START:
        return _("Enter a date on or after %(first)s.") % {"first": RECORDS_START.isoformat()}
    latest = latest_day(kind, today)
    if value > latest:
        if too_late is not None:
            return too_late
        if kind is DayKind.HAPPENED:
            return _("The date cannot be in the future.")
        return _("Enter a date on or before %(last)s.") % {"last": latest.isoformat()}
    return None


def check_day(
    value: date,
    kind: DayKind,
    *,
    field: str,
    today: date | None = None,
    too_late: str | None = None,
) -> None:
    """Raise a ValidationError on `field` when `value` is out of bounds."""
    problem = day_problem(value, kind, today, too_late=too_late)
    if problem is not None:
        raise ValidationError({field: [problem]})


def happened(value: date) -> date:
    """A pydantic validator: a day that has come (from the start of records to today)."""
    problem = day_problem(value, DayKind.HAPPENED)
    if problem is not None:
        raise ValueError(problem)
    return value


def planned(value: date) -> date:
    problem = day_problem(value, DayKind.PLANNED)
    if problem is not None:
        raise ValueError(problem)
    return value


def deadline(value: date) -> date:
    problem = day_problem(value, DayKind.DEADLINE)
    if problem is not None:
        raise ValueError(problem)
    return value


def validate_deadline(value: date) -> None:
    """A Django form field validator: a deadline within the bounds."""
    problem = day_problem(value, DayKind.DEADLINE)
    if problem is not None:
        raise ValidationError(problem)
