"""Benchmark of joint deliberation (issue 12): the topic board and the village's public board.

On the data set of `bench.county`, adds (once) topics to its town — 50,000 at 1,000,000 items
(`MAQUE_BENCH_TOPICS` sets the number), over two years, in every state — and measures:

- the topic board (`/topics/`), as the principal (the whole town) and as a contact leader (their
  village): the page through the test client, and the reads it makes (the first page of 30,
  the number of topics, the counts by state, the last month's figures per village), each against
  hand-written SQL giving the same rows (checked);
- the public board of the village with the most answered topics (`/p/<code>/` and
  `GET /api/v1/public/villages/<code>/board`): the page, and its reads against SQL.

Targets: reads ≤ 2× the SQL, page p50 < 50 ms on SQLite.

    python -m bench --only deliberation [--villages 30 --items 100000]
"""

from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from bench import rows

PAGE_TARGET_MS = 50.0
RATIO_TARGET = 2.0
DAYS = 720

STATES = (  # (state, weight)
    ("submitted", 4),
    ("accepted", 3),
    ("assigned", 8),
    ("scheduled", 4),
    ("deliberated", 3),
    ("implementing", 8),
    ("completed", 4),
    ("answered", 50),
    ("declined", 10),
    ("merged", 3),
    ("spam", 3),
)
CONCERNS = ("urgent", "difficult", "worrying", "hoped_for")
DOMAINS = (
    "industry",
    "collective_economy",
    "environment",
    "infrastructure",
    "land",
    "petitions",
    "public_services",
    "other",
)
SOURCES = ("public", "workspace", "meeting", "field_visit")
KINDS = ("party_member", "cadre", "villager", "representative", "four_teams")
TITLES = (
    "村口道路破损需要修补",
    "荷塘园区栈道建设进度",
    "人居环境整治垃圾清运不及时",
    "茶园产业奖补资金发放",
    "晒场建设选址意见",
    "自来水管网老化漏水",
    "村集体经济合作社分红",
    "河道清淤和护坡",
    "路灯不亮影响夜间出行",
    "耕地撂荒整治",
)
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"


