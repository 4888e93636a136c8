"""`/api/v1/villages/{id}/goals`: a village's work goals with their progress (list, set, read
with history, change)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import Field

from maque.api.auth import request_user
from maque.api.schemas import ERRORS, TEXT, WRITE_ERRORS, Id, InputSchema, Out, Version
from maque.diagnosis import goals
from maque.diagnosis.models import Horizon, VillageGoal
from maque.organisation.access import actor_for
from maque.organisation.models import Village

router = Router(tags=["diagnosis"])

Codes = list[str]


class GoalLinkOut(Out):
    kind: str = Field(description="item, project or topic.")
    code: str
    title: str
    state: str
    share: float | None = Field(description="Percent done; None: not counted.")


class GoalOut(Out):
    id: int
    village: int
    horizon: str
    horizon_label: str
    title: str
    description: str
    active: bool
    progress: float | None = Field(
        description="The mean of the counted links' shares done (percent); None: none counts."
    )
    links: list[GoalLinkOut]
    version: int
    may_edit: bool


class GoalHistoryOut(Out):
    at: dt.datetime
    by: str | None
    reason: str
    horizon: str
    title: str
    active: bool
    version: int


class GoalDetailOut(GoalOut):
    history: list[GoalHistoryOut]


class GoalIn(InputSchema):
    horizon: Horizon
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=TEXT)
    items: Codes = Field(default_factory=list, max_length=goals.MAX_LINKS, description="Codes.")
    projects: Codes = Field(default_factory=list, max_length=goals.MAX_LINKS)
    topics: Codes = Field(default_factory=list, max_length=goals.MAX_LINKS)


class GoalPatch(InputSchema):
    version: Version | None = None
    horizon: Horizon | None = None
    title: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=TEXT)
    active: bool | None = None
    items: Codes | None = Field(None, max_length=goals.MAX_LINKS)
    projects: Codes | None = Field(None, max_length=goals.MAX_LINKS)
    topics: Codes | None = Field(None, max_length=goals.MAX_LINKS)


def goal_out(goal: VillageGoal, *, editor: bool, masks: bool) -> dict[str, Any]:
    links = goals.goal_links(goal, masks=masks)
    return {
        "id": goal.pk,
        "village": goal.village_id,
        "horizon": goal.horizon,
        "horizon_label": str(goal.get_horizon_display()),
        "title": goal.title,
        "description": goal.description,
        "active": goal.active,
        "progress": goals.goal_progress(links),
        "links": [
            {
                "kind": link.kind,
                "code": link.key,
                "title": link.title,
                "state": link.state,
                "share": link.share,
            }
            for link in links
        ],
        "version": goal.version,
        "may_edit": editor,
    }


def _village(request: HttpRequest, village_id: int) -> Village:
    user = request_user(request)
    return get_object_or_404(Village.objects.visible_to(user).select_related("town"), pk=village_id)


def _goal(request: HttpRequest, village: Village, goal_id: int) -> VillageGoal:
    goals_seen = VillageGoal.objects.visible_to(request_user(request)).select_related(
        "village__town"
    )
    return get_object_or_404(goals_seen, pk=goal_id, village=village)


@router.get("/villages/{village_id}/goals", response={200: list[GoalOut], **ERRORS})
def goal_index(request: HttpRequest, village_id: Id) -> list[dict[str, Any]]:
    """The village's goals (retired ones last), each with its progress and linked work."""
    village = _village(request, village_id)
    editor = goals.may_edit(actor_for(request_user(request)), village)
    rows = (
        VillageGoal.objects.visible_to(request_user(request))
        .filter(village=village)
        .select_related("village__town")
        .order_by("-active", "horizon", "pk")
    )
    masks = actor_for(request_user(request)).masks_personal_data()
    return [goal_out(goal, editor=editor, masks=masks) for goal in rows]


@router.post("/villages/{village_id}/goals", response={201: GoalDetailOut, **WRITE_ERRORS})
def goal_register(request: HttpRequest, village_id: Id, payload: GoalIn) -> Status[dict[str, Any]]:
    """Set a goal of the village (principal, leaders, its contact leader and party secretary)."""
    village = _village(request, village_id)
    goal = goals.goal_create(by=request_user(request), village=village, **payload.model_dump())
    return Status(201, _detail(request, goal, editor=True))


def _detail(request: HttpRequest, goal: VillageGoal, *, editor: bool) -> dict[str, Any]:
    masks = actor_for(request_user(request)).masks_personal_data()
    return {**goal_out(goal, editor=editor, masks=masks), "history": goals.goal_history(goal)}


@router.get("/villages/{village_id}/goals/{goal_id}", response={200: GoalDetailOut, **ERRORS})
def goal_detail(request: HttpRequest, village_id: Id, goal_id: Id) -> dict[str, Any]:
    village = _village(request, village_id)
    goal = _goal(request, village, goal_id)
    return _detail(request, goal, editor=goals.may_edit(actor_for(request_user(request)), village))


@router.patch(
    "/villages/{village_id}/goals/{goal_id}", response={200: GoalDetailOut, **WRITE_ERRORS}
)
def goal_edit(
    request: HttpRequest, village_id: Id, goal_id: Id, payload: GoalPatch
) -> dict[str, Any]:
    """Change a goal, optionally at a `version`; links given replace that kind's links."""
    village = _village(request, village_id)
    goal = _goal(request, village, goal_id)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    empty = [
        name for name in ("horizon", "title", "active") if name in changes and changes[name] is None
    ]
    if empty:
        raise ValidationError({name: [_("This field may not be empty.")] for name in empty})
    for name in ("description", "items", "projects", "topics"):
        if name in changes and changes[name] is None:
            changes[name] = "" if name == "description" else []
    goal = goals.goal_update(goal=goal, by=request_user(request), changes=changes, version=version)
    return _detail(request, goal, editor=True)
