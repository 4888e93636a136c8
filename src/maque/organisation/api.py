"""`/api/v1/villages`, `/api/v1/people` and `/api/v1/plots`: the organisation, scoped."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from maque.api.auth import request_user
from maque.api.paging import PageQuery, page_of, paginate
from maque.api.schemas import (
    ERRORS,
    WRITE_ERRORS,
    BodyId,
    InputSchema,
    Out,
    Ref,
    VillageRef,
    village_lookup,
)
from maque.core.masking import mask_phone
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Plot, RoleAssignment, Village, VillageGroup
from maque.organisation.services import plot_register

router = Router(tags=["organisation"])


# --- villages ------------------------------------------------------------------------------------


class GroupOut(Out):
    id: int
    name: str
    number: int


class VillageOut(Out):
    id: int
    name: str
    kind: str
    town: Ref
    signature_product: str
    households_count: int | None
    population: int | None
    active: bool
    is_sample: bool
    groups: list[GroupOut]


@router.get("/villages", response={200: list[VillageOut], **ERRORS})
def village_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The villages the caller may see, with their groups (村民小组)."""
    villages = (
        Village.objects.visible_to(request_user(request))
        .select_related("town")
        .prefetch_related(
            Prefetch("groups", queryset=VillageGroup.objects.order_by("number", "name"))
        )
        .order_by("town__name", "name")
    )
    return [
        {
            "id": village.pk,
            "name": village.name,
            "kind": village.kind,
            "town": {"id": village.town_id, "name": village.town.name},
            "signature_product": village.signature_product,
            "households_count": village.households_count,
            "population": village.population,
            "active": village.active,
            "is_sample": village.is_sample,
            "groups": [
                {"id": g.pk, "name": g.name, "number": g.number} for g in village.groups.all()
            ],
        }
        for village in villages
    ]


# --- people --------------------------------------------------------------------------------------


class RoleOut(Out):
    role: str
    role_label: str
    village: Ref | None


class PersonOut(Out):
    id: int
    name: str
    title: str
    department: Ref | None
    phone: str = Field(description="Masked (138****1234) unless the caller may see personal data.")
    active: bool
    town: Ref
    roles: list[RoleOut] = Field(description="Role assignments in force today.")


class PeopleFilters(Schema):
    q: str | None = Field(None, max_length=30, description="Part of the name.")
    village: str | None = Field(
        None, max_length=50, description="Only people with a role in this village (id or name)."
    )
    active: bool | None = None


@router.get("/people", response={200: list[PersonOut], **ERRORS})
def person_list(request: HttpRequest, filters: Query[PeopleFilters]) -> list[dict[str, Any]]:
    """People of the caller's towns (to pick owners); phones masked unless the caller may see them."""
    user = request_user(request)
    actor = actor_for(user)
    people = (
        Person.objects.visible_to(user)
        .select_related("town", "department")
        .order_by("town__name", "name", "id")
    )
    if filters.q:
        people = people.filter(name__icontains=filters.q.strip())
    if filters.active is not None:
        people = people.filter(active=filters.active)
    if filters.village:
        villages = Village.objects.visible_to(user).filter(**village_lookup(filters.village))
        people = people.filter(
            assignments__in=RoleAssignment.objects.on(actor.day).filter(village__in=villages)
        ).distinct()
    people = people.prefetch_related(
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.on(actor.day)
            .select_related("village")
            .order_by("role", "id"),
            to_attr="current_assignments",
        )
    )
    masked = actor.masks_personal_data()
    return [
        {
            "id": person.pk,
            "name": person.name,
            "title": person.title,
            "department": {"id": person.department_id, "name": person.department.name}
            if person.department is not None
            else None,
            "phone": mask_phone(person.phone) if masked else person.phone,
            "active": person.active,
            "town": {"id": person.town_id, "name": person.town.name},
            "roles": [
                {
                    "role": assignment.role,
                    "role_label": str(assignment.get_role_display()),
                    "village": {"id": assignment.village_id, "name": assignment.village.name}
                    if assignment.village_id
                    else None,
                }
                for assignment in person.current_assignments  # type: ignore[attr-defined]  # the Prefetch to_attr above
            ],
        }
        for person in people
    ]


