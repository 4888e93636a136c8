"""`maque generate`: a synthetic county of any size, for tests and benchmarks."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maque.demo.generate import generate_dataset


class Command(BaseCommand):
    help = "Generate a synthetic data set: towns, villages, people, plots and items in every state."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--villages", type=int, default=30, help="number of villages (default 30)"
        )
        parser.add_argument(
            "--items", type=int, default=10_000, help="number of items (default 10000)"
        )
        parser.add_argument(
            "--towns", type=int, default=1, help="number of towns sharing the villages (default 1)"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed: the same seed gives the same data"
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="items per insert batch")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        interactive = sys.stderr.isatty()
        last_shown = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and now - last_shown[0] < 1.0:
                return
            last_shown[0] = now
            line = (
                f"{stage}: {done:,}/{total:,} ({100 * done // max(total, 1)}%) {now - started:.0f}s"
            )
            if interactive:
                self.stderr.write(f"\r{line}", ending="\n" if done >= total else "")
            else:
                self.stderr.write(line)

        try:
            summary = generate_dataset(
                villages=options["villages"],
                items=options["items"],
                towns=options["towns"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"generated {summary.towns} town(s), {summary.villages} villages, {summary.people} people, "
            f"{summary.plots} plots, {summary.items:,} items, {summary.transitions:,} transitions, "
            f"{summary.requests:,} requests, {summary.progress_logs:,} progress logs, "
            f"{summary.attachments:,} attachments in {summary.seconds:.1f}s"
        )
