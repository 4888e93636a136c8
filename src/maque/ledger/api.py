"""`/api/v1/campaigns`, `/categories`, `/items` and `/attachments`: the ledger over JSON.

Every operation starts from the caller's scope (`item_list`/`visible_to`); an item the caller may
not see is a 404 everywhere. State changes go through `lifecycle`, reports through `services`.
"""

from __future__ import annotations

import inspect
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from pydantic import Field

from maque.api.auth import request_user
from maque.api.errors import ApiError
from maque.api.schemas import (
    ERRORS,
    WRITE_ERRORS,
    BodyId,
    CodeRef,
    Day,
    ErrorOut,
    Id,
    InputSchema,
    Out,
    Ref,
    Version,
    village_lookup,
)
from maque.core.uploads import check_upload
from maque.ledger import lifecycle
from maque.ledger.models import (
    Attachment,
    Campaign,
    Category,
    CategoryField,
    Item,
    Kind,
    Light,
    Source,
    State,
)
from maque.ledger.queries import SORTS, item_list, with_indicators
from maque.ledger.services import attachment_add, progress_add
from maque.organisation.models import Household, Person, Plot, Town, Village, VillageGroup

router = Router(tags=["ledger"])

ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


# --- campaigns and categories ---------------------------------------------------------------------


class CampaignOut(Out):
    code: str
    name: str
    description: str
    starts_on: date | None
    ends_on: date | None
    active: bool
    town: Ref


class FieldOut(Out):
    name: str
    label: str
    type: str
    unit: str
    required: bool
    choices: list[str]
    min_value: Decimal | None
    help_text: str


class CategoryOut(Out):
    code: str
    name: str
    campaign: CodeRef
    town: Ref
    standard: str
    default_deadline_days: int
    evidence_required: bool
    verifier_roles: list[str]
    active: bool
    fields: list[FieldOut]


class CategoryFilters(Schema):
    campaign: str | None = Field(None, max_length=40, description="Campaign code.")
    town: str | None = Field(None, max_length=20, description="Town code (when the caller sees several towns).")


def _visible_towns(request: HttpRequest) -> Any:
    return Town.objects.visible_to(request_user(request))


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS})
def campaign_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Campaigns (重点工作) of the caller's towns."""
    campaigns = Campaign.objects.filter(town__in=_visible_towns(request)).select_related("town")
    return [
        {
            "code": c.code,
            "name": c.name,
            "description": c.description,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "active": c.active,
            "town": {"id": c.town_id, "name": c.town.name},
        }
        for c in campaigns
    ]


def _categories(request: HttpRequest, filters: CategoryFilters | None = None) -> Any:
    categories = (
        Category.objects.filter(town__in=_visible_towns(request))
        .select_related("campaign", "town")
        .prefetch_related(Prefetch("fields", queryset=CategoryField.objects.order_by("order", "id")))
        .order_by("town__name", "campaign__order", "order", "name")
    )
    if filters is not None and filters.campaign:
        categories = categories.filter(campaign__code=filters.campaign)
    if filters is not None and filters.town:
        categories = categories.filter(town__code=filters.town)
    return categories


def category_out(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "campaign": {"code": category.campaign.code, "name": category.campaign.name},
        "town": {"id": category.town_id, "name": category.town.name},
        "standard": category.standard,
        "default_deadline_days": category.default_deadline_days,
        "evidence_required": category.evidence_required,
        "verifier_roles": list(category.verifier_roles or []),
        "active": category.active,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "unit": f.unit,
                "required": f.required,
                "choices": [str(choice) for choice in (f.choices or [])],
                "min_value": f.min_value,
                "help_text": f.help_text,
            }
            for f in category.fields.all()
        ],
    }


@router.get("/categories", response={200: list[CategoryOut], **ERRORS})
def category_list(request: HttpRequest, filters: Query[CategoryFilters]) -> list[dict[str, Any]]:
    """Categories with their custom fields, standard, default deadline and evidence rule."""
    return [category_out(c) for c in _categories(request, filters)]


@router.get("/categories/{code}", response={200: CategoryOut, **ERRORS})
def category_detail(request: HttpRequest, code: str, town: str | None = None) -> dict[str, Any]:
    if not SLUG.match(code) or (town is not None and not SLUG.match(town)):
        raise Http404
    category = _categories(request, CategoryFilters(town=town)).filter(code=code).first()
    if category is None:
        raise Http404
    return category_out(category)


