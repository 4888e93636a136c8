"""Reads of the exchange app: the uploader's own import batches, and the items of an export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from maque.exchange.models import ImportBatch
from maque.ledger.models import Category, Item
from maque.ledger.queries import item_list


def batch_list(*, user: AbstractBaseUser) -> QuerySet[ImportBatch]:
    """Imports are private to whoever uploaded them."""
    if not user.is_authenticated:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(uploaded_by=user)


def export_items(*, user: AbstractBaseUser, **filters: Any) -> QuerySet[Item]:
    """The items of an export: the user's scope and filters, exactly as the ledger list has them."""
    return item_list(user=user, **{k: v for k, v in filters.items() if v not in (None, "")})


def category_for(*, user: AbstractBaseUser, code: str) -> Category | None:
    """A category of one of the user's towns, by code or name."""
    from maque.organisation.access import actor_for

    actor = actor_for(user)
    categories = Category.objects.select_related("campaign", "town").prefetch_related("fields")
    if not actor.is_superuser:
        categories = categories.filter(town_id__in=actor.town_ids)
    return categories.filter(code=code).first() or categories.filter(name=code).first()
