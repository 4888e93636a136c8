"""The item list, writes and exports on the bench's data set (issue: reads at the speed of the
index, writes in single-digit milliseconds, exports at the writer's speed).

`make bench` runs it on the county (1,000,000 items); the issue's 20k town is

    python -m bench --villages 15 --items 20000 --seed 42

Measured, each as wall and CPU p50/p95 with warm-up:

- the town's list, 100 rows a page, for each common filter and sort, as the principal: the list
  operation's own work in-process (selector, page rows, actions, JSON) and through the whole
  request stack (`GET /api/v1/items`, in-process client), each against hand-written SQL giving
  the same rows plus their JSON encoding (target ≤ 2×, page p50 < 50 ms);
- register (`POST /api/v1/items`) and an action (`…/actions/start`): p50 (target ≤ 10 ms);
- the .xlsx export of 1,000 and 20,000 rows and the CSV export of 1,000 (targets 300 ms, 4 s).
"""

from __future__ import annotations

import io
import json
from typing import Any

import orjson

PAGE = 100
LIST_TARGET_MS = 50.0
RATIO_TARGET = 2.0
WRITE_TARGET_MS = 10.0
EXPORT_TARGETS_S = {1000: 0.3, 20000: 4.0}

# name → (API query, hand-written WHERE and ORDER BY over `i`, the items of the town)
LISTS: dict[str, tuple[dict[str, Any], str, str]] = {
    "default (newest found)": ({}, "", "i.found_on DESC, i.id DESC"),
    "overdue, by days overdue": (
        {"overdue": "true", "sort": "-days_overdue"},
        "AND i.state IN ('found', 'rectifying', 'submitted') AND i.deadline < %(day)s",
        "i.deadline ASC, i.id ASC",
    ),
    "by deadline": ({"sort": "deadline"}, "", "i.deadline ASC, i.id ASC"),
    "one village": (
        {"village": "%(village)s"},
        "AND i.village_id = %(village)s",
        "i.found_on DESC, i.id DESC",
    ),
}

HAND_SQL = """
SELECT i.id, i.code, i.kind, i.title, g.code AS campaign_code, g.name AS campaign_name,
       c.code AS category_code, c.name AS category_name, i.village_id, v.name AS village_name,
       i.group_id, vg.name AS group_name, pl.code AS plot_code, i.household_id, i.subject,
       i.owner_id, p.name AS owner_name, i.found_on,
       i.deadline, i.original_deadline, i.state, i.attributes, i.returned_count,
       i.reopened_count, i.extension_count, i.progress_percent, i.source, i.suspended_until,
       i.version, i.created_at, i.updated_at
FROM ledger_item i
JOIN organisation_village v ON v.id = i.village_id
JOIN organisation_person p ON p.id = i.owner_id
JOIN ledger_campaign g ON g.id = i.campaign_id
LEFT JOIN ledger_category c ON c.id = i.category_id
LEFT JOIN organisation_villagegroup vg ON vg.id = i.group_id
LEFT JOIN organisation_plot pl ON pl.id = i.plot_id
WHERE i.town_id = %(town)s {where}
ORDER BY {order} LIMIT {limit}
"""


def _hand(cursor: Any, where: str, order: str, params: dict[str, Any]) -> bytes:
    cursor.execute(HAND_SQL.format(where=where, order=order, limit=PAGE), params)
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    # `where` and `order` are this module's own constants, never input.
    count = f"SELECT COUNT(*) FROM ledger_item i WHERE i.town_id = %(town)s {where}"  # noqa: S608
    cursor.execute(count, params)
    return orjson.dumps({"items": rows, "count": cursor.fetchone()[0]}, default=str)


