"""Reads for the daily bulletin: every figure is aggregated in the database (a fixed handful of
queries whatever the size of the ledger), then shaped into the JSON snapshot that is stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Count, IntegerField, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce

from maque.bulletins.models import Bulletin
from maque.ledger.models import OPEN_STATES, Item, State, Transition
from maque.ledger.queries import DaysBetween
from maque.organisation.models import Town, Village

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


def campaign_totals(*, town: Town, day: date, as_of: datetime, since: datetime | None) -> list[dict[str, Any]]:
    """Per campaign: items, open, closed, overdue, new and closed since the last bulletin, closure rate."""
    items = Item.objects.filter(town=town, created_at__lt=as_of).exclude(state=State.CANCELLED)
    rows = (
        items.values("campaign_id", "campaign__name", "campaign__order")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(state__in=OPEN_STATES)),
            closed=Count("id", filter=Q(state=State.CLOSED)),
            overdue=Count("id", filter=Q(state__in=OPEN_STATES, deadline__lt=day)),
            new=Count("id", filter=_window(since, as_of, "created_at")),
            closed_new=Count("id", filter=Q(state=State.CLOSED) & _window(since, as_of, "closed_at")),
        )
        .order_by("campaign__order", "campaign__name")
    )
    return [
        {
            "campaign": row["campaign__name"],
            "total": row["total"],
            "open": row["open"],
            "closed": row["closed"],
            "overdue": row["overdue"],
            "new": row["new"],
            "closed_new": row["closed_new"],
            "closure_rate": rate(row["closed"], row["total"]),
        }
        for row in rows
    ]


def _overdue(town: Town, day: date) -> QuerySet[Item]:
    return Item.objects.filter(town=town, state__in=OPEN_STATES, deadline__lt=day).annotate(
        days_overdue=DaysBetween(day)
    )


def overdue_by_village_owner(*, town: Town, day: date) -> list[dict[str, Any]]:
    """整治不及时: overdue items counted by village and owner, with the longest delay."""
    rows = (
        _overdue(town, day)
        .values("village_id", "village__name", "owner_id", "owner__name")
        .annotate(count=Count("id"), max_days=Max("days_overdue"), total_days=Sum("days_overdue"))
        .order_by("village__name", "-count", "owner__name")
    )
    return [
        {
            "village": row["village__name"],
            "owner": row["owner__name"],
            "count": row["count"],
            "max_days": row["max_days"],
            "total_days": row["total_days"],
        }
        for row in rows
    ]


def overdue_items(*, town: Town, day: date, limit: int = DETAIL_LIMIT) -> list[dict[str, Any]]:
    """The most overdue items, one by one."""
    rows = (
        _overdue(town, day)
        .values("code", "title", "village__name", "owner__name", "deadline", "days_overdue")
        .order_by("-days_overdue", "code")[:limit]
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
    *, town: Town, as_of: datetime, since: datetime | None, limit: int = DETAIL_LIMIT
) -> tuple[int, list[dict[str, Any]]]:
    """整改不到位: items returned (or reopened) since the last bulletin, with the reason given:
    how many in all, and the first `limit` of them (one query: the total is a window count)."""
    rows = list(
        Transition.objects.filter(item__town=town, action__in=("return", "reopen"))
        .filter(_window(since, as_of, "created_at"))
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


def village_ranking(*, town: Town, day: date, as_of: datetime) -> list[dict[str, Any]]:
    """Every active village ranked by closure rate (higher first), then fewer overdue items."""
    live = Q(items__created_at__lt=as_of, items__state__in=[s for s in State if s != State.CANCELLED])
    rows = (
        Village.objects.filter(town=town, active=True)
        .annotate(
            total=Coalesce(Count("items", filter=live), 0, output_field=IntegerField()),
            closed=Count("items", filter=live & Q(items__state=State.CLOSED)),
            overdue=Count("items", filter=live & Q(items__state__in=OPEN_STATES, items__deadline__lt=day)),
        )
        .values("id", "name", "total", "closed", "overdue")
    )
    ranked = sorted(
        ({**row, "closure_rate": rate(row["closed"], row["total"])} for row in rows),
        key=lambda row: (-row["closure_rate"], row["overdue"], row["name"]),
    )
    result = []
    for position, row in enumerate(ranked, start=1):
        result.append(
            {
                "rank": position,
                "village": row["name"],
                "total": row["total"],
                "closed": row["closed"],
                "overdue": row["overdue"],
                "closure_rate": row["closure_rate"],
            }
        )
    return result


def previous_bulletin(*, town: Town, as_of: datetime) -> Bulletin | None:
    """The latest original (not a correction) bulletin of the town before `as_of`."""
    return (
        Bulletin.objects.filter(town=town, corrects__isnull=True, as_of__lt=as_of)
        .order_by("-as_of", "-id")
        .only("id", "code", "as_of")
        .first()
    )


def bulletin_figures(
    *, town: Town, day: date, as_of: datetime, since: datetime | None, named: int = 3
) -> dict[str, Any]:
    """All the figures of one bulletin (five queries), ready to be stored as its snapshot."""
    campaigns = campaign_totals(town=town, day=day, as_of=as_of, since=since)
    ranking = village_ranking(town=town, day=day, as_of=as_of)
    by_owner = overdue_by_village_owner(town=town, day=day)
    totals = {
        key: sum(row[key] for row in campaigns) for key in ("total", "open", "closed", "overdue", "new", "closed_new")
    }
    totals["closure_rate"] = rate(totals["closed"], totals["total"])
    returned_total, returned = returned_items(town=town, as_of=as_of, since=since)
    worst = sorted((row for row in ranking if row["overdue"]), key=lambda row: (-row["overdue"], row["rank"]))
    return {
        "totals": totals,
        "campaigns": campaigns,
        "overdue_groups": by_owner,
        "overdue_items": overdue_items(town=town, day=day),
        "returned": returned,
        "returned_total": returned_total,
        "ranking": ranking,
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
