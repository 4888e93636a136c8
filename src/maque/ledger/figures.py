"""Town-wide figures of the ledger (the daily bulletin, the weekly diagnosis pack), read from
indexes alone, never row by row from the item table.

A town's figures must come out in well under a second at a million items. Reading every item
row is too slow for that, so each figure is asked of the narrowest index that answers it:

- counts by state × campaign × village: one pass over the figures index, in its own order, so
  SQLite streams the groups without sorting and never touches the table;
- overdue and stale items: the same index, limited to the open states;
- what happened since a moment (registered, closed): a short range of the created/closed index
  (an item has a closing time exactly while it is closed — a constraint of the table);
- returns and reopenings: a short range of the transitions, each item then looked up by key.

The queries are shaped so that the database has one good plan whether or not it has gathered
statistics: a group that no index gives in order is keyed by `column + 0`, which stops SQLite
from walking a village- or owner-ordered index (one random read per row) just to avoid a sort.
The functions return plain rows, or an unordered queryset for the caller to aggregate; the
callers add the parts up in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Min, QuerySet, Sum

from maque.ledger import definitions
from maque.ledger.models import OPEN_STATES, Item, Transition
from maque.ledger.queries import DaysBetween
from maque.organisation.models import Town


def town_items(town: Town) -> QuerySet[Item]:
    """The town's items, unordered (the model's default ordering would add its columns to any
    GROUP BY)."""
    return Item.objects.filter(town=town).order_by()


def unordered(column: str) -> ExpressionWrapper:
    """`column + 0`: the same value, which no index offers in order (see the module's note)."""
    return ExpressionWrapper(F(column) + 0, output_field=IntegerField())


def state_counts(*, town: Town, before: datetime) -> list[Mapping[str, Any]]:
    """Items registered before `before`, counted by state, campaign and village (`n`).

    Grouped in the index's own column order, so the database reads the groups in sequence."""
    return list(
        town_items(town)
        .filter(created_at__lt=before)
        .values("state", "campaign_id", "village_id")
        .annotate(n=Count("*"))
    )


def overdue_counts(*, town: Town, day: date, before: datetime) -> list[Mapping[str, Any]]:
    """Open items registered before `before` whose deadline is before `day`, by state, campaign,
    village and owner: how many (`n`), the earliest deadline (`first_deadline`) and the days
    overdue added up (`total_days`)."""
    return list(
        town_items(town)
        .filter(definitions.overdue(day), created_at__lt=before)
        .values("state", "campaign_id", "village_id", "owner_id")
        .annotate(n=Count("*"), first_deadline=Min("deadline"), total_days=Sum(DaysBetween(day)))
    )


def most_overdue(*, town: Town, day: date, limit: int) -> list[Mapping[str, Any]]:
    """The `limit` open items with the earliest deadlines before `day` (then by code).

    One short query per open state, each read in deadline order from the (town, state, deadline)
    index, then merged: a single query over the three states would sort every overdue item."""
    rows: list[Mapping[str, Any]] = []
    for state in OPEN_STATES:
        rows.extend(
            Item.objects.filter(definitions.past_deadline(day), town=town, state=state)
            .order_by("deadline", "code")
            .values("deadline", "code", "title", "village_id", "owner_id")[:limit]
        )
    rows.sort(key=lambda row: (row["deadline"], row["code"]))
    return rows[:limit]


def town_transitions(
    *,
    town: Town,
    actions: Iterable[str],
    until: datetime,
    since: datetime | None = None,
    after: int | None = None,
    upto: int | None = None,
) -> QuerySet[Transition]:
    """Transitions of the town's items with one of `actions`, made in [since, until) and with an
    id in (after, upto], unordered.

    The town is asked of the item as `town_id + 0`, so that the database starts from the few
    transitions (the (action, created_at) index or the id range) and looks their items up by key,
    rather than starting from the town's million items."""
    transitions = (
        Transition.objects.alias(town_key=unordered("item__town_id"))
        .filter(town_key=town.pk, action__in=list(actions), created_at__lt=until)
        .order_by()
    )
    if since is not None:
        transitions = transitions.filter(created_at__gte=since)
    if after is not None:
        transitions = transitions.filter(pk__gt=after)
    if upto is not None:
        transitions = transitions.filter(pk__lte=upto)
    return transitions
