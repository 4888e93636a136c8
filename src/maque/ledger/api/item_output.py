"""How an item is shown: `ItemOut`, and finding the item a caller may see by its code."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.utils import timezone
from pydantic import Field

from maque.api.auth import request_user
from maque.api.schemas import (
    CodeRef,
    Out,
    Ref,
)
from maque.core.masking import mask_text
from maque.ledger import definitions, lifecycle
from maque.ledger.models import CoordinationLog, Item, State
from maque.ledger.queries import with_indicators
from maque.organisation.access import actor_for
from maque.organisation.models import Town

ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")


class ItemOut(Out):
    code: str
    kind: str
    title: str
    campaign: CodeRef
    category: CodeRef | None
    village: Ref
    group: Ref | None
    plot: str | None = Field(description="Plot code.")
    household: int | None = Field(description="Household id.")
    parent: str | None = Field(description="The parent item's code, for a sub-item.")
    subject: str
    description: str
    measures: str
    scope: str
    standard: str
    owner: Ref
    found_on: date
    deadline: date
    original_deadline: date
    open_ended: bool = Field(description="A legacy matter without a deadline (never overdue).")
    importance: str = Field(description="Legacy matters: major (重), minor (轻) or empty.")
    urgency: str = Field(description="Legacy matters: urgent (急), slack (缓) or empty.")
    last_coordination_on: date | None = Field(
        description="The day of the latest coordination entry (沟通协调), if any."
    )
    state: str
    state_label: str
    light: str
    overdue: bool
    days_overdue: int
    attributes: dict[str, Any]
    returned_count: int
    reopened_count: int
    extension_count: int
    progress_percent: int
    source: str
    suspended_until: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    actions: list[str] = Field(description="Lifecycle actions the caller may take now.")


# The model's get_state_display() rebuilds a dict of the choices on every call.
STATE_LABELS = dict(State.choices)


# Free text a person types, where a phone or ID number may be written (design §6).
FREE_TEXT = ("title", "subject", "description", "measures", "scope", "standard")


def masked_out(out: dict[str, Any]) -> dict[str, Any]:
    """An item's output with phone and ID numbers in its free text and text fields masked."""
    for name in FREE_TEXT:
        out[name] = mask_text(out[name])
    out["attributes"] = {
        name: mask_text(value) if isinstance(value, str) else value
        for name, value in out["attributes"].items()
    }
    return out


def item_out(item: Item, actions: list[str], *, masks: bool = False) -> dict[str, Any]:
    """The item as the API shows it; `masks`: for a reader who may not see personal data."""
    out = _item_out(item, actions)
    return masked_out(out) if masks else out


def _item_out(item: Item, actions: list[str]) -> dict[str, Any]:
    return {
        "code": item.code,
        "kind": item.kind,
        "title": item.title,
        "campaign": {"code": item.campaign.code, "name": item.campaign.name},
        "category": {"code": item.category.code, "name": item.category.name}
        if item.category is not None
        else None,
        "village": {"id": item.village_id, "name": item.village.name},
        "group": {"id": item.group_id, "name": item.group.name} if item.group is not None else None,
        "plot": item.plot.code if item.plot is not None else None,
        "household": item.household_id,
        "parent": item.parent.code if item.parent is not None else None,
        "subject": item.subject,
        "description": item.description,
        "measures": item.measures,
        "scope": item.scope,
        "standard": item.standard,
        "owner": {"id": item.owner_id, "name": item.owner.name},
        "found_on": item.found_on,
        "deadline": item.deadline,
        "original_deadline": item.original_deadline,
        "open_ended": item.open_ended,
        "importance": item.importance,
        "urgency": item.urgency,
        "last_coordination_on": getattr(item, "last_coordination_on", None),
        "state": item.state,
        "state_label": str(STATE_LABELS.get(item.state, item.state)),
        "light": item.light,  # type: ignore[attr-defined]
        "overdue": bool(item.overdue),  # type: ignore[attr-defined]
        "days_overdue": item.days_overdue or 0,  # type: ignore[attr-defined]
        "attributes": item.attributes if isinstance(item.attributes, dict) else {},
        "returned_count": item.returned_count,
        "reopened_count": item.reopened_count,
        "extension_count": item.extension_count,
        "progress_percent": item.progress_percent,
        "source": item.source,
        "suspended_until": item.suspended_until,
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "actions": actions,
    }