# --- items: output -------------------------------------------------------------------------------


class ItemOut(Out):
    code: str
    kind: str
    title: str
    campaign: CodeRef
    category: CodeRef | None
    village: Ref
    group: Ref | None
    plot: str | None = Field(description="Plot code.")
    household: int | None = Field(description="Household id.")
    subject: str
    description: str
    measures: str
    scope: str
    standard: str
    owner: Ref
    found_on: date
    deadline: date
    original_deadline: date
    state: str
    state_label: str
    light: str
    overdue: bool
    days_overdue: int
    attributes: dict[str, Any]
    returned_count: int
    reopened_count: int
    extension_count: int
    progress_percent: int
    source: str
    suspended_until: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    actions: list[str] = Field(description="Lifecycle actions the caller may take now.")


class ItemListOut(Out):
    items: list[ItemOut]
    count: int


def item_out(item: Item, actions: list[str]) -> dict[str, Any]:
    return {
        "code": item.code,
        "kind": item.kind,
        "title": item.title,
        "campaign": {"code": item.campaign.code, "name": item.campaign.name},
        "category": {"code": item.category.code, "name": item.category.name} if item.category_id else None,
        "village": {"id": item.village_id, "name": item.village.name},
        "group": {"id": item.group_id, "name": item.group.name} if item.group_id else None,
        "plot": item.plot.code if item.plot_id else None,
        "household": item.household_id,
        "subject": item.subject,
        "description": item.description,
        "measures": item.measures,
        "scope": item.scope,
        "standard": item.standard,
        "owner": {"id": item.owner_id, "name": item.owner.name},
        "found_on": item.found_on,
        "deadline": item.deadline,
        "original_deadline": item.original_deadline,
        "state": item.state,
        "state_label": str(item.get_state_display()),
        "light": item.light,  # type: ignore[attr-defined]
        "overdue": bool(item.overdue),  # type: ignore[attr-defined]
        "days_overdue": item.days_overdue or 0,  # type: ignore[attr-defined]
        "attributes": item.attributes if isinstance(item.attributes, dict) else {},
        "returned_count": item.returned_count,
        "reopened_count": item.reopened_count,
        "extension_count": item.extension_count,
        "progress_percent": item.progress_percent,
        "source": item.source,
        "suspended_until": item.suspended_until,
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "actions": actions,
    }


def _visible_item(request: HttpRequest, code: str) -> Item:
    """The item with this code if the caller may see it (with indicators); 404 otherwise."""
    if not ITEM_CODE.match(code):
        raise Http404
    code = code.upper()
    # Find the row through the (town, code) index first (codes are "<TOWN>-<year>-<n>"), then ask
    # the scope about that one row: a scope of many rows would otherwise be scanned for the code.
    candidates = Item.objects.filter(code=code)
    prefix = code.rsplit("-", 2)[0]
    if prefix != code:
        candidates = candidates.filter(town_id__in=Town.objects.filter(code__iexact=prefix).values("pk"))
    pk = candidates.values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    # Filter before annotating, so the light's per-town rules are looked up for this one row.
    items = Item.objects.visible_to(request_user(request)).filter(pk=pk)
    item = with_indicators(items).select_related("town", "campaign", "category", "village", "owner", "group", "plot").first()
    if item is None:
        raise Http404
    return item


def actions_of(user: Any, items: list[Item]) -> list[list[str]]:
    """The lifecycle actions the user may take on each item (no queries: the actor is cached)."""
    # Only the action names are used: refusals need not be translated (the costly part).
    with translation.override(None):
        return [lifecycle.available_actions(user, item) for item in items]


def _item_response(request: HttpRequest, code: str) -> dict[str, Any]:
    item = _visible_item(request, code)
    return item_out(item, actions_of(request_user(request), [item])[0])


# --- items: list -----------------------------------------------------------------------------------


