"""`maque bulletin issue [--date YYYY-MM-DD] [--town NAME]`: issue the daily bulletin by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maque.bulletins.services import bulletin_issue
from maque.organisation.models import Town


class Command(BaseCommand):
    help = "Issue the daily bulletin (每日通报) of each town, or of one town."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue"])
        parser.add_argument("--date", dest="day", help="the day reported on, YYYY-MM-DD (default: today)")
        parser.add_argument("--town", help="the town's name or code (default: every town)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["day"]:
            try:
                day = date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError(f"--date must look like 2026-11-26, not {options['day']!r}") from None
        towns = Town.objects.order_by("pk")
        if options["town"]:
            towns = towns.filter(name=options["town"]) | towns.filter(code=options["town"])
            if not towns.exists():
                raise CommandError(f"No town named {options['town']!r}.")
        for town in towns:
            try:
                bulletin = bulletin_issue(town=town, day=day)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            self.stdout.write(f"{bulletin.code}  {bulletin.title}  (id {bulletin.pk}, sha256 {bulletin.content_hash[:12]})")
