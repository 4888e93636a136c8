"""A village's figures on a past day, as the ledger stood then (for a town whose history is
replayed or imported after the fact, e.g. the demo's eight weeks of trend).

`maque.diagnosis.snapshots` counts the ledger as it stands; a past day needs each item as it
was at that moment, which the ledger's append-only records give:

- the state: the last `Transition` of the item at or before the moment (its `create` first);
  an item registered later did not exist yet;
- the deadline (and whether it has one): the item's history row current at the moment
  (`Item.history`, written with every save: an extension, a deadline set on a legacy matter);
- the last progress: the latest `ProgressLog` at or before the moment;
- the day's flows: registrations, close-outs, returns and reopenings that day, from the same
  transitions.

Each count is then the ledger's definition (`maque.ledger.definitions`) applied to those
values; the tests hold them to the snapshots taken live at the same moments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from maque.diagnosis.models import VillageSnapshot
from maque.diagnosis.snapshots import (
    COUNTED,
    COUNTED_SOURCES,
    LONG_OVERDUE_DAYS,
    ColumnSource,
    day_start,
)
from maque.ledger import definitions
from maque.ledger.models import OPEN_STATES, Item, Kind, ProgressLog, State, Transition
from maque.organisation.models import Town, Village


@dataclass
class _Story:
    """One item's records, in time order."""

    village_id: int
    kind: str
    created_at: datetime
    states: list[tuple[datetime, str, str]]  # (when, action, to_state)
    # (when, deadline, open_ended, closed_at): the item's history rows
    records: list[tuple[datetime, date, bool, datetime | None]]
    progress: list[datetime]

    def state_at(self, moment: datetime) -> str | None:
        state = None
        for when, _action, to_state in self.states:
            if when > moment:
                break
            state = to_state
        return state

    def record_at(self, moment: datetime) -> tuple[date, bool, datetime | None] | None:
        """The deadline, whether it is open-ended, and the close-out time, at `moment`."""
        found = None
        for when, deadline, open_ended, closed_at in self.records:
            if when > moment:
                break
            found = (deadline, open_ended, closed_at)
        return found

    def progress_at(self, moment: datetime) -> datetime | None:
        last = None
        for when in self.progress:
            if when > moment:
                break
            last = when
        return last


def _stories(town: Town, until: datetime) -> dict[int, _Story]:
    stories = {
        row["pk"]: _Story(row["village_id"], row["kind"], row["created_at"], [], [], [])
        for row in Item.objects.filter(town=town, created_at__lte=until)
        .order_by()
        .values("pk", "village_id", "kind", "created_at")
    }
    for item_id, when, action, to_state in (
        Transition.objects.filter(item__town=town, created_at__lte=until)
        .order_by("created_at", "pk")
        .values_list("item_id", "created_at", "action", "to_state")
    ):
        if item_id in stories:
            stories[item_id].states.append((when, action, to_state))
    for item_id, when, deadline, open_ended, closed_at in (
        Item.history.filter(town_id=town.pk, history_date__lte=until)  # type: ignore[attr-defined]
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "deadline", "open_ended", "closed_at")
    ):
        if item_id in stories:
            stories[item_id].records.append((when, deadline, open_ended, closed_at))
    for item_id, when in (
        ProgressLog.objects.filter(item__town=town, created_at__lte=until)
        .order_by("created_at", "pk")
        .values_list("item_id", "created_at")
    ):
        if item_id in stories:
            stories[item_id].progress.append(when)
    return stories


def figures_at(
    stories: Mapping[int, _Story], *, villages: Iterable[int], moment: datetime, stale_days: int
) -> dict[int, dict[str, Any]]:
    """Each village's counted figures and rates at `moment`, from the items' stories."""
    day = timezone.localdate(moment)
    since = day_start(day)
    cutoff = definitions.stale_cutoff(moment, stale_days)
    long_before = day - timedelta(days=LONG_OVERDUE_DAYS - 1)
    counts: dict[int, dict[str, Any]] = {pk: dict.fromkeys(COUNTED, 0) for pk in villages}
    for story in stories.values():
        row = counts.get(story.village_id)
        if row is None or story.created_at > moment:
            continue
        state = story.state_at(moment)
        if state is None:
            continue
        if state != State.CANCELLED:
            row["registered"] += 1
        if state == State.CLOSED:
            row["closed_total"] += 1
        if since <= story.created_at:
            row["found"] += 1
        held = story.record_at(moment)
        if held is not None and held[2] is not None and since <= held[2] <= moment:
            row["closed"] += 1
        for when, action, _to_state in story.states:
            if since <= when <= moment:
                row["returned"] += action == "return"
                row["reopened"] += action == "reopen"
        if state not in OPEN_STATES:
            continue
        row["open"] += 1
        if held is not None and not held[1]:
            deadline = held[0]
            if deadline < day:
                row["overdue"] += 1
                row["legacy_overdue"] += story.kind == Kind.LEGACY
            if deadline < long_before:
                row["overdue_15"] += 1
        last = story.progress_at(moment)
        if (last is not None and last < cutoff) or (last is None and story.created_at < cutoff):
            row["stale"] += 1
    for row in counts.values():
        row["closure_rate"] = definitions.closure_rate(row["closed_total"], row["registered"])
        row["stale_share"] = definitions.rate(row["stale"], row["open"])
    return counts


def past_snapshots_write(
    *,
    town: Town,
    moments: Iterable[datetime],
    stale_days: int,
    sources: Mapping[str, ColumnSource] | None = None,
) -> int:
    """Write (or rewrite) the town's snapshot of each moment's day as the ledger stood at that
    moment; returns the rows written. The columns of `sources` are read for each day as those
    sources read a day (the projects' deviation on that day; topics and petitions as they stand)."""
    moments = sorted(moments)
    if not moments:
        return 0
    stories = _stories(town, moments[-1])
    villages = list(Village.objects.filter(town=town, active=True).values_list("pk", flat=True))
    rows = []
    for moment in moments:
        day = timezone.localdate(moment)
        extra = {column: source(town, day) for column, source in (sources or {}).items()}
        for pk, values in figures_at(
            stories, villages=villages, moment=moment, stale_days=stale_days
        ).items():
            rows.append(
                VillageSnapshot(
                    town=town,
                    village_id=pk,
                    day=day,
                    taken_at=moment,
                    **values,
                    **{
                        column: found.get(pk, 0 if column in COUNTED_SOURCES else None)
                        for column, found in extra.items()
                    },
                )
            )
    columns = [*COUNTED, "closure_rate", "stale_share", "taken_at", *(sources or {})]
    VillageSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["village", "day"],
        update_fields=columns,
        batch_size=500,
    )
    return len(rows)
