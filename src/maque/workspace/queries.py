"""Reads behind the workspace screens: every one starts from `visible_to(user)` and aggregates in
the database (the number of queries does not grow with the number of items or villages)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from maque.accountability.models import AccountabilityCase, Status
from maque.accountability.policies import may_handle_cases
from maque.ledger import definitions, lifecycle
from maque.ledger.definitions import closure_rate
from maque.ledger.models import OPEN_STATES, Item, ItemRequest, Light, State, Transition
from maque.ledger.queries import with_indicators
from maque.organisation.access import Actor
from maque.organisation.models import Role, Village
from maque.organisation.scopes import town_wide_scope
from maque.rhythm.models import EscalationStep
from maque.supervision.models import InspectionRound
from maque.supervision.policies import may_inspect

LIGHT_ORDER = Case(
    When(light=Light.RED, then=Value(0)),
    When(light=Light.YELLOW, then=Value(1)),
    When(light=Light.GREEN, then=Value(2)),
    When(light=Light.BLUE, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def _last_return_reason() -> Subquery:
    return Subquery(
        Transition.objects.filter(item=OuterRef("pk"), action="return")
        .order_by("-created_at", "-id")
        .values("reason")[:1]
    )


@dataclass
class CadreHome:
    items: Sequence[Item]
    due_soon: list[Item] = field(default_factory=list)
    overdue: list[Item] = field(default_factory=list)
    returned: list[Item] = field(default_factory=list)


def cadre_home(*, user: User, actor: Actor, day: date | None = None) -> CadreHome:
    """The user's own open items (我的待办), by light, with the reason of the last return."""
    day = day or timezone.localdate()
    if actor.person is None:
        return CadreHome(items=[])
    items = with_indicators(
        Item.objects.visible_to(user).filter(
            owner=actor.person, state__in=(*OPEN_STATES, State.SUSPENDED)
        ),
        day=day,
    )
    rows = list(
        items.annotate(light_order=LIGHT_ORDER, return_reason=_last_return_reason())
        .select_related("village", "category", "town")
        .order_by("light_order", "deadline", "id")
    )
    home = CadreHome(items=rows)
    for item in rows:
        if item.overdue:
            home.overdue.append(item)
        elif definitions.is_due_soon(
            state=item.state,
            deadline=item.deadline,
            day=day,
            within_days=item.town.light_due_soon_days,
            open_ended=item.open_ended,
        ):
            home.due_soon.append(item)
        if item.state == State.RECTIFYING and item.returned_count and item.return_reason:
            home.returned.append(item)
    return home


COUNTS = ("total", "open", "closed", "submitted", "overdue", "returned")


def village_counts(
    villages: QuerySet[Village], day: date, *, items: QuerySet[Item]
) -> list[Village]:
    """The villages, each with its numbers (`total`, `open`, `closed`, …) counted over `items`,
    the user's scoped items: never through the bare reverse relation, which would count what the
    user may not see. Two queries whatever the number of villages."""
    rows = list(villages)
    open_items = Q(state__in=OPEN_STATES)
    counted = (
        items.filter(village_id__in=villages.order_by().values("pk"))
        .values("village_id")
        .annotate(
            total=Count("id", filter=~Q(state=State.CANCELLED)),
            open=Count("id", filter=open_items),
            closed=Count("id", filter=Q(state=State.CLOSED)),
            submitted=Count("id", filter=Q(state=State.SUBMITTED)),
            overdue=Count("id", filter=open_items & definitions.past_deadline(day)),
            returned=Count("id", filter=open_items & Q(returned_count__gt=0)),
        )
        .order_by()
    )
    by_village: dict[int, Mapping[str, Any]] = (
        {row["village_id"]: row for row in counted} if rows else {}
    )
    for village in rows:
        numbers = by_village.get(village.pk, {})
        for name in COUNTS:
            setattr(village, name, numbers.get(name, 0))
    return rows


