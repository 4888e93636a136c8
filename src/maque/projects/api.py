"""`/api/v1/projects`: list (sortable by deviation), register with milestones, and read one with
its milestones, planned and actual progress, deviation and curve."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field

from maque.api.auth import request_user
from maque.api.paging import PageQuery, page_of, page_window
from maque.api.schemas import ERRORS, TEXT, WRITE_ERRORS, BodyId, DeadlineDay, InputSchema, Out
from maque.ledger.models import Campaign
from maque.organisation.access import actor_for
from maque.organisation.models import Department, Person, Village
from maque.projects.queries import detail, project_list, project_out, sorted_projects
from maque.projects.services import FundingIn, MilestoneIn, project_create

router = Router(tags=["projects"])

MAX_ROWS = 200
Money = Field(ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2)


class FundingSchema(InputSchema):
    source: str = Field(..., min_length=1, max_length=60)
    amount_yuan: Decimal = Money


class MilestoneSchema(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    weight: int = Field(1, ge=1, le=1000, strict=True)
    planned_start: DeadlineDay
    planned_on: DeadlineDay
    owner: BodyId
    village: BodyId | None = None


class ProjectIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=100)
    campaign: str = Field(..., max_length=40, description="Campaign code.")
    villages: list[BodyId] = Field(..., min_length=1, max_length=MAX_ROWS)
    owner: BodyId
    lead_department: BodyId | None = None
    budget_yuan: Decimal = Money
    funding: list[FundingSchema] = Field(default_factory=list, max_length=MAX_ROWS)
    starts_on: DeadlineDay
    ends_on: DeadlineDay
    description: str = Field("", max_length=TEXT)
    milestones: list[MilestoneSchema] = Field(default_factory=list, max_length=MAX_ROWS)


class ProjectOut(Out):
    code: str
    name: str
    campaign: str
    villages: list[str]
    owner: str
    lead_department: str | None
    budget_yuan: Decimal
    starts_on: dt.date
    ends_on: dt.date
    planned: float | None
    actual: float | None
    deviation: float | None
    late_days: int


class MilestoneOut(Out):
    item: str | None
    title: str
    weight: int
    planned_start: dt.date
    planned_on: dt.date
    state: str
    closed: bool
    percent: int
    days_late: int


class CurvePointOut(Out):
    day: dt.date
    planned: float | None
    actual: float | None


class ProjectDetailOut(ProjectOut):
    description: str
    funding: list[dict[str, Any]]
    milestones: list[MilestoneOut]
    curve: list[CurvePointOut]


ProjectListOut = page_of(ProjectOut, name="ProjectListOut")


class ProjectFilters(PageQuery):
    sort: Literal["code", "deviation", "-deviation"] = Field(
        "code", description="code, or deviation (-deviation: most behind first)."
    )


@router.get("", response={200: ProjectListOut, **ERRORS})
def list_projects(request: HttpRequest, filters: Query[ProjectFilters]) -> dict[str, Any]:
    """The projects the caller may read, with today's planned and actual progress; `sort=
    -deviation` puts the most behind first."""
    rows = sorted_projects(user=request_user(request), sort=filters.sort)
    start, size, page, page_size = page_window(filters)
    return {
        "items": [project_out(p, f) for p, f in rows[start : start + size]],
        "count": len(rows),
        "page": page,
        "page_size": page_size,
    }


@router.get("/{code}", response={200: ProjectDetailOut, **ERRORS})
def read(request: HttpRequest, code: str) -> dict[str, Any]:
    user = request_user(request)
    project = get_object_or_404(project_list(user=user), code=code)
    return detail(project, user=user)


def _pick(model: Any, town_id: int, ids: list[int], field: str) -> dict[int, Any]:
    found = {row.pk: row for row in model.objects.filter(town_id=town_id, pk__in=ids)}
    if len(found) != len(set(ids)):
        raise ValidationError({field: [_("Unknown or out-of-town entries.")]})
    return found


@router.post("", response={201: ProjectDetailOut, **WRITE_ERRORS})
def create(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    actor = actor_for(user)
    if actor.person is None:
        raise ValidationError(
            {"town": [_("Only the principal and the leaders in charge register projects.")]}
        )
    town = actor.person.town
    campaign = Campaign.objects.filter(town=town, code=payload.campaign).first()
    if campaign is None:
        raise ValidationError({"campaign": [_("Unknown campaign.")]})
    villages = _pick(Village, town.pk, payload.villages, "villages")
    milestone_villages = _pick(
        Village, town.pk, [m.village for m in payload.milestones if m.village], "milestones"
    )
    people = _pick(
        Person, town.pk, [payload.owner, *(m.owner for m in payload.milestones)], "owner"
    )
    departments = _pick(
        Department,
        town.pk,
        [payload.lead_department] if payload.lead_department else [],
        "lead_department",
    )
    project = project_create(
        by=user,
        town=town,
        code=payload.code,
        name=payload.name,
        campaign=campaign,
        villages=list(villages.values()),
        owner=people[payload.owner],
        lead_department=departments.get(payload.lead_department or 0),
        budget_yuan=payload.budget_yuan,
        funding=[FundingIn(f.source, f.amount_yuan) for f in payload.funding],
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        milestones=[
            MilestoneIn(
                title=m.title,
                weight=m.weight,
                planned_start=m.planned_start,
                planned_on=m.planned_on,
                owner=people[m.owner],
                village=milestone_villages[m.village] if m.village else None,
            )
            for m in payload.milestones
        ],
    )
    return Status(201, detail(project, user=user))
