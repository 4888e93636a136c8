"""`/api/v1/watchlist` (the watch list: list, propose by hand, read, act) and
`/api/v1/villages/{id}/diagnosis` (a village's indicators against the town, their trend, and
what drives them)."""

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
    NOTE,
    TEXT,
    WRITE_ERRORS,
    BodyId,
    CodeRef,
    DeadlineDay,
    Id,
    InputSchema,
    Out,
    Version,
)
from maque.diagnosis import lifecycle, rules
from maque.diagnosis.dissection import CauseIn, DissectionIn, MeasureIn, ResourceIn, entry_dissect
from maque.diagnosis.models import CauseKind, EntryState, WatchEntry
from maque.diagnosis.queries import dissection_out, entry_list, subject_label, village_diagnosis
from maque.diagnosis.services import entry_act, entry_propose
from maque.ledger.models import Category
from maque.meetings.models import Meeting
from maque.organisation.access import actor_for
from maque.organisation.models import Department, Person, Village

router = Router(tags=["diagnosis"])

# At most this many causes, departments, measures or field walks in one record.
MAX_ROWS = 100


class WatchReasonOut(Out):
    rule: str
    text: str
    value: float | None = None
    threshold: float | None = None


class WatchEventOut(Out):
    action: str
    from_state: str
    to_state: str
    by: str | None
    reason: str
    numbers: dict[str, Any]
    at: dt.datetime


class WatchEntryOut(Out):
    id: int
    subject: str
    subject_label: str
    village: int | None
    category: str | None
    project: CodeRef | None = Field(description="The watched project (a project's entry).")
    state: str
    state_label: str
    severity: float
    reasons: list[WatchReasonOut]
    numbers: dict[str, Any]
    proposed_on: dt.date
    listed_on: dt.date | None
    closed_on: dt.date | None
    version: int
    actions: list[str]


class DissectionOut(Out):
    meeting: dict[str, Any]
    causes: list[dict[str, Any]]
    obstacles: str
    resources: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    field_walks: list[dict[str, Any]]


class WatchEntryDetailOut(WatchEntryOut):
    events: list[WatchEventOut]
    dissection: DissectionOut | None


EntryListOut = page_of(WatchEntryOut, name="WatchEntryListOut")


class WatchEntryFilters(PageQuery):
    state: EntryState | None = None
    village: Id | None = Field(None, description="Village id.")


class WatchEntryIn(InputSchema):
    """Put a village, or a category within it (by code), on the watch list by hand."""

    village: BodyId
    category: str | None = Field(None, max_length=40, description="Category code.")
    reason: str = Field(..., min_length=1, max_length=NOTE)


class CauseSchema(InputSchema):
    kind: CauseKind
    text: str = Field(..., min_length=1, max_length=NOTE)


class ResourceSchema(InputSchema):
    department: BodyId = Field(..., description="Department id.")
    brings: str = Field(..., min_length=1, max_length=NOTE)


class MeasureSchema(InputSchema):
    text: str = Field(..., min_length=1, max_length=200)
    owner: BodyId
    deadline: DeadlineDay
    village: BodyId | None = Field(None, description="Village id; the entry's by default.")


class DissectionSchema(InputSchema):
    """The solving meeting's record (解难会议)."""

    meeting: BodyId = Field(..., description="A meeting of kind solving.")
    causes: list[CauseSchema] = Field(..., min_length=1, max_length=MAX_ROWS)
    obstacles: str = Field("", max_length=TEXT)
    resources: list[ResourceSchema] = Field(default_factory=list, max_length=MAX_ROWS)
    measures: list[MeasureSchema] = Field(default_factory=list, max_length=MAX_ROWS)
    field_walks: list[BodyId] = Field(default_factory=list, max_length=MAX_ROWS)


class WatchActionIn(InputSchema):
    reason: str = Field("", max_length=NOTE)
    version: Version | None = None
    dissection: DissectionSchema | None = Field(None, description="For dissect: the record.")


def _reasons(entry: WatchEntry) -> list[dict[str, Any]]:
    return [
        {
            "rule": reason.get("rule", ""),
            "text": rules.reason_text(reason),
            "value": reason.get("value"),
            "threshold": reason.get("threshold"),
        }
        for reason in entry.reasons
    ]


def _out(entry: WatchEntry, actions: list[str]) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "subject": entry.subject,
        "subject_label": subject_label(entry),
        "village": entry.village_id,
        "category": entry.category.code if entry.category else None,
        "project": {"code": entry.project.code, "name": entry.project.name}
        if entry.project
        else None,
        "state": entry.state,
        "state_label": str(entry.get_state_display()),
        "severity": entry.severity,
        "reasons": _reasons(entry),
        "numbers": entry.numbers,
        "proposed_on": entry.proposed_on,
        "listed_on": entry.listed_on,
        "closed_on": entry.closed_on,
        "version": entry.version,
        "actions": actions,
    }


def _detail(request: HttpRequest, entry: WatchEntry) -> dict[str, Any]:
    actor = actor_for(request_user(request))
    body = _out(entry, lifecycle.available(actor, entry))
    body["events"] = [
        {
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "by": event.by.get_username() if event.by else None,
            "reason": event.reason,
            "numbers": event.numbers,
            "at": event.created_at,
        }
        for event in entry.events.select_related("by").order_by("created_at", "pk")
    ]
    body["dissection"] = dissection_out(entry, user=request_user(request))
    return body