def run(context: Any) -> dict[str, Any]:
    from django.db import connection

    from maque.api.renderer import dumps
    from maque.ledger.api.listing import page_rows, summaries
    from maque.ledger.queries import item_list
    from maque.organisation.models import Village

    user = context.principal
    village = Village.objects.filter(town=context.town).order_by("id").first()
    params = {"town": context.town.pk, "day": context.day, "village": village.pk}
    client = _client(user)
    results: dict[str, Any] = {"lists": {}}
    for name, (query, where, order) in LISTS.items():
        filters = {key: (value % params if "%" in value else value) for key, value in query.items()}

        def operation(filters: dict[str, Any] = filters) -> bytes:
            listed = item_list(
                user=user,
                overdue=True if filters.get("overdue") == "true" else None,
                sort=filters.get("sort", "-found_on"),
                village=filters.get("village"),
            )
            rows = list(page_rows(listed, texts=False)[:PAGE])
            body = summaries(user, rows, masks=False, texts=False)
            return dumps({"items": body, "count": listed.count()})

        with connection.cursor() as cursor:
            sql_timing, sql_answer = context.measure(
                lambda where=where, order=order: _hand(cursor, where, order, params),
                repeat=context.repeat,
            )
        in_process, answer = context.measure(operation, repeat=context.repeat)
        http, response = context.measure(
            lambda filters=filters: client.get("/api/v1/items", {**filters, "page_size": PAGE}),
            repeat=context.repeat,
        )
        ours = [row["code"] for row in json.loads(answer)["items"]]
        theirs = [row["code"] for row in json.loads(sql_answer)["items"]]
        assert ours == theirs, f"{name}: the list and the SQL disagree"
        results["lists"][name] = {
            "rows": len(ours),
            "payload_kb": round(len(response.content) / 1024, 1),
            "sql_json": sql_timing.as_dict(),
            "in_process": in_process.as_dict(),
            "http": http.as_dict(),
            "ratio": round(in_process.p50 / sql_timing.p50, 2),
            "cpu_ratio": round(in_process.cpu_p50 / sql_timing.cpu_p50, 2),
            "http_ratio": round(http.p50 / sql_timing.p50, 2),
            "targets": {
                "ratio_le_2": in_process.p50 / sql_timing.p50 <= RATIO_TARGET,
                "http_p50_lt_50ms": http.p50 < LIST_TARGET_MS,
            },
        }
    results["writes"] = _writes(context, client)
    results["exports"] = _exports(context)
    return results


def _writes(context: Any, client: Any) -> dict[str, Any]:
    from django.db import transaction

    from maque.ledger.catalogue import campaign_for_kind
    from maque.ledger.models import Kind
    from maque.organisation.models import Role, RoleAssignment

    assignment = (
        RoleAssignment.objects.filter(role=Role.CADRE, town=context.town)
        .select_related("person__user", "village")
        .first()
    )
    cadre = _client(assignment.person.user)
    # The town's standing campaign of action items (made on first use).
    campaign = campaign_for_kind(town=context.town, kind=Kind.ACTION)
    body = json.dumps(
        {
            "campaign": campaign.code,
            "village": assignment.village_id,
            "title": "整治",
            "kind": "action",
        }
    )
    out: dict[str, Any] = {}
    # Inside one transaction rolled back at the end: the data set stays as it was.
    with transaction.atomic():
        create, answer = context.measure(
            lambda: cadre.post("/api/v1/items", body, content_type="application/json"),
            repeat=context.repeat,
        )
        assert answer.status_code == 201, answer.content[:300]
        codes = [
            cadre.post("/api/v1/items", body, content_type="application/json").json()["code"]
            for _ in range(context.repeat + 2)
        ]
        pending = iter(codes)
        start, started = context.measure(
            lambda: cadre.post(
                f"/api/v1/items/{next(pending)}/actions/start",
                "{}",
                content_type="application/json",
            ),
            repeat=context.repeat,
        )
        assert started.status_code == 200, started.content[:300]
        transaction.set_rollback(True)
    for name, timing in (("create", create), ("start", start)):
        out[name] = {**timing.as_dict(), "target_le_10ms": timing.p50 <= WRITE_TARGET_MS}
    return out


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _exports(context: Any) -> dict[str, Any]:
    from maque.exchange.exporter import csv_write, export_write, single_category
    from maque.ledger.queries import item_list

    user = context.principal
    ids = list(item_list(user=user).order_by("pk").values_list("pk", flat=True)[:20000])
    out: dict[str, Any] = {}
    for rows in (1000, 20000):
        if len(ids) < rows:
            continue
        items = item_list(user=user).filter(pk__lte=ids[rows - 1])
        timing, written = context.measure(
            lambda items=items: export_write(items=items, out=io.BytesIO(), masks=False),
            repeat=3 if rows > 1000 else 10,
            warmup=1,
        )
        out[f"xlsx_{rows}"] = {
            **timing.as_dict(),
            "rows": written,
            "target_s": EXPORT_TARGETS_S[rows],
            "met": timing.p50 / 1000 <= EXPORT_TARGETS_S[rows],
        }
    first = item_list(user=user).filter(pk__lte=ids[min(999, len(ids) - 1)])
    category_id = first.filter(category__isnull=False).values_list("category_id", flat=True).first()
    same = first.filter(category_id=category_id)
    category = single_category(same) if category_id is not None else None
    if category is not None:
        timing, written = context.measure(
            lambda: csv_write(items=same, category=category, masks=False, out=io.BytesIO()),
            repeat=10,
        )
        out["csv_first_1000_one_category"] = {**timing.as_dict(), "rows": written}
    return out
