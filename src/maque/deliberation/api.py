"""`/api/v1/topics`: list, propose, read, and act on topics (the actions offered are those the
lifecycle's refusal function allows: `actions` on every topic)."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from pydantic import Field

from maque.api.auth import request_user
from maque.api.errors import ApiError
from maque.api.paging import PageQuery, page_of, paginate
from maque.api.schemas import (
    ERRORS,
    NOTE,
    TEXT,
    WRITE_ERRORS,
    BodyId,
    DeadlineDay,
    Id,
    InputSchema,
    Out,
    Ref,
    Version,
    VillageRef,
    village_lookup,
)
from maque.deliberation import lifecycle
from maque.deliberation.export import topics_export_write
from maque.deliberation.lifecycle.registration import TITLE_MAX
from maque.deliberation.models import (
    Concern,
    Domain,
    ProposerKind,
    Satisfaction,
    Topic,
    TopicSource,
    TopicState,
    Track,
)
from maque.deliberation.queries import proposer_shown, topic_list, visible_topic
from maque.meetings.models import Meeting, Resolution
from maque.organisation.access import actor_for
from maque.organisation.actor import Actor
from maque.organisation.models import Person, Village

router = Router(tags=["deliberation"])


class AgendaOut(Out):
    meeting: int
    title: str
    held_on: date
    deliberated: bool
    outcome: str
    resolution: int | None = Field(description="The resolution last put to the vote on it.")
    resolution_outcome: str = Field(description="passed, rejected, not_quorate or empty.")


class TopicOut(Out):
    code: str
    village: Ref
    title: str
    description: str
    concern: str
    domain: str
    source: str
    track: str
    state: str
    state_label: str
    proposer_kind: str
    proposer_name: str
    proposer_phone: str = Field(description="Masked unless the reader may see it.")
    accept_due: date | None
    accepted_at: datetime | None
    decline_reason: str
    completed_at: datetime | None
    answer_due: date | None
    answer: str
    answered_at: datetime | None
    satisfaction: str
    reopened_count: int
    merged_into: str | None
    items: list[str] = Field(description="Codes of the action items that came of the topic.")
    agenda: list[AgendaOut]
    photos: int
    version: int
    created_at: datetime
    actions: list[str] = Field(description="Actions the caller may take now.")


class TopicCreatedOut(TopicOut):
    receipt: str = Field(description="The code and a short secret: shown once, never again.")


TopicListOut = page_of(TopicOut)


def topic_out(
    topic: Topic, actor: Actor, actions: list[str], *, detail: bool = True
) -> dict[str, Any]:
    name, phone = proposer_shown(topic, actor)
    return {
        "code": topic.code,
        "village": {"id": topic.village_id, "name": topic.village.name},
        "title": topic.title,
        "description": topic.description,
        "concern": topic.concern,
        "domain": topic.domain,
        "source": topic.source,
        "track": topic.track,
        "state": topic.state,
        "state_label": str(topic.get_state_display()),
        "proposer_kind": topic.proposer_kind,
        "proposer_name": name,
        "proposer_phone": phone,
        "accept_due": topic.accept_due,
        "accepted_at": topic.accepted_at,
        "decline_reason": topic.decline_reason,
        "completed_at": topic.completed_at,
        "answer_due": topic.answer_due,
        "answer": topic.answer,
        "answered_at": topic.answered_at,
        "satisfaction": topic.satisfaction,
        "reopened_count": topic.reopened_count,
        "merged_into": topic.merged_into.code
        if topic.merged_into_id and topic.merged_into
        else None,
        "items": [row.item.code for row in topic.actions.select_related("item")] if detail else [],
        "agenda": [
            {
                "meeting": row.meeting_id,
                "title": row.meeting.title,
                "held_on": row.meeting.held_on,
                "deliberated": row.deliberated,
                "outcome": row.outcome,
                "resolution": row.resolution_id,
                "resolution_outcome": row.resolution.outcome if row.resolution else "",
            }
            for row in topic.agenda.select_related("meeting", "resolution")
        ]
        if detail
        else [],
        "photos": topic.photos.count() if detail else 0,
        "version": topic.version,
        "created_at": topic.created_at,
        "actions": actions,
    }


def _topic(request: HttpRequest, code: str) -> Topic:
    topic = visible_topic(request_user(request), code)
    if topic is None:
        raise Http404
    return topic


def _response(request: HttpRequest, code: str) -> dict[str, Any]:
    user = request_user(request)
    topic = _topic(request, code)
    return topic_out(topic, actor_for(user), lifecycle.available_actions(user, topic))


class TopicFilters(PageQuery):
    village: str | None = Field(None, max_length=50, description="Village id or name.")
    concern: Concern | None = None
    track: Track | None = None
    state: list[str] | None = Field(
        None, description="One or more states (repeat, or separate with commas)."
    )
    q: str | None = Field(
        None, max_length=100, description="Text in the code, title or description."
    )


def _states(values: list[str] | None) -> list[str]:
    states = [part.strip() for value in values or () for part in value.split(",") if part.strip()]
    unknown = [state for state in states if state not in TopicState.values]
    if unknown:
        raise ValidationError(
            {
                "state": [
                    _("Unknown state %(state)s; one of: %(states)s.")
                    % {"state": unknown[0], "states": ", ".join(TopicState.values)}
                ]
            }
        )
    return states


@router.get("/topics", response={200: TopicListOut, **ERRORS})
def topic_index(request: HttpRequest, filters: Query[TopicFilters]) -> dict[str, Any]:
    """The topics the caller may see, filtered and paged (50 by default, at most 200)."""
    user = request_user(request)
    village: int | str | None = None
    if filters.village:
        lookup = village_lookup(filters.village)
        village = lookup.get("pk", lookup.get("name"))
    topics = topic_list(
        user=user,
        village=village,
        concern=filters.concern,
        track=filters.track,
        state=_states(filters.state),
        q=filters.q.strip() if filters.q else None,
    ).select_related("merged_into")
    actor = actor_for(user)

    def outputs(page: list[Topic]) -> list[dict[str, Any]]:
        return [
            topic_out(topic, actor, actions, detail=False)
            for topic, actions in zip(
                page, lifecycle.available_actions_each(user, page), strict=True
            )
        ]

    return paginate(topics, filters, each=outputs)


class TopicIn(InputSchema):
    village: VillageRef
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=TEXT)
    concern: Concern
    domain: Domain = Domain.OTHER
    source: TopicSource = TopicSource.WORKSPACE
    track: Track | None = None
    proposer_kind: ProposerKind | None = None
    proposer: BodyId | None = Field(None, description="A person of the town (default: you).")
    proposer_name: str = Field("", max_length=30, description="A villager's name.")
    proposer_phone: str = Field("", max_length=20, description="A villager's phone.")


def _propose(
    request: HttpRequest,
    *,
    village_ref: int | str,
    proposer_id: int | None,
    photos: list[Any],
    **values: Any,
) -> Status[dict[str, Any]]:
    """Propose for a village the caller works in; the service checks everything else."""
    user = request_user(request)
    village = Village.objects.visible_to(user).filter(**village_lookup(village_ref)).first()
    if village is None:
        raise ValidationError({"village": [_("Unknown village.")]})
    proposer = None
    if proposer_id is not None:
        proposer = Person.objects.filter(pk=proposer_id, town_id=village.town_id).first()
        if proposer is None:
            raise ValidationError({"proposer": [_("Unknown person.")]})
    proposed = lifecycle.topic_propose(
        by=user, village=village, proposer=proposer, photos=photos, via="api", **values
    )
    body = _response(request, proposed.topic.code)
    return Status(201, {**body, "receipt": proposed.receipt})


@router.post("/topics", response={201: TopicCreatedOut, **WRITE_ERRORS})
def topic_create(request: HttpRequest, payload: TopicIn) -> Status[dict[str, Any]]:
    """Propose a topic for a village you work in (for yourself or on someone's behalf)."""
    return _propose(
        request,
        village_ref=payload.village,
        proposer_id=payload.proposer,
        photos=[],
        title=payload.title,
        description=payload.description,
        concern=payload.concern,
        domain=payload.domain,
        source=payload.source,
        track=payload.track or "",
        proposer_kind=payload.proposer_kind,
        proposer_name=payload.proposer_name,
        proposer_phone=payload.proposer_phone,
    )


@router.post("/topics/with-photos", response={201: TopicCreatedOut, **WRITE_ERRORS})
def topic_create_with_photos(
    request: HttpRequest,
    village: str = Form(..., min_length=1, max_length=60, description="Village id or name."),  # noqa: B008
    title: str = Form(..., min_length=1, max_length=TITLE_MAX),  # noqa: B008
    concern: str = Form(
        ..., max_length=20, description="urgent, difficult, worrying or hoped_for."
    ),  # noqa: B008
    description: str = Form("", max_length=TEXT),  # noqa: B008
    # Checked by the service, after the caller's right to propose (so a refusal is 403, not 422).
    domain: str = Form(Domain.OTHER, max_length=30),  # noqa: B008
    source: str = Form(TopicSource.WORKSPACE, max_length=20),  # noqa: B008
    track: str = Form("", max_length=20),  # noqa: B008
    proposer_kind: str = Form("", max_length=30),  # noqa: B008
    proposer: Id | None = Form(None, description="A person of the town (default: you)."),  # noqa: B008
    proposer_name: str = Form("", max_length=30),  # noqa: B008
    proposer_phone: str = Form("", max_length=20),  # noqa: B008
    photos: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    """The same as `POST /topics`, as multipart with `photos` (up to 3, each sniffed from its
    content as a jpg, png, webp or heic image)."""
    return _propose(
        request,
        village_ref=village,
        proposer_id=proposer,
        photos=request.FILES.getlist("photos") + request.FILES.getlist("photos[]"),
        title=title,
        description=description,
        concern=concern,
        domain=domain,
        source=source,
        track=track,
        proposer_kind=proposer_kind or None,
        proposer_name=proposer_name,
        proposer_phone=proposer_phone,
    )


class TopicExportFilters(Schema):
    village: str | None = Field(None, max_length=50, description="Village id or name.")
    concern: Concern | None = None
    track: Track | None = None
    state: list[str] | None = Field(None, description="One or more states.")
    q: str | None = Field(None, max_length=100)


@router.get("/topics/export", response={200: None, **ERRORS}, summary="Export topics as .xlsx")
def topic_export(request: HttpRequest, filters: Query[TopicExportFilters]) -> Any:
    """The topics the caller may see, filtered as the list, as a workbook (phones masked unless
    the caller's role sees personal data)."""
    user = request_user(request)
    village: int | str | None = None
    if filters.village:
        lookup = village_lookup(filters.village)
        village = lookup.get("pk", lookup.get("name"))
    topics = topic_list(
        user=user,
        village=village,
        concern=filters.concern,
        track=filters.track,
        state=_states(filters.state),
        q=filters.q.strip() if filters.q else None,
    )
    out = tempfile.TemporaryFile()
    topics_export_write(topics=topics, out=out, actor=actor_for(user))
    out.seek(0)
    response = FileResponse(
        out,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E8%AE%AE%E9%A2%98.xlsx"
    return response


@router.get("/topics/{code}", response={200: TopicOut, **ERRORS})
def topic_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _response(request, code)


class TopicActionIn(InputSchema):
    version: Version | None = None
    reason: str | None = Field(
        default=None, max_length=NOTE, description="decline, reopen, merge, spam."
    )
    note: str | None = Field(default=None, max_length=NOTE, description="accept, rate.")
    track: Track | None = Field(default=None, description="accept: the track.")
    domain: Domain | None = Field(default=None, description="accept: the domain, if it changes.")
    owner: BodyId | None = Field(
        default=None, description="assign, implement, add_action (accept, quick)."
    )
    deadline: DeadlineDay | None = Field(
        default=None, description="With the owner: the item's deadline."
    )
    title: str | None = Field(default=None, max_length=200, description="The action item's title.")
    meeting: BodyId | None = Field(default=None, description="schedule: the meeting.")
    order: int = Field(default=0, ge=0, le=999, description="schedule: the place on the agenda.")
    into: str | None = Field(
        default=None, max_length=30, description="merge: the surviving topic's code."
    )
    outcome: str | None = Field(
        default=None, max_length=TEXT, description="deliberate: what was decided."
    )
    resolution: BodyId | None = Field(
        default=None,
        description="deliberate: the meeting's passed resolution on it (its text is the outcome).",
    )
    answer: str | None = Field(default=None, max_length=TEXT, description="answer: what was done.")
    satisfaction: Satisfaction | None = Field(default=None, description="rate.")


# action -> the body's fields it reads (anything else given is refused).
ACTION_FIELDS: dict[str, frozenset[str]] = {
    "accept": frozenset({"track", "domain", "note", "owner", "deadline"}),
    "decline": frozenset({"reason"}),
    "mark_spam": frozenset({"reason"}),
    "merge": frozenset({"into", "reason"}),
    "assign": frozenset({"owner", "deadline", "title"}),
    "schedule": frozenset({"meeting", "order"}),
    "deliberate": frozenset({"outcome", "resolution"}),
    "implement": frozenset({"owner", "deadline", "title"}),
    "add_action": frozenset({"owner", "deadline", "title"}),
    "answer": frozenset({"answer"}),
    "rate": frozenset({"satisfaction", "note"}),
    "reopen": frozenset({"reason"}),
    "follow_rate": frozenset({"satisfaction", "note"}),
}


def _arguments(
    request: HttpRequest, topic: Topic, action: str, payload: TopicActionIn
) -> dict[str, Any]:
    given = set(payload.model_fields_set) - {"version"}
    extra = sorted(given - ACTION_FIELDS[action])
    if extra:
        raise ValidationError(
            {name: [_("This action does not take this field.")] for name in extra}
        )
    user = request_user(request)
    values = payload.model_dump()
    arguments: dict[str, Any] = {"version": payload.version}
    for name in ACTION_FIELDS[action] & given:
        arguments[name] = values[name]
    if "owner" in arguments:
        owner = Person.objects.filter(pk=arguments["owner"], town_id=topic.town_id).first()
        if owner is None:
            raise ValidationError({"owner": [_("Unknown person.")]})
        arguments["owner"] = owner
    if action in ("assign", "implement", "add_action"):
        arguments.setdefault("owner", None)
        arguments.setdefault("deadline", None)
        arguments["title"] = arguments.get("title") or ""
    if action == "schedule":
        meeting = Meeting.objects.visible_to(user).filter(pk=payload.meeting or 0).first()
        if meeting is None:
            raise ValidationError({"meeting": [_("Unknown meeting.")]})
        arguments["meeting"] = meeting
    if "resolution" in arguments:
        resolution = (
            Resolution.objects.filter(
                meeting__in=Meeting.objects.visible_to(user), meeting__town_id=topic.town_id
            )
            .filter(pk=arguments["resolution"])
            .first()
        )
        if resolution is None:
            raise ValidationError({"resolution": [_("Unknown resolution.")]})
        arguments["resolution"] = resolution
    if action == "merge":
        into = visible_topic(user, payload.into or "")
        if into is None:
            raise ValidationError({"into": [_("Unknown topic.")]})
        arguments["into"] = into
    if action == "accept":
        if payload.track is None:
            raise ValidationError({"track": [_("Choose a track: quick, joint or concerted.")]})
        arguments["note"] = arguments.get("note") or ""
    if action in ("rate", "follow_rate") and payload.satisfaction is None:
        raise ValidationError({"satisfaction": [_("Choose 满意, 基本满意 or 不满意.")]})
    for name in ("reason", "outcome", "answer", "note"):
        if name in ACTION_FIELDS[action]:
            arguments[name] = arguments.get(name) or ""
    return arguments


@router.post("/topics/{code}/actions/{action}", response={200: TopicOut, **WRITE_ERRORS})
def topic_act(
    request: HttpRequest, code: str, action: str, payload: TopicActionIn | None = None
) -> dict[str, Any]:
    """Take an action: accept, decline, mark_spam, merge, assign, schedule, deliberate,
    implement, add_action, answer, rate, reopen; follow_rate (the proposer of a merged topic:
    their own satisfaction with the answer of the topic it joined)."""
    name = action.strip().lower().replace("-", "_")
    if name not in lifecycle.ACTION_SERVICES:
        raise ApiError(
            404,
            _("Unknown action. Valid actions: %(actions)s.")
            % {"actions": ", ".join(lifecycle.ACTION_SERVICES)},
            code="unknown_action",
            errors={"action": [_("Unknown action.")]},
            actions=list(lifecycle.ACTION_SERVICES),
        )
    topic = _topic(request, code)
    arguments = _arguments(request, topic, name, payload or TopicActionIn())
    lifecycle.ACTION_SERVICES[name](topic=topic, by=request_user(request), via="api", **arguments)
    return _response(request, topic.code)