def _generate(context: Any, count: int) -> int:
    from django.db import connection
    from django.utils import timezone

    from maque.deliberation.models import Topic
    from maque.organisation.models import Person, Village

    town = context.town
    rng = random.Random(context.seed * 7919 + 12)
    villages = list(Village.objects.filter(town=town, active=True).values_list("pk", flat=True))
    people = list(Person.objects.filter(town=town).values_list("pk", flat=True)[:2000])
    now = context.now
    first_id = rows.next_id(Topic)
    names, weights = zip(*STATES, strict=True)
    by_village: dict[int, list[int]] = {}
    # Oldest first, so that ids and codes follow the time of submission as they do live.
    moments = sorted(now - timedelta(seconds=rng.uniform(3600, DAYS * 86400)) for _ in range(count))
    numbers: dict[int, int] = {}

    def topic(index: int, created: Any) -> dict[str, Any]:
        pk = first_id + index
        village = rng.choice(villages)
        state = rng.choices(names, weights)[0]
        age = (now - created).total_seconds()
        # Young topics have not got far.
        if age < 5 * 86400 and state not in ("submitted", "spam"):
            state = "submitted"
        year = timezone.localtime(created).year
        numbers[year] = numbers.get(year, 0) + 1
        person = rng.choice(people) if people and rng.random() < 0.2 else None
        row: dict[str, Any] = {
            "id": pk,
            "town_id": town.pk,
            "village_id": village,
            "code": f"YT{year}{numbers[year]:06d}",
            "year": year,
            "title": rng.choice(TITLES),
            "description": "群众反映" + rng.choice(TITLES) + "，希望尽快研究解决。",
            "concern": rng.choice(CONCERNS),
            "domain": rng.choice(DOMAINS),
            "source": rng.choice(SOURCES),
            "track": "",
            "state": state,
            "proposer_kind": rng.choice(KINDS),
            "proposer_id": person,
            "proposer_name": "" if person else rng.choice(SURNAMES) + "某某",
            "proposer_phone": "" if person else f"139{rng.randint(0, 99_999_999):08d}",
            "accept_due": (timezone.localdate(created) + timedelta(days=4)),
            "accepted_at": None,
            "decline_reason": "",
            "completed_at": None,
            "answer_due": None,
            "answer": "",
            "answered_at": None,
            "satisfaction": "",
            "reopened_count": 0,
            "merged_into_id": None,
            "version": 1,
            "created_at": created,
            "updated_at": created,
        }
        span = age - 3600
        if state == "declined":
            row["decline_reason"] = "不属于村级议事范围，已告知提议人。"
        if state == "merged":
            earlier = by_village.get(village)
            if earlier:
                row["merged_into_id"] = rng.choice(earlier[-50:])
            else:
                row["state"] = state = "submitted"
        if state not in ("submitted", "declined", "merged", "spam"):
            accepted = created + timedelta(seconds=rng.uniform(600, min(span, 5 * 86400)))
            row["accepted_at"] = accepted
            row["track"] = rng.choices(("quick", "joint", "concerted"), (6, 3, 1))[0]
            if state in ("completed", "answered"):
                left = (now - accepted).total_seconds() - 3600
                completed = accepted + timedelta(seconds=rng.uniform(60, max(120, left * 0.7)))
                row["completed_at"] = completed
                row["answer_due"] = timezone.localdate(completed) + timedelta(days=7)
                if state == "answered":
                    rest = (now - completed).total_seconds() - 60
                    answered = completed + timedelta(seconds=rng.uniform(30, max(60, rest)))
                    row["answered_at"] = answered
                    row["answer"] = "已安排村组干部现场处理，并向提议人反馈。"
                    row["satisfaction"] = rng.choices(
                        ("satisfied", "fairly", "dissatisfied", ""), (6, 2, 1, 2)
                    )[0]
        by_village.setdefault(village, []).append(pk)
        return row

    made = rows.insert(Topic, (topic(index, moment) for index, moment in enumerate(moments)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made


# --- hand-written SQL -----------------------------------------------------------------------------

PAGE_SQL = """
SELECT t.id, t.code, t.title, t.state, t.concern, t.track, t.created_at, v.name, p.name
FROM deliberation_topic t
JOIN organisation_village v ON v.id = t.village_id
LEFT JOIN organisation_person p ON p.id = t.proposer_id
WHERE {scope}
ORDER BY t.created_at DESC, t.id DESC
LIMIT 30
"""
COUNT_SQL = "SELECT COUNT(*) FROM deliberation_topic t WHERE {scope}"
STATES_SQL = "SELECT t.state, COUNT(*) FROM deliberation_topic t WHERE {scope} GROUP BY t.state"
FIGURES_SQL = """
SELECT t.village_id, t.concern, t.track, t.satisfaction, COUNT(*)
FROM deliberation_topic t
WHERE t.town_id = %(town)s AND {villages} AND t.created_at >= %(start)s AND t.created_at < %(end)s
  AND t.state NOT IN ('spam', 'merged')
GROUP BY t.village_id, t.concern, t.track, t.satisfaction
"""
FIGURE_DATES_SQL = """
SELECT t.village_id, t.state, t.created_at, t.accepted_at, t.answered_at, t.answer_due
FROM deliberation_topic t
WHERE t.town_id = %(town)s AND {villages} AND t.created_at >= %(start)s AND t.created_at < %(end)s
  AND t.state NOT IN ('spam', 'merged') AND t.accepted_at IS NOT NULL
"""
VILLAGES_SQL = """
SELECT id, name FROM organisation_village WHERE {scope} ORDER BY name
"""
PUBLIC_SQL = """
SELECT t.id, t.code, t.title, t.concern, t.proposer_name, p.name, t.created_at, t.answered_at,
       t.answer, t.satisfaction
FROM deliberation_topic t LEFT JOIN organisation_person p ON p.id = t.proposer_id
WHERE t.village_id = %(village)s AND t.state = 'answered'
ORDER BY t.answered_at DESC, t.id DESC
LIMIT 50
"""
DISCLOSURES_SQL = """
SELECT s.id, d.title, s.step, s."on", s.text FROM decisions_decisionstep s
JOIN decisions_villagedecision d ON d.id = s.decision_id
WHERE d.village_id = %(village)s AND s.step IN ('disclose_resolution', 'disclose_result')
  AND d.state <> 'open'
ORDER BY s."on" DESC, s.id DESC
"""


def _page_get(client: Any, url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return len(response.content)


def _board(context: Any, user: Any, label: str, repeat: int) -> dict[str, Any]:
    from django.core.paginator import Paginator
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from maque.deliberation.models import Topic
    from maque.deliberation.queries import topic_list
    from maque.organisation.access import actor_for
    from maque.organisation.models import Village
    from maque.workspace.views import topics as board

    actor = actor_for(user)
    town_wide = context.town.pk in actor.whole_town_ids()
    village_ids = [] if town_wide else sorted(actor.village_ids())
    if town_wide:
        scope, village_scope = f"t.town_id = {int(context.town.pk)}", "1"
        village_rows = f"town_id = {int(context.town.pk)}"
    else:
        listed = ", ".join(str(int(pk)) for pk in village_ids) or "NULL"
        scope, village_scope = f"t.village_id IN ({listed})", f"t.village_id IN ({listed})"
        village_rows = f"id IN ({listed})"
    today = timezone.localdate(context.now)
    start = today - timedelta(days=board.FIGURE_DAYS - 1)
    first, last = (
        timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        for day in (start, today + timedelta(days=1))
    )
    from django.db import connection

    params = {
        "town": context.town.pk,
        "start": connection.ops.adapt_datetimefield_value(first),
        "end": connection.ops.adapt_datetimefield_value(last),
    }
    request = SimpleNamespace(user=user)

    def product() -> dict[str, Any]:
        found = topic_list(user=user)
        page = Paginator(found, board.LIST_PAGE).get_page(1)
        listed = [(t.pk, t.code, t.village.name) for t in page.object_list]
        counts = dict(
            Topic.objects.visible_to(user)
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        figures = board.board_figures(request)  # type: ignore[arg-type]
        list(Village.objects.visible_to(user).order_by("name"))
        return {
            "page": listed,
            "total": page.paginator.count,
            "states": counts,
            "figures": {village.pk: f.topics for village, f in figures},
        }

    def by_hand() -> dict[str, Any]:
        listed = [(r[0], r[1], r[7]) for r in rows.sql(PAGE_SQL.format(scope=scope))]
        total = rows.sql(COUNT_SQL.format(scope=scope))[0][0]
        states = dict(rows.sql(STATES_SQL.format(scope=scope)))
        figures: dict[int, int] = {}
        for village, _c, _t, _s, n in rows.sql(FIGURES_SQL.format(villages=village_scope), params):
            figures[village] = figures.get(village, 0) + n
        rows.sql(FIGURE_DATES_SQL.format(villages=village_scope), params)
        rows.sql(VILLAGES_SQL.format(scope=village_rows))
        return {"page": listed, "total": total, "states": states, "figures": figures}

    timing, answer = context.measure(product, repeat=repeat)
    sql_timing, expected = context.measure(by_hand, repeat=repeat)
    if answer != expected:
        raise AssertionError(f"the topic board ({label}) from the product and from SQL differ")
    client = Client()
    client.force_login(user)
    url = reverse("workspace:topics")
    page_timing, size = context.measure(lambda: _page_get(client, url), repeat=repeat)
    return rows.compared(
        timing,
        sql_timing,
        reader=label,
        topics=answer["total"],
        page=page_timing.as_dict(),
        page_bytes=size,
        page_ratio=rows.ratio(page_timing, sql_timing),
        page_ok=page_timing.p50 < PAGE_TARGET_MS,
        ratio_ok=(rows.ratio(timing, sql_timing) or 0) <= RATIO_TARGET,
        plan_page=rows.queryset_plan(topic_list(user=user)[:30]),
        plan_sql=rows.plan(PAGE_SQL.format(scope=scope)),
    )


def _public(context: Any, repeat: int) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from maque.deliberation import public
    from maque.deliberation.queries import masked_name, public_board, public_text
    from maque.organisation.models import Village

    row = rows.sql(
        "SELECT village_id FROM deliberation_topic WHERE town_id = %s AND state = 'answered' "
        "GROUP BY village_id ORDER BY COUNT(*) DESC, village_id LIMIT 1",
        [context.town.pk],
    )
    village = Village.objects.get(pk=row[0][0])
    params = {"village": village.pk}

    def product() -> list[tuple[str, ...]]:
        board = public.board_view(village)
        return [(t["code"], t["proposer"], t["title"], t["answer"]) for t in board["topics"]]

    def by_hand() -> list[tuple[str, ...]]:
        # The same rows as the board shows them: names and numbers in the text masked.
        found = [
            (r[1], masked_name(r[5] or r[4]), public_text(r[2]), public_text(r[8]))
            for r in rows.sql(PUBLIC_SQL, params)
        ]
        for _row in rows.sql(DISCLOSURES_SQL, params):
            public_text(_row[1])
            public_text(_row[4])
        return found

    timing, answer = context.measure(product, repeat=repeat)
    sql_timing, expected = context.measure(by_hand, repeat=repeat)
    if answer != expected:
        raise AssertionError("the public board from the product and from SQL differ")
    client = Client()
    page_url = reverse("public:village", args=[village.public_code])
    api_url = f"/api/v1/public/villages/{village.public_code}/board"
    page_timing, size = context.measure(lambda: _page_get(client, page_url), repeat=repeat)
    api_timing, _size = context.measure(lambda: _page_get(client, api_url), repeat=repeat)
    return rows.compared(
        timing,
        sql_timing,
        village=village.name,
        answered_shown=len(answer),
        page=page_timing.as_dict(),
        page_bytes=size,
        page_ratio=rows.ratio(page_timing, sql_timing),
        page_ok=page_timing.p50 < PAGE_TARGET_MS,
        api=api_timing.as_dict(),
        api_ok=api_timing.p50 < PAGE_TARGET_MS,
        ratio_ok=(rows.ratio(timing, sql_timing) or 0) <= RATIO_TARGET,
        plan_board=rows.queryset_plan(public_board(village)),
        plan_sql=rows.plan(PUBLIC_SQL, params),
    )


def run(context: Any) -> dict[str, Any]:
    import time

    from django.core.management import call_command

    from maque.deliberation.models import Topic
    from maque.organisation.models import Person, Role

    call_command("migrate", verbosity=0)
    wanted = rows.size("MAQUE_BENCH_TOPICS", items=context.items, per_million=50_000)
    existing = Topic.objects.filter(town=context.town).count()
    started = time.perf_counter()
    generated = 0 if existing else _generate(context, wanted)
    seconds = round(time.perf_counter() - started, 1)
    repeat = max(3, min(context.repeat, 20))
    leader = (
        Person.objects.filter(town=context.town, assignments__role=Role.CONTACT_LEADER)
        .select_related("user")
        .exclude(user=None)
        .order_by("pk")
        .first()
    )
    result: dict[str, Any] = {
        "topics": existing or generated,
        "generated_seconds": seconds if generated else None,
        "board_principal": _board(context, context.principal, "principal", repeat),
    }
    if leader is not None:
        result["board_contact_leader"] = _board(context, leader.user, "contact leader", repeat)
    result["public_board"] = _public(context, repeat)
    return result
