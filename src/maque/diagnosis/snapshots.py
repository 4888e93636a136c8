"""Writing a day's village snapshots (逐村诊断), for every village of a town in a few set-based
queries, read from the ledger's narrow indexes (`maque.ledger.figures`):

1. counts by state × village (the figures index): open, registered, closed out;
2. the open items by village (the figures index): overdue, 15+ days overdue, stale;
3. overdue legacy matters by village (a short walk of the overdue rows);
4. items registered today (the created index) and closed today (the closed index);
5. returns and reopenings today (the transitions' (action, time) index);
6. one insert of every village's row, replacing the day's earlier one (a later tick of the same
   day brings the figures up to date; two ticks at once write the same row twice).

Every figure is the ledger's own definition (`maque.ledger.definitions`); the tests hold the rows
against those definitions item by item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from maque.diagnosis.models import VillageSnapshot
from maque.ledger import definitions, figures
from maque.ledger.models import OPEN_STATES, Kind, State
from maque.organisation.models import Town, Village

# Days overdue from which an item counts in `overdue_15` (design §5: "any item 15+ days overdue").
LONG_OVERDUE_DAYS = 15

COUNTED = (
    "open",
    "found",
    "closed",
    "registered",
    "closed_total",
    "overdue",
    "overdue_15",
    "stale",
    "returned",
    "reopened",
    "legacy_overdue",
)

# Columns filled by a source (`maque.diagnosis.sources`) that count: 0 where the source has no
# row for a village; the others (a deviation) stay None there.
COUNTED_SOURCES = frozenset({"topics_waiting", "petitions_overdue"})

# A source of one more column: (town, day) -> {village id: value}. Projects (and topics, when
# joint deliberation is installed) add theirs; without a source the column stays None.
ColumnSource = Callable[[Town, date], Mapping[int, float | int | None]]


def day_start(day: date) -> datetime:
    """Local midnight starting `day`."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def village_figures(
    *, town: Town, now: datetime, stale_days: int
) -> dict[int, dict[str, int | float | None]]:
    """Each active village's figures at `now` (every counted key, the rates; None: no items to
    rate)."""
    day = timezone.localdate(now)
    since = day_start(day)
    villages = list(Village.objects.filter(town=town, active=True).values_list("pk", flat=True))
    counts: dict[int, dict[str, Any]] = {pk: dict.fromkeys(COUNTED, 0) for pk in villages}

    def add(pk: int, key: str, n: int) -> None:
        if pk in counts:
            counts[pk][key] += n

    for row in figures.state_counts(town=town, before=now + timedelta(microseconds=1)):
        if row["state"] != State.CANCELLED:
            add(row["village_id"], "registered", row["n"])
        if row["state"] == State.CLOSED:
            add(row["village_id"], "closed_total", row["n"])

    long_overdue = definitions.past_deadline(day - timedelta(days=LONG_OVERDUE_DAYS - 1))
    for row in (
        figures.town_items(town)
        .filter(state__in=OPEN_STATES)
        .values("state", "campaign_id", "village_id")
        .annotate(
            n=Count("*"),
            overdue=Count("id", filter=definitions.past_deadline(day)),
            overdue_15=Count("id", filter=long_overdue),
            stale=Count(
                "id",
                filter=definitions.without_progress_since(
                    definitions.stale_cutoff(now, stale_days)
                ),
            ),
        )
    ):
        for key in ("overdue", "overdue_15", "stale"):
            add(row["village_id"], key, row[key])
        add(row["village_id"], "open", row["n"])

    for row in (
        figures.town_items(town)
        .filter(definitions.overdue(day), kind=Kind.LEGACY)
        .values("village_id")
        .annotate(n=Count("*"))
    ):
        add(row["village_id"], "legacy_overdue", row["n"])

    for row in (
        figures.town_items(town)
        .filter(created_at__gte=since, created_at__lte=now)
        .values(village_key=figures.unordered("village_id"))
        .annotate(n=Count("*"))
    ):
        add(row["village_key"], "found", row["n"])
    for row in (
        figures.town_items(town)
        .filter(closed_at__gte=since, closed_at__lte=now)
        .values(village_key=figures.unordered("village_id"))
        .annotate(n=Count("*"))
    ):
        add(row["village_key"], "closed", row["n"])

    for row in (
        figures.town_transitions(
            town=town,
            actions=("return", "reopen"),
            since=since,
            until=now + timedelta(microseconds=1),
        )
        .values(village_key=figures.unordered("item__village_id"))
        .annotate(
            returned=Count("id", filter=Q(action="return")),
            reopened=Count("id", filter=Q(action="reopen")),
        )
    ):
        add(row["village_key"], "returned", row["returned"])
        add(row["village_key"], "reopened", row["reopened"])

    for row in counts.values():
        row["closure_rate"] = definitions.closure_rate(row["closed_total"], row["registered"])
        row["stale_share"] = definitions.rate(row["stale"], row["open"])
    return counts


def snapshots_write(
    *,
    town: Town,
    now: datetime,
    stale_days: int,
    sources: Mapping[str, ColumnSource] | None = None,
) -> int:
    """Write (or rewrite) the town's snapshots of `now`'s day; returns how many villages got
    their first snapshot of the day (a rewrite brings a row up to date: no new effect).

    `sources` fill the columns whose data lives beside the ledger (projects' deviation, topics
    waiting, petitions overdue: `maque.diagnosis.sources`); a column without a source stays
    None, "not tracked"."""
    day = timezone.localdate(now)
    counted = village_figures(town=town, now=now, stale_days=stale_days)
    extra = {column: source(town, day) for column, source in (sources or {}).items()}
    rows = [
        VillageSnapshot(
            town=town,
            village_id=pk,
            day=day,
            taken_at=now,
            **values,
            **{
                column: found.get(pk, 0 if column in COUNTED_SOURCES else None)
                for column, found in extra.items()
            },
        )
        for pk, values in counted.items()
    ]
    columns = [*COUNTED, "closure_rate", "stale_share", "taken_at", *extra]
    today = VillageSnapshot.objects.filter(town=town, day=day)
    before = today.count()
    VillageSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["village", "day"],
        update_fields=columns,
        batch_size=500,
    )
    return today.count() - before
