"""Benchmark: issuing the daily bulletin and computing the weekly diagnosis pack at county scale.

Measured on the data set of `maque.bench` (default 300 villages, 1,000,000 items in one town),
each against hand-written SQL that produces the same numbers (checked): wall time p50/p95, the
number of queries, and the ratio. Targets: under 1 s, and at most 2× the SQL.

    python -m maque.bulletins.bench [--villages 300] [--items 1000000] [--seed 1] [--repeat 5]

`make bench` runs it too, through `run(context)`; `run(True)` measures the database Django is
already configured for, `run(False)` prepares the data set first as the command line does.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import timedelta
from typing import Any

TIME_TARGET_MS = 1000.0
STALE_DAYS = 14
RATIO_TARGET = 2.0

GROUPS_SQL = """
SELECT campaign_id, village_id, owner_id,
       COUNT(*),
       SUM(state IN ('found', 'rectifying', 'submitted')),
       SUM(state = 'closed'),
       SUM(state IN ('found', 'rectifying', 'submitted') AND deadline < %(day)s),
       SUM(created_at >= %(since)s),
       SUM(state = 'closed' AND closed_at >= %(since)s AND closed_at < %(as_of)s),
       MAX(CASE WHEN state IN ('found', 'rectifying', 'submitted') AND deadline < %(day)s
                THEN CAST(julianday(%(day)s) - julianday(deadline) AS INTEGER) END),
       SUM(CASE WHEN state IN ('found', 'rectifying', 'submitted') AND deadline < %(day)s
                THEN CAST(julianday(%(day)s) - julianday(deadline) AS INTEGER) END)
FROM ledger_item
WHERE town_id = %(town)s AND created_at < %(as_of)s AND state <> 'cancelled'
GROUP BY campaign_id, village_id, owner_id
"""

CAMPAIGNS_SQL = 'SELECT id, "order", name FROM ledger_campaign WHERE town_id = %(town)s'
VILLAGES_SQL = "SELECT id, name FROM organisation_village WHERE town_id = %(town)s AND active"
PEOPLE_SQL = "SELECT id, name FROM organisation_person WHERE town_id = %(town)s"

OVERDUE_TOP_SQL = """
SELECT i.code, CAST(julianday(%(day)s) - julianday(i.deadline) AS INTEGER) AS days
FROM ledger_item i
WHERE i.town_id = %(town)s AND i.state IN ('found', 'rectifying', 'submitted') AND i.deadline < %(day)s
ORDER BY days DESC, i.code
LIMIT 100
"""

RETURNS_SQL = """
SELECT i.code, t.reason
FROM ledger_transition t
JOIN ledger_item i ON i.id = t.item_id
JOIN organisation_village v ON v.id = i.village_id
WHERE i.town_id = %(town)s AND t.action IN ('return', 'reopen') AND t.created_at >= %(since)s AND t.created_at < %(as_of)s
  AND t.id > %(after)s AND t.id <= %(upto)s
ORDER BY v.name, t.created_at, t.id
LIMIT 100
"""

RETURNS_COUNT_SQL = """
SELECT COUNT(*)
FROM ledger_transition t JOIN ledger_item i ON i.id = t.item_id
WHERE i.town_id = %(town)s AND t.action IN ('return', 'reopen') AND t.created_at >= %(since)s AND t.created_at < %(as_of)s
  AND t.id > %(after)s AND t.id <= %(upto)s
"""

DIAGNOSIS_SQL = """
SELECT v.name,
  SUM(i.created_at >= %(this)s AND i.created_at < %(now)s),
  SUM(i.state = 'closed' AND i.closed_at >= %(this)s AND i.closed_at < %(now)s),
  SUM(i.created_at < %(now)s AND i.state NOT IN ('cancelled', 'suspended')
      AND (i.closed_at IS NULL OR i.closed_at >= %(now)s) AND i.deadline < %(now_day)s),
  SUM(i.created_at < %(now)s AND i.state NOT IN ('cancelled', 'suspended')
      AND (i.closed_at IS NULL OR i.closed_at >= %(now)s)
      AND COALESCE(i.last_progress_at, i.created_at) < %(now_stale)s),
  SUM(i.created_at < %(now)s AND i.state <> 'cancelled'),
  SUM(i.created_at < %(now)s AND i.state = 'closed' AND i.closed_at < %(now)s),
  SUM(i.created_at >= %(last)s AND i.created_at < %(this)s),
  SUM(i.state = 'closed' AND i.closed_at >= %(last)s AND i.closed_at < %(this)s),
  SUM(i.created_at < %(this)s AND i.state NOT IN ('cancelled', 'suspended')
      AND (i.closed_at IS NULL OR i.closed_at >= %(this)s) AND i.deadline < %(this_day)s),
  SUM(i.created_at < %(this)s AND i.state NOT IN ('cancelled', 'suspended')
      AND (i.closed_at IS NULL OR i.closed_at >= %(this)s)
      AND COALESCE(i.last_progress_at, i.created_at) < %(this_stale)s),
  SUM(i.created_at < %(this)s AND i.state <> 'cancelled'),
  SUM(i.created_at < %(this)s AND i.state = 'closed' AND i.closed_at < %(this)s)
