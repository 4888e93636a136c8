"""Reads for the daily bulletin: every figure is aggregated in the database (a fixed handful of
queries whatever the size of the ledger), then shaped into the JSON snapshot that is stored."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import formats

from maque.bulletins.models import Bulletin
from maque.core.masking import mask_text
from maque.ledger import figures
from maque.ledger.definitions import calendar_days_late, rate
from maque.ledger.models import OPEN_STATES, Campaign, State, Transition
from maque.organisation.models import Person, Town, Village

# How many overdue items are listed one by one; the rest are counted by village and owner.
DETAIL_LIMIT = 100


def document_date(day: date) -> str:
    """The date as documents write it in the active language: in Chinese `2026年7月18日`, the full
    year, no leading zeros (GB/T 9704-2012)."""
    return formats.date_format(day, "DATE_FORMAT")


def _window(since: datetime | None, as_of: datetime, field: str) -> Q:
    condition = Q(**{f"{field}__lt": as_of})
    if since is not None:
        condition &= Q(**{f"{field}__gte": since})
    return condition


COUNTS = ("total", "open", "closed", "overdue", "new", "closed_new")


def ledger_groups(
    *, town: Town, day: date, as_of: datetime, since: datetime | None
) -> list[dict[str, Any]]:
    """The town's items registered before `as_of` (cancelled ones aside), in groups of campaign ×
    village × owner: items, open, closed, overdue (with the longest and total delay), new and
    closed since the last bulletin.

    Every table of the bulletin (campaign totals, overdue by village and owner, village ranking)
    is a sum over these few thousand groups. They are read from the figures index (see
    `maque.ledger.figures`) plus two short ranges for what happened since the last bulletin; the
    counts of all items sit in groups whose owner is None, the overdue ones in groups by owner."""
    groups: dict[tuple[int, int, int | None], dict[str, Any]] = {}

    def group(campaign_id: int, village_id: int, owner_id: int | None = None) -> dict[str, Any]:
        key = (campaign_id, village_id, owner_id)
        if key not in groups:
            groups[key] = {
                "campaign_id": campaign_id,
                "village_id": village_id,
                "owner_id": owner_id,
                **dict.fromkeys(COUNTS, 0),
                "max_days": None,
                "total_days": None,
            }
        return groups[key]

    for row in figures.state_counts(town=town, before=as_of):
        if row["state"] == State.CANCELLED:
            continue
        counts = group(row["campaign_id"], row["village_id"])
        counts["total"] += row["n"]
        if row["state"] in OPEN_STATES:
            counts["open"] += row["n"]
        elif row["state"] == State.CLOSED:
            counts["closed"] += row["n"]
        if since is None:  # the first bulletin: everything is new
            counts["new"] += row["n"]
    for row in figures.overdue_counts(town=town, day=day, before=as_of):
        late = group(row["campaign_id"], row["village_id"], row["owner_id"])
        late["overdue"] += row["n"]
        late["max_days"] = max(late["max_days"] or 0, (day - row["first_deadline"]).days)
        late["total_days"] = (late["total_days"] or 0) + row["total_days"]
    if since is not None:
        registered = (
            figures.town_items(town)
            .filter(created_at__gte=since, created_at__lt=as_of)
            .exclude(state=State.CANCELLED)
            .values(
                campaign_key=figures.unordered("campaign_id"),
                village_key=figures.unordered("village_id"),
            )
            .annotate(n=Count("*"))
        )
        for row in registered:
            group(row["campaign_key"], row["village_key"])["new"] += row["n"]
    # A closing time means closed (a constraint of the table), so no state is asked for. The first
    # bulletin counts every item closed before `as_of`: the closed ones less those closed later.
    if since is None:
        for row in groups.values():
            row["closed_new"] = row["closed"]
        closed, sign = Q(closed_at__gte=as_of), -1
    else:
        closed, sign = Q(closed_at__gte=since, closed_at__lt=as_of), 1
    changed = (
        figures.town_items(town)
        .filter(closed, created_at__lt=as_of)
        .values(
            campaign_key=figures.unordered("campaign_id"),
            village_key=figures.unordered("village_id"),
        )
        .annotate(n=Count("*"))
    )
    for row in changed:
        group(row["campaign_key"], row["village_key"])["closed_new"] += sign * row["n"]
    return list(groups.values())


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
            owner = by_owner.setdefault(
                (row["village_id"], row["owner_id"]), {"count": 0, "max_days": 0, "total_days": 0}
            )
            owner["count"] += row["overdue"]
            owner["max_days"] = max(owner["max_days"], row["max_days"] or 0)
            owner["total_days"] += row["total_days"] or 0
    campaign_rows = [
        {
            "campaign": campaigns[pk][1],
            **values,
            "closure_rate": rate(values["closed"], values["total"]),
        }
        for pk, values in sorted(by_campaign.items(), key=lambda pair: campaigns[pair[0]])
    ]
    owner_rows: list[dict[str, Any]] = [
        {"village": villages.get(village_id, ""), "owner": owners.get(owner_id, ""), **values}
        for (village_id, owner_id), values in by_owner.items()
    ]
    overdue_groups = sorted(
        owner_rows, key=lambda row: (row["village"], -row["count"], row["owner"])
    )
    village_rows: list[dict[str, Any]] = [
        {
            "village": name,
            "total": by_village[pk]["total"],
            "closed": by_village[pk]["closed"],
            "overdue": by_village[pk]["overdue"],
            "closure_rate": rate(by_village[pk]["closed"], by_village[pk]["total"]),
        }
        for pk, name in villages.items()
    ]
    ranked = sorted(
        village_rows,
        key=lambda row: (
            -(row["closure_rate"] if row["closure_rate"] is not None else -1.0),
            row["overdue"],
            row["village"],
        ),
    )
    ranking = [
        {
            "rank": position,
            **{key: row[key] for key in ("village", "total", "closed", "overdue", "closure_rate")},
        }
        for position, row in enumerate(ranked, start=1)
    ]
    return {"campaigns": campaign_rows, "overdue_groups": overdue_groups, "ranking": ranking}


def _overdue(
    row: Mapping[str, Any], *, day: date, villages: dict[int, str], owners: dict[int, str]
) -> dict[str, Any]:
    """One of the most overdue items, as the bulletin lists it."""
    return {
        "code": row["code"],
        # A bulletin goes to every office and group: it never carries a phone or ID number.
        "title": mask_text(row["title"]),
        "village": villages.get(row["village_id"], ""),
        "owner": owners.get(row["owner_id"], ""),
        "deadline": row["deadline"].isoformat(),
        "days_overdue": calendar_days_late(row["deadline"], day),
    }


def returned_items(
    *,
    town: Town,
    as_of: datetime,
    since: datetime | None,
    villages: dict[int, str],
    after_transition: int | None = None,
    upto_transition: int | None = None,
    limit: int = DETAIL_LIMIT,
) -> tuple[int, list[dict[str, Any]]]:
    """整改不到位: how many items were returned (or reopened) since the last bulletin, and the
    first `limit` of them by village (`villages` names them) and in the order they happened,
    with the reason given.

    `after_transition` is the last transition id the previous bulletin saw: transitions are
    append-only, so the newer ones are a primary-key range, and id order is time order. Only
    ids are read for all of them (the first bulletin of a town sees every return there ever
    was); the details for the listed ones alone."""
    transitions = figures.town_transitions(
        town=town,
        actions=("return", "reopen"),
        until=as_of,
        since=since,
        after=after_transition,
        upto=upto_transition,
    )
    keys = sorted(
        transitions.values_list("id", "item__village_id"),
        key=lambda pair: (villages.get(pair[1], ""), pair[0]),
    )
    listed = {pk for pk, _village in keys[:limit]}
    rows = (
        Transition.objects.filter(pk__in=listed).values(
            "id",
            "action",
            "reason",
            "created_at",
            "item__code",
            "item__title",
            "item__village_id",
            "item__owner__name",
        )
        if listed
        else []
    )
    rows = sorted(rows, key=lambda row: (villages.get(row["item__village_id"], ""), row["id"]))
    return len(keys), [
        {
            "code": row["item__code"],
            "title": mask_text(row["item__title"]),
            "village": villages.get(row["item__village_id"], ""),
            "owner": row["item__owner__name"],
            "action": row["action"],
            "reason": mask_text(row["reason"]),
            "at": row["created_at"].isoformat(),
        }
        for row in rows
    ]


def daily_bulletin_of(*, town: Town, day: date) -> Bulletin | None:
    """The town's daily bulletin for `day` (by schedule or by hand), if it has one: neither a
    correction nor a special bulletin."""
    return (
        Bulletin.objects.filter(town=town, day=day, corrects__isnull=True)
        .exclude(snapshot__kind="special")
        .only("id", "code")
        .order_by("id")
        .first()
    )


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
    """All the figures of one bulletin, ready to be stored as its snapshot: about ten queries,
    whatever the size of the ledger."""
    groups = ledger_groups(town=town, day=day, as_of=as_of, since=since)
    campaigns = {
        pk: (order, name)
        for pk, order, name in Campaign.objects.filter(town=town).values_list("pk", "order", "name")
    }
    names: dict[int, str] = {}
    villages: dict[int, str] = {}  # active ones, which are ranked
    for pk, name, active in Village.objects.filter(town=town).values_list("pk", "name", "active"):
        names[pk] = name
        if active:
            villages[pk] = name
    listed = figures.most_overdue(town=town, day=day, limit=DETAIL_LIMIT)
    owner_ids = {row["owner_id"] for row in groups if row["overdue"]} | {
        row["owner_id"] for row in listed
    }
    owners = (
        dict(Person.objects.filter(pk__in=owner_ids).values_list("pk", "name")) if owner_ids else {}
    )
    tables = rollup(groups, campaigns=campaigns, villages=villages, owners=owners)
    totals: dict[str, Any] = {key: sum(row[key] for row in tables["campaigns"]) for key in COUNTS}
    totals["closure_rate"] = rate(totals["closed"], totals["total"])
    returned_total, returned = returned_items(
        town=town,
        as_of=as_of,
        since=since,
        villages=names,
        after_transition=after_transition,
        upto_transition=upto_transition,
    )
    # The most overdue first; at an equal number, the worse-ranked village (lower closure rate)
    # first, so a tie never spares the weaker village. The document states this rule.
    worst = sorted(
        (row for row in tables["ranking"] if row["overdue"]),
        key=lambda row: (-row["overdue"], -row["rank"]),
    )
    return {
        "totals": totals,
        "campaigns": tables["campaigns"],
        "overdue_groups": tables["overdue_groups"],
        "overdue_items": [_overdue(row, day=day, villages=names, owners=owners) for row in listed],
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
