"""Field work in figures, per village and per cadre and month (design §5), each defined once:

- **Households visited**: distinct households touched by at least one visit in the month.
- **Share visited**: households visited ÷ the village's households, as a rate (None without any).
- **Not visited for N months** (N = 6 by default): the village's households without a visit on
  or after the same day N months back.
- **Policies explained**: explanations given, one per visit and policy explained on it.
- **Problems found**: ledger items registered from the month's visits.

Months are the town's calendar months of the visit's local time. Counted in the database, a
handful of grouped queries whatever the number of visits; `tests/fieldwork` holds every figure
against these definitions written out in plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from maque.fieldwork.models import FieldVisit, VisitItem
from maque.ledger.definitions import rate
from maque.organisation.models import Household, Town

NOT_VISITED_MONTHS = 6

Households = FieldVisit.households.through
Explanations = FieldVisit.policies.through


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month as [start, end) in the server's time zone."""
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), zone),
        timezone.make_aware(datetime.combine(after, time.min), zone),
    )


def months_back(day: date, months: int) -> date:
    """The same day `months` calendar months before `day` (the month's last day if shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


@dataclass
class MonthFigures:
    key: int  # the village id, or the visitor's person id
    visits: int = 0
    households_visited: int = 0
    households: int | None = None
    share: float | None = None
    policies_explained: int = 0
    problems_found: int = 0


def _month(town: Town, year: int, month: int, by: str) -> dict[int, MonthFigures]:
    start, end = month_bounds(year, month)
    in_month = Q(
        fieldvisit__town=town, fieldvisit__visited_at__gte=start, fieldvisit__visited_at__lt=end
    )
    key = f"fieldvisit__{by}_id"
    out: dict[int, MonthFigures] = {}

    def row(value: int) -> MonthFigures:
        return out.setdefault(value, MonthFigures(key=value))

    visits = (
        FieldVisit.objects.filter(town=town, visited_at__gte=start, visited_at__lt=end)
        .values(f"{by}_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for entry in visits:
        row(entry[f"{by}_id"]).visits = entry["n"]
    for entry in (
        Households.objects.filter(in_month)
        .values(key)
        .annotate(n=Count("household_id", distinct=True))
        .order_by()
    ):
        row(entry[key]).households_visited = entry["n"]
    for entry in (
        Explanations.objects.filter(in_month).values(key).annotate(n=Count("id")).order_by()
    ):
        row(entry[key]).policies_explained = entry["n"]
    found = (
        VisitItem.objects.filter(
            visit__town=town, visit__visited_at__gte=start, visit__visited_at__lt=end
        )
        .values(f"visit__{by}_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for entry in found:
        row(entry[f"visit__{by}_id"]).problems_found = entry["n"]
    return out


def village_month(town: Town, year: int, month: int) -> dict[int, MonthFigures]:
    """The month's figures of every village of the town with any visit, by village id, with the
    share of the village's households visited."""
    figures = _month(town, year, month, "village")
    totals = dict(
        Household.objects.filter(village__town=town)
        .values("village_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("village_id", "n")
    )
    for village_id, figure in figures.items():
        figure.households = totals.get(village_id, 0)
        figure.share = rate(figure.households_visited, figure.households)
    return figures


def cadre_month(town: Town, year: int, month: int) -> dict[int, MonthFigures]:
    """The month's figures of every person who visited, by person id."""
    return _month(town, year, month, "visitor")


def not_visited(town: Town, day: date, months: int = NOT_VISITED_MONTHS) -> dict[int, int]:
    """Village id → households without a visit on or after the day `months` months back."""
    since = timezone.make_aware(
        datetime.combine(months_back(day, months), time.min), timezone.get_current_timezone()
    )
    # The households visited since then, gathered once from the town's recent visits (a range of
    # its (town, time) index): asking each household in turn whether it had a visit since would
    # look every one of its visits up by key, a random read per visit of the town's history. A
    # visit's households are of its village (`visit_log` checks it), so of its town.
    visited = Households.objects.filter(
        fieldvisit__town=town, fieldvisit__visited_at__gte=since
    ).values("household_id")
    rows: Any = (
        Household.objects.filter(village__town=town)
        .exclude(pk__in=visited)
        .values("village_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("village_id", "n")
    )
    return dict(rows)