def _visible_item(request: HttpRequest, code: str, *, indicators: bool = True) -> Item:
    """The item with this code if the caller may see it (with indicators, unless an action is
    about to re-read it under its lock anyway); 404 otherwise."""
    if not ITEM_CODE.match(code):
        raise Http404
    code = code.upper()
    # Find the row through the (town, code) index first (codes are "<TOWN>-<year>-<n>"), then ask
    # the scope about that one row: a scope of many rows would otherwise be scanned for the code.
    candidates = Item.objects.filter(code=code)
    prefix = code.rsplit("-", 2)[0]
    if prefix != code:
        candidates = candidates.filter(
            town_id__in=Town.objects.filter(code__iexact=prefix).values("pk")
        )
    pk = candidates.values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    # Filter before annotating, so the light's per-town rules are looked up for this one row.
    items: QuerySet[Item] = Item.objects.visible_to(request_user(request)).filter(pk=pk)
    if indicators:
        items = with_indicators(items)
    latest = CoordinationLog.objects.filter(item=OuterRef("pk")).order_by("-on").values("on")[:1]
    item = (
        items.annotate(last_coordination_on=Subquery(latest))
        .select_related(
            "town", "campaign", "category", "village", "owner", "group", "plot", "parent"
        )
        .first()
    )
    if item is None:
        raise Http404
    return item


def actions_of(user: Any, items: list[Item]) -> list[list[str]]:
    """The lifecycle actions the user may take on each item (no queries: the actor is cached)."""
    return lifecycle.available_actions_each(user, items)


def masks_for(request: HttpRequest) -> bool:
    """Whether the caller reads personal data masked (their role decides, `Actor.masks_personal_data`)."""
    return actor_for(request_user(request)).masks_personal_data()


def indicated(item: Item, day: date | None = None) -> Item:
    """Set `overdue`, `days_overdue` and `light` on an item in hand, by the Python twins of the
    definitions (`with_indicators` computes the same in the database for lists)."""
    day = day or timezone.localdate()
    town = item.town
    ended = item.open_ended
    item.overdue = definitions.is_overdue(  # type: ignore[attr-defined]
        state=item.state, deadline=item.deadline, day=day, open_ended=ended
    )
    item.days_overdue = definitions.days_overdue(  # type: ignore[attr-defined]
        state=item.state, deadline=item.deadline, day=day, open_ended=ended
    )
    item.light = definitions.light_of(  # type: ignore[attr-defined]
        state=item.state,
        deadline=item.deadline,
        returned_count=item.returned_count,
        last_progress_at=item.last_progress_at,
        created_at=item.created_at,
        day=day,
        moment=timezone.now(),
        red_returns=town.light_red_returns,
        due_soon_days=town.light_due_soon_days,
        stale_days=town.light_stale_days,
        open_ended=ended,
    )
    return item


def written_response(request: HttpRequest, item: Item) -> dict[str, Any]:
    """The answer to a write: the item just written, as `GET /items/{code}` shows it, without
    reading it again (the writer may see what they wrote; its indicators are computed here)."""
    user = request_user(request)
    return item_out(indicated(item), actions_of(user, [item])[0], masks=masks_for(request))


def _item_response(request: HttpRequest, code: str) -> dict[str, Any]:
    item = _visible_item(request, code)
    return item_out(item, actions_of(request_user(request), [item])[0], masks=masks_for(request))
