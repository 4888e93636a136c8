"""Benchmark: issuing the daily bulletin and computing the weekly diagnosis pack at county scale.

Measured on the data set of `bench.county` (default 300 villages, 1,000,000 items in one town),
each against hand-written SQL that produces the same numbers (checked): wall time p50/p95, the
number of queries, and the ratio. Targets: under 1 s, and at most 2× the SQL.

    python -m bench.bulletins [--villages 300] [--items 1000000] [--seed 1] [--repeat 5]

`make bench` runs it too, through `run(context)`; `run(True)` measures the database Django is
already configured for, `run(False)` prepares the data set first as the command line does.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date, timedelta
from typing import Any

TIME_TARGET_MS = 1000.0
STALE_DAYS = 14
RATIO_TARGET = 2.0

# The plain definitions, in one scan: every item row read once. Measured once per run for
# reference; the baselines are the hand-written statements below, which use the indexes as the
# selectors do.
GROUPS_ONE_SCAN_SQL = """
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

RETURNS_SQL = """
SELECT i.code, t.reason
FROM ledger_transition t
CROSS JOIN ledger_item i ON i.id = t.item_id
JOIN organisation_village v ON v.id = i.village_id
WHERE i.town_id = %(town)s AND t.action IN ('return', 'reopen') AND t.created_at >= %(since)s AND t.created_at < %(as_of)s
  AND t.id > %(after)s AND t.id <= %(upto)s
ORDER BY v.name, t.id
LIMIT 100
"""

RETURNS_COUNT_SQL = """
SELECT COUNT(*)
FROM ledger_transition t CROSS JOIN ledger_item i ON i.id = t.item_id
WHERE i.town_id = %(town)s AND t.action IN ('return', 'reopen') AND t.created_at >= %(since)s AND t.created_at < %(as_of)s
  AND t.id > %(after)s AND t.id <= %(upto)s
"""

DIAGNOSIS_ONE_SCAN_SQL = """
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
FROM ledger_transition t CROSS JOIN ledger_item i ON i.id = t.item_id
WHERE i.town_id = %(town)s AND t.action = 'return' AND t.created_at >= %(last)s AND t.created_at < %(now)s
GROUP BY i.village_id
"""


# Hand-written, as a database engineer would for these indexes: counts by state from the figures
# index, overdue from its open part, and two short ranges for what changed since the last bulletin.
COUNTS_SQL = """
SELECT state, campaign_id, village_id, COUNT(*) FROM ledger_item
WHERE town_id = %(town)s AND created_at < %(as_of)s
GROUP BY state, campaign_id, village_id
"""

OVERDUE_SQL = """
SELECT campaign_id, village_id, owner_id, COUNT(*), MIN(deadline),
       SUM(CAST(julianday(%(day)s) - julianday(deadline) AS INTEGER))
FROM ledger_item
WHERE town_id = %(town)s AND state IN ('found', 'rectifying', 'submitted') AND deadline < %(day)s AND created_at < %(as_of)s
GROUP BY state, campaign_id, village_id, owner_id
"""

NEW_SQL = """
SELECT campaign_id, village_id, COUNT(*) FROM ledger_item
WHERE town_id = %(town)s AND created_at >= %(since)s AND created_at < %(as_of)s AND state <> 'cancelled'
GROUP BY campaign_id + 0, village_id + 0
"""

CLOSED_NEW_SQL = """
SELECT campaign_id, village_id, COUNT(*) FROM ledger_item
WHERE town_id = %(town)s AND closed_at >= %(since)s AND closed_at < %(as_of)s AND created_at < %(as_of)s
GROUP BY campaign_id + 0, village_id + 0
"""

OVERDUE_TOP_SQL = """
SELECT * FROM (SELECT code, deadline, CAST(julianday(%(day)s) - julianday(deadline) AS INTEGER) FROM ledger_item
               WHERE town_id = %(town)s AND state = 'found' AND deadline < %(day)s ORDER BY deadline, code LIMIT 100)
UNION ALL
SELECT * FROM (SELECT code, deadline, CAST(julianday(%(day)s) - julianday(deadline) AS INTEGER) FROM ledger_item
               WHERE town_id = %(town)s AND state = 'rectifying' AND deadline < %(day)s ORDER BY deadline, code LIMIT 100)
UNION ALL
SELECT * FROM (SELECT code, deadline, CAST(julianday(%(day)s) - julianday(deadline) AS INTEGER) FROM ledger_item
               WHERE town_id = %(town)s AND state = 'submitted' AND deadline < %(day)s ORDER BY deadline, code LIMIT 100)
ORDER BY 2, 1 LIMIT 100
"""

