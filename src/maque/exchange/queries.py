"""Reads of the exchange app: the uploader's own import batches, and the items of an export."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from maque.exchange.models import ImportBatch
from maque.ledger.models import Category, Item
from maque.ledger.queries import filtered, item_list, sorted_by
from maque.organisation.access import actor_for


def batch_list(*, user: User) -> QuerySet[ImportBatch]:
    """Imports are private to whoever uploaded them."""
    if not user.is_authenticated:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(uploaded_by=user)


def export_items(*, user: User, **filters: Any) -> QuerySet[Item]:
    """The items of an export: the user's scope and filters (those of `item_list`: village,
    category, campaign, state, owner, overdue, light, due_before, due_after, q, sort), exactly as
    the ledger list has them. Without `sort` the rows go by code, the ledger's usual order."""
    given = {k: v for k, v in filters.items() if v not in (None, "", [])}
    items = item_list(user=user, **given)
    return items if "sort" in given else items.order_by("code")


def category_for(*, user: User, code: str) -> Category | None:
    """A category of one of the user's towns, by code or name."""

    actor = actor_for(user)
    categories = Category.objects.select_related("campaign", "town").prefetch_related("fields")
    if not actor.is_superuser:
        categories = categories.filter(town_id__in=actor.town_ids)
    return categories.filter(code=code).first() or categories.filter(name=code).first()


def operator_items(
    *,
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
    sort: str | None = None,
) -> QuerySet[Item]:
    """Every item of every town (the server's operator, on the command line), with the same
    filters and sorts as `item_list`; by code without `sort`."""
    items = filtered(
        Item.objects.all(),
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
    )
    return items.order_by("code") if sort is None else sorted_by(items, sort)