class ItemFilters(Schema):
    village: str | None = Field(None, max_length=50, description="Village id or name.")
    category: str | None = Field(None, max_length=40, description="Category code.")
    campaign: str | None = Field(None, max_length=40, description="Campaign code.")
    state: list[str] | None = Field(None, description="One or more states (repeat, or separate with commas).")
    owner: Id | None = Field(None, description="Owner's person id.")
    overdue: bool | None = None
    light: Light | None = None
    due_before: Day | None = Field(None, description="Deadline on or before this day.")
    due_after: Day | None = Field(None, description="Deadline on or after this day.")
    q: str | None = Field(None, max_length=100, description="Text in the code, title, subject or description.")
    sort: str = Field("-found_on", max_length=20, description="One of: " + ", ".join(SORTS))
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def _states(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    states = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [state for state in states if state not in State.values]
    if unknown:
        raise ValidationError(
            {"state": [_("Unknown state %(state)s; one of: %(states)s.") % {"state": unknown[0], "states": ", ".join(State.values)}]}
        )
    return states or None


@router.get("/items", response={200: ItemListOut, **ERRORS})
def item_index(request: HttpRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    """The items the caller may see, filtered, sorted and paged (50 by default, at most 200)."""
    if filters.sort not in SORTS:
        raise ValidationError({"sort": [_("Unknown sort; one of: %(sorts)s.") % {"sorts": ", ".join(SORTS)}]})
    user = request_user(request)
    village: str | int | None = None
    if filters.village:
        lookup = village_lookup(filters.village)
        village = lookup.get("pk", lookup.get("name"))
        if isinstance(village, str) and village.isdigit():
            village = 0  # digits other than 0-9 (e.g. "²") name no village and are no id
    items = item_list(
        user=user,
        village=village,
        category=filters.category,
        campaign=filters.campaign,
        state=_states(filters.state),
        owner=filters.owner,
        overdue=filters.overdue,
        light=filters.light,
        due_before=filters.due_before,
        due_after=filters.due_after,
        q=filters.q.strip() if filters.q else None,
        sort=filters.sort,
    ).select_related("group", "plot")
    start = (filters.page - 1) * filters.page_size
    page = list(items[start : start + filters.page_size])
    count = items.count() if len(page) == filters.page_size or start else len(page)
    return {"items": [item_out(item, actions) for item, actions in zip(page, actions_of(user, page), strict=True)], "count": count}


# --- items: create and edit ----------------------------------------------------------------------


class ItemIn(InputSchema):
    campaign: str = Field(max_length=40, description="Campaign code.")
    category: str | None = Field(None, max_length=40, description="Category code (required for rectifications).")
    village: BodyId | str = Field(description="Village id or name.")
    title: str = Field(max_length=200)
    kind: Kind = Kind.RECTIFICATION
    source: Source = Source.SURVEY
    group: BodyId | None = Field(None, description="Villagers' group id.")
    plot: str | None = Field(None, max_length=40, description="Plot code.")
    household: BodyId | None = Field(None, description="Household id.")
    owner: BodyId | None = Field(None, description="Owner's person id; by default the caller.")
    description: str = Field("", max_length=10_000)
    measures: str = Field("", max_length=10_000)
    scope: str = Field("", max_length=200)
    standard: str = Field("", max_length=10_000)
    subject: str = Field("", max_length=100)
    found_on: Day | None = Field(None, description="Discovery date; today by default.")
    deadline: Day | None = Field(None, description="By default the category's default deadline.")
    attributes: dict[str, Any] | None = Field(None, description="Values of the category's fields, by field name.")


class ItemPatch(InputSchema):
    """Editable fields only; the state changes through actions, never here."""

    version: Version | None = None
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    measures: str | None = Field(None, max_length=10_000)
    scope: str | None = Field(None, max_length=200)
    standard: str | None = Field(None, max_length=10_000)
    subject: str | None = Field(None, max_length=100)
    group: BodyId | None = None
    plot: str | None = Field(None, max_length=40)
    household: BodyId | None = None
    attributes: dict[str, Any] | None = None
    owner: BodyId | None = Field(None, description="Leaders only.")
    deadline: Day | None = Field(None, description="Leaders only.")


def _references(
    values: dict[str, Any], *, village: Village, user: Any, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Turn ids and codes of group, plot, household and owner into objects of the village/town."""
    resolved: dict[str, Any] = {}
    if "group" in values:
        if values["group"] is None:
            resolved["group"] = None
        elif (group := VillageGroup.objects.filter(pk=values["group"], village=village).first()) is not None:
            resolved["group"] = group
        else:
            errors["group"] = [_("No such group in %(village)s.") % {"village": village.name}]
    if "plot" in values:
        code = (values["plot"] or "").strip()
        if not code:
            resolved["plot"] = None
        elif (plot := Plot.objects.filter(town_id=village.town_id, code=code).first()) is not None:
            resolved["plot"] = plot
        else:
            errors["plot"] = [_("No plot %(code)s in this town.") % {"code": code}]
    if "household" in values:
        if values["household"] is None:
            resolved["household"] = None
        elif (household := Household.objects.filter(pk=values["household"], village=village).first()) is not None:
            resolved["household"] = household
        else:
            errors["household"] = [_("No such household in %(village)s.") % {"village": village.name}]
    if values.get("owner") is not None:
        owner = Person.objects.visible_to(user).filter(pk=values["owner"], town_id=village.town_id).first()
        if owner is None:
            errors["owner"] = [_("No such person in this town.")]
        else:
            resolved["owner"] = owner
    return resolved


@router.post("/items", response={201: ItemOut, **WRITE_ERRORS})
def item_register(request: HttpRequest, payload: ItemIn) -> Status[dict[str, Any]]:
    """Register an item; it starts in `found`, owned by the caller unless `owner` is given."""
    user = request_user(request)
    village = Village.objects.visible_to(user).select_related("town").filter(**village_lookup(payload.village)).first()
    if village is None:
        raise ValidationError({"village": [_("Unknown village.")]})
    errors: dict[str, list[str]] = {}
    campaign = Campaign.objects.filter(town_id=village.town_id, code=payload.campaign).first()
    if campaign is None:
        errors["campaign"] = [_("Unknown campaign %(code)s.") % {"code": payload.campaign}]
    category = None
    if payload.category:
        category = Category.objects.filter(town_id=village.town_id, code=payload.category).first()
        if category is None:
            errors["category"] = [_("Unknown category %(code)s.") % {"code": payload.category}]
    values = payload.model_dump(exclude_unset=True)
    references = _references(values, village=village, user=user, errors=errors)
    if errors:
        raise ValidationError(errors)
    assert campaign is not None
    details = {
        name: getattr(payload, name)
        for name in ("description", "measures", "scope", "standard", "subject")
        if name in values
    }
    item = lifecycle.item_create(
        by=user,
        campaign=campaign,
        category=category,
        village=village,
        title=payload.title,
        kind=payload.kind,
        source=payload.source,
        owner=references.pop("owner", None),
        found_on=payload.found_on,
        deadline=payload.deadline,
        attributes=payload.attributes,
        **details,
        **references,
    )
    return Status(201, _item_response(request, item.code))


@router.get("/items/{code}", response={200: ItemOut, **ERRORS})
def item_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _item_response(request, code)


@router.patch("/items/{code}", response={200: ItemOut, **WRITE_ERRORS})
def item_edit(request: HttpRequest, code: str, payload: ItemPatch) -> dict[str, Any]:
    """Edit the editable fields (owner and deadline: leaders only), optionally at a `version`."""
    user = request_user(request)
    item = _visible_item(request, code)
    values = payload.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    errors: dict[str, list[str]] = {}
    if "owner" in values and values["owner"] is None:
        errors["owner"] = [_("This field may not be empty.")]
    if "deadline" in values and values["deadline"] is None:
        errors["deadline"] = [_("This field may not be empty.")]
    changes = {name: value for name, value in values.items() if name not in ("group", "plot", "household", "owner")}
    changes.update(_references(values, village=item.village, user=user, errors=errors))
    if errors:
        raise ValidationError(errors)
    lifecycle.item_update(item=item, by=user, changes=changes, version=version)
    return _item_response(request, item.code)


# --- items: lifecycle actions --------------------------------------------------------------------


class ActionIn(InputSchema):
    note: str | None = Field(None, max_length=10_000, description="A note (verify, start, approvals…).")
    reason: str | None = Field(None, max_length=10_000, description="A reason (return, reopen, cancel, requests, rejections).")
    version: Version | None = None
    new_deadline: Day | None = Field(None, description="extend: the deadline asked for.")
    resume_on: Day | None = Field(None, description="suspend: the day work resumes.")


ACTIONS = tuple(lifecycle.ACTION_SERVICES)


def _action_arguments(action: str, payload: ActionIn) -> dict[str, Any]:
    """The keyword arguments of the action's service, from the body; extra values are refused."""
    accepted = inspect.signature(lifecycle.ACTION_SERVICES[action]).parameters
    values = payload.model_dump(exclude_unset=True)
    text = values.get("reason") if values.get("reason") is not None else values.get("note")
    arguments: dict[str, Any] = {"version": values.get("version")}
    if "reason" in accepted:
        arguments["reason"] = text or ""
    elif "note" in accepted:
        arguments["note"] = text or ""
    errors: dict[str, list[str]] = {}
    for name in ("new_deadline", "resume_on"):
        if name in accepted:
            if values.get(name) is None:
                errors[name] = [pgettext("api", "This field is required.")]
            else:
                arguments[name] = values[name]
        elif values.get(name) is not None:
            errors[name] = [_("This action does not take this field.")]
    if errors:
        raise ValidationError(errors)
    return arguments


@router.post("/items/{code}/actions/{action}", response={200: ItemOut, **WRITE_ERRORS})
def item_act(request: HttpRequest, code: str, action: str, payload: ActionIn | None = None) -> dict[str, Any]:
    """Take a lifecycle action: start, submit, verify, return, suspend, resume, cancel, reopen,
    extend, approve_extension, reject_extension, approve_suspension, reject_suspension."""
    name = action.strip().lower().replace("-", "_")
    if name not in lifecycle.ACTION_SERVICES:
        raise ApiError(
            404,
            _("Unknown action. Valid actions: %(actions)s.") % {"actions": ", ".join(ACTIONS)},
            code="unknown_action",
            errors={"action": [_("Unknown action.")]},
            actions=list(ACTIONS),
        )
    user = request_user(request)
    item = _visible_item(request, code)
    arguments = _action_arguments(name, payload or ActionIn())
    lifecycle.ACTION_SERVICES[name](item=item, by=user, via="api", **arguments)
    return _item_response(request, item.code)


# --- progress and attachments --------------------------------------------------------------------


class AttachmentOut(Out):
    id: int
    name: str
    content_type: str
    kind: str
    size: int
    uploaded_by: Ref
    uploaded_at: datetime
    progress: int | None = Field(description="The progress report it came with, if any.")
    url: str


class ProgressOut(Out):
    id: int
    text: str
    percent: int | None
    author: Ref
    created_at: datetime
    attachments: list[AttachmentOut]
    item_version: int
    progress_percent: int


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "kind": attachment.kind,
        "size": attachment.size,
        "uploaded_by": {"id": attachment.uploaded_by_id, "name": attachment.uploaded_by.name},
        "uploaded_at": attachment.uploaded_at,
        "progress": attachment.progress_id,
        "url": f"/api/v1/attachments/{attachment.pk}",
    }


def _uploads(request: HttpRequest, *names: str) -> list[UploadedFile]:
    """Files sent under any of `names` (clients send `files`, `files[]` or `file`)."""
    return [upload for name in names for upload in request.FILES.getlist(name)]


@router.post("/items/{code}/progress", response={201: ProgressOut, **WRITE_ERRORS})
def progress_create(
    request: HttpRequest,
    code: str,
    text: Form[str] = "",
    percent: Form[int | None] = None,
    files: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    """Report progress (multipart: `text`, `percent` 0–100, `files`); evidence is checked."""
    item = _visible_item(request, code)
    log = progress_add(
        item=item,
        by=request_user(request),
        text=text,
        percent=percent,
        files=_uploads(request, "files", "files[]", "file"),
    )
    item.refresh_from_db(fields=["version", "progress_percent"])
    attachments = log.attachments.select_related("uploaded_by").order_by("id")
    return Status(
        201,
        {
            "id": log.pk,
            "text": log.text,
            "percent": log.percent,
            "author": {"id": log.author_id, "name": log.author.name},
            "created_at": log.created_at,
            "attachments": [attachment_out(a) for a in attachments],
            "item_version": item.version,
            "progress_percent": item.progress_percent,
        },
    )


@router.get("/items/{code}/attachments", response={200: list[AttachmentOut], **ERRORS})
def attachment_list(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    item = _visible_item(request, code)
    attachments = Attachment.objects.filter(item=item).select_related("uploaded_by").order_by("uploaded_at", "id")
    return [attachment_out(a) for a in attachments]


@router.post("/items/{code}/attachments", response={201: list[AttachmentOut], **WRITE_ERRORS})
def attachment_create(
    request: HttpRequest,
    code: str,
    file: File[NinjaUploadedFile] = None,  # type: ignore[assignment]
    files: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
) -> Status[list[dict[str, Any]]]:
    """Add evidence (multipart `file`, or several as `files`); all are checked before any is kept."""
    item = _visible_item(request, code)
    user = request_user(request)
    uploads = _uploads(request, "file", "files", "files[]")
    if not uploads:
        raise ValidationError({"file": [pgettext("api", "This field is required.")]})
    errors: list[str] = []
    for upload in uploads:
        try:
            check_upload(upload)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"file": errors})
    with transaction.atomic():
        created = [attachment_add(item=item, by=user, upload=upload) for upload in uploads]
    return Status(201, [attachment_out(a) for a in created])


@router.get(
    "/attachments/{attachment_id}",
    response={404: ErrorOut, 401: ErrorOut},
    openapi_extra={"responses": {"200": {"description": "The file.", "content": {"application/octet-stream": {}}}}},
)
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The evidence file, to those who may see its item."""
    if not 1 <= attachment_id < 2**63:
        raise Http404
    attachment = Attachment.objects.visible_to(request_user(request)).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.kind != Attachment.FileKind.PHOTO,
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- history -------------------------------------------------------------------------------------


class HistoryEntry(Out):
    at: datetime
    type: str = Field(description="transition, change, progress or request")
    by: Ref | None
    action: str | None = None
    action_label: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    note: str | None = None
    via: str | None = None
    field: str | None = None
    label: str | None = None
    before: Any = None
    after: Any = None
    text: str | None = None
    percent: int | None = None
    attachments: list[int] | None = None
    request_type: str | None = None
    status: str | None = None
    new_deadline: date | None = None
    resume_on: date | None = None
    decided_by: Ref | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None


HISTORY_FIELDS = (
    "title", "description", "measures", "scope", "standard", "subject", "group", "plot", "household",
    "attributes", "owner", "deadline", "category", "campaign", "village", "kind", "source", "found_on",
)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _ref(person: Person | None) -> dict[str, Any] | None:
    return {"id": person.pk, "name": person.name} if person is not None else None


@router.get("/items/{code}/history", response={200: list[HistoryEntry], **ERRORS})
def item_history(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """One chronological list: transitions, field changes (who, when, before → after), progress
    reports and extension/suspension requests."""
    item = _visible_item(request, code)
    entries: list[dict[str, Any]] = []
    for t in item.transitions.select_related("actor").order_by("created_at", "id"):
        entries.append(
            {
                "at": t.created_at,
                "type": "transition",
                "by": _ref(t.actor),
                "action": t.action,
                "action_label": str(lifecycle.ACTION_LABELS.get(t.action, t.action)),
                "from_state": t.from_state,
                "to_state": t.to_state,
                "note": t.reason,
                "via": t.via,
            }
        )
    records = list(item.history.order_by("history_date", "history_id"))
    people = {
        person.user_id: person
        for person in Person.objects.filter(user_id__in={r.history_user_id for r in records if r.history_user_id})
    }
    labels = {name: str(Item._meta.get_field(name).verbose_name) for name in HISTORY_FIELDS}
    for previous, record in zip(records, records[1:], strict=False):
        delta = record.diff_against(previous, included_fields=HISTORY_FIELDS)
        for change in delta.changes:
            entries.append(
                {
                    "at": record.history_date,
                    "type": "change",
                    "by": _ref(people.get(record.history_user_id)),
                    "field": change.field,
                    "label": labels.get(change.field, change.field),
                    "before": _jsonable(change.old),
                    "after": _jsonable(change.new),
                    "note": record.history_change_reason or None,
                }
            )
    logs = item.progress_logs.select_related("author").prefetch_related("attachments").order_by("created_at", "id")
    for log in logs:
        entries.append(
            {
                "at": log.created_at,
                "type": "progress",
                "by": _ref(log.author),
                "text": log.text,
                "percent": log.percent,
                "attachments": [a.pk for a in log.attachments.all()],
            }
        )
    requests = item.requests.select_related("requested_by", "decided_by").order_by("created_at", "id")
    for r in requests:
        entries.append(
            {
                "at": r.created_at,
                "type": "request",
                "by": _ref(r.requested_by),
                "request_type": r.type,
                "status": r.status,
                "note": r.reason,
                "new_deadline": r.new_deadline,
                "resume_on": r.resume_on,
                "decided_by": _ref(r.decided_by),
                "decided_at": r.decided_at,
                "decision_note": r.decision_note or None,
            }
        )
    order = {"transition": 0, "change": 1, "request": 2, "progress": 3}
    entries.sort(key=lambda entry: (entry["at"], order[entry["type"]]))
    return entries

