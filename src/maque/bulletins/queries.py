"""Reads for the daily bulletin: every figure is aggregated in the database (a fixed handful of
queries whatever the size of the ledger), then shaped into the JSON snapshot that is stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    When,
    Window,
)

from maque.bulletins.models import Bulletin
from maque.ledger.models import OPEN_STATES, Campaign, Item, State, Transition
from maque.ledger.queries import DaysBetween
from maque.organisation.models import Person, Town, Village

# How many overdue items are listed one by one; the rest are counted by village and owner.
DETAIL_LIMIT = 100


def chinese_date(day: date) -> str:
    """`2026年7月18日`: the full year, no leading zeros (GB/T 9704-2012)."""
    return f"{day.year}年{day.month}月{day.day}日"


def rate(part: int, whole: int) -> float:
    """A percentage with one decimal; 0 when there is nothing to rate."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def _window(since: datetime | None, as_of: datetime, field: str) -> Q:
    condition = Q(**{f"{field}__lt": as_of})
    if since is not None:
        condition &= Q(**{f"{field}__gte": since})
    return condition


def _key(column: str) -> ExpressionWrapper:
    # Grouping by `column + 0` rather than the column: SQLite then reads the table in order
    # instead of walking the column's index with one random read per row (about 3× slower at a
    # million items). PostgreSQL plans both alike.
    return ExpressionWrapper(F(column) + 0, output_field=IntegerField())


GROUP_KEYS = {"campaign_key": _key("campaign_id"), "village_key": _key("village_id"), "owner_key": _key("owner_id")}


def ledger_groups(*, town: Town, day: date, as_of: datetime, since: datetime | None) -> list[dict[str, Any]]:
    """One pass over the town's items, grouped by campaign × village × owner: items, open, closed,
    overdue (with the longest and total delay), new and closed since the last bulletin.

    Every table of the bulletin (campaign totals, overdue by village and owner, village ranking)
    is a sum over these few thousand groups, so the million items are read once."""
    overdue = Q(state__in=OPEN_STATES, deadline__lt=day)
    delay = Case(When(overdue, then=DaysBetween(day)), default=None, output_field=IntegerField())
    rows = (
        Item.objects.filter(town=town, created_at__lt=as_of)
        .exclude(state=State.CANCELLED)
        .annotate(**GROUP_KEYS)
        .values(*GROUP_KEYS)
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(state__in=OPEN_STATES)),
            closed=Count("id", filter=Q(state=State.CLOSED)),
            overdue=Count("id", filter=overdue),
            new=Count("id", filter=_window(since, as_of, "created_at")),
            closed_new=Count("id", filter=Q(state=State.CLOSED) & _window(since, as_of, "closed_at")),
            max_days=Max(delay),
            total_days=Sum(delay),
        )
        .order_by()
    )
    return [
        {"campaign_id": row.pop("campaign_key"), "village_id": row.pop("village_key"), "owner_id": row.pop("owner_key"), **row}
        for row in rows
    ]


COUNTS = ("total", "open", "closed", "overdue", "new", "closed_new")


def rollup(
    groups: list[dict[str, Any]],
    *,
    campaigns: dict[int, tuple[int, str]],
    villages: dict[int, str],
    owners: dict[int, str],
) -> dict[str, Any]:
    """Campaign totals, overdue by village and owner, and the village ranking, from the groups.

    `campaigns` maps id → (order, name); `villages` holds every active village (ranked even
    without items); `owners` maps id → name for the owners with overdue items."""
    by_campaign: dict[int, dict[str, int]] = {}
    by_village: dict[int, dict[str, int]] = {pk: dict.fromkeys(COUNTS, 0) for pk in villages}
    by_owner: dict[tuple[int, int], dict[str, int]] = {}
    for row in groups:
        campaign = by_campaign.setdefault(row["campaign_id"], dict.fromkeys(COUNTS, 0))
        for key in COUNTS:
            campaign[key] += row[key]
        if row["village_id"] in by_village:
            for key in COUNTS:
                by_village[row["village_id"]][key] += row[key]
        if row["overdue"]:
            owner = by_owner.setdefault((row["village_id"], row["owner_id"]), {"count": 0, "max_days": 0, "total_days": 0})
            owner["count"] += row["overdue"]
            owner["max_days"] = max(owner["max_days"], row["max_days"] or 0)
            owner["total_days"] += row["total_days"] or 0
    campaign_rows = [
        {"campaign": campaigns[pk][1], **values, "closure_rate": rate(values["closed"], values["total"])}
        for pk, values in sorted(by_campaign.items(), key=lambda pair: campaigns[pair[0]])
    ]
    overdue_groups = sorted(
        (
            {"village": villages.get(village_id, ""), "owner": owners.get(owner_id, ""), **values}
            for (village_id, owner_id), values in by_owner.items()
        ),
        key=lambda row: (row["village"], -row["count"], row["owner"]),
    )
    ranked = sorted(
        (
            {"village": name, "total": by_village[pk]["total"], "closed": by_village[pk]["closed"],
             "overdue": by_village[pk]["overdue"], "closure_rate": rate(by_village[pk]["closed"], by_village[pk]["total"])}
            for pk, name in villages.items()
        ),
        key=lambda row: (-row["closure_rate"], row["overdue"], row["village"]),
    )
    ranking = [
        {"rank": position, **{key: row[key] for key in ("village", "total", "closed", "overdue", "closure_rate")}}
        for position, row in enumerate(ranked, start=1)
    ]
    return {"campaigns": campaign_rows, "overdue_groups": overdue_groups, "ranking": ranking}


