"""Benchmark: the escalation ladder's first tick over a backlog, and the steady state after it.

A township that installs Maque on an existing ledger, or a server that was down for a week,
finds every rung that fell due meanwhile still to fire on its first `tick`. This measures, on the
data set of `bench.county` (copied to a scratch file first, so the cached data set stays as
generated): the first `escalate` over the backlog (rungs, accountability suggestions and
notifications created, wall time, queries, peak memory), the same tick again (nothing left to
fire), and the next day's tick.

    python -m bench.rhythm [--villages 300] [--items 100000] [--seed 1]

`make bench` runs it too, through `run(context)`, on the data set of that run.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any


class _QueryCounter:
    """Counts the statements sent to the database (an `executemany` counts once)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def _peak_rss() -> Iterator[dict[str, int]]:
    """The growth of the resident set while the block runs (sampled every 20 ms)."""
    result = {"start": _rss_bytes(), "peak": 0}
    result["peak"] = result["start"]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            result["peak"] = max(result["peak"], _rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        done.set()
        sampler.join()
        result["peak"] = max(result["peak"], _rss_bytes())


def _measured(run: Callable[[], int]) -> dict[str, Any]:
    from django.db import connection

    counter = _QueryCounter()
    with _peak_rss() as rss, connection.execute_wrapper(counter):
        started, cpu_started = time.perf_counter(), time.process_time()
        fired = run()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "fired": fired,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "queries": counter.count,
        "peak_rss_growth_mb": round((rss["peak"] - rss["start"]) / 2**20, 1),
    }


@contextmanager
def _scratch_copy(database: Path) -> Iterator[Path]:
    """Point the default connection at a copy of the SQLite data set for the duration."""
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "sqlite":
        raise RuntimeError(
            "the rhythm benchmark copies a SQLite data set; the default database is not SQLite"
        )
    folder = Path(
        tempfile.mkdtemp(prefix="maque-rhythm-bench-", dir=os.environ.get("MAQUE_BENCH_TMP"))
    )
    copy = folder / "county.sqlite3"
    source, target = sqlite3.connect(str(database)), sqlite3.connect(str(copy))
    try:
        source.backup(target)  # consistent even with a write-ahead log beside the file
    finally:
        source.close()
        target.close()
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(copy)
    try:
        yield copy
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            leftover.unlink(missing_ok=True)
        folder.rmdir()


def _counts() -> dict[str, int]:
    from maque.accountability.models import AccountabilityCase
    from maque.notifications.models import Delivery, Notification
    from maque.rhythm.models import EscalationStep

    history = AccountabilityCase.history.model  # type: ignore[attr-defined]
    return {
        "rungs": EscalationStep.objects.count(),
        "suggestions": AccountabilityCase.objects.count(),
        "suggestion_history_rows": history.objects.count(),
        "notifications": Notification.objects.count(),
        "deliveries": Delivery.objects.count(),
    }


def run(context: Any = True) -> dict[str, Any]:
    """Measure on the data set of `context` (a `bench.county.BenchContext`), or on the configured
    database (True), or prepare the data set first (False)."""
    from django.core.management import call_command
    from django.utils import timezone

    from maque.rhythm.calendar import WorkingCalendar
    from maque.rhythm.escalation import escalate

    if isinstance(context, bool):
        from bench.bulletins import _context

        context = _context(database_ready=context)
    now = context.now
    results: dict[str, Any] = {"now": now.isoformat(), "data_set": Path(context.database).name}
    with _scratch_copy(Path(context.database)):
        call_command("migrate", verbosity=0)
        before = _counts()
        lines: list[str] = []

        def progress(line: str) -> None:
            lines.append(line)
            print(f"  {line}", flush=True)

        results["first_tick"] = _measured(lambda: _escalate(escalate, now, progress))
        results["first_tick"]["created"] = {
            key: value - before[key] for key, value in _counts().items()
        }
        results["first_tick"]["progress_lines"] = len(lines)
        results["same_tick_again"] = _measured(lambda: _escalate(escalate, now, None))
        # The next working day: the rungs that fall due overnight, as every day in the steady state.
        calendar = WorkingCalendar.of(context.town.pk)
        next_day = now + timedelta(
            days=(calendar.next_working_day(timezone.localdate(now)) - timezone.localdate(now)).days
        )
        results["next_working_day_tick"] = _measured(lambda: _escalate(escalate, next_day, None))
        results["totals"] = _counts()
        results["today"] = timezone.localdate(now).isoformat()
    return results


def _escalate(
    escalate: Callable[..., int], now: Any, progress: Callable[[str], None] | None
) -> int:
    """`escalate` with a progress callback where it takes one (earlier versions did not)."""
    import inspect

    if progress is not None and "progress" in inspect.signature(escalate).parameters:
        return escalate(now=now, progress=progress)
    return escalate(now=now)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rhythm", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.repeat = 1
    from bench.bulletins import _context

    context = _context(database_ready=False, args=args)
    result = run(context)
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