# --- plots ---------------------------------------------------------------------------------------


class PlotOut(Out):
    id: int
    code: str
    village: Ref
    group: Ref | None
    area_mu: Decimal = Field(description="Area in 亩, as an exact decimal string.")
    land_class: str
    land_class_label: str
    status: str
    status_label: str
    household: int | None
    polygon: dict[str, Any] | None
    note: str


PlotListOut = page_of(PlotOut, legacy="plots", name="PlotListOut")


class PlotFilters(PageQuery):
    village: str | None = Field(None, max_length=50, description="Village id or name.")
    status: Plot.Status | None = None
    land_class: Plot.LandClass | None = None
    q: str | None = Field(None, max_length=40, description="Part of the plot code.")


class PlotIn(InputSchema):
    code: str = Field(min_length=1, max_length=40)
    village: VillageRef = Field(description="Village id or name.")
    group: BodyId | None = None
    area_mu: Decimal = Field(
        description="Area in 亩, greater than zero.", max_digits=10, decimal_places=2
    )
    land_class: Plot.LandClass = Plot.LandClass.FARMLAND
    status: Plot.Status = Plot.Status.CULTIVATED
    household: BodyId | None = None
    polygon: Any = Field(
        None, description="A GeoJSON Polygon or MultiPolygon (or a Feature holding one)."
    )
    note: str = Field("", max_length=200)


def plot_out(plot: Plot) -> dict[str, Any]:
    return {
        "id": plot.pk,
        "code": plot.code,
        "village": {"id": plot.village_id, "name": plot.village.name},
        "group": {"id": plot.group_id, "name": plot.group.name} if plot.group is not None else None,
        "area_mu": plot.area_mu,
        "land_class": plot.land_class,
        "land_class_label": str(plot.get_land_class_display()),
        "status": plot.status,
        "status_label": str(plot.get_status_display()),
        "household": plot.household_id,
        "polygon": plot.polygon if isinstance(plot.polygon, dict) else None,
        "note": plot.note,
    }


@router.get("/plots", response={200: PlotListOut, **ERRORS})
def plot_list(request: HttpRequest, filters: Query[PlotFilters]) -> dict[str, Any]:
    """Plots of the villages the caller may see."""
    villages = Village.objects.visible_to(request_user(request))
    if filters.village:
        villages = villages.filter(**village_lookup(filters.village))
    plots = (
        Plot.objects.filter(village__in=villages)
        .select_related("village", "group")
        .order_by("village__name", "code", "id")
    )
    if filters.status:
        plots = plots.filter(status=filters.status)
    if filters.land_class:
        plots = plots.filter(land_class=filters.land_class)
    if filters.q:
        plots = plots.filter(code__icontains=filters.q.strip())
    return paginate(plots, filters, out=plot_out, legacy="plots")


@router.post("/plots", response={201: PlotOut, **WRITE_ERRORS})
def plot_create(request: HttpRequest, payload: PlotIn) -> Status[dict[str, Any]]:
    """Register a plot in a village the caller works in; the polygon must be valid GeoJSON."""
    user = request_user(request)
    village = (
        Village.objects.visible_to(user)
        .select_related("town")
        .filter(**village_lookup(payload.village))
        .first()
    )
    if village is None:
        raise ValidationError({"village": [_("Unknown village.")]})
    plot = plot_register(
        by=user,
        village=village,
        code=payload.code,
        area_mu=payload.area_mu,
        land_class=payload.land_class,
        status=payload.status,
        group_id=payload.group,
        household_id=payload.household,
        polygon=payload.polygon,
        note=payload.note,
    )
    return Status(201, plot_out(plot))
