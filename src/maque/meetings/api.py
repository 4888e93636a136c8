"""`/api/v1/meetings`: list, record (decisions become action items), read, attach files,
complete a drafted meeting or amend a held one's record (`POST /{id}/record`), mark attendance
against the roll (`POST /{id}/attendance`) and record resolutions with their votes
(`POST /{id}/resolutions`). A meeting's answer carries its roll, quorum and resolutions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from maque.api.auth import request_user
from maque.api.paging import LegacyPageQuery, page_of, paginate
from maque.api.schemas import (
    ERRORS,
    MINUTES,
    NOTE,
    TEXT,
    WRITE_ERRORS,
    BodyId,
    DeadlineDay,
    HappenedDay,
    Id,
    InputSchema,
    PlannedDay,
    model_field,
)
from maque.core.masking import mask_text
from maque.ledger.models import Campaign
from maque.meetings.counting import quorum_of
from maque.meetings.models import Meeting, MeetingDecision, MeetingKind, Resolution, RollEntry
from maque.meetings.queries import meeting_list
from maque.meetings.resolutions import resolution_record
from maque.meetings.rolls import attendance_record
from maque.meetings.services import (
    DecisionIn,
    check_recorder,
    meeting_create,
    meeting_file_add,
    meeting_record,
)
from maque.organisation.access import actor_for, reader_text
from maque.organisation.models import Person, Town, Village

router = Router(tags=["meetings"])


# At most this many people, villages or decisions in one meeting's record.
MAX_ENTRIES = 500


class DecisionSchema(InputSchema):
    text: str = model_field(MeetingDecision, "text", max_length=TEXT)
    owner: BodyId | None = Field(
        None, description="With a deadline: the decision becomes an action item."
    )
    deadline: DeadlineDay | None = None
    village: BodyId | None = None
    campaign: str | None = Field(None, max_length=40, description="Campaign code.")


class MeetingIn(InputSchema):
    kind: MeetingKind
    title: str = model_field(Meeting, "title", min_length=1)
    held_on: PlannedDay
    place: str = model_field(Meeting, "place", "")
    villages: list[BodyId] = Field(default_factory=list, max_length=MAX_ENTRIES)
    host: BodyId | None = None
    recorder: BodyId | None = None
    attendees: list[BodyId] = Field(default_factory=list, max_length=MAX_ENTRIES)
    attendee_count: int | None = model_field(Meeting, "attendee_count", None)
    expected_count: int | None = model_field(Meeting, "expected_count", None)
    minutes: str = model_field(Meeting, "minutes", "", max_length=MINUTES)
    decisions: list[DecisionSchema] = Field(default_factory=list, max_length=MAX_ENTRIES)


class MeetingRecordIn(InputSchema):
    """What happened at the meeting. Fields left out keep their current value; `decisions` are
    added to those already recorded; `reason` is required to amend a held meeting."""

    held_on: HappenedDay | None = None
    place: str | None = model_field(Meeting, "place", None)
    host: BodyId | None = None
    recorder: BodyId | None = None
    attendees: list[BodyId] | None = Field(None, max_length=MAX_ENTRIES)
    attendee_count: int | None = model_field(Meeting, "attendee_count", None)
    expected_count: int | None = model_field(Meeting, "expected_count", None)
    minutes: str | None = model_field(Meeting, "minutes", None, max_length=MINUTES)
    decisions: list[DecisionSchema] = Field(default_factory=list, max_length=MAX_ENTRIES)
    reason: str = Field("", max_length=NOTE)


class DecisionOut(Schema):
    text: str
    item: str | None
    owner: str | None
    deadline: dt.date | None


class FileOut(Schema):
    id: int
    name: str
    kind: str
    size: int


class RollEntryOut(Schema):
    id: int
    name: str
    body: str
    attendance: str


class QuorumTestOut(Schema):
    basis: str
    expected: int | None
    present: int
    needed: int | None
    passed: bool


class QuorumOut(Schema):
    required: bool
    met: bool
    problem: str
    tests: list[QuorumTestOut]


class ActionOut(Schema):
    text: str
    item: str | None


class ResolutionOut(Schema):
    id: int
    text: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    expected: int | None
    present: int
    outcome: str
    outcome_label: str
    passed: bool
    refusal: str
    actions: list[ActionOut]


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    title: str
    held_on: dt.date
    place: str
    villages: list[str]
    host: str | None
    recorder: str | None
    attendees: list[str]
    attendee_count: int
    expected_count: int | None
    minutes: str
    decisions: list[DecisionOut]
    files: list[FileOut]
    indicators: dict[str, Any]
    roll: list[RollEntryOut]
    quorum: QuorumOut
    resolutions: list[ResolutionOut]


MeetingListOut = page_of(MeetingOut, legacy="meetings", name="MeetingListOut")


class MeetingFilters(LegacyPageQuery):
    kind: MeetingKind | None = None
    village: Id | None = Field(None, description="Village id.")


def _out(meeting: Meeting, text: Callable[[str], str] = mask_text) -> dict[str, Any]:
    """The meeting as the API shows it; `text`: free text as the reader may see it (phone and ID
    numbers masked unless the reader's role sees personal data, `reader_text`)."""
    return {
        "id": meeting.pk,
        "kind": meeting.kind,
        "kind_label": str(meeting.get_kind_display()),
        "status": meeting.status,
        "title": meeting.title,
        "held_on": meeting.held_on,
        "place": meeting.place,
        "villages": [v.name for v in meeting.villages.all()],
        "host": meeting.host.name if meeting.host else None,
        "recorder": meeting.recorder.name if meeting.recorder else None,
        "attendees": [p.name for p in meeting.attendees.all()],
        "attendee_count": meeting.attendee_count,
        "expected_count": meeting.expected_count,
        "minutes": text(meeting.minutes),
        "decisions": [
            {
                "text": text(d.text),
                "item": d.item.code if d.item else None,
                "owner": d.item.owner.name if d.item else None,
                "deadline": d.item.deadline if d.item else None,
            }
            for d in meeting.decisions.all()
        ],
        "files": [
            {"id": f.pk, "name": f.original_name, "kind": f.kind, "size": f.size}
            for f in meeting.files.all()
        ],
        "indicators": meeting.indicators,
        "roll": [
            {"id": e.pk, "name": e.name, "body": e.body, "attendance": e.attendance}
            for e in meeting.roll.all()
        ],
        "quorum": _quorum_out(meeting),
        "resolutions": [resolution_out(r, text) for r in meeting.resolutions.all()],
    }


def _quorum_out(meeting: Meeting) -> dict[str, Any]:
    quorum = quorum_of(meeting)
    return {
        "required": quorum.required,
        "met": quorum.met,
        "problem": quorum.problem(),
        "tests": [
            {
                "basis": test.basis,
                "expected": test.total,
                "present": test.count,
                "needed": None if test.total is None else test.share.needed(test.total),
                "passed": test.passed,
            }
            for test in quorum.tests
        ],
    }


def resolution_out(
    resolution: Resolution, text: Callable[[str], str] = mask_text
) -> dict[str, Any]:
    return {
        "id": resolution.pk,
        "text": text(resolution.text),
        "votes_for": resolution.votes_for,
        "votes_against": resolution.votes_against,
        "votes_abstain": resolution.votes_abstain,
        "expected": resolution.expected,
        "present": resolution.present,
        "outcome": resolution.outcome,
        "outcome_label": str(resolution.get_outcome_display()),
        "passed": resolution.passed,
        "refusal": resolution.refusal,
        "actions": [
            {"text": text(d.text), "item": d.item.code if d.item else None}
            for d in resolution.actions.all()
        ],
    }


@router.get("", response={200: MeetingListOut, **ERRORS})
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> dict[str, Any]:
    """The meetings the caller may see, newest first."""
    user = request_user(request)
    meetings = meeting_list(user=user, kind=filters.kind, village=filters.village)
    text = reader_text(user)
    return paginate(meetings, filters, out=lambda row: _out(row, text), legacy="meetings")


@router.get("/{meeting_id}", response={200: MeetingOut, **ERRORS})
def read(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    user = request_user(request)
    return _out(get_object_or_404(meeting_list(user=user), pk=meeting_id), reader_text(user))


def _pick(model: Any, ids: list[int], town: Town, field: str) -> list[Any]:
    found = list(model.objects.filter(town=town, pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({field: [_("Unknown or out-of-town entries.")]})
    return found


@router.post("", response={201: MeetingOut, **WRITE_ERRORS})
def create(request: HttpRequest, payload: MeetingIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    actor = actor_for(user)
    if actor.person is None:
        raise ValidationError(
            {"town": [_("Only a member of staff with a role in the town can record a meeting.")]}
        )
    town = actor.person.town
    people = {
        p.pk: p
        for p in _pick(
            Person,
            [
                *payload.attendees,
                *(d.owner for d in payload.decisions if d.owner),
                *(x for x in (payload.host, payload.recorder) if x),
            ],
            town,
            "attendees",
        )
    }
    villages = {
        v.pk: v
        for v in _pick(
            Village,
            [*payload.villages, *(d.village for d in payload.decisions if d.village)],
            town,
            "villages",
        )
    }
    campaigns = {c.code: c for c in Campaign.objects.filter(town=town)}
    decisions = []
    for index, d in enumerate(payload.decisions):
        if d.campaign and d.campaign not in campaigns:
            raise ValidationError({f"decisions[{index}].campaign": [_("Unknown campaign.")]})
        decisions.append(
            DecisionIn(
                text=d.text,
                owner=people.get(d.owner) if d.owner else None,
                deadline=d.deadline,
                village=villages.get(d.village) if d.village else None,
                campaign=campaigns.get(d.campaign) if d.campaign else None,
            )
        )
    meeting = meeting_create(
        by=user,
        town=town,
        kind=payload.kind,
        title=payload.title,
        held_on=payload.held_on,
        place=payload.place,
        villages=[villages[i] for i in payload.villages],
        host=people.get(payload.host) if payload.host else None,
        recorder=people.get(payload.recorder) if payload.recorder else None,
        attendees=[people[i] for i in payload.attendees],
        attendee_count=payload.attendee_count,
        expected_count=payload.expected_count,
        minutes=payload.minutes,
        decisions=decisions,
    )
    return Status(
        201, _out(get_object_or_404(meeting_list(user=user), pk=meeting.pk), reader_text(user))
    )


@router.post("/{meeting_id}/files", response={201: FileOut, **WRITE_ERRORS})
def add_file(
    request: HttpRequest, meeting_id: Id, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    user = request_user(request)
    meeting = get_object_or_404(Meeting.objects.visible_to(user), pk=meeting_id)
    stored = meeting_file_add(meeting=meeting, by=user, upload=file)
    return Status(
        201,
        {"id": stored.pk, "name": stored.original_name, "kind": stored.kind, "size": stored.size},
    )


def _one(model: Any, pk: int | None, town: Town, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(town=town, pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("Unknown or out-of-town entries.")]})
    return found


@router.post("/{meeting_id}/record", response={200: MeetingOut, **WRITE_ERRORS})
def record(request: HttpRequest, meeting_id: Id, payload: MeetingRecordIn) -> dict[str, Any]:
    """Record that a drafted meeting was held, or amend a held meeting's record (with a reason)."""
    user = request_user(request)
    meeting = get_object_or_404(
        Meeting.objects.visible_to(user).select_related("town", "host", "recorder"), pk=meeting_id
    )
    check_recorder(by=user, meeting=meeting)  # before reading ids: 403 whatever the payload
    town = meeting.town
    given = payload.model_dump(exclude_unset=True)
    campaigns = {c.code: c for c in Campaign.objects.filter(town=town)}
    decisions = []
    for index, d in enumerate(payload.decisions):
        if d.campaign and d.campaign not in campaigns:
            raise ValidationError({f"decisions[{index}].campaign": [_("Unknown campaign.")]})
        decisions.append(
            DecisionIn(
                text=d.text,
                owner=_one(Person, d.owner, town, f"decisions[{index}].owner"),
                deadline=d.deadline,
                village=_one(Village, d.village, town, f"decisions[{index}].village"),
                campaign=campaigns.get(d.campaign) if d.campaign else None,
            )
        )
    recorded = meeting_record(
        meeting=meeting,
        by=user,
        held_on=given.get("held_on") or meeting.held_on,
        place=payload.place if payload.place is not None else meeting.place,
        host=_one(Person, payload.host, town, "host") if "host" in given else meeting.host,
        recorder=_one(Person, payload.recorder, town, "recorder")
        if "recorder" in given
        else meeting.recorder,
        attendees=(
            _pick(Person, payload.attendees or [], town, "attendees")
            if payload.attendees is not None
            else list(meeting.attendees.all())
        ),
        # Naming the attendees anew without a number: the number is those named.
        attendee_count=(
            payload.attendee_count
            if "attendee_count" in given
            else None
            if "attendees" in given
            else meeting.attendee_count
        ),
        expected_count=payload.expected_count
        if "expected_count" in given
        else meeting.expected_count,
        minutes=payload.minutes if payload.minutes is not None else meeting.minutes,
        decisions=decisions,
        reason=payload.reason,
    )
    return _out(get_object_or_404(meeting_list(user=user), pk=recorded.pk), reader_text(user))


class MarkIn(InputSchema):
    entry: BodyId
    attendance: RollEntry.Attendance


class AttendanceIn(InputSchema):
    """Marks on the meeting's roll; `attendee_count` when more came than were called (every
    adult at a villagers' meeting), else the number present is those marked present."""

    marks: list[MarkIn] = Field(default_factory=list, max_length=MAX_ENTRIES)
    attendee_count: int | None = model_field(Meeting, "attendee_count", None)


@router.post("/{meeting_id}/attendance", response={200: MeetingOut, **WRITE_ERRORS})
def attendance(request: HttpRequest, meeting_id: Id, payload: AttendanceIn) -> dict[str, Any]:
    user = request_user(request)
    meeting = get_object_or_404(Meeting.objects.visible_to(user), pk=meeting_id)
    attendance_record(
        meeting=meeting,
        by=user,
        marks={mark.entry: mark.attendance for mark in payload.marks},
        attendee_count=payload.attendee_count,
    )
    return _out(get_object_or_404(meeting_list(user=user), pk=meeting.pk), reader_text(user))


class ResolutionIn(InputSchema):
    """A motion and its votes. The outcome is computed from the roll and the rules of the
    meeting's kind; `passed: true` is refused (422, with the failing test and the shortfall)
    when the quorum or the majority fails. `actions` (a passed resolution's) become items."""

    text: str = model_field(Resolution, "text", max_length=TEXT)
    votes_for: int = model_field(Resolution, "votes_for")
    votes_against: int = model_field(Resolution, "votes_against", 0)
    votes_abstain: int = model_field(Resolution, "votes_abstain", 0)
    passed: bool | None = None
    actions: list[DecisionSchema] = Field(default_factory=list, max_length=MAX_ENTRIES)


@router.post("/{meeting_id}/resolutions", response={201: ResolutionOut, **WRITE_ERRORS})
def resolve(request: HttpRequest, meeting_id: Id, payload: ResolutionIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    meeting = get_object_or_404(
        Meeting.objects.visible_to(user).select_related("town"), pk=meeting_id
    )
    check_recorder(by=user, meeting=meeting)  # before reading ids: 403 whatever the payload
    town = meeting.town
    campaigns = {c.code: c for c in Campaign.objects.filter(town=town)}
    actions = []
    for index, d in enumerate(payload.actions):
        if d.campaign and d.campaign not in campaigns:
            raise ValidationError({f"actions[{index}].campaign": [_("Unknown campaign.")]})
        actions.append(
            DecisionIn(
                text=d.text,
                owner=_one(Person, d.owner, town, f"actions[{index}].owner"),
                deadline=d.deadline,
                village=_one(Village, d.village, town, f"actions[{index}].village"),
                campaign=campaigns.get(d.campaign) if d.campaign else None,
            )
        )
    row = resolution_record(
        meeting=meeting,
        by=user,
        text=payload.text,
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        votes_abstain=payload.votes_abstain,
        passed=payload.passed,
        actions=actions,
    )
    return Status(201, resolution_out(row, reader_text(user)))
