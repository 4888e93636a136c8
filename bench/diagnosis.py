"""Benchmark of the village diagnosis (issue 13): writing a day's snapshots, and a village's
diagnosis page over 8 weeks.

On the data set of `bench.county` (300 villages, 1,000,000 items), adds (once) 8 weeks of past
snapshots for every village of the town (the figures of today's ledger, varied day by day), then
measures:

- writing today's snapshots of the whole town (`snapshots_write`, as `maque tick` does, with its
  sources), rolled back after each run, against hand-written SQL computing the same numbers and
  writing the same rows (checked row by row);
- the village diagnosis over 8 weeks (`village_diagnosis`: indicators against the town's median,
  the weekly trend, the drivers) against hand-written SQL giving the same numbers (checked), and
  the page (`/villages/<id>/diagnosis/`) and the API (`GET /api/v1/villages/<id>/diagnosis`).

Targets: snapshots under 2 s, the page p50 under 50 ms, each ≤ 2× the SQL.

    python -m bench --only diagnosis [--villages 30 --items 100000]
"""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta
from typing import Any

from bench import rows

WRITE_TARGET_MS = 2000.0
PAGE_TARGET_MS = 50.0
RATIO_TARGET = 2.0
WEEKS = 8
HISTORY_DAYS = WEEKS * 7 + 14  # the trend's first week and the returns window before it
OPEN = "('found', 'rectifying', 'submitted')"


