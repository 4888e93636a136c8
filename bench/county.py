"""`make bench`: the ledger's reads at county scale, against hand-written SQL.

Generates (once, then reuses) a county data set in its own SQLite file under `var/bench/`
(default 300 villages and 1,000,000 items) and measures, with warm-up and repetitions:

- the overdue list of one village, 50 per page, sorted by days overdue — through the selector
  `ledger.queries.item_list` and through the API (`GET /api/v1/items?…`);
- counts per village × state × light for the whole data set — `counts_by_village_state_light`;

each also as hand-written SQL that gives the same answer on the same database (checked), and
reports p50/p95 and the ratio selector/SQL. Targets: selector ≤ 2× the SQL; an API page at 1M
items p50 < 50 ms. Prints a table and writes JSON to `bench-results/`.

Other apps add their own measurements on the same data set with a module `bench.<app>` (for
the app `maque.<app>`) that defines `run(context: BenchContext) -> dict` (see `BenchContext`); their results are printed
and written with the rest.

    python -m bench [--villages 300] [--items 1000000] [--seed 1] [--repeat 30]
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

GENERATOR_VERSION = 1  # bump when the generator changes what it writes: old files are rebuilt
LIST_TARGET_MS = 50.0
RATIO_TARGET = 2.0


@dataclass
class Timing:
    """Wall-clock and CPU times of repeated runs, in milliseconds.

    The database is SQLite in this process, so CPU time covers the query too; on a shared,
    busy machine it is the steadier figure, and both are reported.
    """

    samples: list[float]
    cpu_samples: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu_samples) if self.cpu_samples else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {
            "p50_ms": round(self.p50, 3),
            "p95_ms": round(self.p95, 3),
            "cpu_p50_ms": round(self.cpu_p50, 3),
            "runs": len(self.samples),
            "min_ms": round(min(self.samples), 3),
            "max_ms": round(max(self.samples), 3),
        }


def measure(run: Callable[[], Any], *, repeat: int, warmup: int = 2) -> tuple[Timing, Any]:
    """Run `run` warmup + repeat times; return the timings of the measured runs and the last answer."""
    answer = None
    for _ in range(warmup):
        answer = run()
    samples, cpu_samples = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        answer = run()
        samples.append((time.perf_counter() - started) * 1000)
        cpu_samples.append((time.process_time() - cpu_started) * 1000)
    return Timing(samples, cpu_samples), answer


@dataclass
class BenchContext:
    """What an app's `bench.run(context)` gets: the generated county, ready to query."""

    database: Path
    villages: int
    items: int
    seed: int
    repeat: int
    day: date
    now: datetime
    town: Any  # organisation.Town
    principal: Any  # a user with the principal role in `town`
    inspector: Any  # a user with the inspector role in `town`
    measure: Callable[..., tuple[Timing, Any]] = field(default=measure)


# --- the data set -------------------------------------------------------------------------------


def _database_path(args: argparse.Namespace) -> Path:
    var = Path(os.environ.get("MAQUE_VAR_DIR") or Path.cwd() / "var").resolve()
    folder = var / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return (
        folder / f"county-v{args.villages}-i{args.items}-s{args.seed}-g{GENERATOR_VERSION}.sqlite3"
    )


