"""`/campaigns` and `/categories`: the campaigns and categories of the caller's towns."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Query, Schema
from pydantic import Field

from maque.api.auth import request_user
from maque.api.schemas import (
    ERRORS,
    CodeRef,
    Out,
    Ref,
)
from maque.ledger.api.routing import router
from maque.ledger.models import (
    Campaign,
    Category,
    CategoryField,
)

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


class CampaignOut(Out):
    code: str
    name: str
    description: str
    starts_on: date | None
    ends_on: date | None
    active: bool
    town: Ref


class FieldOut(Out):
    name: str
    label: str
    type: str
    unit: str
    required: bool
    choices: list[str]
    min_value: Decimal | None
    help_text: str


class CategoryOut(Out):
    code: str
    name: str
    campaign: CodeRef
    town: Ref
    standard: str
    default_deadline_days: int
    evidence_required: bool
    verifier_roles: list[str]
    active: bool
    fields: list[FieldOut]


class CategoryFilters(Schema):
    campaign: str | None = Field(default=None, max_length=40, description="Campaign code.")
    town: str | None = Field(
        default=None, max_length=20, description="Town code (when the caller sees several towns)."
    )


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **ERRORS},
    operation_id="maque_ledger_api_campaign_list",
)
def campaign_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Campaigns (重点工作) of the caller's towns."""
    campaigns = Campaign.objects.visible_to(request_user(request)).select_related("town")
    return [
        {
            "code": c.code,
            "name": c.name,
            "description": c.description,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "active": c.active,
            "town": {"id": c.town_id, "name": c.town.name},
        }
        for c in campaigns
    ]


def _categories(request: HttpRequest, filters: CategoryFilters | None = None) -> Any:
    categories = (
        Category.objects.visible_to(request_user(request))
        .select_related("campaign", "town")
        .prefetch_related(
            Prefetch("fields", queryset=CategoryField.objects.order_by("order", "id"))
        )
        .order_by("town__name", "campaign__order", "order", "name")
    )
    if filters is not None and filters.campaign:
        categories = categories.filter(campaign__code=filters.campaign)
    if filters is not None and filters.town:
        categories = categories.filter(town__code=filters.town)
    return categories


def category_out(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "campaign": {"code": category.campaign.code, "name": category.campaign.name},
        "town": {"id": category.town_id, "name": category.town.name},
        "standard": category.standard,
        "default_deadline_days": category.default_deadline_days,
        "evidence_required": category.evidence_required,
        "verifier_roles": list(category.verifier_roles or []),
        "active": category.active,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "unit": f.unit,
                "required": f.required,
                "choices": [str(choice) for choice in (f.choices or [])],
                "min_value": f.min_value,
                "help_text": f.help_text,
            }
            for f in category.fields.all()
        ],
    }


@router.get(
    "/categories",
    response={200: list[CategoryOut], **ERRORS},
    operation_id="maque_ledger_api_category_list",
)
def category_list(request: HttpRequest, filters: Query[CategoryFilters]) -> list[dict[str, Any]]:
    """Categories with their custom fields, standard, default deadline and evidence rule."""
    return [category_out(c) for c in _categories(request, filters)]


@router.get(
    "/categories/{code}",
    response={200: CategoryOut, **ERRORS},
    operation_id="maque_ledger_api_category_detail",
)
def category_detail(request: HttpRequest, code: str, town: str | None = None) -> dict[str, Any]:
    if not SLUG.match(code) or (town is not None and not SLUG.match(town)):
        raise Http404
    category = _categories(request, CategoryFilters(town=town)).filter(code=code).first()
    if category is None:
        raise Http404
    return category_out(category)