def _overdue(town: Town, day: date) -> QuerySet[Item]:
    return Item.objects.filter(town=town, state__in=OPEN_STATES, deadline__lt=day).annotate(
        days_overdue=DaysBetween(day)
    )


def overdue_items(*, town: Town, day: date, limit: int = DETAIL_LIMIT) -> list[dict[str, Any]]:
    """The most overdue items, one by one."""
    rows = (
        _overdue(town, day)
        .values("code", "title", "village__name", "owner__name", "deadline", "days_overdue")
        # Most overdue first is earliest deadline first: an order the (town, state, deadline)
        # index can give.
        .order_by("deadline", "code")[:limit]
    )
    return [
        {
            "code": row["code"],
            "title": row["title"],
            "village": row["village__name"],
            "owner": row["owner__name"],
            "deadline": row["deadline"].isoformat(),
            "days_overdue": row["days_overdue"],
        }
        for row in rows
    ]


def returned_items(
    *,
    town: Town,
    as_of: datetime,
    since: datetime | None,
    after_transition: int | None = None,
    upto_transition: int | None = None,
    limit: int = DETAIL_LIMIT,
) -> tuple[int, list[dict[str, Any]]]:
    """整改不到位: items returned (or reopened) since the last bulletin, with the reason given:
    how many in all, and the first `limit` of them (one query: the total is a window count).

    `after_transition` is the last transition id the previous bulletin saw: transitions are
    append-only, so the newer ones are a primary-key range, found without reading the others."""
    transitions = Transition.objects.filter(item__town=town, action__in=("return", "reopen"))
    if after_transition is not None:
        transitions = transitions.filter(pk__gt=after_transition)
    if upto_transition is not None:
        transitions = transitions.filter(pk__lte=upto_transition)
    rows = list(
        transitions.filter(_window(since, as_of, "created_at"))
        .annotate(total=Window(Count("id")))
        .values(
            "item__code", "item__title", "item__village__name", "item__owner__name", "action", "reason", "created_at",
            "total",
        )
        .order_by("item__village__name", "created_at", "id")[:limit]
    )
    total = rows[0]["total"] if rows else 0
    return total, [
        {
            "code": row["item__code"],
            "title": row["item__title"],
            "village": row["item__village__name"],
            "owner": row["item__owner__name"],
            "action": row["action"],
            "reason": row["reason"],
            "at": row["created_at"].isoformat(),
        }
        for row in rows
    ]


def previous_bulletin(*, town: Town, as_of: datetime) -> Bulletin | None:
    """The latest original (not a correction) bulletin of the town before `as_of`."""
    return (
        Bulletin.objects.filter(town=town, corrects__isnull=True, as_of__lt=as_of)
        .order_by("-as_of", "-id")
        .only("id", "code", "as_of", "transitions_upto")
        .first()
    )


def bulletin_figures(
    *,
    town: Town,
    day: date,
    as_of: datetime,
    since: datetime | None,
    after_transition: int | None = None,
    upto_transition: int | None = None,
    named: int = 3,
) -> dict[str, Any]:
    """All the figures of one bulletin (six queries), ready to be stored as its snapshot."""
    groups = ledger_groups(town=town, day=day, as_of=as_of, since=since)
    campaigns = {pk: (order, name) for pk, order, name in Campaign.objects.filter(town=town).values_list("pk", "order", "name")}
    villages = dict(Village.objects.filter(town=town, active=True).values_list("pk", "name"))
    owner_ids = {row["owner_id"] for row in groups if row["overdue"]}
    owners = dict(Person.objects.filter(pk__in=owner_ids).values_list("pk", "name")) if owner_ids else {}
    tables = rollup(groups, campaigns=campaigns, villages=villages, owners=owners)
    totals: dict[str, Any] = {key: sum(row[key] for row in tables["campaigns"]) for key in COUNTS}
    totals["closure_rate"] = rate(totals["closed"], totals["total"])
    returned_total, returned = returned_items(
        town=town, as_of=as_of, since=since, after_transition=after_transition, upto_transition=upto_transition
    )
    worst = sorted((row for row in tables["ranking"] if row["overdue"]), key=lambda row: (-row["overdue"], row["rank"]))
    return {
        "totals": totals,
        "campaigns": tables["campaigns"],
        "overdue_groups": tables["overdue_groups"],
        "overdue_items": overdue_items(town=town, day=day),
        "returned": returned,
        "returned_total": returned_total,
        "ranking": tables["ranking"],
        "named_villages": [row["village"] for row in worst[:named]],
    }


def bulletin_list(*, user) -> QuerySet[Bulletin]:  # noqa: ANN001
    """The bulletins the user may read, newest first, without their (large) snapshots."""
    return (
        Bulletin.objects.visible_to(user)
        .select_related("town", "corrects")
        .defer("snapshot")
        .order_by("-issued_at", "-id")
    )
