"""Benchmark of the petition register's overdue page (issue 14), run by `bench.fieldwork`.

Adds (once) petitions to the town of the `bench.county` data set — 50,000 at 1,000,000 items
(`MAQUE_BENCH_PETITIONS` sets the number) over three years, in every state, the running limit
stored as the lifecycle stores it — and measures the register's overdue page as the principal:
the page (`/petitions/?overdue=yes`), and its reads (the first page of 30 with the limits, the
number overdue, the counts by state, the villages to filter by) against hand-written SQL giving
the same rows (checked).

Targets: reads ≤ 2× the SQL, page p50 < 50 ms on SQLite.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bench import rows

PAGE_TARGET_MS = 50.0
RATIO_TARGET = 2.0
DAYS = 3 * 365
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
MATTERS = (
    "反映宅基地界址纠纷，要求村委会协调处理。",
    "反映产业奖补资金未按时发放。",
    "反映道路施工影响出行和农田灌溉。",
    "反映低保评定程序不公开。",
    "反映土地流转租金拖欠。",
)


def _generate(context: Any, count: int) -> int:
    from django.db import connection

    from maque.organisation.models import Household, Person
    from maque.petitions import limits
    from maque.petitions.models import Petition

    town, today = context.town, context.day
    rng = random.Random(context.seed * 6007 + 14)
    villages: dict[int, list[int]] = {}
    for pk, village in Household.objects.filter(village__town=town).values_list("pk", "village_id")[
        :100_000
    ]:
        villages.setdefault(village, []).append(pk)
    village_ids = sorted(villages) or [None]
    owners = list(Person.objects.filter(town=town).values_list("pk", flat=True)[:300])
    received = sorted(
        (today - timedelta(days=rng.randint(0, DAYS)) for _ in range(count)), reverse=False
    )
    numbers: dict[int, int] = {}

    def petition(received_on: Any) -> dict[str, Any]:
        age = (today - received_on).days
        numbers[received_on.year] = numbers.get(received_on.year, 0) + 1
        village = rng.choice(village_ids) if rng.random() < 0.9 else None
        row: dict[str, Any] = {
            "town_id": town.pk,
            "code": f"XF{received_on.year}{numbers[received_on.year]:06d}",
            "year": received_on.year,
            "channel": rng.choice(("letter", "visit", "online", "hotline", "leader")),
            "received_on": received_on,
            "petitioner_name": rng.choice(SURNAMES) + rng.choice("明华国建军平志红英"),
            "petitioner_phone": f"138{rng.randint(0, 99_999_999):08d}",
            "petitioner_id_number": f"6124{rng.randint(0, 10**14 - 1):014d}",
            "matter": rng.choice(MATTERS),
            "village_id": village,
            "household_id": rng.choice(villages[village])
            if village and rng.random() < 0.5
            else None,
            "stability": rng.random() < 0.05,
            "owner_id": rng.choice(owners),
            "state": "registered",
            "due_on": limits.acceptance_due(received_on),
            "version": 1,
            "created_at": context.now - timedelta(days=age),
            "updated_at": context.now - timedelta(days=age),
        }
        # Most petitions are decided in time and replied to; a few are late at each limit.
        late = rng.random() < 0.03
        if age <= limits.ACCEPTANCE_DAYS or (late and age < 120):
            return row
        decided = received_on + timedelta(days=rng.randint(1, limits.ACCEPTANCE_DAYS))
        row["decided_on"] = decided
        if rng.random() < 0.1:
            row.update(state="not_accepted", due_on=None, not_accepted_reason="不属于信访事项。")
            return row
        extension = 30 if rng.random() < 0.05 else 0
        due = limits.handling_due(decided, extension)
        row.update(state="accepted", due_on=due, extension_days=extension)
        if extension:
            row["extended_on"] = decided + timedelta(days=50)
            row["extension_reason"] = "情况复杂，需协调多个部门。"
        if today <= due or (late and age < 240):
            return row
        replied = decided + timedelta(days=rng.randint(10, limits.HANDLING_DAYS + extension))
        row.update(
            state="replied",
            due_on=None,
            replied_on=replied,
            reply="经调查核实，已督促相关单位办理。",
            satisfaction=rng.choice(("satisfied", "basically", "dissatisfied", "")),
        )
        if rng.random() < 0.03:
            row.update(state="review_requested", review_requested_on=replied + timedelta(days=10))
        return row

    made = rows.insert(Petition, (petition(day) for day in received))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made


PAGE_SQL = """
SELECT p.id, p.code, p.state, p.received_on, p.decided_on, p.extension_days, p.due_on,
       p.petitioner_name, p.petitioner_phone, p.matter, v.name, o.name, t.name
