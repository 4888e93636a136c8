"""`maque bulletin issue [--date YYYY-MM-DD] [--town NAME] [--special | --corrects CODE]`: issue a
bulletin by hand. A day has one daily bulletin; asking for a second says which number it has."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maque.bulletins.models import Bulletin
from maque.bulletins.services import bulletin_issue
from maque.organisation.models import Town


class Command(BaseCommand):
    help = "Issue the daily bulletin (每日通报) of each town, or of one town; or a special bulletin or a correction."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue"])
        parser.add_argument(
            "--date", dest="day", help="the day reported on, YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--town", help="the town's name or code (default: every town)")
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument(
            "--special",
            action="store_true",
            help="a special bulletin (特别通报) besides the day's daily one",
        )
        kind.add_argument(
            "--corrects",
            metavar="CODE",
            help="a correction of the bulletin with this number, e.g. 蒿坪通〔2026〕12号",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["day"]:
            try:
                day = date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError(
                    f"--date must look like 2026-11-26, not {options['day']!r}"
                ) from None
        corrects = None
        if options["corrects"]:
            corrects = (
                Bulletin.objects.select_related("town")
                .filter(code=options["corrects"].strip())
                .first()
            )
            if corrects is None:
                raise CommandError(f"No bulletin numbered {options['corrects']!r}.")
        towns = Town.objects.order_by("pk")
        if corrects is not None:
            towns = towns.filter(pk=corrects.town_id)
        elif options["town"]:
            towns = towns.filter(name=options["town"]) | towns.filter(code=options["town"])
            if not towns.exists():
                raise CommandError(f"No town named {options['town']!r}.")
        for town in towns:
            try:
                bulletin = bulletin_issue(
                    town=town, day=day, corrects=corrects, special=options["special"]
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            self.stdout.write(
                f"{bulletin.code}  {bulletin.title}  (id {bulletin.pk}, sha256 {bulletin.content_hash[:12]})"
            )
