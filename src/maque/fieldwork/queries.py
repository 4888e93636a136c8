"""Reads of field work, always from `visible_to`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from maque.fieldwork.models import FieldVisit, PublicityRecord
from maque.ledger.models import Item
from maque.organisation.models import Household


def visit_list(
    *,
    user: Any,
    village: int | None = None,
    visitor: int | None = None,
    household: int | None = None,
) -> QuerySet[FieldVisit]:
    rows = FieldVisit.objects.visible_to(user).select_related("village", "visitor")
    if village is not None:
        rows = rows.filter(village_id=village)
    if visitor is not None:
        rows = rows.filter(visitor_id=visitor)
    if household is not None:
        rows = rows.filter(households__id=household)
    return rows.order_by("-visited_at", "-id").prefetch_related(
        "households", "policies", "photos", "item_links__item"
    )


def visits_of_item(*, user: Any, item: Item) -> QuerySet[FieldVisit]:
    """The visits that touched an item: the one it was registered from, and those to its household."""
    condition = Q(item_links__item=item)
    if item.household_id is not None:
        condition |= Q(households__id=item.household_id)
    return (
        FieldVisit.objects.visible_to(user)
        .filter(condition)
        .distinct()
        .select_related("visitor")
        .order_by("-visited_at")
    )


def households_search(*, village_id: int, text: str, limit: int = 30) -> QuerySet[Household]:
    """A village's households by the head's name or the house number in the address."""
    rows = Household.objects.filter(village_id=village_id)
    text = text.strip()
    if text:
        rows = rows.filter(Q(head_name__icontains=text) | Q(address__icontains=text))
    return rows.order_by("head_name", "id")[:limit]


def publicity_list(*, user: Any, village: int | None = None) -> QuerySet[PublicityRecord]:
    rows = PublicityRecord.objects.visible_to(user).select_related(
        "village", "policy", "recorded_by"
    )
    if village is not None:
        rows = rows.filter(village_id=village)
    return rows.order_by("-on", "-id")
