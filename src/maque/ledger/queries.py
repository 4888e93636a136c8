"""Reads of the ledger: scoped querysets with `overdue`, `days_overdue` and `light` computed in
the database, so lists filter and sort by them without loading rows into Python."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from maque.ledger import definitions
from maque.ledger.models import Importance, Item, Light, State, Urgency
from maque.organisation.models import Town

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Indicators(TypedDict):
    """What `with_indicators` annotates on each item."""

    overdue: bool
    days_overdue: int
    light: str


class DaysBetween(Func):
    """Whole days from a date column to a fixed day, on SQLite and PostgreSQL."""

    output_field = IntegerField()

    def __init__(self, day: date, column: str = "deadline") -> None:
        super().__init__(Value(day), F(column))

    def _parts(self, compiler, connection):  # noqa: ANN001, ANN202
        day_sql, day_params = compiler.compile(self.source_expressions[0])
        column_sql, column_params = compiler.compile(self.source_expressions[1])
        return day_sql, column_sql, [*day_params, *column_params]

    def as_sqlite(self, compiler, connection, **extra):  # noqa: ANN001, ANN003, ANN201
        day_sql, column_sql, params = self._parts(compiler, connection)
        return f"CAST(julianday({day_sql}) - julianday({column_sql}) AS INTEGER)", params

    def as_postgresql(self, compiler, connection, **extra):  # noqa: ANN001, ANN003, ANN201
        day_sql, column_sql, params = self._parts(compiler, connection)
        return f"(CAST({day_sql} AS date) - {column_sql})", params


def _light_rules(*, day: date, towns: list[Town], now: datetime) -> tuple[Q, Q]:
    """What makes an open item red, and what makes it yellow unless it is red (design §4), with
    each town's thresholds: one branch per town in `towns` (a handful, even at county scale)."""
    red_conditions = Q(pk__in=[])
    yellow_conditions = Q(pk__in=[])
    for town in towns:
        # With one town in play its rules apply to every row: no need to test the town.
        in_town = Q() if len(towns) == 1 else Q(town_id=town.pk)
        red_conditions |= in_town & Q(returned_count__gte=town.light_red_returns)
        # Overdue items are red before this is asked, so "due soon" needs only its upper bound.
        yellow_conditions |= in_town & (
            Q(deadline__lte=day + timedelta(days=town.light_due_soon_days), open_ended=False)
            | definitions.without_progress_since(
                definitions.stale_cutoff(now, town.light_stale_days)
            )
        )
    return (
        definitions.past_deadline(day) | red_conditions,
        yellow_conditions | Q(returned_count__gte=1),
    )


def light_conditions(*, day: date, towns: list[Town], now: datetime) -> dict[str, Q]:
    """Each light as a filter on the item's own columns. The list's `light=` filter uses these
    directly (plain predicates on state, deadline and counts, which the indexes answer, where a
    filter on the annotated CASE would compute it for every row); `with_indicators` builds its
    CASE from the same rules. The lights are exclusive: grey, blue, red, yellow, green."""
    red_rule, yellow_rule = _light_rules(day=day, towns=towns, now=now)
    is_open = definitions.is_open()
    red = is_open & red_rule
    yellow = is_open & ~red_rule & yellow_rule
    return {
        Light.GREY: Q(state__in=(State.CLOSED, State.CANCELLED)),
        Light.BLUE: Q(state=State.SUSPENDED),
        Light.RED: red,
        Light.YELLOW: yellow,
        Light.GREEN: is_open & ~red_rule & ~yellow_rule,
    }


def _moment(day: date) -> datetime:
    """ "No progress for N days" is judged as of `day`, like the deadline."""
    return timezone.now() + (day - timezone.localdate())


def _towns_of(items: QuerySet[Item], towns: list[Town] | None) -> list[Town]:
    if towns is None:
        return list(Town.objects.filter(pk__in=items.values("town_id").distinct()))
    return towns


