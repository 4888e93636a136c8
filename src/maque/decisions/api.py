"""`/api/v1/village-decisions`: 四议两公开 — list and open decisions, read one with its six
steps, and take the next step (`POST /{id}/steps`; out of order or stale: 409)."""

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
    TEXT,
    WRITE_ERRORS,
    BodyId,
    HappenedDay,
    Id,
    InputSchema,
    Version,
    model_field,
)
from maque.decisions.models import DecisionState, Step, VillageDecision
from maque.decisions.queries import decision_list, step_views
from maque.decisions.services import StepIn, decision_create, decision_step
from maque.deliberation.models import Topic
from maque.meetings.models import Meeting, Resolution
from maque.organisation.models import Village

router = Router(tags=["village decisions"])


class StepOut(Schema):
    step: str
    label: str
    done: bool
    is_next: bool
    refusal: str | None
    on: dt.date | None
    meeting: int | None
    meeting_title: str | None
    resolution: int | None
    resolution_text: str | None
    votes: str | None
    text: str


class VillageDecisionOut(Schema):
    id: int
    village: str
    village_id: int
    title: str
    description: str
    topic: str | None
    state: str
    state_label: str
    version: int
    steps: list[StepOut]


VillageDecisionListOut = page_of(VillageDecisionOut, name="VillageDecisionListOut")


class DecisionFilters(PageQuery):
    village: Id | None = Field(None, description="Village id.")
    state: DecisionState | None = None


def _out(decision: VillageDecision, user: Any) -> dict[str, Any]:
    steps = []
    for view in step_views(user=user, decision=decision):
        row = view.taken
        resolution = row.resolution if row is not None else None
        steps.append(
            {
                "step": view.step,
                "label": view.label,
                "done": row is not None,
                "is_next": view.is_next,
                "refusal": view.refusal,
                "on": row.on if row else None,
                "meeting": row.meeting_id if row else None,
                "meeting_title": row.meeting.title if row and row.meeting else None,
                "resolution": resolution.pk if resolution else None,
                "resolution_text": resolution.text if resolution else None,
                "votes": (
                    f"{resolution.votes_for}/{resolution.votes_against}/{resolution.votes_abstain}"
                    if resolution
                    else None
                ),
                "text": row.text if row else "",
            }
        )
    return {
        "id": decision.pk,
        "village": decision.village.name,
        "village_id": decision.village_id,
        "title": decision.title,
        "description": decision.description,
        "topic": decision.topic.code if decision.topic else None,
        "state": decision.state,
        "state_label": str(decision.get_state_display()),
        "version": decision.version,
        "steps": steps,
    }


@router.get("", response={200: VillageDecisionListOut, **ERRORS})
def list_decisions(request: HttpRequest, filters: Query[DecisionFilters]) -> dict[str, Any]:
    """The village decisions the caller may see, newest first."""
    user = request_user(request)
    decisions = decision_list(user=user, village=filters.village, state=filters.state)
    return paginate(decisions, filters, out=lambda d: _out(d, user))


class DecisionIn(InputSchema):
    village: BodyId
    title: str = model_field(VillageDecision, "title", min_length=1)
    description: str = model_field(VillageDecision, "description", "", max_length=TEXT)
    topic: str | None = Field(None, max_length=30, description="The topic's code.")


@router.post("", response={201: VillageDecisionOut, **WRITE_ERRORS})
def create(request: HttpRequest, payload: DecisionIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    village = Village.objects.visible_to(user).filter(pk=payload.village).first()
    if village is None:
        raise ValidationError({"village": [_("Unknown village.")]})
    topic = None
    if payload.topic:
        topic = (
            Topic.objects.visible_to(user)
            .filter(town_id=village.town_id, code=payload.topic)
            .first()
        )
        if topic is None:
            raise ValidationError({"topic": [_("Unknown topic.")]})
    decision = decision_create(
        by=user,
        village=village,
        title=payload.title,
        description=payload.description,
        topic=topic,
    )
    return Status(201, _out(get_object_or_404(decision_list(user=user), pk=decision.pk), user))


@router.get("/{decision_id}", response={200: VillageDecisionOut, **ERRORS})
def read(request: HttpRequest, decision_id: Id) -> dict[str, Any]:
    user = request_user(request)
    return _out(get_object_or_404(decision_list(user=user), pk=decision_id), user)


class StepTakeIn(InputSchema):
    """The next step: for a meeting step, the held meeting (and, if it passed more than one, the
    resolution); for a disclosure, its day and text. `version`: the decision's, as read."""

    step: Step
    version: Version
    meeting: BodyId | None = None
    resolution: BodyId | None = None
    on: HappenedDay | None = None
    text: str = Field("", max_length=TEXT)


@router.post("/{decision_id}/steps", response={200: VillageDecisionOut, **WRITE_ERRORS})
def take_step(request: HttpRequest, decision_id: Id, payload: StepTakeIn) -> dict[str, Any]:
    user = request_user(request)
    decision = get_object_or_404(VillageDecision.objects.visible_to(user), pk=decision_id)
    meeting = None
    if payload.meeting is not None:
        meeting = Meeting.objects.visible_to(user).filter(pk=payload.meeting).first()
        if meeting is None:
            raise ValidationError({"meeting": [_("Unknown meeting.")]})
    resolution = None
    if payload.resolution is not None:
        resolution = Resolution.objects.filter(
            pk=payload.resolution, meeting__in=Meeting.objects.visible_to(user)
        ).first()
        if resolution is None:
            raise ValidationError({"resolution": [_("Unknown resolution.")]})
    decision_step(
        decision=decision,
        by=user,
        step=payload.step,
        version=payload.version,
        given=StepIn(meeting=meeting, resolution=resolution, on=payload.on, text=payload.text),
    )
    return _out(get_object_or_404(decision_list(user=user), pk=decision.pk), user)
