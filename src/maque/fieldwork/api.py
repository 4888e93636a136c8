"""`/api/v1/field-visits` and `/api/v1/publicity`: work in the field over JSON.

A visit or publicity record of a village the caller may not read is a 404. Photos are added on
the phone's visit form (the workspace); the API logs the visit itself.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field

from maque.api.auth import request_user
from maque.api.paging import PageQuery, page_of, paginate
from maque.api.schemas import (
    ERRORS,
    NOTE,
    TEXT,
    WRITE_ERRORS,
    BodyId,
    CodeRef,
    HappenedDay,
    Id,
    InputSchema,
    Out,
    Ref,
)
from maque.core.masking import mask_text
from maque.fieldwork.catalogue import policies_of
from maque.fieldwork.models import FieldVisit, Method, PublicityRecord, Purpose
from maque.fieldwork.queries import publicity_list, visit_list
from maque.fieldwork.services import publicity_record, visit_log
from maque.organisation.access import actor_for
from maque.organisation.models import Household, Village

router = Router(tags=["field work"])


class HouseholdRef(Out):
    id: int
    name: str
    address: str


class VisitOut(Out):
    id: int
    village: Ref
    visitor: Ref
    purpose: str
    purpose_label: str
    visited_at: datetime
    notes: str
    households: list[HouseholdRef]
    policies: list[CodeRef]
    latitude: Decimal | None
    longitude: Decimal | None
    photos: int
    items: list[str] = Field(description="Codes of the ledger items registered from the visit.")


VisitListOut = page_of(VisitOut, name="VisitListOut")


class VisitFilters(PageQuery):
    village: Id | None = None
    visitor: Id | None = Field(None, description="The visitor's person id.")
    household: Id | None = None


class VisitIn(InputSchema):
    village: BodyId
    purpose: Purpose
    households: list[BodyId] = Field(default_factory=list, max_length=50)
    policies: list[str] = Field(default_factory=list, max_length=30, description="Policy codes.")
    notes: str = Field(default="", max_length=TEXT)
    visited_at: datetime | None = Field(default=None, description="Now by default.")
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, max_digits=9, decimal_places=6)


class PublicityOut(Out):
    id: int
    village: Ref
    policy: CodeRef
    on: date
    method: str
    method_label: str
    reach: int | None
    notes: str
    recorded_by: Ref


PublicityListOut = page_of(PublicityOut, name="PublicityListOut")


class PublicityFilters(PageQuery):
    village: Id | None = None


class PublicityIn(InputSchema):
    village: BodyId
    policy: str = Field(max_length=40, description="Policy code.")
    on: HappenedDay
    method: Method
    reach: int | None = Field(default=None, ge=0, le=100_000, strict=True)
    notes: str = Field(default="", max_length=NOTE)


def _visit_out(visit: FieldVisit, masks: bool) -> dict[str, Any]:
    text = mask_text if masks else str
    return {
        "id": visit.pk,
        "village": {"id": visit.village_id, "name": visit.village.name},
        "visitor": {"id": visit.visitor_id, "name": visit.visitor.name},
        "purpose": visit.purpose,
        "purpose_label": visit.get_purpose_display(),
        "visited_at": visit.visited_at,
        "notes": text(visit.notes),
        "households": [
            {"id": h.pk, "name": h.head_name, "address": text(h.address)}
            for h in visit.households.all()
        ],
        "policies": [{"code": p.code, "name": p.name} for p in visit.policies.all()],
        "latitude": visit.latitude,
        "longitude": visit.longitude,
        "photos": len(visit.photos.all()),
        "items": [link.item.code for link in visit.item_links.all()],
    }


def _masks(request: HttpRequest) -> bool:
    return actor_for(request_user(request)).masks_personal_data()


def _village(request: HttpRequest, village_id: int) -> Village:
    village = (
        Village.objects.visible_to(request_user(request))
        .select_related("town")
        .filter(pk=village_id)
        .first()
    )
    if village is None:
        raise ValidationError({"village": [_("Unknown village.")]})
    return village


@router.get("/field-visits", response={200: VisitListOut, **ERRORS})
def field_visits(request: HttpRequest, filters: Query[VisitFilters]) -> dict[str, Any]:
    """Visits of the villages the caller reads (and their own), newest first."""
    masks = _masks(request)
    rows = visit_list(
        user=request_user(request),
        village=filters.village,
        visitor=filters.visitor,
        household=filters.household,
    )
    return paginate(rows, filters, out=lambda v: _visit_out(v, masks))


@router.post("/field-visits", response={201: VisitOut, **WRITE_ERRORS})
def field_visit_log(request: HttpRequest, payload: VisitIn) -> Status:
    """Log a visit: the village, households, purpose, notes, policies explained, time, place."""
    user = request_user(request)
    village = _village(request, payload.village)
    households = list(Household.objects.filter(village=village, pk__in=payload.households))
    errors: dict[str, list[str]] = {}
    if len(households) != len(set(payload.households)):
        errors["households"] = [_("Every household must be of this village.")]
    policies = list(policies_of(village.town).filter(code__in=payload.policies))
    if len(policies) != len(set(payload.policies)):
        errors["policies"] = [_("Choose policies of the town's list.")]
    if errors:
        raise ValidationError(errors)
    visit = visit_log(
        by=user,
        village=village,
        purpose=payload.purpose,
        households=households,
        policies=policies,
        notes=payload.notes,
        visited_at=payload.visited_at,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return Status(201, field_visit_detail(request, visit.pk))


@router.get("/field-visits/{visit_id}", response={200: VisitOut, **ERRORS})
def field_visit_detail(request: HttpRequest, visit_id: Id) -> dict[str, Any]:
    visit = visit_list(user=request_user(request)).filter(pk=visit_id).first()
    if visit is None:
        raise Http404
    return _visit_out(visit, _masks(request))


def _publicity_out(record: PublicityRecord, masks: bool) -> dict[str, Any]:
    return {
        "id": record.pk,
        "village": {"id": record.village_id, "name": record.village.name},
        "policy": {"code": record.policy.code, "name": record.policy.name},
        "on": record.on,
        "method": record.method,
        "method_label": record.get_method_display(),
        "reach": record.reach,
        "notes": mask_text(record.notes) if masks else record.notes,
        "recorded_by": {"id": record.recorded_by_id, "name": record.recorded_by.name},
    }


@router.get("/publicity", response={200: PublicityListOut, **ERRORS})
def publicity(request: HttpRequest, filters: Query[PublicityFilters]) -> dict[str, Any]:
    """Publicity without a household (小喇叭, village meetings, posters), newest first."""
    masks = _masks(request)
    rows = publicity_list(user=request_user(request), village=filters.village)
    return paginate(rows, filters, out=lambda r: _publicity_out(r, masks))


@router.post("/publicity", response={201: PublicityOut, **WRITE_ERRORS})
def publicity_add(request: HttpRequest, payload: PublicityIn) -> Status:
    """Record publicity: the village, the policy, the day, how, and about how many people."""
    village = _village(request, payload.village)
    policy = policies_of(village.town).filter(code=payload.policy).first()
    if policy is None:
        raise ValidationError({"policy": [_("Choose policies of the town's list.")]})
    record = publicity_record(
        by=request_user(request),
        village=village,
        policy=policy,
        on=payload.on,
        method=payload.method,
        reach=payload.reach,
        notes=payload.notes,
    )
    return Status(201, _publicity_out(record, _masks(request)))
