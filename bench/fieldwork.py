"""Benchmark of work in the field (issue 14): the coverage figures of a month, and the petition
register's overdue page (`bench.petition_register`).

On the data set of `bench.county`, adds (once) the villages' households (as many as each village
says it has), the town's policies and 500,000 visits at 1,000,000 items (`MAQUE_BENCH_VISITS`
sets the number) over the last year, each to up to three households with the policies explained
and now and then a problem registered; then measures the month's figures per village and per
cadre and the households not visited for six months (`maque.fieldwork.figures`) against
hand-written SQL giving the same numbers (checked). Then the petitions (see that module).

Target: ≤ 2× the SQL.

    python -m bench --only fieldwork [--villages 30 --items 100000]
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bench import petition_register, rows

RATIO_TARGET = 2.0
DAYS = 365
NOTES = (
    "入户宣传耕地保护政策，户主表示理解。",
    "摸排房前屋后环境卫生情况。",
    "回访上月反映的道路问题，已修复。",
    "调解邻里宅基地纠纷，双方达成一致。",
    "讲解产业奖补申报条件和时间。",
)
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"


def _households(context: Any) -> int:
    from django.db.models import Count

    from maque.organisation.models import Household, Village, VillageGroup

    rng = random.Random(context.seed * 31337 + 14)
    made = 0
    groups: dict[int, list[int]] = {}
    for pk, village in VillageGroup.objects.filter(village__town=context.town).values_list(
        "pk", "village_id"
    ):
        groups.setdefault(village, []).append(pk)
    existing = dict(
        Household.objects.filter(village__town=context.town)
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    wanted = []
    for pk, count in Village.objects.filter(town=context.town).values_list(
        "pk", "households_count"
    ):
        for number in range(existing.get(pk, 0), count or 0):
            wanted.append(
                {
                    "village_id": pk,
                    "group_id": rng.choice(groups[pk]) if groups.get(pk) else None,
                    "head_name": rng.choice(SURNAMES) + rng.choice("明华国建军平志红英"),
                    "address": f"{number + 1}号",
                    "members": rng.randint(1, 7),
                }
            )
    made += rows.insert(Household, wanted)
    return made


def _generate(context: Any, count: int) -> dict[str, int]:
    from django.db import connection

    from maque.fieldwork.catalogue import policies_of
    from maque.fieldwork.models import FieldVisit, VisitItem
    from maque.ledger.models import Item
    from maque.organisation.models import Household, Person, RoleAssignment

    town = context.town
    rng = random.Random(context.seed * 7877 + 14)
    made = {"households": _households(context)}
    policies = list(policies_of(town).values_list("pk", flat=True))
    households: dict[int, list[int]] = {}
    for pk, village in Household.objects.filter(village__town=town).values_list("pk", "village_id"):
        households.setdefault(village, []).append(pk)
    visitors: dict[int, list[int]] = {}
    for person, village in RoleAssignment.objects.filter(
        town=town, village__isnull=False
    ).values_list("person_id", "village_id"):
        visitors.setdefault(village, []).append(person)
    anyone = list(Person.objects.filter(town=town).values_list("pk", flat=True)[:50])
    villages = sorted(households)
    items: dict[int, list[int]] = {}
    for pk, village in (
        Item.objects.filter(town=town).order_by("-pk").values_list("pk", "village_id")[:200_000]
    ):
        items.setdefault(village, []).append(pk)
    first = rows.next_id(FieldVisit)
    now = context.now
    links: list[dict[str, Any]] = []
    explained: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    moments = sorted(now - timedelta(seconds=rng.uniform(600, DAYS * 86400)) for _ in range(count))

    def visit(index: int, moment: Any) -> dict[str, Any]:
        pk = first + index
        village = rng.choice(villages)
        if rng.random() < 0.85:
            for household in rng.sample(
                households[village], min(len(households[village]), rng.randint(1, 3))
            ):
                links.append({"fieldvisit_id": pk, "household_id": household})
        for policy in rng.sample(policies, min(len(policies), rng.choice((0, 1, 1, 2)))):
            explained.append({"fieldvisit_id": pk, "policy_id": policy})
        if items.get(village) and rng.random() < 0.02:
            problems.append({"visit_id": pk, "item_id": items[village].pop(), "created_at": moment})
        return {
            "id": pk,
            "town_id": town.pk,
            "village_id": village,
            "visitor_id": rng.choice(visitors.get(village) or anyone),
            "purpose": rng.choice(("publicity", "survey", "follow_up", "mediation", "other")),
            "visited_at": moment,
            "notes": rng.choice(NOTES),
            "created_at": moment,
        }

    made["visits"] = rows.insert(
        FieldVisit, (visit(index, moment) for index, moment in enumerate(moments))
    )
    made["households_visited"] = rows.insert(FieldVisit.households.through, links)
    made["policies_explained"] = rows.insert(FieldVisit.policies.through, explained)
    made["problems"] = rows.insert(VisitItem, problems)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made


# --- hand-written SQL -----------------------------------------------------------------------------

IN_MONTH = "v.town_id = %(town)s AND v.visited_at >= %(start)s AND v.visited_at < %(end)s"
VISITS_SQL = f"""
SELECT v.{{by}}, COUNT(*) FROM fieldwork_fieldvisit v WHERE {IN_MONTH} GROUP BY v.{{by}}
"""  # noqa: S608 - constant fragments, no input
HOUSEHOLDS_SQL = f"""
SELECT v.{{by}}, COUNT(DISTINCT h.household_id)
FROM fieldwork_fieldvisit v JOIN fieldwork_fieldvisit_households h ON h.fieldvisit_id = v.id
WHERE {IN_MONTH} GROUP BY v.{{by}}
"""  # noqa: S608 - constant fragments, no input
EXPLAINED_SQL = f"""
SELECT v.{{by}}, COUNT(*)
FROM fieldwork_fieldvisit v JOIN fieldwork_fieldvisit_policies p ON p.fieldvisit_id = v.id
WHERE {IN_MONTH} GROUP BY v.{{by}}
"""  # noqa: S608 - constant fragments, no input
PROBLEMS_SQL = f"""
SELECT v.{{by}}, COUNT(*)
FROM fieldwork_fieldvisit v JOIN fieldwork_visititem i ON i.visit_id = v.id
WHERE {IN_MONTH} GROUP BY v.{{by}}
"""  # noqa: S608 - constant fragments, no input
TOTALS_SQL = """
SELECT h.village_id, COUNT(*) FROM organisation_household h
JOIN organisation_village g ON g.id = h.village_id WHERE g.town_id = %(town)s
GROUP BY h.village_id
"""
# The households visited since the day six months back, gathered once from the town's recent
# visits; the others counted by village.
NOT_VISITED_SQL = """
SELECT h.village_id, COUNT(*) FROM organisation_household h
JOIN organisation_village g ON g.id = h.village_id
WHERE g.town_id = %(town)s AND h.id NOT IN (
  SELECT l.household_id FROM fieldwork_fieldvisit v
  JOIN fieldwork_fieldvisit_households l ON l.fieldvisit_id = v.id
  WHERE v.town_id = %(town)s AND v.visited_at >= %(since)s)
