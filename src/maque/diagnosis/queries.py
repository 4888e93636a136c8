"""Reads of the diagnosis: a day's figures per village for the rules, a village's diagnosis (its
indicators against the town's median, their weekly trend, and what drives them), and the watch
list as the weekly pack and the screens show it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from maque.diagnosis import rules
from maque.diagnosis.models import ACTIVE_STATES, VillageSnapshot, WatchEntry, overdue_per_100
from maque.ledger import definitions
from maque.ledger.models import OPEN_STATES, Item
from maque.organisation.models import Town, Village

# The indicators of a village's diagnosis, in the order shown, and whether a higher value is
# worse (the screens colour the comparison with the town's median by it).
INDICATORS: tuple[tuple[str, bool], ...] = (
    ("closure_rate", False),
    ("overdue_rate", True),
    ("overdue", True),
    ("overdue_15", True),
    ("stale_share", True),
    ("returns", True),
    ("open", True),
    ("petitions_overdue", True),
    ("legacy_overdue", True),
    ("projects_deviation", True),
    ("topics_waiting", True),
)

# Flows added up over a week on the trend (the others are read on the week's last day).
WEEKLY_FLOWS = ("found", "closed", "returned", "reopened")


def latest_day(town: Town | int, *, on: date | None = None) -> date | None:
    """The last day with snapshots of the town (on or before `on`)."""
    snapshots = VillageSnapshot.objects.filter(town=town)
    if on is not None:
        snapshots = snapshots.filter(day__lte=on)
    day: date | None = snapshots.aggregate(last=Max("day"))["last"]
    return day


# The columns of a snapshot the diagnosis reads: rows come as plain values, not model
# instances (a town's eight weeks are thousands of rows, and building an instance of each would
# cost more than the query).
FIGURE_COLUMNS = (
    "village_id",
    "day",
    "open",
    "overdue",
    "overdue_15",
    "stale",
    "stale_share",
    "closure_rate",
    "petitions_overdue",
    "legacy_overdue",
    "projects_deviation",
    "topics_waiting",
)


def _figures(snapshot: Mapping[str, Any], returns: int) -> dict[str, Any]:
    return {
        "village_id": snapshot["village_id"],
        "day": snapshot["day"].isoformat(),
        "open": snapshot["open"],
        "overdue": snapshot["overdue"],
        "overdue_rate": overdue_per_100(snapshot["overdue"], snapshot["open"]),
        "overdue_15": snapshot["overdue_15"],
        "stale": snapshot["stale"],
        "stale_share": snapshot["stale_share"],
        "closure_rate": snapshot["closure_rate"],
        "returns": returns,
        "petitions_overdue": snapshot["petitions_overdue"],
        "legacy_overdue": snapshot["legacy_overdue"],
        "projects_deviation": snapshot["projects_deviation"],
        "topics_waiting": snapshot["topics_waiting"],
    }


def _returns(town_id: int, day: date, villages: Iterable[int] | None = None) -> dict[int, int]:
    """Returns per village over the two weeks up to `day` (the `returns` rule's window)."""
    rows = VillageSnapshot.objects.filter(
        town_id=town_id,
        day__gt=day - timedelta(days=rules.RETURN_WINDOW_DAYS),
        day__lte=day,
    )
    if villages is not None:
        rows = rows.filter(village_id__in=list(villages))
    return {
        row["village_id"]: row["n"]
        for row in rows.order_by().values("village_id").annotate(n=Sum("returned"))
    }


def day_rows(*, town: Town | int, day: date) -> list[dict[str, Any]]:
    """Each active village's figures of `day` for the rules (two queries)."""
    town_id = town if isinstance(town, int) else town.pk
    returns = _returns(town_id, day)
    return [
        _figures(snapshot, returns.get(snapshot["village_id"], 0))
        for snapshot in VillageSnapshot.objects.filter(
            town_id=town_id, day=day, village__active=True
        )
        .order_by("village_id")
        .values(*FIGURE_COLUMNS)
    ]


def category_rows(*, town: Town | int, day: date) -> list[dict[str, Any]]:
    """The overdue items of `day` per village and category of the town's active villages (the
    ledger's definition, as the snapshots count them), for the category rule
    (`rules.category_findings`); items of no category as `category_id` None."""
    town_id = town if isinstance(town, int) else town.pk
    rows = (
        Item.objects.filter(
            definitions.past_deadline(day),
            town_id=town_id,
            state__in=OPEN_STATES,
            village__active=True,
        )
        .order_by()
        .values("village_id", "category_id", "category__name")
        .annotate(overdue=Count("*"))
    )
    return [
        {
            "village_id": row["village_id"],
            "category_id": row["category_id"],
            "label": row["category__name"] or "",
            "overdue": row["overdue"],
        }
        for row in rows
    ]


def village_diagnosis(
    *, village: Village, user: Any, weeks: int = 8, day: date | None = None
) -> dict[str, Any]:
    """A village's diagnosis: its indicators on the last snapshot day against the town's median,
    their trend over `weeks` weeks (each week read on the same weekday, flows added up over the
    week, the town's median beside), and what drives them: the items, owners and categories
    behind the overdue and stale figures (the items as `user` may read them)."""
    last = latest_day(village.town_id, on=day)
    result: dict[str, Any] = {
        "village": {"id": village.pk, "name": village.name},
        "day": last,
        "indicators": [],
        "weeks": [],
        "drivers": {"items": [], "owners": [], "categories": []},
    }
    if last is None:
        return result
    checkpoints = [last - timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    town_rows: dict[date, list[Mapping[str, Any]]] = defaultdict(list)
    for snapshot in (
        VillageSnapshot.objects.filter(
            town_id=village.town_id, day__in=checkpoints, village__active=True
        )
        .order_by()
        .values(*FIGURE_COLUMNS)
    ):
        town_rows[snapshot["day"]].append(snapshot)
    own_days = {
        snapshot["day"]: snapshot
        for snapshot in VillageSnapshot.objects.filter(
            village=village, day__gt=checkpoints[0] - timedelta(days=rules.RETURN_WINDOW_DAYS)
        )
        .order_by()
        .values(*FIGURE_COLUMNS, *WEEKLY_FLOWS)
    }

    def returns_until(day_: date) -> int:
        return sum(
            s["returned"]
            for d, s in own_days.items()
            if day_ - timedelta(days=rules.RETURN_WINDOW_DAYS) < d <= day_
        )

    town_returns = _returns(village.town_id, last)
    for checkpoint in checkpoints:
        snapshots = town_rows.get(checkpoint, [])
        own = own_days.get(checkpoint)
        point: dict[str, Any] = {"day": checkpoint, "village": None, "town_median": {}}
        if checkpoint == last:
            figures_of_town = [_figures(s, town_returns.get(s["village_id"], 0)) for s in snapshots]
        else:
            figures_of_town = [_figures(s, 0) for s in snapshots]
        for key, _worse in INDICATORS:
            point["town_median"][key] = rules.median(f[key] for f in figures_of_town)
        if own is not None:
            point["village"] = _figures(own, returns_until(checkpoint))
            week = [
                s for d, s in own_days.items() if checkpoint - timedelta(days=7) < d <= checkpoint
            ]
            for flow in WEEKLY_FLOWS:
                point["village"][flow] = sum(s[flow] for s in week)
        result["weeks"].append(point)
    now_point = result["weeks"][-1]
    previous = result["weeks"][-2] if len(result["weeks"]) > 1 else None
    for key, worse in INDICATORS:
        value = now_point["village"][key] if now_point["village"] else None
        before = previous["village"][key] if previous and previous["village"] else None
        result["indicators"].append(
            {
                "key": key,
                "value": value,
                "town_median": now_point["town_median"][key],
                "last_week": before,
                "higher_is_worse": worse,
                "worse_than_town": _compare(value, now_point["town_median"][key], worse),
            }
        )
    result["drivers"] = drivers(village=village, user=user, day=last)
    return result


def _compare(value: float | None, median: float | None, higher_is_worse: bool) -> bool | None:
    if value is None or median is None:
        return None
    return value > median if higher_is_worse else value < median


def drivers(*, village: Village, user: Any, day: date, limit: int = 10) -> dict[str, Any]:
    """What drives the village's overdue figures: its most overdue items, and the owners and
    categories with the most overdue items (read through the user's scope)."""
    overdue = (
        Item.objects.visible_to(user).filter(definitions.overdue(day), village=village).order_by()
    )
    items = [
        {
            "code": row["code"],
            "title": row["title"],
            "owner": row["owner__name"],
            "category": row["category__name"],
            "deadline": row["deadline"],
            "days_overdue": definitions.calendar_days_late(row["deadline"], day),
        }
        for row in overdue.order_by("deadline", "code").values(
            "code", "title", "owner__name", "category__name", "deadline"
        )[:limit]
    ]
    owners = [
        {"name": row["owner__name"], "overdue": row["n"]}
        for row in overdue.values("owner__name").annotate(n=Count("id")).order_by("-n")[:limit]
    ]
    categories = [
        {"name": row["category__name"], "overdue": row["n"]}
        for row in overdue.values("category__name").annotate(n=Count("id")).order_by("-n")[:limit]
    ]
    return {"items": items, "owners": owners, "categories": categories}


def entry_list(
    *, user: Any, state: str | None = None, village: int | None = None
) -> QuerySet[WatchEntry]:
    entries = WatchEntry.objects.visible_to(user)
    if state:
        entries = entries.filter(state=state)
    if village is not None:
        entries = entries.filter(village_id=village)
    return entries.select_related("village", "category", "project").order_by(
        "-proposed_on", "-severity", "pk"
    )


def subject_label(entry: WatchEntry) -> str:
    if entry.category is not None and entry.village is not None:
        return f"{entry.village.name} · {entry.category.name}"
    if entry.village is not None and entry.subject == "village":
        return entry.village.name
    if entry.project is not None:
        return entry.project.name
    label: str = entry.numbers.get("label") or entry.subject_key
    return label


def pack_entries(town: Town, now: datetime) -> list[dict[str, Any]]:
    """The watch list for the weekly diagnosis pack: the entries on it or proposed, most severe
    first, each with its subject, state and reasons (in the active language)."""
    entries = (
        WatchEntry.objects.filter(town=town, state__in=ACTIVE_STATES)
        .select_related("village", "category", "project")
        .order_by("-severity", "pk")
    )
    return [
        {
            "entry": entry.pk,
            "village": subject_label(entry),
            "state": entry.state,
            "state_label": str(entry.get_state_display()),
            "reasons": [rules.reason_text(reason) for reason in entry.reasons],
        }
        for entry in entries
    ]


PackProvider = Callable[[Town, datetime], list[dict[str, Any]]]


def watch_list_home(*, user: Any, limit: int = 10) -> list[dict[str, Any]]:
    """The entries on the watch list or proposed, as the principal's home lists them (through
    the user's scope), most severe first."""
    entries = (
        WatchEntry.objects.visible_to(user)
        .filter(state__in=ACTIVE_STATES)
        .select_related("village", "category", "project")
        .order_by("-severity", "pk")[:limit]
    )
    return [
        {
            "id": entry.pk,
            "label": subject_label(entry),
            "state": entry.state,
            "state_label": str(entry.get_state_display()),
            "reasons": [rules.reason_text(reason) for reason in entry.reasons],
        }
        for entry in entries
    ]


def dissection_out(entry: WatchEntry, *, user: Any) -> dict[str, Any] | None:
    """The entry's solving-meeting record; its measures' items as the user may read them (an
    item out of the user's scope shows its text only)."""
    dissection = getattr(entry, "dissection", None) if entry.pk else None
    if dissection is None:
        return None
    measures = list(dissection.measures.select_related("item", "item__owner"))
    readable = set(
        Item.objects.visible_to(user)
        .filter(pk__in=[m.item_id for m in measures])
        .values_list("pk", flat=True)
    )
    return {
        "meeting": {
            "id": dissection.meeting_id,
            "title": dissection.meeting.title,
            "held_on": dissection.meeting.held_on.isoformat(),
        },
        "causes": [
            {"kind": c.kind, "kind_label": str(c.get_kind_display()), "text": c.text}
            for c in dissection.causes.all()
        ],
        "obstacles": dissection.obstacles,
        "resources": [
            {"department": r.department.name, "brings": r.brings}
            for r in dissection.resources.select_related("department")
        ],
        "measures": [
            {
                "text": m.item.title,
                "item": m.item.code if m.item_id in readable else None,
                "item_id": m.item_id if m.item_id in readable else None,
                "owner": m.item.owner.name if m.item_id in readable else None,
                "deadline": m.item.deadline.isoformat(),
                "state": m.item.state,
            }
            for m in measures
        ],
        "field_walks": [
            {"id": w.pk, "title": w.title, "held_on": w.held_on.isoformat()}
            for w in dissection.field_walks.all()
        ],
    }