def with_indicators(
    items: QuerySet[Item], *, day: date | None = None, towns: list[Town] | None = None
) -> QuerySet[WithAnnotations[Item, Indicators]]:
    """Annotate `overdue`, `days_overdue` (0 unless overdue) and `light` (design §4).

    The light uses each town's own thresholds (by default, every town the rows can belong to).
    The annotations are computed for the rows a query returns: a list ordered by an index reads
    them for its page only (see `sorted_by`).
    """
    day = day or timezone.localdate()
    overdue = definitions.overdue(day)
    red_rule, yellow_rule = _light_rules(day=day, towns=_towns_of(items, towns), now=_moment(day))
    # The states that are neither grey nor blue are the open ones: the branches need not say so.
    light = Case(
        When(state__in=(State.CLOSED, State.CANCELLED), then=Value(Light.GREY)),
        When(state=State.SUSPENDED, then=Value(Light.BLUE)),
        When(red_rule, then=Value(Light.RED)),
        When(yellow_rule, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )
    return items.annotate(
        overdue=ExpressionWrapper(overdue, output_field=BooleanField()),
        days_overdue=Case(
            When(overdue, then=DaysBetween(day)), default=Value(0), output_field=IntegerField()
        ),
        light=light,
    )


SORTS = {
    "code": ("code",),
    "-code": ("-code",),
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "days_overdue": ("days_overdue", "id"),
    "-days_overdue": ("-days_overdue", "deadline", "id"),
    "found_on": ("found_on", "id"),
    "-found_on": ("-found_on", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "village": ("village__name", "id"),
    "state": ("state", "id"),
    "light": ("light_rank", "id"),
    "-light": ("-light_rank", "-id"),
    # 轻重缓急: the weighty and pressing first (抓住关键逐个消化), then by deadline.
    "priority": ("importance_rank", "urgency_rank", "deadline", "id"),
}

# Importance and urgency by weight: 重 before 轻, 急 before 缓, unsorted matters last.
IMPORTANCE_RANK = {Importance.MAJOR: 0, Importance.MINOR: 1}
URGENCY_RANK = {Urgency.URGENT: 0, Urgency.SLACK: 1}

# Lights by severity, so that sorting by light puts red first (descending) or last.
LIGHT_RANK = {Light.GREY: 0, Light.BLUE: 1, Light.GREEN: 2, Light.YELLOW: 3, Light.RED: 4}


def item_list(
    *,
    user: User,
    village: str | int | None = None,
    category: str | None = None,
    campaign: str | None = None,
    state: str | list[str] | None = None,
    owner: int | None = None,
    overdue: bool | None = None,
    light: str | None = None,
    due_before: date | None = None,
    due_after: date | None = None,
    q: str | None = None,
    sort: str = "-found_on",
    day: date | None = None,
    kind: str | None = None,
    parent: int | None = None,
) -> QuerySet[Item]:
    """The items the user may see, filtered and sorted; every filter is applied in SQL;
    `parent`: the sub-items of that item (its id)."""
    scoped = Item.objects.visible_to(user)
    if kind:
        scoped = scoped.filter(kind=kind)
    if parent is not None:
        scoped = scoped.filter(parent_id=parent)
    items = filtered(
        scoped,
        # The thresholds of the towns the user can see (a tiny table), not of the rows: no scan.
        towns=list(Town.objects.visible_to(user)),
        village=village,
        category=category,
        campaign=campaign,
        state=state,
        owner=owner,
        overdue=overdue,
        light=light,
        due_before=due_before,
        due_after=due_after,
        q=q,
        day=day,
    )
    return sorted_by(
        items, sort if sort in SORTS else "-found_on", overdue_only=overdue is True
    ).select_related("village", "owner", "category", "campaign")


def filtered(
    items: QuerySet[Item],
    *,
    towns: list[Town] | None = None,
    village: str | int | None = None,
    category: str | None = None,
    campaign: str | None = None,
    state: str | list[str] | None = None,
    owner: int | None = None,
    overdue: bool | None = None,
    light: str | None = None,
    due_before: date | None = None,
    due_after: date | None = None,
    q: str | None = None,
    day: date | None = None,
) -> QuerySet[Item]:
    """The list's filters on `items` (already scoped by the caller), with the indicators of
    `with_indicators` annotated; `village` is an id or a name."""
    day = day or timezone.localdate()
    if village is not None and village != "":
        items = (
            items.filter(village_id=int(village))
            if str(village).isdigit()
            else items.filter(village__name=village)
        )
    if category:
        items = items.filter(category__code=category)
    if campaign:
        items = items.filter(campaign__code=campaign)
    if state:
        items = items.filter(state__in=[state] if isinstance(state, str) else state)
    if owner is not None:
        items = items.filter(owner_id=owner)
    if due_before is not None:
        items = items.filter(deadline__lte=due_before)
    if due_after is not None:
        items = items.filter(deadline__gte=due_after)
    if q:
        items = items.filter(
            Q(code__icontains=q)
            | Q(title__icontains=q)
            | Q(subject__icontains=q)
            | Q(description__icontains=q)
        )
    if overdue is True:
        items = items.filter(definitions.overdue(day))
    elif overdue is False:
        items = items.exclude(definitions.overdue(day))
    if light:
        conditions = light_conditions(day=day, towns=_towns_of(items, towns), now=_moment(day))
        # An unknown light matches nothing (the API refuses it before it gets here).
        items = items.filter(conditions.get(light, Q(pk__in=[])))
    return with_indicators(items, day=day, towns=towns)


# Among overdue items only, days overdue is the deadline read backwards: the same order, served
# by the open items' deadline index instead of a sort of every row by a computed number.
OVERDUE_SORTS = {"-days_overdue": ("deadline", "id"), "days_overdue": ("-deadline", "-id")}


def sorted_by(items: QuerySet[Item], sort: str, *, overdue_only: bool = False) -> QuerySet[Item]:
    """`items` (annotated by `with_indicators`) in one of the list's orders (`SORTS`);
    `overdue_only`: the items are all overdue (the list's `overdue=true`)."""
    if overdue_only and sort in OVERDUE_SORTS:
        return items.order_by(*OVERDUE_SORTS[sort])
    if sort == "priority":
        items = items.annotate(
            importance_rank=Case(
                *(When(importance=value, then=Value(r)) for value, r in IMPORTANCE_RANK.items()),
                default=Value(2),
                output_field=IntegerField(),
            ),
            urgency_rank=Case(
                *(When(urgency=value, then=Value(r)) for value, r in URGENCY_RANK.items()),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
    if sort in ("light", "-light"):
        items = items.annotate(
            light_rank=Case(
                *(When(light=value, then=Value(rank)) for value, rank in LIGHT_RANK.items()),
                output_field=IntegerField(),
            )
        )
    return items.order_by(*SORTS[sort])


def counts_by_village_state_light(
    *, user: User, day: date | None = None
) -> list[Mapping[str, Any]]:
    """Number of items per village × state × light, aggregated in the database."""
    items = with_indicators(
        Item.objects.visible_to(user), day=day, towns=list(Town.objects.visible_to(user))
    )
    return list(
        items.values("village_id", "village__name", "state", "light")
        .annotate(count=Count("id"))
        .order_by("village__name", "state", "light")
    )


def children_progress(*, item: Item, user: Any) -> dict[str, Any]:
    """A parent item's sub-items as `user` may read them, and their progress: how many are
    closed out, and the mean of their progress (a closed one counts 100)."""
    children = list(
        Item.objects.visible_to(user)
        .filter(parent=item)
        .exclude(state=State.CANCELLED)
        .select_related("owner")
        .order_by("deadline", "pk")
    )
    done = [100 if child.state == State.CLOSED else child.progress_percent for child in children]
    return {
        "children": children,
        "total": len(children),
        "closed": sum(1 for child in children if child.state == State.CLOSED),
        "percent": round(sum(done) / len(done)) if done else None,
    }
