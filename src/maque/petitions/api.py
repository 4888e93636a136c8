"""`/api/v1/petitions`: the petition register (信访), its actions and its notices.

To anyone who may not read a petition, it does not exist (404). Lists mask the petitioner's
personal data for everyone; a petition's own answer shows it to the roles that may see it.
Limits are calendar days (自然日): every answer says so in `days_are`.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
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
    HappenedDay,
    Id,
    InputSchema,
    Out,
    Ref,
    Version,
    model_field,
)
from maque.core.masking import mask_text
from maque.organisation.access import actor_for
from maque.organisation.models import Household, Person, Town, Village
from maque.petitions import lifecycle
from maque.petitions.models import Channel, Petition, PetitionNotice, Satisfaction, State
from maque.petitions.notices import TamperedNoticeError, notice_docx
from maque.petitions.policies import handler_town_ids, may_open_register
from maque.petitions.queries import notice_get, petition_get, petition_list, petition_view
from maque.petitions.services import petition_register

router = Router(tags=["petitions"])

CALENDAR_DAYS = "calendar"


class PetitionerOut(Out):
    name: str
    phone: str
    id_number: str


class PetitionOut(Out):
    code: str
    channel: str
    channel_label: str
    received_on: date
    petitioner: PetitionerOut
    matter: str
    village: Ref | None
    household: int | None
    owner: Ref
    state: str
    state_label: str
    stability: bool
    due_on: date | None = Field(description="The limit running now (calendar days).")
    days_left: int | None
    days_late: int
    overdue: bool
    days_are: str = Field(
        description="Limits count calendar days (自然日), as the regulation does."
    )
    version: int


class PetitionEventOut(Out):
    action: str
    from_state: str
    to_state: str
    on: date
    actor: str | None
    reason: str
    created_at: datetime


class PetitionNoticeOut(Out):
    id: int
    kind: str
    kind_label: str
    code: str
    issued_on: date
    sha256: str


class PetitionDetailOut(PetitionOut):
    acceptance_due: date
    handling_due: date | None
    review_until: date | None
    decided_on: date | None
    not_accepted_reason: str
    extension_days: int
    extension_reason: str
    replied_on: date | None
    reply: str
    satisfaction: str
    review_requested_on: date | None
    personal_data_shown: bool
    actions: list[str]
    events: list[PetitionEventOut]
    notices: list[PetitionNoticeOut]


PetitionListOut = page_of(PetitionOut, name="PetitionListOut")


class PetitionFilters(PageQuery):
    state: State | None = None
    overdue: bool | None = None
    stability: bool | None = None
    village: Id | None = None
    q: str | None = Field(None, max_length=100)


class PetitionIn(InputSchema):
    town: BodyId | None = Field(
        None, description="Needed only when the caller handles several towns."
    )
    channel: Channel
    received_on: HappenedDay
    petitioner_name: str = model_field(Petition, "petitioner_name", min_length=1)
    petitioner_phone: str = model_field(Petition, "petitioner_phone", "")
    petitioner_id_number: str = model_field(Petition, "petitioner_id_number", "")
    matter: str = Field(min_length=1, max_length=TEXT)
    village: BodyId | None = None
    household: BodyId | None = None
    owner: BodyId | None = Field(
        None, description="The handling owner (a person id); you by default."
    )
    stability: bool = False


class PetitionActionIn(InputSchema):
    on: HappenedDay | None = Field(
        default=None, description="The day of the decision (today by default)."
    )
    note: str | None = Field(default=None, max_length=NOTE)
    reason: str | None = Field(default=None, max_length=TEXT)
    reply: str | None = Field(default=None, max_length=TEXT)
    days: int | None = Field(
        default=None, ge=1, le=30, strict=True, description="extend: 1–30 calendar days."
    )
    satisfaction: Satisfaction | None = None
    owner: BodyId | None = Field(default=None, description="assign: the new handling owner.")
    stability: bool | None = Field(
        default=None, description="stability: set or clear the 信访维稳 flag."
    )
    version: Version | None = None


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _out(view: dict[str, Any]) -> dict[str, Any]:
    p: Petition = view["petition"]
    return {
        "code": p.code,
        "channel": p.channel,
        "channel_label": p.get_channel_display(),
        "received_on": p.received_on,
        "petitioner": view["petitioner"],
        "matter": view["matter"],
        "village": _ref(p.village),
        "household": p.household_id,
        "owner": _ref(p.owner),
        "state": p.state,
        "state_label": p.get_state_display(),
        "stability": p.stability,
        "due_on": view["due_on"],
        "days_left": view["days_left"],
        "days_late": view["days_late"],
        "overdue": view["overdue"],
        "days_are": CALENDAR_DAYS,
        "version": p.version,
    }


def _detail(request: HttpRequest, petition: Petition) -> dict[str, Any]:
    user = request_user(request)
    view = petition_view(petition, user=user, detail=True)
    return {
        **_out(view),
        "acceptance_due": view["acceptance_due"],
        "handling_due": view["handling_due"],
        "review_until": view["review_until"],
        "decided_on": petition.decided_on,
        "not_accepted_reason": petition.not_accepted_reason,
        "extension_days": petition.extension_days,
        "extension_reason": petition.extension_reason,
        "replied_on": petition.replied_on,
        "reply": petition.reply,
        "satisfaction": petition.satisfaction,
        "review_requested_on": petition.review_requested_on,
        "personal_data_shown": view["unmasked"],
        "actions": lifecycle.available_actions(user, petition),
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "on": e.on,
                "actor": e.actor.name if e.actor else None,
                "reason": e.reason if view["unmasked"] else mask_text(e.reason),
                "created_at": e.created_at,
            }
            for e in petition.events.select_related("actor").order_by("created_at", "id")
        ],
        "notices": [
            {
                "id": n.pk,
                "kind": n.kind,
                "kind_label": n.get_kind_display(),
                "code": n.code,
                "issued_on": n.issued_on,
                "sha256": n.sha256,
            }
            for n in petition.notices.order_by("created_at", "id")
        ],
    }


def _visible(request: HttpRequest, code: str) -> Petition:
    if len(code) > 30:
        raise Http404
    try:
        return petition_get(user=request_user(request), code=code)
    except Petition.DoesNotExist:
        raise Http404 from None


@router.get("/petitions", response={200: PetitionListOut, **ERRORS})
def petitions_list(request: HttpRequest, filters: Query[PetitionFilters]) -> dict[str, Any]:
    """The register: newest first (the overdue page: the longest overdue first). Personal data
    is masked in every list."""
    user = request_user(request)
    if not may_open_register(actor_for(user)):
        raise Http404
    rows = petition_list(
        user=user,
        state=filters.state,
        overdue=filters.overdue,
        stability=filters.stability,
        village=filters.village,
        q=filters.q,
    )
    return paginate(rows, filters, out=lambda p: _out(petition_view(p, user=user, detail=False)))


@router.post("/petitions", response={201: PetitionDetailOut, **WRITE_ERRORS})
def petitions_register(request: HttpRequest, payload: PetitionIn) -> Status:
    """Register a petition (信访登记): its 15-calendar-day acceptance limit starts."""
    user = request_user(request)
    actor = actor_for(user)
    towns = (
        Town.objects.all()
        if actor.is_superuser
        else Town.objects.filter(pk__in=handler_town_ids(actor))
    )
    if payload.town is not None:
        town = towns.filter(pk=payload.town).first()
        if town is None:
            raise ValidationError({"town": [_("Unknown town.")]})
    else:
        candidates = list(towns[:2])
        if not candidates:
            lifecycle_refused = _(
                "Only the principal leaders and the leader in charge of petitions register petitions."
            )
            raise ApiError(403, lifecycle_refused, code="permission_denied")
        if len(candidates) > 1:
            raise ValidationError({"town": [_("Say which town.")]})
        town = candidates[0]
    village = None
    if payload.village is not None:
        village = Village.objects.filter(town=town, pk=payload.village).first()
        if village is None:
            raise ValidationError({"village": [_("Unknown village.")]})
    household = None
    if payload.household is not None:
        household = Household.objects.filter(village__town=town, pk=payload.household).first()
        if household is None:
            raise ValidationError({"household": [_("Unknown household.")]})
    owner = None
    if payload.owner is not None:
        owner = Person.objects.filter(town=town, pk=payload.owner).first()
        if owner is None:
            raise ValidationError(
                {"owner": [_("The owner must be an active person of this town.")]}
            )
    petition = petition_register(
        by=user,
        town=town,
        channel=payload.channel,
        received_on=payload.received_on,
        petitioner_name=payload.petitioner_name,
        petitioner_phone=payload.petitioner_phone,
        petitioner_id_number=payload.petitioner_id_number,
        matter=payload.matter,
        village=village,
        household=household,
        owner=owner,
        stability=payload.stability,
    )
    return Status(201, _detail(request, petition_get(user=user, code=petition.code)))


@router.get("/petitions/{code}", response={200: PetitionDetailOut, **ERRORS})
def petitions_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """One petition with its limits, events, notices and the actions you may take."""
    return _detail(request, _visible(request, code))


ACTIONS = tuple(lifecycle.ACTION_SERVICES)
_TEXT_FIELDS = ("note", "reason", "reply")


def _arguments(action: str, petition: Petition, payload: PetitionActionIn) -> dict[str, Any]:
    """The keyword arguments of the action's service; a field it does not take is refused."""
    accepted = inspect.signature(lifecycle.ACTION_SERVICES[action]).parameters
    values = payload.model_dump(exclude_unset=True)
    arguments: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if name == "version":
            arguments["version"] = value
        elif name not in accepted:
            if value is not None:
                errors[name] = [_("This action does not take this field.")]
        elif name == "owner":
            owner = Person.objects.filter(town_id=petition.town_id, pk=value).first()
            if owner is None:
                errors["owner"] = [_("The owner must be an active person of this town.")]
            arguments["owner"] = owner
        elif value is not None:
            arguments[name] = value
    for name, parameter in accepted.items():
        if (
            parameter.default is inspect.Parameter.empty
            and name not in ("petition", "by")
            and name not in arguments
            and name not in errors
        ):
            errors[name] = [_("This is required.")]
    if errors:
        raise ValidationError(errors)
    return arguments


