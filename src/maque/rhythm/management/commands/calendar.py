"""`maque calendar import FILE --town CODE [--year YYYY]` and `maque calendar show --town CODE --year YYYY`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maque.organisation.models import Town
from maque.rhythm.calendar import WorkingCalendar
from maque.rhythm.models import CalendarDay
from maque.rhythm.services import calendar_import, calendar_parse


class Command(BaseCommand):
    help = "Enter a town's working calendar (public holidays 休 and adjusted working days 班) or show it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        do_import = actions.add_parser(
            "import", help="Import date,kind,name lines (kind: holiday/休 or workday/班)"
        )
        do_import.add_argument("file", help="A UTF-8 CSV file, or - for standard input")
        do_import.add_argument("--town", required=True, help="Town code, e.g. hp")
        do_import.add_argument(
            "--year",
            type=int,
            help="The file is this year's whole calendar: days of the year not in it are withdrawn",
        )
        show = actions.add_parser("show", help="List a year's holidays and adjusted working days")
        show.add_argument("--town", required=True)
        show.add_argument("--year", type=int, default=date.today().year)

    def handle(self, *args: Any, **options: Any) -> None:
        town = Town.objects.filter(code=options["town"]).first()
        if town is None:
            raise CommandError(f"No town with code {options['town']!r}.")
        if options["action"] == "import":
            self._import(town, options)
        else:
            self._show(town, options["year"])

    def _import(self, town: Town, options: dict[str, Any]) -> None:
        source = options["file"]
        try:
            text = (
                self.stdin_text() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
            )
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {source}: {error}") from None
        try:
            result = calendar_import(town=town, rows=calendar_parse(text), year=options.get("year"))
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(
            f"{town.name}: {result.created} added, {result.updated} changed, {result.withdrawn} withdrawn"
        )

    def stdin_text(self) -> str:
        import sys

        return sys.stdin.read()

    def _show(self, town: Town, year: int) -> None:
        calendar = WorkingCalendar.of(town)
        for entry in CalendarDay.objects.filter(town=town, day__year=year, active=True).order_by(
            "day"
        ):
            self.stdout.write(f"{entry.day.isoformat()}  {entry.get_kind_display()}  {entry.name}")
        first, last = date(year, 1, 1), date(year, 12, 31)
        working = calendar.working_days_between(first - timedelta(days=1), last)
        self.stdout.write(f"{year}: {working} working days")