# The diagnosis pack: counts by state now; the open items at both week ends; items closed, and
# items registered, since the start of last week.
DIAGNOSIS_COUNTS_SQL = """
SELECT village_id, state, COUNT(*) FROM ledger_item
WHERE town_id = %(town)s AND created_at < %(now)s
GROUP BY state, campaign_id, village_id
"""

DIAGNOSIS_OPEN_SQL = """
SELECT village_id,
  SUM(deadline < %(now_day)s),
  SUM(COALESCE(last_progress_at, created_at) < %(now_stale)s),
  SUM(created_at < %(this)s AND deadline < %(this_day)s),
  SUM(created_at < %(this)s AND COALESCE(last_progress_at, created_at) < %(this_stale)s)
FROM ledger_item
WHERE town_id = %(town)s AND state IN ('found', 'rectifying', 'submitted') AND created_at < %(now)s
GROUP BY state, campaign_id, village_id
"""

DIAGNOSIS_CLOSED_SQL = """
SELECT village_id,
  SUM(closed_at >= %(this)s AND closed_at < %(now)s),
  SUM(closed_at >= %(last)s AND closed_at < %(this)s),
  SUM(created_at < %(now)s AND closed_at >= %(now)s AND deadline < %(now_day)s),
  SUM(created_at < %(now)s AND closed_at >= %(now)s AND COALESCE(last_progress_at, created_at) < %(now_stale)s),
  SUM(created_at < %(this)s AND closed_at >= %(this)s AND deadline < %(this_day)s),
  SUM(created_at < %(this)s AND closed_at >= %(this)s AND COALESCE(last_progress_at, created_at) < %(this_stale)s),
  SUM(created_at < %(now)s AND closed_at >= %(now)s),
  SUM(created_at < %(this)s AND closed_at >= %(this)s)
FROM ledger_item
WHERE town_id = %(town)s AND closed_at >= %(last)s
GROUP BY village_id + 0
"""

DIAGNOSIS_REGISTERED_SQL = """
SELECT village_id,
  SUM(created_at >= %(this)s AND created_at < %(now)s),
  SUM(created_at < %(this)s),
  SUM(created_at >= %(this)s AND created_at < %(now)s AND state <> 'cancelled'),
  SUM(created_at >= %(this)s AND created_at < %(now)s AND state = 'closed')
FROM ledger_item
WHERE town_id = %(town)s AND created_at >= %(last)s
GROUP BY village_id + 0
"""


