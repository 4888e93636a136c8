"""The working calendar: weekdays minus holidays plus adjusted working weekends (调休)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from maque.rhythm.calendar import (
    WorkingCalendar,
    add_working_days,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_days_between,
)
from maque.rhythm.models import CalendarDay
from maque.rhythm.services import calendar_import, calendar_parse
from tests.rhythm.conftest import CALENDAR_2025

pytestmark = pytest.mark.django_db


def test_it_uses_weekdays_when_nothing_is_entered(world):
    assert is_working_day(world.town, date(2025, 3, 3))  # Monday
    assert not is_working_day(world.town, date(2025, 3, 8))  # Saturday
    assert add_working_days(world.town, date(2025, 3, 7), 1) == date(2025, 3, 10)  # Friday → Monday
    assert working_days_between(world.town, date(2025, 3, 2), date(2025, 3, 9)) == 5


def test_it_imports_the_year_and_counts_holidays_and_adjusted_days(world, calendar_2025):
    assert calendar_2025.created == 25
    town = world.town
    # National Day: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
    assert not is_working_day(town, date(2025, 10, 1))
    assert not is_working_day(town, date(2025, 10, 8))
    assert is_working_day(town, date(2025, 9, 28))  # a Sunday worked (调休)
    assert is_working_day(town, date(2025, 10, 11))  # a Saturday worked
    assert next_working_day(town, date(2025, 9, 30)) == date(2025, 10, 9)
    assert previous_working_day(town, date(2025, 10, 9)) == date(2025, 9, 30)
    assert add_working_days(town, date(2025, 9, 26), 1) == date(
        2025, 9, 28
    )  # Friday → the worked Sunday
    assert add_working_days(town, date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert add_working_days(town, date(2025, 10, 9), -2) == date(2025, 9, 29)
    # 29 Sep – 12 Oct: 29, 30 Sep, 9, 10, 11 Oct are worked.
    assert working_days_between(town, date(2025, 9, 28), date(2025, 10, 12)) == 5
    # Backwards the other end counts: 28 Sep (worked) up to 11 Oct.
    assert working_days_between(town, date(2025, 10, 12), date(2025, 9, 28)) == -6
    # Spring Festival: 28 Jan – 4 Feb off; Sunday 26 January and Saturday 8 February worked.
    assert (
        working_days_between(town, date(2025, 1, 24), date(2025, 2, 8)) == 6
    )  # 26, 27 Jan, 5, 6, 7, 8 Feb
    # 261 weekdays − 18 holidays on weekdays + 5 weekend days worked.
    assert working_days_between(town, date(2024, 12, 31), date(2025, 12, 31)) == 248


def test_it_keeps_towns_apart(world, calendar_2025):
    from maque.organisation.models import Town

    other = Town.objects.create(name="洞河镇", short_name="洞河", code="dh")
    assert is_working_day(other, date(2025, 10, 1))
    assert not is_working_day(world.town, date(2025, 10, 1))


def test_it_imports_the_same_year_twice_without_change(world, calendar_2025):
    again = calendar_import(
        town=world.town, rows=calendar_parse(CALENDAR_2025.read_text()), year=2025
    )
    assert (again.created, again.updated, again.withdrawn) == (0, 0, 0)
    assert CalendarDay.objects.filter(town=world.town).count() == 25


def test_it_withdraws_days_missing_from_a_year_reimport(world, calendar_2025):
    text = CALENDAR_2025.read_text().replace("2025-06-02,holiday,端午节\n", "")
    result = calendar_import(town=world.town, rows=calendar_parse(text), year=2025)
    assert result.withdrawn == 1
    entry = CalendarDay.objects.get(town=world.town, day=date(2025, 6, 2))
    assert entry.active is False  # withdrawn, not deleted
    assert is_working_day(world.town, date(2025, 6, 2))
    assert entry.history.count() == 2


def test_it_refuses_a_bad_file_and_changes_nothing(world):
    text = "date,kind,name\n2025-13-01,holiday,x\n2025-10-01,rest,x\n2025-10-09,workday,周四\n2025-10-01,holiday,a\n2025-10-01,holiday,b\n"
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        calendar_parse(text)
    messages = raised.value.message_dict["file"]
    assert any("line 2" in m for m in messages)
    assert any("line 3" in m for m in messages)
    assert any("line 4" in m for m in messages)  # a weekday cannot be an adjusted working day
    assert any("line 6" in m for m in messages)  # duplicate
    assert CalendarDay.objects.count() == 0


def test_it_refuses_rows_outside_the_year(world):
    rows = calendar_parse("2026-01-01,休,元旦\n")
    with pytest.raises(ValidationError):
        calendar_import(town=world.town, rows=rows, year=2025)
    assert CalendarDay.objects.count() == 0


def test_it_imports_and_shows_through_the_command(world, tmp_path):
    path = tmp_path / "cal.csv"
    path.write_text(CALENDAR_2025.read_text(), encoding="utf-8")
    out = StringIO()
    call_command("calendar", "import", str(path), "--town", "hp", "--year", "2025", stdout=out)
    assert "25 added" in out.getvalue()
    out = StringIO()
    call_command("calendar", "show", "--town", "hp", "--year", "2025", stdout=out)
    assert "2025: 248 working days" in out.getvalue()
    assert "国庆节调休" in out.getvalue()
    with pytest.raises(CommandError, match="No town"):
        call_command("calendar", "show", "--town", "nowhere", "--year", "2025")
    bad = tmp_path / "bad.csv"
    bad.write_text("2025-10-01,maybe\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行"):
        call_command("calendar", "import", str(bad), "--town", "hp")


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 11, 1), max_value=date(2026, 2, 1)),
    n=st.integers(min_value=-60, max_value=60),
    span=st.integers(min_value=0, max_value=120),
)
def test_it_counts_consistently_with_adding(start, n, span):
    calendar = WorkingCalendar(
        holidays=frozenset(
            row.day
            for row in calendar_parse(CALENDAR_2025.read_text())
            if row.kind == CalendarDay.Kind.HOLIDAY
        ),
        workdays=frozenset(
            row.day
            for row in calendar_parse(CALENDAR_2025.read_text())
            if row.kind == CalendarDay.Kind.WORKDAY
        ),
    )
    target = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, target) == n
    if n:
        assert calendar.is_working_day(target)
    end = start + timedelta(days=span)
    by_hand = sum(calendar.is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
    assert calendar.working_days_between(start, end) == by_hand
