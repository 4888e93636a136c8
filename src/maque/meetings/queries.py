"""Reads for meetings, and the weekly diagnosis's indicator pack, aggregated in the database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from maque.ledger import definitions, figures
from maque.ledger.definitions import closure_rate
from maque.ledger.models import OPEN_STATES, State
from maque.meetings.models import Meeting, MeetingDecision, Resolution, RosterMember
from maque.organisation.models import Town, Village

WINDOW_KEYS = ("found", "closed", "overdue", "stale", "registered", "closed_total")


def _stale_at(end: datetime, stale_days: int) -> Q:
    """No progress logged for `stale_days` before `end` (nor since registration); needs the
    `progress_at` alias of `_village_windows`, the last progress or else the registration, so
    the definition's two cases are one comparison."""
    return Q(progress_at__lt=definitions.stale_cutoff(end, stale_days))


def _village_windows(
    *, town: Town, windows: dict[str, tuple[datetime, datetime]], stale_days: int
) -> dict[int, dict[str, dict[str, int]]]:
    """Per village and window [start, end): items found (registered) and closed in the window;
    at its end, items overdue and stale among those open then (found, rectifying, submitted, or
    closed only later; suspended and cancelled items aside), items registered (cancelled aside)
    and, of these, closed.

    The windows are this week and the one before (`this` ends now, `last` ends where `this`
    starts). Four queries, none of which reads the item table at large (`maque.ledger.figures`):
    1. counts by state now (figures index) — registered and closed at the end of `this`;
    2. the open items (figures index) — overdue and stale at both ends;
    3. items closed since the start of `last` (closed index) — closed in each window, and those
       still open at an end;
    4. items registered since the start of `last` (created index) — found in each window, and
       what to take off the counts of (1) to get them at the end of `last`.
    An item has a closing time exactly while it is closed (a constraint of the table): open items
    have none, and a closing time in a range is a closed item."""
    (this_start, now), (last_start, _this_start) = windows["this"], windows["last"]
    now_day, this_day = timezone.localdate(now), timezone.localdate(this_start)
    result: dict[int, dict[str, dict[str, int]]] = {}

    def village(pk: int) -> dict[str, dict[str, int]]:
        return result.setdefault(pk, {prefix: dict.fromkeys(WINDOW_KEYS, 0) for prefix in windows})

    closed_now: dict[int, int] = {}
    for row in figures.state_counts(town=town, before=now):
        if row["state"] != State.CANCELLED:
            village(row["village_id"])["this"]["registered"] += row["n"]
        if row["state"] == State.CLOSED:
            closed_now[row["village_id"]] = closed_now.get(row["village_id"], 0) + row["n"]

    # The last progress, or the registration when there is none: one comparison for staleness.
    items = figures.town_items(town).alias(progress_at=Coalesce("last_progress_at", "created_at"))
    then = Q(created_at__lt=this_start)
    open_counts = (
        items.filter(state__in=OPEN_STATES, created_at__lt=now)
        .values("state", "campaign_id", "village_id")
        .annotate(
            this_overdue=Count("id", filter=definitions.past_deadline(now_day)),
            this_stale=Count("id", filter=_stale_at(now, stale_days)),
            last_overdue=Count("id", filter=then & definitions.past_deadline(this_day)),
            last_stale=Count("id", filter=then & _stale_at(this_start, stale_days)),
        )
    )
    for open_row in open_counts:
        figures_of = village(open_row["village_id"])
        figures_of["this"]["overdue"] += open_row["this_overdue"]
        figures_of["this"]["stale"] += open_row["this_stale"]
        figures_of["last"]["overdue"] += open_row["last_overdue"]
        figures_of["last"]["stale"] += open_row["last_stale"]

    at_now = Q(created_at__lt=now, closed_at__gte=now)  # registered, but closed only after
    at_this = Q(created_at__lt=this_start, closed_at__gte=this_start)
    closed_lately = (
        items.filter(closed_at__gte=last_start)
        .values(village_key=figures.unordered("village_id"))
        .annotate(
            this_closed=Count("id", filter=Q(closed_at__gte=this_start, closed_at__lt=now)),
            last_closed=Count("id", filter=Q(closed_at__gte=last_start, closed_at__lt=this_start)),
            this_overdue=Count("id", filter=at_now & definitions.past_deadline(now_day)),
            this_stale=Count("id", filter=at_now & _stale_at(now, stale_days)),
            last_overdue=Count("id", filter=at_this & definitions.past_deadline(this_day)),
            last_stale=Count("id", filter=at_this & _stale_at(this_start, stale_days)),
            this_unclosed=Count("id", filter=at_now),
            last_unclosed=Count("id", filter=at_this),
        )
    )
    unclosed: dict[int, dict[str, int]] = {}
    for closed_row in closed_lately:
        figures_of = village(closed_row["village_key"])
        figures_of["this"]["closed"] += closed_row["this_closed"]
        figures_of["this"]["overdue"] += closed_row["this_overdue"]
        figures_of["this"]["stale"] += closed_row["this_stale"]
        figures_of["last"]["closed"] += closed_row["last_closed"]
        figures_of["last"]["overdue"] += closed_row["last_overdue"]
        figures_of["last"]["stale"] += closed_row["last_stale"]
        unclosed[closed_row["village_key"]] = {
            "this": closed_row["this_unclosed"],
            "last": closed_row["last_unclosed"],
        }

    later = Q(created_at__gte=this_start, created_at__lt=now)
    registered_lately = (
        items.filter(created_at__gte=last_start)
        .values(village_key=figures.unordered("village_id"))
        .annotate(
            this_found=Count("id", filter=Q(created_at__gte=this_start, created_at__lt=now)),
            last_found=Count("id", filter=Q(created_at__lt=this_start)),
            later=Count("id", filter=later & ~Q(state=State.CANCELLED)),
            later_closed=Count("id", filter=later & Q(state=State.CLOSED)),
        )
    )
    later_counts: dict[int, Mapping[str, Any]] = {}
    for registered_row in registered_lately:
        figures_of = village(registered_row["village_key"])
        figures_of["this"]["found"] += registered_row["this_found"]
        figures_of["last"]["found"] += registered_row["last_found"]
        later_counts[registered_row["village_key"]] = registered_row

    for pk, figures_of in result.items():
        closed, gone, late = closed_now.get(pk, 0), unclosed.get(pk, {}), later_counts.get(pk, {})
        figures_of["this"]["closed_total"] = closed - gone.get("this", 0)
        figures_of["last"]["closed_total"] = (
            closed - gone.get("last", 0) - late.get("later_closed", 0)
        )
        figures_of["last"]["registered"] = figures_of["this"]["registered"] - late.get("later", 0)
    return result