@router.get("/watchlist", response={200: EntryListOut, **ERRORS})
def list_entries(request: HttpRequest, filters: Query[WatchEntryFilters]) -> dict[str, Any]:
    """The watch list as the caller may read it: a cadre, their own villages' entries."""
    user = request_user(request)
    actor = actor_for(user)
    entries = entry_list(user=user, state=filters.state, village=filters.village)
    return paginate(
        entries,
        filters,
        each=lambda page: [_out(entry, lifecycle.available(actor, entry)) for entry in page],
    )


@router.post("/watchlist", response={201: WatchEntryDetailOut, **WRITE_ERRORS})
def propose(request: HttpRequest, payload: WatchEntryIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    village = Village.objects.visible_to(user).filter(pk=payload.village).first()
    if village is None:
        raise ValidationError({"village": [_("Unknown village.")]})
    category = None
    if payload.category:
        category = Category.objects.filter(town=village.town, code=payload.category).first()
        if category is None:
            raise ValidationError({"category": [_("Unknown category.")]})
    entry = entry_propose(
        by=user, town=village.town, village=village, category=category, reason=payload.reason
    )
    return Status(201, _detail(request, entry))


def _entry(request: HttpRequest, entry_id: int) -> WatchEntry:
    return get_object_or_404(entry_list(user=request_user(request)), pk=entry_id)


@router.get("/watchlist/{entry_id}", response={200: WatchEntryDetailOut, **ERRORS})
def read(request: HttpRequest, entry_id: Id) -> dict[str, Any]:
    return _detail(request, _entry(request, entry_id))


@router.post(
    "/watchlist/{entry_id}/actions/{action}", response={200: WatchEntryDetailOut, **WRITE_ERRORS}
)
def act(request: HttpRequest, entry_id: Id, action: str, payload: WatchActionIn) -> dict[str, Any]:
    """Take a step: accept, dismiss, propose_exit, exit, keep (with a reason where it needs one);
    dissect records a solving meeting (`dissection` in the body)."""
    entry = _entry(request, entry_id)
    if action not in lifecycle.TRANSITIONS:
        raise ValidationError({"action": [_("Unknown action.")]})
    if action == "dissect":
        if payload.dissection is None:
            raise ValidationError(
                {"dissection": [_("Record the solving meeting that dissects it.")]}
            )
        return _detail(
            request,
            entry_dissect(
                entry=entry,
                by=request_user(request),
                record=_dissection_in(entry, payload.dissection),
                reason=payload.reason,
                version=payload.version,
            ),
        )
    entry = entry_act(
        entry=entry,
        by=request_user(request),
        action=action,
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(request, entry)


def _pick(model: Any, town_id: int, ids: list[int], field: str) -> dict[int, Any]:
    found = {row.pk: row for row in model.objects.filter(town_id=town_id, pk__in=ids)}
    if len(found) != len(set(ids)):
        raise ValidationError({field: [_("Unknown or out-of-town entries.")]})
    return found


def _dissection_in(entry: WatchEntry, body: DissectionSchema) -> DissectionIn:
    town = entry.town_id
    meetings = _pick(Meeting, town, [body.meeting, *body.field_walks], "meeting")
    departments = _pick(Department, town, [r.department for r in body.resources], "resources")
    people = _pick(Person, town, [m.owner for m in body.measures], "measures")
    villages = _pick(Village, town, [m.village for m in body.measures if m.village], "measures")
    return DissectionIn(
        meeting=meetings[body.meeting],
        causes=[CauseIn(kind=c.kind, text=c.text) for c in body.causes],
        obstacles=body.obstacles,
        resources=[
            ResourceIn(department=departments[r.department], brings=r.brings)
            for r in body.resources
        ],
        measures=[
            MeasureIn(
                text=m.text,
                owner=people[m.owner],
                deadline=m.deadline,
                village=villages[m.village] if m.village else None,
            )
            for m in body.measures
        ],
        field_walks=[meetings[pk] for pk in body.field_walks],
    )


class DiagnosisIndicatorOut(Out):
    key: str
    value: float | None
    town_median: float | None
    last_week: float | None
    higher_is_worse: bool
    worse_than_town: bool | None


class DiagnosisWeekOut(Out):
    day: dt.date
    village: dict[str, Any] | None
    town_median: dict[str, float | None]


class DiagnosisOut(Out):
    village: dict[str, Any]
    day: dt.date | None
    indicators: list[DiagnosisIndicatorOut]
    weeks: list[DiagnosisWeekOut]
    drivers: dict[str, list[dict[str, Any]]]


class DiagnosisWeeksQuery(Schema):
    weeks: int = Field(8, ge=1, le=52, description="Weeks of trend.")


@router.get("/villages/{village_id}/diagnosis", response={200: DiagnosisOut, **ERRORS})
def diagnosis(
    request: HttpRequest, village_id: Id, query: Query[DiagnosisWeeksQuery]
) -> dict[str, Any]:
    """A village's diagnosis: each indicator against the town's median, its weekly trend, and
    the items, owners and categories behind the overdue figures."""
    user = request_user(request)
    village = get_object_or_404(Village.objects.visible_to(user), pk=village_id)
    return village_diagnosis(village=village, user=user, weeks=query.weeks)
