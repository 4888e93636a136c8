"""Writes of the rhythm app: the working calendar, entered per year (admin or import)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.organisation.models import Town
from maque.rhythm.models import CalendarDay

KIND_WORDS = {
    "holiday": CalendarDay.Kind.HOLIDAY,
    "休": CalendarDay.Kind.HOLIDAY,
    "workday": CalendarDay.Kind.WORKDAY,
    "班": CalendarDay.Kind.WORKDAY,
}
HEADER_WORDS = {"date", "day", "日期"}


@dataclass(frozen=True)
class CalendarRow:
    day: date
    kind: str
    name: str


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    withdrawn: int


def calendar_parse(text: str) -> list[CalendarRow]:
    """Parse `date,kind,name` lines (kind: holiday/休 or workday/班; `#` starts a comment).

    Every line is checked; all the problems are reported together, by line number.
    """
    rows: list[CalendarRow] = []
    problems: list[str] = []
    seen: dict[date, int] = {}
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in cells]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() in HEADER_WORDS:
            continue
        if len(cells) < 2:
            problems.append(_("line %(line)d: expected date,kind[,name]") % {"line": number})
            continue
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            problems.append(
                _("line %(line)d: %(value)s is not a date (YYYY-MM-DD)")
                % {"line": number, "value": cells[0]}
            )
            continue
        kind = KIND_WORDS.get(cells[1].lower())
        if kind is None:
            problems.append(
                _("line %(line)d: kind must be holiday (休) or workday (班), not %(value)s")
                % {"line": number, "value": cells[1]}
            )
            continue
        if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
            problems.append(
                _("line %(line)d: %(day)s is a weekday, already a working day")
                % {"line": number, "day": day}
            )
            continue
        if day in seen:
            problems.append(
                _("line %(line)d: %(day)s is already on line %(first)d")
                % {"line": number, "day": day, "first": seen[day]}
            )
            continue
        seen[day] = number
        name = cells[2] if len(cells) > 2 else ""
        if len(name) > 40:
            problems.append(
                _("line %(line)d: the name is longer than 40 characters") % {"line": number}
            )
            continue
        rows.append(CalendarRow(day, kind, name))
    if problems:
        raise ValidationError({"file": problems})
    return rows


def calendar_import(
    *, town: Town, rows: list[CalendarRow], year: int | None = None, by: User | None = None
) -> ImportResult:
    """Enter calendar exceptions for a town in one transaction.

    With `year`, the rows are that year's whole calendar: every row must fall in it, and the
    year's days that are not in the file are withdrawn (so importing the same file twice changes
    nothing). Without `year`, rows are added or updated and nothing is withdrawn.
    """
    if year is not None:
        outside = [row.day.isoformat() for row in rows if row.day.year != year]
        if outside:
            raise ValidationError(
                {
                    "file": [
                        _("Not in %(year)d: %(days)s") % {"year": year, "days": ", ".join(outside)}
                    ]
                }
            )
    created = updated = withdrawn = 0
    with transaction.atomic():
        existing = {
            entry.day: entry for entry in CalendarDay.objects.select_for_update().filter(town=town)
        }
        for row in rows:
            entry = existing.get(row.day)
            if entry is None:
                entry = CalendarDay(town=town, day=row.day, kind=row.kind, name=row.name)
                created += 1
            elif (entry.kind, entry.name, entry.active) != (row.kind, row.name, True):
                entry.kind, entry.name, entry.active = row.kind, row.name, True
                updated += 1
            else:
                continue
            entry._history_user = by  # type: ignore[attr-defined]
            entry.save()
        if year is not None:
            keep = {row.day for row in rows}
            for day, entry in existing.items():
                if day.year == year and day not in keep and entry.active:
                    # Withdrawn, not deleted: the history keeps what was in force.
                    entry.active = False
                    entry._history_user = by  # type: ignore[attr-defined]
                    entry.save(update_fields=["active"])
                    withdrawn += 1
    return ImportResult(created, updated, withdrawn)
