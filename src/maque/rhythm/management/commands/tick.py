"""`maque tick [--now ISO-TIME] [--step PATH …]`: run the rhythm once (safe to run anywhere, any time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from maque.rhythm.tick import STEPS, tick


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--now: {value!r} is not an ISO date or time, e.g. 2026-07-18T08:30"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Run the rhythm once: resume, escalate, issue due bulletins, draft meetings and rounds, send."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Act as if it were this time (local time zone unless given), for tests and backfill",
        )
        parser.add_argument(
            "--step", action="append", choices=STEPS, help="Run only this step (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options.get("now") else None
        # A long run (the first over a large backlog) says how far it has got every few seconds.
        progress = self.stdout.write if options["verbosity"] >= 1 else None
        result = tick(now=now, steps=options.get("step") or STEPS, progress=progress)
        for path, count in result.effects.items():
            # Quiet when nothing happened (the server ticks every minute); -v 2 lists every step.
            if count or options["verbosity"] >= 2:
                self.stdout.write(f"{path}: {count}")
        for path in result.skipped:
            self.stdout.write(f"{path}: not installed, skipped")
        for path, error in result.failed.items():
            self.stderr.write(f"{path}: FAILED {error}")
        if not result.ok:
            raise CommandError(f"{len(result.failed)} step(s) failed")
