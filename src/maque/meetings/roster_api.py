"""`/api/v1/rosters` and `/api/v1/village-populations`: who belongs to a village's bodies (with
history: ending a membership closes its row), and the village's counts of adult villagers and
households that a villagers' meeting's quorum is taken of."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from maque.api.auth import request_user
from maque.api.paging import PageQuery, page_of, paginate
from maque.api.schemas import (
    ERRORS,
    WRITE_ERRORS,
    BodyId,
    Day,
    HappenedDay,
    Id,
    InputSchema,
    PlannedDay,
    model_field,
)
from maque.meetings.models import RosterBody, RosterMember, VillagePopulation
from maque.meetings.queries import roster_list
from maque.meetings.rolls import population_record, roster_member_add, roster_member_end
from maque.organisation.models import Person, Village

router = Router(tags=["rosters"])


class RosterMemberOut(Schema):
    id: int
    village: str
    village_id: int
    body: str
    body_label: str
    name: str
    person: int | None
    valid_from: dt.date
    valid_to: dt.date | None
    note: str


RosterListOut = page_of(RosterMemberOut, name="RosterListOut")


class RosterFilters(PageQuery):
    village: Id | None = Field(None, description="Village id.")
    body: RosterBody | None = None
    on: Day | None = Field(None, description="Members in force on this day.")


def _out(member: RosterMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "village": member.village.name,
        "village_id": member.village_id,
        "body": member.body,
        "body_label": str(member.get_body_display()),
        "name": member.name,
        "person": member.person_id,
        "valid_from": member.valid_from,
        "valid_to": member.valid_to,
        "note": member.note,
    }


@router.get("/rosters", response={200: RosterListOut, **ERRORS})
def list_rosters(request: HttpRequest, filters: Query[RosterFilters]) -> dict[str, Any]:
    """The members of the village bodies the caller may see."""
    members = roster_list(
        user=request_user(request), village=filters.village, body=filters.body, on=filters.on
    )
    return paginate(members, filters, out=_out)


class RosterMemberIn(InputSchema):
    village: BodyId
    body: RosterBody
    valid_from: PlannedDay
    person: BodyId | None = Field(None, description="A person of the town; else give `name`.")
    name: str = model_field(RosterMember, "name", "")
    note: str = model_field(RosterMember, "note", "")


def _village(request: HttpRequest, pk: int) -> Village:
    village = Village.objects.visible_to(request_user(request)).filter(pk=pk).first()
    if village is None:
        raise ValidationError({"village": [_("Unknown village.")]})
    return village


@router.post("/rosters", response={201: RosterMemberOut, **WRITE_ERRORS})
def add_member(request: HttpRequest, payload: RosterMemberIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    village = _village(request, payload.village)
    person = None
    if payload.person is not None:
        person = Person.objects.filter(town_id=village.town_id, pk=payload.person).first()
        if person is None:
            raise ValidationError({"person": [_("Unknown or out-of-town entries.")]})
    member = roster_member_add(
        by=user,
        village=village,
        body=payload.body,
        valid_from=payload.valid_from,
        person=person,
        name=payload.name,
        note=payload.note,
    )
    return Status(201, _out(member))


class RosterEndIn(InputSchema):
    valid_to: PlannedDay = Field(description="The member's last day in the body.")


@router.post("/rosters/{member_id}/end", response={200: RosterMemberOut, **WRITE_ERRORS})
def end_member(request: HttpRequest, member_id: Id, payload: RosterEndIn) -> dict[str, Any]:
    user = request_user(request)
    member = get_object_or_404(
        RosterMember.objects.visible_to(user).select_related("village"), pk=member_id
    )
    return _out(roster_member_end(by=user, member=member, valid_to=payload.valid_to))


class PopulationIn(InputSchema):
    village: BodyId
    counted_on: HappenedDay
    adults: int = model_field(VillagePopulation, "adults")
    households: int = model_field(VillagePopulation, "households")
    note: str = model_field(VillagePopulation, "note", "")


class PopulationOut(Schema):
    id: int
    village: str
    counted_on: dt.date
    adults: int
    households: int


@router.post("/village-populations", response={201: PopulationOut, **WRITE_ERRORS})
def add_population(request: HttpRequest, payload: PopulationIn) -> Status[dict[str, Any]]:
    row = population_record(
        by=request_user(request),
        village=_village(request, payload.village),
        counted_on=payload.counted_on,
        adults=payload.adults,
        households=payload.households,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": row.pk,
            "village": row.village.name,
            "counted_on": row.counted_on,
            "adults": row.adults,
            "households": row.households,
        },
    )