@router.post(
    "/petitions/{code}/actions/{action}", response={200: PetitionDetailOut, **WRITE_ERRORS}
)
def petitions_act(
    request: HttpRequest, code: str, action: str, payload: PetitionActionIn | None = None
) -> dict[str, Any]:
    """Take an action: accept, reject, extend, reply, satisfaction, request_review, assign, stability."""
    name = action.strip().lower().replace("-", "_")
    petition = _visible(request, code)
    if name not in lifecycle.ACTION_SERVICES:
        raise ApiError(
            404,
            _("Unknown action. Valid actions: %(actions)s.") % {"actions": ", ".join(ACTIONS)},
            code="unknown_action",
            errors={"action": [_("Unknown action.")]},
            actions=list(ACTIONS),
        )
    user = request_user(request)
    arguments = _arguments(name, petition, payload or PetitionActionIn())
    lifecycle.ACTION_SERVICES[name](petition=petition, by=user, via="api", **arguments)
    return _detail(request, petition_get(user=user, code=petition.code))


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get(
    "/petitions/{code}/notices/{notice_id}/docx",
    response={**ERRORS},
    openapi_extra={
        "responses": {"200": {"description": "The Word document.", "content": {DOCX_TYPE: {}}}}
    },
)
def petitions_notice_docx(request: HttpRequest, code: str, notice_id: Id) -> HttpResponse:
    """The notice as a Word document in the official layout, as issued (its hash is checked)."""
    petition = _visible(request, code)
    try:
        notice = notice_get(user=request_user(request), petition=petition, notice_id=notice_id)
    except PetitionNotice.DoesNotExist:
        raise Http404 from None
    try:
        content = notice_docx(notice)
    except TamperedNoticeError:
        raise ApiError(
            409, _("This notice no longer matches what was issued."), code="notice_tampered"
        ) from None
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{notice.code}.docx") or "attachment"
    )
    return response