FROM organisation_village v
LEFT JOIN ledger_item i ON i.village_id = v.id
WHERE v.town_id = %(town)s AND v.active
GROUP BY v.id, v.name
ORDER BY v.name
"""

DIAGNOSIS_RETURNS_SQL = """
SELECT i.village_id, SUM(t.created_at >= %(this)s), SUM(t.created_at < %(this)s)
FROM ledger_transition t JOIN ledger_item i ON i.id = t.item_id
WHERE i.town_id = %(town)s AND t.action = 'return' AND t.created_at >= %(last)s AND t.created_at < %(now)s
GROUP BY i.village_id
"""


def _sql(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _counted(function: Any) -> tuple[int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        answer = function()
    return len(captured.captured_queries), answer


def _summary(timing: Any, sql_timing: Any, queries: int, sql_queries: int) -> dict[str, Any]:
    ratio = round(timing.p50 / sql_timing.p50, 2) if sql_timing.p50 else None
    return {
        "selector": timing.as_dict(),
        "sql": sql_timing.as_dict(),
        "queries": queries,
        "sql_queries": sql_queries,
        "ratio": ratio,
        "under_1s": timing.p50 < TIME_TARGET_MS,
        "ratio_ok": ratio is not None and ratio <= RATIO_TARGET,
    }


def _bulletin(context: Any, repeat: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from maque.bulletins.document import bulletin_docx
    from maque.bulletins.queries import bulletin_figures, rollup
    from maque.bulletins.services import bulletin_issue
    from maque.ledger.models import Transition

    town, day, as_of = context.town, context.day, context.now
    since = as_of - timedelta(days=1)
    # As if yesterday's bulletin had seen every transition but the last day's worth (a live
    # ledger appends them in time order; the generated one back-dates them, so count them).
    upto = Transition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    after = upto - Transition.objects.filter(created_at__gte=since).count()
    ops = connection.ops
    params = {
        "town": town.pk, "day": day.isoformat(), "after": after, "upto": upto,
        "as_of": ops.adapt_datetimefield_value(as_of), "since": ops.adapt_datetimefield_value(since),
    }

    def selector() -> dict[str, Any]:
        return bulletin_figures(
            town=town, day=day, as_of=as_of, since=since, after_transition=after, upto_transition=upto
        )

    keys = ("campaign_id", "village_id", "owner_id", "total", "open", "closed", "overdue", "new", "closed_new",
            "max_days", "total_days")

    def sql() -> dict[str, Any]:
        groups = [dict(zip(keys, row, strict=True)) for row in _sql(GROUPS_SQL, params)]
        for row in groups:
            for key in ("open", "closed", "overdue", "new", "closed_new"):
                row[key] = row[key] or 0
        tables = rollup(
            groups,
            campaigns={pk: (order, name) for pk, order, name in _sql(CAMPAIGNS_SQL, params)},
            villages=dict(_sql(VILLAGES_SQL, params)),
            owners=dict(_sql(PEOPLE_SQL, params)),
        )
        return {
            **tables, "overdue_items": _sql(OVERDUE_TOP_SQL, params), "returned": _sql(RETURNS_SQL, params),
            "returned_total": _sql(RETURNS_COUNT_SQL, params)[0][0],
        }

    statements = (GROUPS_SQL, CAMPAIGNS_SQL, VILLAGES_SQL, PEOPLE_SQL, OVERDUE_TOP_SQL, RETURNS_SQL, RETURNS_COUNT_SQL)
    timing, figures = context.measure(selector, repeat=repeat, warmup=1)
    sql_timing, by_hand = context.measure(sql, repeat=repeat, warmup=1)
    # The same numbers, or the comparison means nothing.
    for table in ("campaigns", "overdue_groups", "ranking"):
        assert figures[table] == by_hand[table], f"{table} differ"
    assert [(r["code"], r["days_overdue"]) for r in figures["overdue_items"]] == by_hand["overdue_items"], "overdue list differs"
    assert [(r["code"], r["reason"]) for r in figures["returned"]] == by_hand["returned"], "returns differ"
    assert figures["returned_total"] == by_hand["returned_total"], "number of returns differs"
    queries, _answer = _counted(selector)
    result = _summary(timing, sql_timing, queries, len(statements))
    result["figures"] = {
        "items": figures["totals"]["total"], "overdue": figures["totals"]["overdue"],
        "overdue_groups": len(figures["overdue_groups"]), "returned": figures["returned_total"],
        "villages": len(figures["ranking"]),
    }

    # Issuing end to end (figures, number under lock, snapshot, hash, insert), rolled back so the
    # data set is left as it was.
    def issue() -> Any:
        with transaction.atomic():
            bulletin = bulletin_issue(town=town, day=day, now=as_of)
            transaction.set_rollback(True)
        return bulletin

    issue_timing, bulletin = context.measure(issue, repeat=max(3, repeat // 2), warmup=1)
    issue_queries, _answer = _counted(issue)
    docx_timing, document = context.measure(lambda: bulletin_docx(bulletin.snapshot), repeat=1, warmup=0)
    result["issue"] = {**issue_timing.as_dict(), "queries": issue_queries, "under_1s": issue_timing.p50 < TIME_TARGET_MS}
    result["docx"] = {**docx_timing.as_dict(), "bytes": len(document)}
    return result


def _diagnosis(context: Any, repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from maque.bulletins.queries import rate
    from maque.meetings.queries import diagnosis_pack

    town, now = context.town, context.now
    this_start, last_start = now - timedelta(days=7), now - timedelta(days=14)
    ops = connection.ops
    params = {
        "town": town.pk, "now": ops.adapt_datetimefield_value(now), "this": ops.adapt_datetimefield_value(this_start),
        "last": ops.adapt_datetimefield_value(last_start),
        "now_day": timezone.localdate(now).isoformat(), "this_day": timezone.localdate(this_start).isoformat(),
        "now_stale": ops.adapt_datetimefield_value(now - timedelta(days=STALE_DAYS)),
        "this_stale": ops.adapt_datetimefield_value(this_start - timedelta(days=STALE_DAYS)),
    }

    def selector() -> dict[str, Any]:
        return diagnosis_pack(town=town, now=now, stale_days=STALE_DAYS)

    def sql() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        return _sql(DIAGNOSIS_SQL, params), _sql(DIAGNOSIS_RETURNS_SQL, params)

    timing, pack = context.measure(selector, repeat=repeat, warmup=1)
    sql_timing, (rows, returns) = context.measure(sql, repeat=repeat, warmup=1)
    def shaped(row: tuple[Any, ...]) -> tuple[Any, ...]:
        name, *values = (value or 0 if index else value for index, value in enumerate(row))
        this, last = values[:6], values[6:]
        return (name, *this[:4], rate(this[5], this[4]), *last[:4], rate(last[5], last[4]))

    keys = ("found", "closed", "overdue", "stale", "closure_rate")
    expected = [(v["village"], *(v["this"][k] for k in keys), *(v["last"][k] for k in keys)) for v in pack["villages"]]
    assert expected == [shaped(row) for row in rows], "diagnosis numbers differ"
    assert sum(v["this"]["returned"] + v["last"]["returned"] for v in pack["villages"]) == sum(
        (row[1] or 0) + (row[2] or 0) for row in returns
    )
    queries, _answer = _counted(selector)
    return _summary(timing, sql_timing, queries, 2)


def run(context: Any = True) -> dict[str, Any]:
    """Measure on `context` (a `maque.bench.BenchContext`), or on the configured database (True),
    or prepare the county data set first (False)."""
    from django.core.management import call_command

    if isinstance(context, bool):
        context = _context(database_ready=context)
    # A data set generated before this app's latest migrations lacks their columns.
    call_command("migrate", verbosity=0)
    repeat = max(3, min(context.repeat, 10))
    return {"bulletin": _bulletin(context, repeat), "diagnosis": _diagnosis(context, repeat)}


def _context(*, database_ready: bool, args: argparse.Namespace | None = None) -> Any:
    """A BenchContext like `maque.bench` builds, for running this benchmark on its own."""
    from maque import bench

    args = args or argparse.Namespace(villages=300, items=1_000_000, seed=1, repeat=5)
    if not database_ready:
        path = bench._database_path(args)
        os.environ["MAQUE_DATABASE_URL"] = f"sqlite:///{path}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maque.settings")
        import django

        django.setup()
        summary = bench._prepare(path, args)
    else:
        from django.conf import settings

        path = settings.DATABASES["default"]["NAME"]
        summary = None
    from django.utils import timezone

    from maque.organisation.models import Person, Role, Town

    town = Town.objects.get(pk=summary["town_ids"][0]) if summary else Town.objects.order_by("pk").first()
    people = Person.objects.select_related("user").filter(town=town)
    principal = people.filter(assignments__role=Role.PRINCIPAL).first()
    inspector = people.filter(assignments__role=Role.INSPECTOR).first()
    now = timezone.now().replace(microsecond=0)
    return bench.BenchContext(
        database=path, villages=args.villages, items=args.items, seed=args.seed, repeat=args.repeat,
        day=timezone.localdate(now), now=now, town=town,
        principal=principal.user if principal else None, inspector=inspector.user if inspector else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m maque.bulletins.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    context = _context(database_ready=False, args=args)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=context.now):
        result = run(context)
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