def _prepare(path: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Reuse the data set if a complete one with these parameters exists; otherwise build it."""
    from django.core.management import call_command
    from django.db import connection

    from maque.demo.generate import generate_dataset

    marker = path.with_suffix(".json")
    if marker.exists() and path.exists():
        summary = json.loads(marker.read_text())
        print(
            f"reusing {path} ({summary['items']:,} items, generated in {summary['seconds']:.0f}s)"
        )
        return summary
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), marker):
        leftover.unlink(missing_ok=True)
    print(f"generating {args.villages} villages and {args.items:,} items into {path} …")
    call_command("migrate", verbosity=0)
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] > 5:
            last[0] = now
            print(f"  {stage}: {done:,}/{total:,}", flush=True)

    result = generate_dataset(
        villages=args.villages, items=args.items, seed=args.seed, progress=progress
    )
    with connection.cursor() as cursor:
        # What a deployment does after a bulk load: statistics for the query planner.
        cursor.execute("ANALYZE")
    summary = {
        "villages": result.villages,
        "items": result.items,
        "transitions": result.transitions,
        "attachments": result.attachments,
        "progress_logs": result.progress_logs,
        "seconds": round(result.seconds, 1),
        "town_ids": result.town_ids,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    marker.write_text(json.dumps(summary, indent=2))
    print(f"generated in {result.seconds:.0f}s")
    return summary


# --- hand-written SQL ---------------------------------------------------------------------------

OVERDUE_PAGE_SQL = """
SELECT i.id, CAST(julianday(%s) - julianday(i.deadline) AS INTEGER) AS days_overdue,
       i.code, i.title, i.deadline, i.state, v.name, o.name, c.name
FROM ledger_item i
JOIN organisation_village v ON v.id = i.village_id
JOIN organisation_person o ON o.id = i.owner_id
LEFT JOIN ledger_category c ON c.id = i.category_id
WHERE i.village_id = %s AND i.state IN ('found', 'rectifying', 'submitted') AND i.deadline < %s
ORDER BY days_overdue DESC, i.deadline, i.id
LIMIT 50
"""

COUNTS_SQL = """
SELECT i.village_id, v.name, i.state,
       CASE
         WHEN i.state IN ('closed', 'cancelled') THEN 'grey'
         WHEN i.state = 'suspended' THEN 'blue'
         WHEN (i.state IN ('found', 'rectifying', 'submitted') AND i.deadline < %(day)s)
              OR i.returned_count >= t.light_red_returns THEN 'red'
         WHEN i.deadline <= date(%(day)s, '+' || t.light_due_soon_days || ' days')
              OR COALESCE(i.last_progress_at, i.created_at) < datetime(%(now)s, '-' || t.light_stale_days || ' days')
              OR i.returned_count >= 1 THEN 'yellow'
         ELSE 'green'
       END AS light,
       COUNT(*)
FROM ledger_item i
JOIN organisation_village v ON v.id = i.village_id
JOIN organisation_town t ON t.id = i.town_id
WHERE i.town_id = %(town)s
GROUP BY i.village_id, v.name, i.state, light
ORDER BY v.name, i.state, light
"""


def _sql(sql: str, params: Any) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _plan(queryset: Any) -> list[str]:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def _sql_plan(sql: str, params: Any) -> list[str]:
    return [row[-1] for row in _sql("EXPLAIN QUERY PLAN " + sql, params)]


# --- the measurements ---------------------------------------------------------------------------


def _foundation(context: BenchContext, contact_leader: Any, village: Any) -> dict[str, Any]:
    from django.db.models import Count
    from django.test import Client

    from maque.ledger.models import Item
    from maque.ledger.queries import counts_by_village_state_light, item_list, with_indicators

    day, repeat = context.day, context.repeat
    results: dict[str, Any] = {}

    # (a) the overdue list of one village, first page of 50, most overdue first.
    def selector_page() -> list[tuple[int, int, str]]:
        items = item_list(
            user=contact_leader, village=village.pk, overdue=True, sort="-days_overdue"
        )[:50]
        return [(item.pk, item.days_overdue, item.light) for item in items]

    def sql_page() -> list[tuple[int, int, str]]:
        # Every overdue item is red, whatever the town's thresholds.
        return [
            (row[0], row[1], "red")
            for row in _sql(OVERDUE_PAGE_SQL, [day.isoformat(), village.pk, day.isoformat()])
        ]

    client = Client()
    client.force_login(contact_leader)
    url = f"/api/v1/items?village={village.pk}&overdue=true&sort=-days_overdue&page_size=50"

    def api_page() -> list[str]:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(
                f"GET {url} answered {response.status_code}: {response.content[:300]!r}"
            )
        return [item["code"] for item in response.json()["items"]]

    selector_timing, selector_answer = measure(selector_page, repeat=repeat)
    sql_timing, sql_answer = measure(sql_page, repeat=repeat)
    if selector_answer != sql_answer:
        raise AssertionError("the overdue page from the selector and from SQL differ")
    overdue_count = item_list(user=contact_leader, village=village.pk, overdue=True).count()
    results["overdue_page"] = {
        "village": village.name,
        "village_items": village.item_count,
        "overdue_items": overdue_count,
        "rows": len(selector_answer),
        "selector": selector_timing.as_dict(),
        "sql": sql_timing.as_dict(),
        "ratio": round(selector_timing.p50 / sql_timing.p50, 2),
        "cpu_ratio": round(selector_timing.cpu_p50 / sql_timing.cpu_p50, 2),
        "plan_selector": _plan(
            item_list(user=contact_leader, village=village.pk, overdue=True, sort="-days_overdue")[
                :50
            ]
        ),
        "plan_sql": _sql_plan(OVERDUE_PAGE_SQL, [day.isoformat(), village.pk, day.isoformat()]),
    }
    try:
        api_timing, api_answer = measure(api_page, repeat=repeat)
        codes = dict(
            Item.objects.filter(pk__in=[row[0] for row in sql_answer]).values_list("pk", "code")
        )
        if api_answer != [codes[row[0]] for row in sql_answer]:
            raise AssertionError("the overdue page from the API and from SQL differ")
        results["overdue_page"]["api"] = api_timing.as_dict()
        results["overdue_page"]["api_ratio"] = round(api_timing.p50 / sql_timing.p50, 2)
        results["overdue_page"]["api_cpu_ratio"] = round(api_timing.cpu_p50 / sql_timing.cpu_p50, 2)
    except Exception as error:  # noqa: BLE001 - the API may be missing; report it, keep measuring
        results["overdue_page"]["api_error"] = f"{type(error).__name__}: {error}"

    # (b) counts per village × state × light, the whole data set.
    def selector_counts() -> list[tuple[Any, ...]]:
        rows = counts_by_village_state_light(user=context.principal, day=day)
        return [
            (r["village_id"], r["village__name"], r["state"], r["light"], r["count"]) for r in rows
        ]

    params = {
        "day": day.isoformat(),
        "now": context.now.replace(tzinfo=None).isoformat(sep=" "),
        "town": context.town.pk,
    }

    def sql_counts() -> list[tuple[Any, ...]]:
        return [tuple(row) for row in _sql(COUNTS_SQL, params)]

    count_repeat = max(3, repeat // 4)
    selector_timing, selector_answer = measure(selector_counts, repeat=count_repeat, warmup=1)
    sql_timing, sql_answer = measure(sql_counts, repeat=count_repeat, warmup=1)
    if selector_answer != sql_answer:
        raise AssertionError("the counts from the selector and from SQL differ")
    plan_source = (
        with_indicators(Item.objects.all(), day=day)
        .values("village_id", "village__name", "state", "light")
        .annotate(count=Count("id"))
    )
    results["counts"] = {
        "groups": len(selector_answer),
        "items": sum(row[-1] for row in selector_answer),
        "selector": selector_timing.as_dict(),
        "sql": sql_timing.as_dict(),
        "ratio": round(selector_timing.p50 / sql_timing.p50, 2),
        "cpu_ratio": round(selector_timing.cpu_p50 / sql_timing.cpu_p50, 2),
        "plan_selector": _plan(plan_source),
        "plan_sql": _sql_plan(COUNTS_SQL, params),
    }
    return results


def _app_benches(context: BenchContext, only: list[str] | None = None) -> dict[str, Any]:
    """Run `bench.<app>.run(context)` for every app `maque.<app>` that has one (or those in
    `only`)."""
    from django.apps import apps

    results: dict[str, Any] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("maque."):
            continue
        module_name = f"bench.{config.name.removeprefix('maque.')}"
        if only and config.name.removeprefix("maque.") not in only:
            continue
        if importlib.util.find_spec(module_name) is None:
            continue
        print(f"running {module_name} …", flush=True)
        try:
            results[config.label] = importlib.import_module(module_name).run(context)
        except Exception:  # noqa: BLE001 - one app's failure is reported, the others still run
            results[config.label] = {"error": traceback.format_exc(limit=5)}
    return results


def _table(results: dict[str, Any]) -> str:
    """Wall p50/p95 and CPU p50 of each measurement, its hand-SQL counterpart and the ratios."""
    lines = [
        f"{'measurement':40} {'p50 ms':>9} {'p95 ms':>9} {'CPU p50':>9} │ {'SQL p50':>9} {'SQL CPU':>9} │ "
        f"{'ratio':>6} {'CPU ratio':>9}  target"
    ]

    def row(
        name: str,
        timing: dict[str, Any],
        sql: dict[str, Any],
        ratio: float,
        cpu_ratio: float,
        verdict: str,
    ) -> str:
        return (
            f"{name:40} {timing['p50_ms']:9.2f} {timing['p95_ms']:9.2f} {timing['cpu_p50_ms']:9.2f} │ "
            f"{sql['p50_ms']:9.2f} {sql['cpu_p50_ms']:9.2f} │ {ratio:6.2f} {cpu_ratio:9.2f}  {verdict}"
        )

    page = results["overdue_page"]
    lines.append(
        row(
            "overdue page, selector (50 rows)",
            page["selector"],
            page["sql"],
            page["ratio"],
            page["cpu_ratio"],
            f"ratio ≤ {RATIO_TARGET:g}: {_ok(page['ratio'] <= RATIO_TARGET)}",
        )
    )
    if "api" in page:
        lines.append(
            row(
                "overdue page, API (GET /api/v1/items)",
                page["api"],
                page["sql"],
                page["api_ratio"],
                page["api_cpu_ratio"],
                f"p50 < {LIST_TARGET_MS:g} ms: {_ok(page['api']['p50_ms'] < LIST_TARGET_MS)}",
            )
        )
    else:
        lines.append(f"{'overdue page, API':40} failed: {page.get('api_error')}")
    counts = results["counts"]
    lines.append(
        row(
            "counts village × state × light",
            counts["selector"],
            counts["sql"],
            counts["ratio"],
            counts["cpu_ratio"],
            f"ratio ≤ {RATIO_TARGET:g}: {_ok(counts['ratio'] <= RATIO_TARGET)}",
        )
    )
    return "\n".join(lines)


def _ok(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat",
        type=int,
        default=30,
        help="measured runs of each list query (counts: a quarter)",
    )
    parser.add_argument("--output", default="bench-results", help="folder for the JSON results")
    parser.add_argument(
        "--only-foundation", action="store_true", help="skip the other apps' benchmarks"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="APP[,APP…]",
        help="run only these apps' benchmarks (comma-separated, or repeated)",
    )
    args = parser.parse_args(argv)
    if args.only:
        args.only = [
            name.strip() for value in args.only for name in value.split(",") if name.strip()
        ]

    path = _database_path(args)
    os.environ["MAQUE_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maque.settings")
    import django

    django.setup()
    from django.db.models import Count, Q
    from django.utils import timezone

    from maque.organisation.models import Person, Role, Town, Village

    summary = _prepare(path, args)
    town = Town.objects.get(pk=summary["town_ids"][0])
    # The village with the most open items: the longest overdue list.
    village = (
        Village.objects.filter(town=town)
        .annotate(
            item_count=Count("items"),
            open_count=Count(
                "items", filter=Q(items__state__in=("found", "rectifying", "submitted"))
            ),
        )
        .order_by("-open_count", "id")
        .first()
    )
    people = Person.objects.select_related("user")
    contact_leader = people.get(
        assignments__role=Role.CONTACT_LEADER, assignments__village=village
    ).user
    principal = people.filter(town=town, assignments__role=Role.PRINCIPAL).first().user
    inspector = people.filter(town=town, assignments__role=Role.INSPECTOR).first().user

    # One instant for the whole run, so the selector and the SQL judge "stale" alike.
    frozen = timezone.now().replace(microsecond=0)
    with mock.patch("django.utils.timezone.now", return_value=frozen):
        context = BenchContext(
            database=path,
            villages=args.villages,
            items=args.items,
            seed=args.seed,
            repeat=args.repeat,
            day=timezone.localdate(),
            now=frozen.astimezone(UTC),
            town=town,
            principal=principal,
            inspector=inspector,
        )
        results: dict[str, Any] = {"foundation": _foundation(context, contact_leader, village)}
        if not args.only_foundation:
            results.update(_app_benches(context, args.only))

    print()
    print(
        f"data set: {summary['villages']} villages, {summary['items']:,} items ({path.name}); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(_table(results["foundation"]))
    for label, result in results.items():
        if label != "foundation":
            print(f"\n{label}: {json.dumps(result, ensure_ascii=False, indent=2, default=str)}")
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "when": stamp,
        "python": sys.version.split()[0],
        "database": "sqlite",
        "dataset": summary,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "args": vars(args),
        "targets": {"ratio": RATIO_TARGET, "api_p50_ms": LIST_TARGET_MS},
        "results": results,
    }
    for name in (f"bench-{stamp}.json", "latest.json"):
        (output / name).write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str))
    print(f"\nwrote {output / f'bench-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