def contact_leader_home(*, user: User, actor: Actor, day: date | None = None) -> dict[str, Any]:
    """The villages in the leader's charge with their numbers (what waits for him: `waiting_for`)."""
    day = day or timezone.localdate()
    village_ids = actor.village_ids(Role.CONTACT_LEADER)
    villages = list(
        village_counts(
            Village.objects.visible_to(user).filter(pk__in=village_ids).order_by("name"),
            day,
            items=Item.objects.visible_to(user),
        )
    )
    for village in villages:
        village.closure_rate = closure_rate(village.closed, village.total)  # type: ignore[attr-defined]  # numbers of village_counts
    return {"villages": villages}


def town_overview(*, user: User, actor: Actor, day: date | None = None) -> dict[str, Any]:
    """Villages of the towns the user oversees: closure rate, overdue, returned, lights; chart data."""
    day = day or timezone.localdate()
    items = Item.objects.visible_to(user)
    villages = Village.objects.visible_to(user)
    if not actor.is_superuser:
        # The towns the user oversees with a town-wide role (the scope rule's own answer).
        towns = town_wide_scope(actor) or Q(pk__in=[])
        items = items.filter(towns)
        villages = villages.filter(towns)
    indicated = with_indicators(items, day=day)
    lights: dict[int, Mapping[str, Any]] = {
        row["village_id"]: row
        for row in indicated.values("village_id")
        .annotate(**{colour: Count("id", filter=Q(light=colour)) for colour in Light.values})
        .order_by()
    }
    rows = village_counts(villages.order_by("town__name", "name"), day, items=items)
    for village in rows:
        # The numbers of `village_counts`, and the rate and lights shown beside them, are set on
        # the instances for the templates.
        village.closure_rate = closure_rate(village.closed, village.total)  # type: ignore[attr-defined]
        village.lights = {  # type: ignore[attr-defined]
            colour: lights.get(village.pk, {}).get(colour, 0) for colour in Light.values
        }
    totals = items.aggregate(
        total=Count("id", filter=~Q(state=State.CANCELLED)),
        closed=Count("id", filter=Q(state=State.CLOSED)),
        overdue=Count("id", filter=definitions.overdue(day)),
        submitted=Count("id", filter=Q(state=State.SUBMITTED)),
    )
    totals["closure_rate"] = closure_rate(totals["closed"], totals["total"])
    return {
        "villages": rows,
        "totals": totals,
        "charts": _charts(items, [v.name for v in rows], day),
    }


def _charts(items: QuerySet[Item], village_names: list[str], day: date) -> dict[str, Any]:
    """Chart series (plain JSON): found and closed per week, states per village, per campaign."""
    weeks = 12
    start = day - timedelta(days=7 * weeks)
    week_starts = [(start + timedelta(days=7 * n)) for n in range(weeks + 1)]
    week_starts = [w - timedelta(days=w.weekday()) for w in week_starts]

    def per_week(column: str) -> dict[str, int]:
        rows = (
            items.filter(**{f"{column}__date__gte": week_starts[0]})
            .annotate(week=TruncWeek(column))
            .values("week")
            .annotate(count=Count("id"))
            .order_by()
        )
        return {_as_date(row["week"]).isoformat(): row["count"] for row in rows}

    found = per_week("created_at")
    closed = per_week("closed_at")
    labels = [w.isoformat() for w in week_starts]
    state_rows = items.values("village__name", "state").annotate(count=Count("id")).order_by()
    by_state: dict[str, dict[str, int]] = {state: {} for state in State.values}
    for row in state_rows:
        by_state[row["state"]][row["village__name"]] = row["count"]
    campaigns = list(
        items.values("campaign__name")
        .annotate(
            total=Count("id", filter=~Q(state=State.CANCELLED)),
            closed=Count("id", filter=Q(state=State.CLOSED)),
        )
        .order_by("campaign__name")
    )
    return {
        "trend": {
            "weeks": [label[5:] for label in labels],
            "found": [found.get(label, 0) for label in labels],
            "closed": [closed.get(label, 0) for label in labels],
        },
        "states": {
            "villages": village_names,
            "series": [
                {
                    "state": state,
                    "label": str(label),
                    "data": [by_state[state].get(name, 0) for name in village_names],
                }
                for state, label in State.choices
            ],
        },
        "campaigns": [
            {"name": row["campaign__name"], "total": row["total"], "closed": row["closed"]}
            for row in campaigns
        ],
    }


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# How many candidates a home asks the lifecycle about, and how many it lists per heading.
WAITING_CANDIDATES = 200
WAITING_SHOWN = 20
APPROVALS = ("approve_extension", "approve_suspension")
ESCALATED_STEPS = (
    EscalationStep.Step.OVERDUE_CONTACT_LEADER,
    EscalationStep.Step.OVERDUE_PRINCIPAL,
    EscalationStep.Step.OVERDUE_ACCOUNTABILITY,
    EscalationStep.Step.RETURNS_ACCOUNTABILITY,
)