def _history(context: Any) -> int:
    """Past snapshots of every active village for `HISTORY_DAYS` days before today: today's
    figures, varied."""
    from django.db import connection

    from maque.diagnosis.models import VillageSnapshot
    from maque.diagnosis.snapshots import day_start, village_figures
    from maque.rhythm.models import rhythm_settings

    town = context.town
    rng = random.Random(context.seed * 104729 + 13)
    figures = village_figures(
        town=town, now=context.now, stale_days=rhythm_settings(town).stale_days
    )

    def vary(value: int, back: int) -> int:
        return max(0, round(value * (1 + back / 200) * rng.uniform(0.9, 1.1)))

    def snapshot(pk: int, row: dict[str, Any], back: int) -> dict[str, Any]:
        day = context.day - timedelta(days=back)
        values = {key: vary(row[key], back) for key in ("open", "overdue", "stale")}
        values["overdue"] = min(values["overdue"], values["open"])
        values["stale"] = min(values["stale"], values["open"])
        registered = max(1, row["registered"] - back * rng.randint(0, 3))
        closed_total = min(registered, max(0, row["closed_total"] - back * rng.randint(0, 3)))
        return {
            "town_id": town.pk,
            "village_id": pk,
            "day": day,
            "taken_at": day_start(day) + timedelta(hours=6),
            **values,
            "found": rng.randint(0, 6),
            "closed": rng.randint(0, 6),
            "registered": registered,
            "closed_total": closed_total,
            "overdue_15": min(values["overdue"], vary(row["overdue_15"], back)),
            "returned": rng.choice((0, 0, 0, 1, 2)),
            "reopened": rng.choice((0, 0, 0, 0, 1)),
            "closure_rate": round(100.0 * closed_total / registered, 1),
            "stale_share": round(100.0 * values["stale"] / values["open"], 1)
            if values["open"]
            else None,
            "petitions_overdue": rng.randint(0, 3),
            "legacy_overdue": rng.randint(0, 4),
            "topics_waiting": rng.randint(0, 20),
            "projects_deviation": None,
        }

    made = rows.insert(
        VillageSnapshot,
        (
            snapshot(pk, row, back)
            for back in range(HISTORY_DAYS, 0, -1)
            for pk, row in figures.items()
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made


# --- writing a day's snapshots --------------------------------------------------------------------

STATES_SQL = """
SELECT village_id, state, COUNT(*) FROM ledger_item
WHERE town_id = %(town)s AND created_at < %(before)s
GROUP BY state, campaign_id, village_id
"""
OPEN_SQL = f"""
SELECT village_id, COUNT(*),
  SUM(deadline < %(day)s AND NOT open_ended),
  SUM(deadline < %(day15)s AND NOT open_ended),
  SUM(last_progress_at < %(cutoff)s OR (last_progress_at IS NULL AND created_at < %(cutoff)s))
FROM ledger_item
WHERE town_id = %(town)s AND state IN {OPEN}
GROUP BY state, campaign_id, village_id
"""  # noqa: S608 - constant fragments, no input
LEGACY_SQL = f"""
SELECT village_id, COUNT(*) FROM ledger_item
WHERE town_id = %(town)s AND state IN {OPEN} AND deadline < %(day)s AND NOT open_ended
  AND kind = 'legacy'
GROUP BY village_id
"""  # noqa: S608 - constant fragments, no input
FOUND_SQL = """
SELECT village_id + 0, COUNT(*) FROM ledger_item
WHERE town_id = %(town)s AND created_at >= %(since)s AND created_at <= %(now)s
GROUP BY village_id + 0
"""
CLOSED_SQL = """
SELECT village_id + 0, COUNT(*) FROM ledger_item
WHERE town_id = %(town)s AND closed_at >= %(since)s AND closed_at <= %(now)s
GROUP BY village_id + 0
"""
RETURNS_SQL = """
SELECT i.village_id + 0, SUM(t.action = 'return'), SUM(t.action = 'reopen')
FROM ledger_transition t CROSS JOIN ledger_item i ON i.id = t.item_id
WHERE i.town_id = %(town)s AND t.action IN ('return', 'reopen')
  AND t.created_at >= %(since)s AND t.created_at < %(until)s
GROUP BY i.village_id + 0
"""
TOPICS_SQL = """
SELECT village_id, COUNT(*) FROM deliberation_topic
WHERE town_id = %(town)s AND state IN ('submitted', 'accepted', 'assigned', 'scheduled',
                                       'deliberated', 'implementing', 'completed')
GROUP BY village_id
"""
PETITIONS_SQL = """
SELECT village_id, COUNT(*) FROM petitions_petition
WHERE town_id = %(town)s AND state IN ('registered', 'accepted') AND due_on < %(day)s
  AND village_id IS NOT NULL
GROUP BY village_id
"""
VILLAGES_SQL = "SELECT id FROM organisation_village WHERE town_id = %(town)s AND active"
COLUMNS = (
    "open",
    "found",
    "closed",
    "registered",
    "closed_total",
    "overdue",
    "overdue_15",
    "stale",
    "returned",
    "reopened",
    "legacy_overdue",
    "closure_rate",
    "stale_share",
    "topics_waiting",
    "petitions_overdue",
    "projects_deviation",
)
UPSERT_SQL = """
INSERT INTO diagnosis_villagesnapshot (town_id, village_id, day, taken_at, {columns})
VALUES (%s, %s, %s, %s, {marks})
ON CONFLICT (village_id, day) DO UPDATE SET taken_at = excluded.taken_at, {updates}
""".format(
    columns=", ".join(COLUMNS),
    marks=", ".join(["%s"] * len(COLUMNS)),
    updates=", ".join(f"{c} = excluded.{c}" for c in COLUMNS),
)
WRITTEN_SQL = f"""
SELECT village_id, {", ".join(COLUMNS)} FROM diagnosis_villagesnapshot
WHERE town_id = %s AND day = %s ORDER BY village_id
"""  # noqa: S608 - constant fragments, no input


def _write_by_hand(context: Any, params: dict[str, Any], deviation: dict[int, Any]) -> None:
    from django.db import connection

    from maque.ledger.definitions import rate

    counts: dict[int, dict[str, Any]] = {
        pk: dict.fromkeys(COLUMNS, 0) for (pk,) in rows.sql(VILLAGES_SQL, params)
    }

    def add(pk: int, key: str, n: int | None) -> None:
        if pk in counts:
            counts[pk][key] += n or 0

    for pk, state, n in rows.sql(STATES_SQL, params):
        if state != "cancelled":
            add(pk, "registered", n)
        if state == "closed":
            add(pk, "closed_total", n)
    for pk, n, overdue, overdue_15, stale in rows.sql(OPEN_SQL, params):
        add(pk, "open", n)
        add(pk, "overdue", overdue)
        add(pk, "overdue_15", overdue_15)
        add(pk, "stale", stale)
    for statement, key in ((LEGACY_SQL, "legacy_overdue"), (FOUND_SQL, "found")):
        for pk, n in rows.sql(statement, params):
            add(pk, key, n)
    for pk, n in rows.sql(CLOSED_SQL, params):
        add(pk, "closed", n)
    for pk, returned, reopened in rows.sql(RETURNS_SQL, params):
        add(pk, "returned", returned)
        add(pk, "reopened", reopened)
    for statement, key in ((TOPICS_SQL, "topics_waiting"), (PETITIONS_SQL, "petitions_overdue")):
        for pk, n in rows.sql(statement, params):
            add(pk, key, n)
    taken = connection.ops.adapt_datetimefield_value(context.now)
    values = []
    for pk, row in counts.items():
        row["closure_rate"] = rate(row["closed_total"], row["registered"])
        row["stale_share"] = rate(row["stale"], row["open"])
        row["projects_deviation"] = deviation.get(pk)
        values.append((context.town.pk, pk, params["day"], taken, *(row[c] for c in COLUMNS)))
    with connection.cursor() as cursor:
        cursor.executemany(UPSERT_SQL, values)


def _snapshots(context: Any, repeat: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from maque.diagnosis.snapshots import LONG_OVERDUE_DAYS, day_start, snapshots_write
    from maque.diagnosis.sources import SOURCES
    from maque.ledger.definitions import stale_cutoff
    from maque.projects.queries import village_deviation
    from maque.rhythm.models import rhythm_settings

    town, now, day = context.town, context.now, context.day
    stale_days = rhythm_settings(town).stale_days
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "town": town.pk,
        "day": day.isoformat(),
        "day15": (day - timedelta(days=LONG_OVERDUE_DAYS - 1)).isoformat(),
        "cutoff": adapt(stale_cutoff(now, stale_days)),
        "since": adapt(day_start(day)),
        "now": adapt(now),
        "until": adapt(now + timedelta(microseconds=1)),
        "before": adapt(now + timedelta(microseconds=1)),
    }
    written: dict[str, list[tuple[Any, ...]]] = {}

    def product() -> None:
        with transaction.atomic():
            snapshots_write(town=town, now=now, stale_days=stale_days, sources=SOURCES)
            written["product"] = rows.sql(WRITTEN_SQL, [town.pk, day.isoformat()])
            transaction.set_rollback(True)

    def by_hand() -> None:
        with transaction.atomic():
            # The projects' deviation is calendar arithmetic over milestones, not a query: both
            # sides take it from the projects app.
            _write_by_hand(context, params, village_deviation(town, day))
            written["sql"] = rows.sql(WRITTEN_SQL, [town.pk, day.isoformat()])
            transaction.set_rollback(True)

    timing, _ = context.measure(product, repeat=repeat, warmup=1)
    sql_timing, _ = context.measure(by_hand, repeat=repeat, warmup=1)
    if written["product"] != written["sql"]:
        raise AssertionError("the snapshots written by the product and by SQL differ")
    return rows.compared(
        timing,
        sql_timing,
        villages=len(written["product"]),
        under_2s=timing.p50 < WRITE_TARGET_MS,
        ratio_ok=(rows.ratio(timing, sql_timing) or 0) <= RATIO_TARGET,
    )


# --- the village diagnosis ------------------------------------------------------------------------

LAST_DAY_SQL = "SELECT MAX(day) FROM diagnosis_villagesnapshot WHERE town_id = %s"
FIGURES = (
    "s.village_id, s.day, s.open, s.overdue, s.overdue_15, s.stale_share, s.closure_rate,"
    " s.petitions_overdue, s.legacy_overdue, s.projects_deviation, s.topics_waiting"
)
TOWN_SQL = f"""
SELECT {FIGURES}
FROM diagnosis_villagesnapshot s JOIN organisation_village v ON v.id = s.village_id
WHERE s.town_id = %s AND s.day IN ({{days}}) AND v.active
"""  # noqa: S608 - constant fragments, no input
OWN_SQL = f"""
SELECT {FIGURES}, s.returned, s.found, s.closed
FROM diagnosis_villagesnapshot s WHERE s.village_id = %s AND s.day > %s
"""  # noqa: S608 - constant fragments, no input
TOWN_RETURNS_SQL = """
SELECT village_id, SUM(returned) FROM diagnosis_villagesnapshot
WHERE town_id = %s AND day > %s AND day <= %s GROUP BY village_id
"""
DRIVER_ITEMS_SQL = f"""
SELECT i.code, i.deadline FROM ledger_item i
WHERE i.town_id = %(town)s AND i.village_id = %(village)s AND i.state IN {OPEN}
  AND i.deadline < %(day)s AND NOT i.open_ended
ORDER BY i.deadline, i.code LIMIT 10
"""  # noqa: S608 - constant fragments, no input
DRIVER_OWNERS_SQL = f"""
SELECT o.name, COUNT(*) AS n FROM ledger_item i JOIN organisation_person o ON o.id = i.owner_id
WHERE i.town_id = %(town)s AND i.village_id = %(village)s AND i.state IN {OPEN}
  AND i.deadline < %(day)s AND NOT i.open_ended
GROUP BY o.name ORDER BY n DESC LIMIT 10
"""  # noqa: S608 - constant fragments, no input
DRIVER_CATEGORIES_SQL = f"""
SELECT c.name, COUNT(*) AS n FROM ledger_item i LEFT JOIN ledger_category c ON c.id = i.category_id
WHERE i.town_id = %(town)s AND i.village_id = %(village)s AND i.state IN {OPEN}
  AND i.deadline < %(day)s AND NOT i.open_ended
GROUP BY c.name ORDER BY n DESC LIMIT 10
"""  # noqa: S608 - constant fragments, no input


# The columns of FIGURES whose town median the page shows (and `overdue_rate`, `returns`).
MEDIAN_COLUMNS = {
    "open": 2,
    "overdue": 3,
    "overdue_15": 4,
    "stale_share": 5,
    "closure_rate": 6,
    "petitions_overdue": 7,
    "legacy_overdue": 8,
    "projects_deviation": 9,
    "topics_waiting": 10,
}
COMPARED = ("closure_rate", "overdue", "overdue_15", "open", "overdue_rate", "returns")


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 1) if present else None


def _diagnosis_by_hand(village: Any) -> dict[str, Any]:
    (last_text,) = rows.sql(LAST_DAY_SQL, [village.town_id])[0]
    last = date.fromisoformat(str(last_text))
    checkpoints = [last - timedelta(days=7 * back) for back in range(WEEKS - 1, -1, -1)]
    marks = ", ".join(["%s"] * len(checkpoints))
    town: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows.sql(
        TOWN_SQL.format(days=marks), [village.town_id, *(d.isoformat() for d in checkpoints)]
    ):
        town.setdefault(str(row[1]), []).append(row)
    own = {
        str(row[1]): row
        for row in rows.sql(
            OWN_SQL, [village.pk, (checkpoints[0] - timedelta(days=14)).isoformat()]
        )
    }
    returns = dict(
        rows.sql(
            TOWN_RETURNS_SQL,
            [village.town_id, (last - timedelta(days=14)).isoformat(), last.isoformat()],
        )
    )
    weeks = []
    for checkpoint in checkpoints:
        key = checkpoint.isoformat()
        found = town.get(key, [])
        week = [
            row
            for day, row in own.items()
            if checkpoint - timedelta(days=7) < date.fromisoformat(day) <= checkpoint
        ]
        mine = own.get(key)
        medians = {
            name: _median([r[column] for r in found]) for name, column in MEDIAN_COLUMNS.items()
        }
        medians["overdue_rate"] = _median(
            [round(100.0 * r[3] / r[2], 1) if r[2] else None for r in found]
        )
        medians["returns"] = _median(
            [returns.get(r[0], 0) if checkpoint == last else 0 for r in found]
        )
        weeks.append(
            {
                **{name: medians[name] for name in COMPARED},
                "village": None
                if mine is None
                else (
                    mine[2],
                    mine[3],
                    mine[6],
                    sum(r[12] for r in week),
                    sum(r[13] for r in week),
                ),
            }
        )
    params = {"town": village.town_id, "village": village.pk, "day": last.isoformat()}
    drivers = {
        "items": [code for code, _deadline in rows.sql(DRIVER_ITEMS_SQL, params)],
        "owners": rows.sql(DRIVER_OWNERS_SQL, params),
        "categories": rows.sql(DRIVER_CATEGORIES_SQL, params),
    }
    return {"weeks": weeks, "drivers": drivers}


def _diagnosis_shaped(found: dict[str, Any]) -> dict[str, Any]:
    weeks = []
    for point in found["weeks"]:
        median = point["town_median"]
        own = point["village"]
        weeks.append(
            {
                **{name: median[name] for name in COMPARED},
                "village": None
                if own is None
                else (
                    own["open"],
                    own["overdue"],
                    own["closure_rate"],
                    own["found"],
                    own["closed"],
                ),
            }
        )
    drivers = found["drivers"]
    return {
        "weeks": weeks,
        "drivers": {
            "items": [row["code"] for row in drivers["items"]],
            "owners": [(row["name"], row["overdue"]) for row in drivers["owners"]],
            "categories": [(row["name"], row["overdue"]) for row in drivers["categories"]],
        },
    }


def _diagnosis(context: Any, repeat: int) -> dict[str, Any]:
    from django.db.models import Count, Q
    from django.test import Client
    from django.urls import reverse

    from maque.diagnosis.queries import village_diagnosis
    from maque.organisation.models import Village

    village = (
        Village.objects.filter(town=context.town, active=True)
        .annotate(
            open_count=Count(
                "items", filter=Q(items__state__in=("found", "rectifying", "submitted"))
            )
        )
        .order_by("-open_count", "pk")
        .first()
    )
    user = context.principal

    def product() -> dict[str, Any]:
        return _diagnosis_shaped(village_diagnosis(village=village, user=user, weeks=WEEKS))

    def by_hand() -> dict[str, Any]:
        return _diagnosis_by_hand(village)

    timing, answer = context.measure(product, repeat=repeat)
    sql_timing, expected = context.measure(by_hand, repeat=repeat)
    # Owners and categories tied on the count may come in either order: compare them as sets.
    for side in (answer, expected):
        for key in ("owners", "categories"):
            side["drivers"][key] = sorted(side["drivers"][key], key=lambda r: (-r[1], str(r[0])))
    if answer != expected:
        raise AssertionError("the village diagnosis from the product and from SQL differ")
    client = Client()
    client.force_login(user)
    page_url = reverse("workspace:village_diagnosis", args=[village.pk])
    api_url = f"/api/v1/villages/{village.pk}/diagnosis?weeks={WEEKS}"

    def get(url: str) -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return len(response.content)

    page_timing, size = context.measure(lambda: get(page_url), repeat=repeat)
    api_timing, _size = context.measure(lambda: get(api_url), repeat=repeat)
    return rows.compared(
        timing,
        sql_timing,
        village=village.name,
        open_items=village.open_count,
        page=page_timing.as_dict(),
        page_bytes=size,
        page_ratio=rows.ratio(page_timing, sql_timing),
        page_ok=page_timing.p50 < PAGE_TARGET_MS,
        api=api_timing.as_dict(),
        api_ratio=rows.ratio(api_timing, sql_timing),
        ratio_ok=(rows.ratio(timing, sql_timing) or 0) <= RATIO_TARGET,
        plan_drivers=rows.plan(
            DRIVER_ITEMS_SQL,
            {"town": context.town.pk, "village": village.pk, "day": context.day.isoformat()},
        ),
    )


def run(context: Any) -> dict[str, Any]:
    import time

    from django.core.management import call_command

    from maque.diagnosis.models import VillageSnapshot

    call_command("migrate", verbosity=0)
    existing = VillageSnapshot.objects.filter(town=context.town, day__lt=context.day).count()
    started = time.perf_counter()
    generated = 0 if existing else _history(context)
    seconds = round(time.perf_counter() - started, 1)
    repeat = max(3, min(context.repeat, 20))
    return {
        "snapshots": existing or generated,
        "generated_seconds": seconds if generated else None,
        "write_day": _snapshots(context, max(3, min(context.repeat, 5))),
        "village_diagnosis": _diagnosis(context, repeat),
    }
