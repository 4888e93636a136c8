"""Reads for meetings, and the weekly diagnosis's indicator pack, aggregated in the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from maque.bulletins.queries import GROUP_KEYS
from maque.ledger.models import Item, State, Transition
from maque.meetings.models import Meeting, MeetingDecision
from maque.organisation.models import Town, Village

# Watch-list candidate thresholds (design §5, 走看清单): closure rate this many points under the
# town's, or this many overdue items.
WATCH_RATE_GAP = 15.0
WATCH_OVERDUE = 5


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _window_counts(prefix: str, start: datetime, end: datetime, stale_days: int) -> dict[str, Count]:
    """Conditional counts over a village's items for the window [start, end)."""
    end_day = timezone.localdate(end)
    live = [state for state in State if state != State.CANCELLED]
    registered = Q(created_at__lt=end, state__in=live)
    # Open at the end of the window: not closed by then (suspended items are paused, not counted).
    open_at_end = Q(created_at__lt=end, state__in=[s for s in live if s != State.SUSPENDED]) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=end)
    )
    stale_since = end - timedelta(days=stale_days)
    return {
        f"{prefix}_found": Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
        f"{prefix}_closed": Count("id", filter=Q(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)),
        f"{prefix}_overdue": Count("id", filter=open_at_end & Q(deadline__lt=end_day)),
        f"{prefix}_stale": Count(
            "id",
            filter=open_at_end
            & (Q(last_progress_at__lt=stale_since) | Q(last_progress_at__isnull=True, created_at__lt=stale_since)),
        ),
        f"{prefix}_registered": Count("id", filter=registered),
        f"{prefix}_closed_total": Count("id", filter=registered & Q(state=State.CLOSED, closed_at__lt=end)),
    }


def diagnosis_pack(*, town: Town, now: datetime, stale_days: int = 14) -> dict[str, Any]:
    """Per village, the 7 days up to `now` against the 7 days before: found, closed, overdue,
    returned, stale, closure rate; and the villages that look like watch-list candidates.

    Three queries: one pass over the town's items grouped by village, the returns of the two
    weeks, and the villages (every active one is listed, even without items)."""
    this_start, last_start = now - timedelta(days=7), now - timedelta(days=14)
    windows = {"this": (this_start, now), "last": (last_start, this_start)}
    annotations: dict[str, Count] = {}
    for prefix, (start, end) in windows.items():
        annotations.update(_window_counts(prefix, start, end, stale_days))
    grouped = {
        row["village_key"]: row
        for row in Item.objects.filter(town=town)
        .annotate(village_key=GROUP_KEYS["village_key"])
        .values("village_key")
        .annotate(**annotations)
        .order_by()
    }
    empty = dict.fromkeys(annotations, 0)
    rows = [
        {"id": pk, "name": name, **grouped.get(pk, empty)}
        for pk, name in Village.objects.filter(town=town, active=True).values_list("pk", "name")
    ]
    returns = (
        Transition.objects.filter(item__town=town, action="return", created_at__gte=last_start, created_at__lt=now)
        .values("item__village_id")
        .annotate(
            this=Count("id", filter=Q(created_at__gte=this_start)),
            last=Count("id", filter=Q(created_at__lt=this_start)),
        )
    )
    returned = {row["item__village_id"]: row for row in returns}
    villages = []
    for row in sorted(rows, key=lambda r: r["name"]):
        entry: dict[str, Any] = {"village_id": row["id"], "village": row["name"]}
        for prefix in windows:
            entry[prefix] = {
                "found": row[f"{prefix}_found"],
                "closed": row[f"{prefix}_closed"],
                "overdue": row[f"{prefix}_overdue"],
                "returned": returned.get(row["id"], {}).get(prefix, 0),
                "stale": row[f"{prefix}_stale"],
                "closure_rate": _rate(row[f"{prefix}_closed_total"], row[f"{prefix}_registered"]),
            }
        villages.append(entry)
    town_rate = _rate(sum(r["this_closed_total"] for r in rows), sum(r["this_registered"] for r in rows))
    candidates = []
    for entry in villages:
        reasons = []
        if entry["this"]["closure_rate"] <= town_rate - WATCH_RATE_GAP:
            reasons.append(f"销号率{entry['this']['closure_rate']}%，低于全镇{town_rate}%")
        if entry["this"]["overdue"] >= WATCH_OVERDUE:
            reasons.append(f"逾期{entry['this']['overdue']}件")
        if reasons:
            candidates.append({"village": entry["village"], "reasons": reasons})
    return {
        "this_week": [this_start.isoformat(), now.isoformat()],
        "last_week": [last_start.isoformat(), this_start.isoformat()],
        "town_closure_rate": town_rate,
        "villages": villages,
        "watch_candidates": candidates,
    }


def meeting_list(*, user, kind: str | None = None, village: int | None = None) -> QuerySet[Meeting]:  # noqa: ANN001
    meetings = Meeting.objects.visible_to(user)
    if kind:
        meetings = meetings.filter(kind=kind)
    if village is not None:
        meetings = meetings.filter(villages__id=village)
    return (
        meetings.select_related("host", "recorder", "town")
        .prefetch_related(
            "villages",
            "attendees",
            "files",
            Prefetch("decisions", queryset=MeetingDecision.objects.select_related("item", "item__owner")),
        )
        .distinct()
        .order_by("-held_on", "-id")
    )