def diagnosis_pack(
    *,
    town: Town,
    now: datetime,
    stale_days: int = 14,
    watch_list: Callable[[Town, datetime], list[dict[str, Any]]] | None = None,
    topics: Callable[[Town, datetime], dict[int, dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Per village, the 7 days up to `now` against the 7 days before: found, closed, overdue,
    returned, stale, closure rate; and the watch list (走看清单) as `watch_list` gives it: the
    diagnosis app, above this one, proposes and keeps the entries (`maque.diagnosis`). With
    `topics`, each village also carries the week's topic figures of joint deliberation (by
    concern and track, median days to accept and to answer, share answered in time,
    satisfaction) as that function gives them per village id (`deliberation.figures`, passed
    in from above like the watch list).

    Six short queries: four for the items (see `_village_windows`), one for the returns of the
    two weeks, one for the villages (every active one is listed, even without items)."""
    this_start, last_start = now - timedelta(days=7), now - timedelta(days=14)
    windows = {"this": (this_start, now), "last": (last_start, this_start)}
    counted = _village_windows(town=town, windows=windows, stale_days=stale_days)
    empty = {prefix: dict.fromkeys(WINDOW_KEYS, 0) for prefix in windows}
    rows: list[dict[str, Any]] = [
        {"id": pk, "name": name, **counted.get(pk, empty)}
        for pk, name in Village.objects.filter(town=town, active=True).values_list("pk", "name")
    ]
    returns = (
        figures.town_transitions(town=town, actions=("return",), since=last_start, until=now)
        .values(village_key=figures.unordered("item__village_id"))
        .annotate(
            this=Count("id", filter=Q(created_at__gte=this_start)),
            last=Count("id", filter=Q(created_at__lt=this_start)),
        )
    )
    returned: dict[int, Mapping[str, Any]] = {row["village_key"]: row for row in returns}
    topic_figures = topics(town, now) if topics is not None else None
    villages = []
    for row in sorted(rows, key=lambda r: r["name"]):
        entry: dict[str, Any] = {"village_id": row["id"], "village": row["name"]}
        for prefix in windows:
            entry[prefix] = {
                "found": row[prefix]["found"],
                "closed": row[prefix]["closed"],
                "overdue": row[prefix]["overdue"],
                "returned": returned.get(row["id"], {}).get(prefix, 0),
                "stale": row[prefix]["stale"],
                "closure_rate": closure_rate(
                    row[prefix]["closed_total"], row[prefix]["registered"]
                ),
            }
        if topic_figures is not None:
            entry["topics"] = topic_figures.get(row["id"])
        villages.append(entry)
    town_rate = closure_rate(
        sum(r["this"]["closed_total"] for r in rows), sum(r["this"]["registered"] for r in rows)
    )
    return {
        "this_week": [this_start.isoformat(), now.isoformat()],
        "last_week": [last_start.isoformat(), this_start.isoformat()],
        "town_closure_rate": town_rate,
        "villages": villages,
        "watch_candidates": watch_list(town, now) if watch_list is not None else [],
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
            "roll",
            Prefetch(
                "decisions", queryset=MeetingDecision.objects.select_related("item", "item__owner")
            ),
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.prefetch_related(
                    Prefetch("actions", queryset=MeetingDecision.objects.select_related("item"))
                ),
            ),
        )
        .distinct()
        .order_by("-held_on", "-id")
    )


def roster_list(
    *, user: Any, village: int | None = None, body: str | None = None, on: date | None = None
) -> QuerySet[RosterMember]:
    """The roster members the caller may see; `on` keeps those in force that day."""
    members = RosterMember.objects.visible_to(user).select_related("village", "person")
    if village is not None:
        members = members.filter(village_id=village)
    if body:
        members = members.filter(body=body)
    if on is not None:
        members = members.on(on)
    return members.order_by("village_id", "body", "name", "id")