GROUP BY h.village_id
"""


def _month_by_hand(params: dict[str, Any], by: str) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}

    def row(key: int) -> list[int]:
        return found.setdefault(key, [0, 0, 0, 0])

    for index, statement in enumerate((VISITS_SQL, HOUSEHOLDS_SQL, EXPLAINED_SQL, PROBLEMS_SQL)):
        for key, n in rows.sql(statement.format(by=by), params):
            row(key)[index] = n
    return {key: tuple(values) for key, values in found.items()}


def _coverage(context: Any, repeat: int) -> dict[str, Any]:
    from datetime import datetime, time

    from django.db import connection
    from django.utils import timezone

    from maque.fieldwork.figures import (
        NOT_VISITED_MONTHS,
        cadre_month,
        month_bounds,
        months_back,
        not_visited,
        village_month,
    )
    from maque.ledger.definitions import rate

    town, day = context.town, context.day
    last_month = day.replace(day=1) - timedelta(days=1)
    year, month = last_month.year, last_month.month
    start, end = month_bounds(year, month)
    adapt = connection.ops.adapt_datetimefield_value
    since = timezone.make_aware(
        datetime.combine(months_back(day, NOT_VISITED_MONTHS), time.min),
        timezone.get_current_timezone(),
    )
    params = {"town": town.pk, "start": adapt(start), "end": adapt(end), "since": adapt(since)}

    def shaped(found: dict[int, Any]) -> dict[int, tuple[Any, ...]]:
        return {
            key: (f.visits, f.households_visited, f.policies_explained, f.problems_found, f.share)
            for key, f in found.items()
        }

    def product() -> dict[str, Any]:
        return {
            "villages": shaped(village_month(town, year, month)),
            "cadres": {
                key: values[:4] for key, values in shaped(cadre_month(town, year, month)).items()
            },
            "not_visited": not_visited(town, day),
        }

    def by_hand() -> dict[str, Any]:
        villages = _month_by_hand(params, "village_id")
        totals = dict(rows.sql(TOTALS_SQL, params))
        return {
            "villages": {
                key: (*values, rate(values[1], totals.get(key, 0)))
                for key, values in villages.items()
            },
            "cadres": _month_by_hand(params, "visitor_id"),
            "not_visited": dict(rows.sql(NOT_VISITED_SQL, params)),
        }

    def part(function: Any) -> Any:
        return context.measure(function, repeat=repeat, warmup=1)

    timing, answer = part(product)
    sql_timing, expected = part(by_hand)
    if answer != expected:
        for key in answer:
            if answer[key] != expected[key]:
                raise AssertionError(
                    f"the coverage figures ({key}) from the product and SQL differ"
                )
    # Each figure alone, to tell which one costs what.
    parts = {
        "village_month": (
            part(lambda: village_month(town, year, month))[0],
            part(lambda: (_month_by_hand(params, "village_id"), rows.sql(TOTALS_SQL, params)))[0],
        ),
        "cadre_month": (
            part(lambda: cadre_month(town, year, month))[0],
            part(lambda: _month_by_hand(params, "visitor_id"))[0],
        ),
        "not_visited": (
            part(lambda: not_visited(town, day))[0],
            part(lambda: rows.sql(NOT_VISITED_SQL, params))[0],
        ),
    }
    return rows.compared(
        timing,
        sql_timing,
        month=f"{year}-{month:02d}",
        villages=len(answer["villages"]),
        households_visited=sum(v[1] for v in answer["villages"].values()),
        visits=sum(v[0] for v in answer["villages"].values()),
        not_visited=sum(answer["not_visited"].values()),
        ratio_ok=(rows.ratio(timing, sql_timing) or 0) <= RATIO_TARGET,
        parts={name: rows.compared(mine, theirs) for name, (mine, theirs) in parts.items()},
    )


def run(context: Any) -> dict[str, Any]:
    import time

    from django.core.management import call_command

    from maque.fieldwork.models import FieldVisit

    call_command("migrate", verbosity=0)
    wanted = rows.size("MAQUE_BENCH_VISITS", items=context.items, per_million=500_000)
    existing = FieldVisit.objects.filter(town=context.town).count()
    started = time.perf_counter()
    generated = None if existing else _generate(context, wanted)
    seconds = round(time.perf_counter() - started, 1)
    repeat = max(3, min(context.repeat, 10))
    return {
        "visits": existing or (generated or {}).get("visits"),
        "generated": generated,
        "generated_seconds": seconds if generated else None,
        "coverage_month": _coverage(context, repeat),
        "petitions": petition_register.run(context),
    }