def _day(value: Any) -> date:
    """A date from the database (an aggregate of a date column comes back as text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


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
    from maque.bulletins.models import Bulletin
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
        "town": town.pk,
        "day": day.isoformat(),
        "after": after,
        "upto": upto,
        "as_of": ops.adapt_datetimefield_value(as_of),
        "since": ops.adapt_datetimefield_value(since),
    }

    def selector() -> dict[str, Any]:
        return bulletin_figures(
            town=town,
            day=day,
            as_of=as_of,
            since=since,
            after_transition=after,
            upto_transition=upto,
        )

    def sql() -> dict[str, Any]:
        groups: dict[tuple[int, int, int | None], dict[str, Any]] = {}

        def group(campaign: int, village: int, owner: int | None = None) -> dict[str, Any]:
            return groups.setdefault(
                (campaign, village, owner),
                {
                    "campaign_id": campaign,
                    "village_id": village,
                    "owner_id": owner,
                    **dict.fromkeys(("total", "open", "closed", "overdue", "new", "closed_new"), 0),
                    "max_days": None,
                    "total_days": None,
                },
            )

        for state, campaign, village, count in _sql(COUNTS_SQL, params):
            if state != "cancelled":
                row = group(campaign, village)
                row["total"] += count
                row["open" if state in ("found", "rectifying", "submitted") else "closed"] += (
                    count if state != "suspended" else 0
                )
        for campaign, village, owner, count, first, days in _sql(OVERDUE_SQL, params):
            row = group(campaign, village, owner)
            row["overdue"] += count
            row["max_days"] = max(row["max_days"] or 0, (day - _day(first)).days)
            row["total_days"] = (row["total_days"] or 0) + days
        for campaign, village, count in _sql(NEW_SQL, params):
            group(campaign, village)["new"] += count
        for campaign, village, count in _sql(CLOSED_NEW_SQL, params):
            group(campaign, village)["closed_new"] += count
        tables = rollup(
            list(groups.values()),
            campaigns={pk: (order, name) for pk, order, name in _sql(CAMPAIGNS_SQL, params)},
            villages=dict(_sql(VILLAGES_SQL, params)),
            owners=dict(_sql(PEOPLE_SQL, params)),
        )
        return {
            **tables,
            "overdue_items": [
                (code, days) for code, _deadline, days in _sql(OVERDUE_TOP_SQL, params)
            ],
            "returned": _sql(RETURNS_SQL, params),
            "returned_total": _sql(RETURNS_COUNT_SQL, params)[0][0],
        }

    statements = (
        COUNTS_SQL,
        OVERDUE_SQL,
        NEW_SQL,
        CLOSED_NEW_SQL,
        CAMPAIGNS_SQL,
        VILLAGES_SQL,
        PEOPLE_SQL,
        OVERDUE_TOP_SQL,
        RETURNS_SQL,
        RETURNS_COUNT_SQL,
    )
    timing, figures = context.measure(selector, repeat=repeat, warmup=1)
    sql_timing, by_hand = context.measure(sql, repeat=repeat, warmup=1)
    # The same numbers, or the comparison means nothing.
    for table in ("campaigns", "overdue_groups", "ranking"):
        assert figures[table] == by_hand[table], f"{table} differ"
    assert [(r["code"], r["days_overdue"]) for r in figures["overdue_items"]] == by_hand[
        "overdue_items"
    ], "overdue list differs"
    assert [(r["code"], r["reason"]) for r in figures["returned"]] == by_hand["returned"], (
        "returns differ"
    )
    assert figures["returned_total"] == by_hand["returned_total"], "number of returns differs"
    one_scan, _rows = context.measure(lambda: _sql(GROUPS_ONE_SCAN_SQL, params), repeat=1, warmup=0)
    queries, _answer = _counted(selector)
    result = _summary(timing, sql_timing, queries, len(statements))
    result["one_scan_sql_ms"] = one_scan.as_dict()
    result["figures"] = {
        "items": figures["totals"]["total"],
        "overdue": figures["totals"]["overdue"],
        "overdue_groups": len(figures["overdue_groups"]),
        "returned": figures["returned_total"],
        "villages": len(figures["ranking"]),
    }

    # Issuing end to end (figures, number under lock, snapshot, hash, insert), rolled back so the
    # data set is left as it was: the everyday case, after yesterday's bulletin (a stand-in row
    # as of `since` that saw the transitions up to `after`), and a town's very first bulletin,
    # which reports on everything there is.
    def issue(*, first: bool) -> Any:
        with transaction.atomic():
            if not first:
                Bulletin.objects.create(
                    town=town,
                    year=since.year,
                    number=10_000,
                    code="bench",
                    day=since.date(),
                    as_of=since,
                    transitions_upto=after,
                    title="bench",
                    snapshot={},
                    content_hash="",
                )
            bulletin = bulletin_issue(town=town, day=day, now=as_of)
            transaction.set_rollback(True)
        return bulletin

    issue_timing, bulletin = context.measure(lambda: issue(first=False), repeat=repeat, warmup=1)
    issue_queries, _answer = _counted(lambda: issue(first=False))
    first_timing, _first = context.measure(lambda: issue(first=True), repeat=1, warmup=0)
    docx_timing, document = context.measure(
        lambda: bulletin_docx(bulletin.snapshot), repeat=3, warmup=1
    )
    result["issue"] = {
        **issue_timing.as_dict(),
        "queries": issue_queries,
        "under_1s": issue_timing.p50 < TIME_TARGET_MS,
    }
    result["issue_first_of_town"] = first_timing.as_dict()
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
        "town": town.pk,
        "now": ops.adapt_datetimefield_value(now),
        "this": ops.adapt_datetimefield_value(this_start),
        "last": ops.adapt_datetimefield_value(last_start),
        "now_day": timezone.localdate(now).isoformat(),
        "this_day": timezone.localdate(this_start).isoformat(),
        "now_stale": ops.adapt_datetimefield_value(now - timedelta(days=STALE_DAYS)),
        "this_stale": ops.adapt_datetimefield_value(this_start - timedelta(days=STALE_DAYS)),
    }

    def selector() -> dict[str, Any]:
        return diagnosis_pack(town=town, now=now, stale_days=STALE_DAYS)

    def sql() -> dict[int, tuple[Any, ...]]:
        """Per village id: found, closed, overdue, stale, closed total, registered — this week,
        then last week; and the returns of each week."""
        figures: dict[int, list[int]] = {}

        def village(pk: int) -> list[int]:
            return figures.setdefault(pk, [0] * 14)

        closed_now: dict[int, int] = {}
        for pk, state, count in _sql(DIAGNOSIS_COUNTS_SQL, params):
            if state != "cancelled":
                village(pk)[5] += count
            if state == "closed":
                closed_now[pk] = closed_now.get(pk, 0) + count
        for pk, overdue, stale, last_overdue, last_stale in _sql(DIAGNOSIS_OPEN_SQL, params):
            row = village(pk)
            row[2] += overdue
            row[3] += stale
            row[8] += last_overdue
            row[9] += last_stale
        unclosed: dict[int, tuple[int, int]] = {}
        for (
            pk,
            closed,
            last_closed,
            overdue,
            stale,
            last_overdue,
            last_stale,
            gone,
            last_gone,
        ) in _sql(DIAGNOSIS_CLOSED_SQL, params):
            row = village(pk)
            row[1] += closed
            row[7] += last_closed
            row[2] += overdue
            row[3] += stale
            row[8] += last_overdue
            row[9] += last_stale
            unclosed[pk] = (gone, last_gone)
        later: dict[int, tuple[int, int]] = {}
        for pk, found, last_found, registered_later, closed_later in _sql(
            DIAGNOSIS_REGISTERED_SQL, params
        ):
            row = village(pk)
            row[0] += found
            row[6] += last_found
            later[pk] = (registered_later, closed_later)
        for pk, row in figures.items():
            gone, last_gone = unclosed.get(pk, (0, 0))
            registered_later, closed_later = later.get(pk, (0, 0))
            row[4] = closed_now.get(pk, 0) - gone
            row[10] = closed_now.get(pk, 0) - last_gone - closed_later
            row[11] = row[5] - registered_later
        for pk, this, last in _sql(DIAGNOSIS_RETURNS_SQL, params):
            village(pk)[12:14] = [this or 0, last or 0]
        return figures

    timing, pack = context.measure(selector, repeat=repeat, warmup=1)
    sql_timing, by_hand = context.measure(sql, repeat=repeat, warmup=1)
    keys = ("found", "closed", "overdue", "stale", "closure_rate", "returned")

    def shaped(row: list[int]) -> tuple[Any, ...]:
        this, last = row[0:6], row[6:12]
        return (
            *this[:4],
            rate(this[4], this[5]),
            row[12],
            *last[:4],
            rate(last[4], last[5]),
            row[13],
        )

    empty = [0] * 14
    expected = [
        (*(v["this"][k] for k in keys), *(v["last"][k] for k in keys)) for v in pack["villages"]
    ]
    assert expected == [shaped(by_hand.get(v["village_id"], empty)) for v in pack["villages"]], (
        "diagnosis differs"
    )
    # And both as the plain single-pass definition gives them.
    one_scan, rows = context.measure(
        lambda: _sql(DIAGNOSIS_ONE_SCAN_SQL, params), repeat=1, warmup=0
    )

    def defined(row: tuple[Any, ...]) -> tuple[Any, ...]:
        _name, *values = (value or 0 if index else value for index, value in enumerate(row))
        this, last = values[:6], values[6:]
        return (*this[:4], rate(this[5], this[4]), *last[:4], rate(last[5], last[4]))

    without_returns = [(*row[:5], *row[6:11]) for row in expected]
    assert without_returns == [defined(row) for row in rows], (
        "diagnosis differs from its definition"
    )
    queries, _answer = _counted(selector)
    result = _summary(timing, sql_timing, queries, 5)
    result["one_scan_sql_ms"] = one_scan.as_dict()
    return result


def run(context: Any = True) -> dict[str, Any]:
    """Measure on `context` (a `bench.county.BenchContext`), or on the configured database (True),
    or prepare the county data set first (False)."""
    from django.core.management import call_command

    if isinstance(context, bool):
        context = _context(database_ready=context)
    # A data set generated before this app's latest migrations lacks their columns.
    call_command("migrate", verbosity=0)
    repeat = max(3, min(context.repeat, 10))
    return {"bulletin": _bulletin(context, repeat), "diagnosis": _diagnosis(context, repeat)}


def _context(*, database_ready: bool, args: argparse.Namespace | None = None) -> Any:
    """A BenchContext like `bench.county` builds, for running this benchmark on its own."""
    from bench import county

    args = args or argparse.Namespace(villages=300, items=1_000_000, seed=1, repeat=5)
    if not database_ready:
        path = county._database_path(args)
        os.environ["MAQUE_DATABASE_URL"] = f"sqlite:///{path}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maque.settings")
        import django

        django.setup()
        summary = county._prepare(path, args)
    else:
        from django.conf import settings

        path = settings.DATABASES["default"]["NAME"]
        summary = None
    from django.utils import timezone

    from maque.organisation.models import Person, Role, Town

    town = (
        Town.objects.get(pk=summary["town_ids"][0])
        if summary
        else Town.objects.order_by("pk").first()
    )
    people = Person.objects.select_related("user").filter(town=town)
    principal = people.filter(assignments__role=Role.PRINCIPAL).first()
    inspector = people.filter(assignments__role=Role.INSPECTOR).first()
    now = timezone.now().replace(microsecond=0)
    return county.BenchContext(
        database=path,
        villages=args.villages,
        items=args.items,
        seed=args.seed,
        repeat=args.repeat,
        day=timezone.localdate(now),
        now=now,
        town=town,
        principal=principal.user if principal else None,
        inspector=inspector.user if inspector else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bulletins", description=__doc__.split("\n\n")[0]
    )
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