FROM petitions_petition p
JOIN organisation_town t ON t.id = p.town_id
LEFT JOIN organisation_village v ON v.id = p.village_id
JOIN organisation_person o ON o.id = p.owner_id
WHERE p.town_id = %(town)s AND p.state IN ('registered', 'accepted') AND p.due_on < %(day)s
ORDER BY p.due_on, p.id
LIMIT 30
"""
COUNT_SQL = """
SELECT COUNT(*) FROM petitions_petition
WHERE town_id = %(town)s AND state IN ('registered', 'accepted') AND due_on < %(day)s
"""
STATES_SQL = """
SELECT state, COUNT(*) FROM petitions_petition WHERE town_id = %(town)s GROUP BY state
"""
VILLAGES_SQL = """
SELECT v.id, v.name FROM organisation_village v
WHERE EXISTS (SELECT 1 FROM petitions_petition p WHERE p.village_id = v.id AND p.town_id = %(town)s)
ORDER BY v.name
"""


def run(context: Any) -> dict[str, Any]:
    import time

    from django.core.paginator import Paginator
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from maque.core.masking import mask_phone
    from maque.petitions import limits
    from maque.petitions.models import Petition
    from maque.petitions.queries import petition_list, petition_view, register_villages
    from maque.workspace.views import petitions as register

    town, day, user = context.town, context.day, context.principal
    wanted = rows.size("MAQUE_BENCH_PETITIONS", items=context.items, per_million=50_000)
    existing = Petition.objects.filter(town=town).count()
    started = time.perf_counter()
    generated = 0 if existing else _generate(context, wanted)
    seconds = round(time.perf_counter() - started, 1)
    repeat = max(3, min(context.repeat, 20))
    params = {"town": town.pk, "day": day.isoformat()}

    def product() -> dict[str, Any]:
        visible = Petition.objects.visible_to(user)
        # The register's village filter, as the page asks for it.
        villages = list(register_villages(user=user).values_list("pk", "name"))
        found = petition_list(user=user, overdue=True, day=day)
        page = Paginator(found, register.LIST_PAGE).get_page(1)
        shown = [
            (
                view["petition"].code,
                view["days_late"],
                view["petitioner"]["phone"],
                view["petition"].village.name if view["petition"].village else None,
            )
            for view in (petition_view(p, user=user, detail=False, day=day) for p in page)
        ]
        counts = dict(
            visible.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
        )
        return {
            "page": shown,
            "overdue": page.paginator.count,
            "states": counts,
            "villages": villages,
        }

    def by_hand() -> dict[str, Any]:
        shown = []
        for row in rows.sql(PAGE_SQL, params):
            due = row[6] if isinstance(row[6], type(day)) else type(day).fromisoformat(row[6])
            shown.append((row[1], limits.days_late(due, day), mask_phone(row[8]), row[10]))
        return {
            "page": shown,
            "overdue": rows.sql(COUNT_SQL, params)[0][0],
            "states": dict(rows.sql(STATES_SQL, params)),
            "villages": rows.sql(VILLAGES_SQL, params),
        }

    timing, answer = context.measure(product, repeat=repeat)
    sql_timing, expected = context.measure(by_hand, repeat=repeat)
    if answer != expected:
        for key in answer:
            if answer[key] != expected[key]:
                raise AssertionError(
                    f"the overdue register ({key}) from the product and SQL differ"
                )
    client = Client()
    client.force_login(user)
    url = reverse("workspace:petitions") + "?overdue=yes"

    def get() -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return len(response.content)

    page_timing, size = context.measure(get, repeat=repeat)
    return {
        "petitions": existing or generated,
        "generated_seconds": seconds if generated else None,
        "overdue_page": rows.compared(
            timing,
            sql_timing,
            overdue=answer["overdue"],
            page=page_timing.as_dict(),
            page_bytes=size,
            page_ratio=rows.ratio(page_timing, sql_timing),
            page_ok=page_timing.p50 < PAGE_TARGET_MS,
            ratio_ok=(rows.ratio(timing, sql_timing) or 0) <= RATIO_TARGET,
            plan_page=rows.queryset_plan(petition_list(user=user, overdue=True, day=day)[:30]),
            plan_sql=rows.plan(PAGE_SQL, params),
        ),
    }