@dataclass
class Waiting:
    """What waits for the user on their home, before any figures."""

    approvals: list[Item] = field(default_factory=list)
    verifications: list[Item] = field(default_factory=list)
    escalated: list[Item] = field(default_factory=list)
    cases: list[AccountabilityCase] = field(default_factory=list)
    cases_count: int = 0
    rounds: list[InspectionRound] = field(default_factory=list)

    @property
    def pending_count(self) -> int:
        return len(self.approvals) + len(self.verifications)

    @property
    def anything(self) -> bool:
        return bool(
            self.approvals or self.verifications or self.escalated or self.cases or self.rounds
        )


def waiting_for(*, user: User, actor: Actor, day: date | None = None) -> Waiting:
    """Approvals and verifications the user may give now (the lifecycle's own answer), items
    escalated to them, suggested accountability cases (for those who handle cases) and open
    inspection rounds with samples still to record (for those who inspect). A bounded number of
    queries: the candidates are read once and asked about in memory."""
    day = day or timezone.localdate()
    waiting = Waiting()
    if actor.person is None:
        return waiting
    scoped = Item.objects.visible_to(user)
    candidates = list(
        with_indicators(
            scoped.filter(
                Q(state=State.SUBMITTED) | Q(requests__status=ItemRequest.Status.PENDING)
            ),
            day=day,
        )
        .distinct()
        .annotate(
            pending_request=Subquery(
                ItemRequest.objects.filter(
                    item=OuterRef("pk"), status=ItemRequest.Status.PENDING
                ).values("type")[:1]
            )
        )
        .select_related("village", "owner", "category", "town")
        .order_by("deadline", "id")[:WAITING_CANDIDATES]
    )
    for item, actions in zip(
        candidates, lifecycle.available_actions_each(user, candidates), strict=True
    ):
        if "verify" in actions and item.state == State.SUBMITTED:
            waiting.verifications.append(item)
        elif any(action in actions for action in APPROVALS):
            waiting.approvals.append(item)
    waiting.verifications = waiting.verifications[:WAITING_SHOWN]
    waiting.approvals = waiting.approvals[:WAITING_SHOWN]
    escalated = EscalationStep.objects.filter(
        recipients=actor.person, step__in=ESCALATED_STEPS
    ).values("item_id")
    waiting.escalated = list(
        with_indicators(
            scoped.filter(pk__in=escalated, state__in=OPEN_STATES).exclude(owner=actor.person),
            day=day,
        )
        .select_related("village", "owner")
        .order_by("deadline", "id")[:WAITING_SHOWN]
    )
    if may_handle_cases(actor):
        suggested = AccountabilityCase.objects.visible_to(user).filter(status=Status.SUGGESTED)
        waiting.cases_count = suggested.count()
        waiting.cases = list(suggested.select_related("village").order_by("-id")[:WAITING_SHOWN])
    if may_inspect(actor):
        waiting.rounds = list(
            InspectionRound.objects.visible_to(user)
            .filter(status=InspectionRound.Status.OPEN)
            .annotate(
                to_record=Count("samples", filter=Q(samples__finding__isnull=True), distinct=True)
            )
            .filter(to_record__gt=0)
            .order_by("opened_on", "number")
        )
    return waiting
