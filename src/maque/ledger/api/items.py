"""`/items` and `/items/{code}`: list, register, read and edit items."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import Field

from maque.api.auth import request_user
from maque.api.paging import PageQuery, paginate
from maque.api.renderer import json_response
from maque.api.schemas import (
    ERRORS,
    WRITE_ERRORS,
    BodyId,
    Day,
    DeadlineDay,
    HappenedDay,
    Id,
    InputSchema,
    Version,
    VillageRef,
    village_lookup,
)
from maque.ledger import lifecycle
from maque.ledger.api.item_output import (
    ItemOut,
    _item_response,
    _visible_item,
    masks_for,
    written_response,
)
from maque.ledger.api.listing import EXPANSIONS, ItemListOut, page_rows, summaries
from maque.ledger.api.routing import router
from maque.ledger.models import (
    Campaign,
    Category,
    Importance,
    Item,
    Kind,
    Light,
    Source,
    State,
    Urgency,
)
from maque.ledger.queries import SORTS, item_list
from maque.organisation.models import Household, Person, Plot, Village, VillageGroup


class ListFilters(Schema):
    """The ledger list's filters, shared by the list and by what exports it."""

    village: str | None = Field(None, max_length=50, description="Village id or name.")
    category: str | None = Field(None, max_length=40, description="Category code.")
    campaign: str | None = Field(None, max_length=40, description="Campaign code.")
    state: list[str] | None = Field(
        None, description="One or more states (repeat, or separate with commas)."
    )
    owner: Id | None = Field(None, description="Owner's person id.")
    overdue: bool | None = None
    light: Light | None = None
    due_before: Day | None = Field(None, description="Deadline on or before this day.")
    due_after: Day | None = Field(None, description="Deadline on or after this day.")
    q: str | None = Field(
        None, max_length=100, description="Text in the code, title, subject or description."
    )
    kind: Kind | None = Field(
        None, description="One kind of item; the list sorts legacy matters by 轻重缓急 by default."
    )
    parent: str | None = Field(
        None, max_length=30, description="A parent item's code: the list of its sub-items."
    )


class ItemFilters(ListFilters, PageQuery):
    sort: str = Field("-found_on", max_length=20, description="One of: " + ", ".join(SORTS))
    expand: str | None = Field(
        None,
        max_length=40,
        description="What to add to each row of the list: `text` adds the long texts "
        "(description, measures, scope, standard), which otherwise come with the item "
        "(`GET /items/{code}`).",
    )


def _expansions(value: str | None) -> set[str]:
    wanted = {part.strip() for part in (value or "").split(",") if part.strip()}
    unknown = sorted(wanted - set(EXPANSIONS))
    if unknown:
        raise ValidationError(
            {
                "expand": [
                    _("Unknown expansion %(name)s; one of: %(names)s.")
                    % {"name": unknown[0], "names": ", ".join(EXPANSIONS)}
                ]
            }
        )
    return wanted


def parent_of(request: HttpRequest, code: str | None) -> Item | None:
    """The item with this code if the caller may see it (a parent named by the list's filter or
    a new item's `parent`); a clear refusal otherwise."""
    code = (code or "").strip()
    if not code:
        return None
    try:
        return _visible_item(request, code, indicators=False)
    except Http404:
        raise ValidationError(
            {"parent": [_("No item %(code)s that you may see.") % {"code": code}]}
        ) from None


def _states(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    states = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [state for state in states if state not in State.values]
    if unknown:
        raise ValidationError(
            {
                "state": [
                    _("Unknown state %(state)s; one of: %(states)s.")
                    % {"state": unknown[0], "states": ", ".join(State.values)}
                ]
            }
        )
    return states or None


@router.get(
    "/items",
    response={200: ItemListOut, **ERRORS},
    operation_id="maque_ledger_api_item_index",
)
def item_index(request: HttpRequest, filters: Query[ItemFilters]) -> HttpResponse:
    """The items the caller may see, filtered, sorted and paged (50 by default, at most 200).

    Each row carries what a list shows; `expand=text` adds the long texts."""
    texts = "text" in _expansions(filters.expand)
    if filters.sort not in SORTS:
        raise ValidationError(
            {"sort": [_("Unknown sort; one of: %(sorts)s.") % {"sorts": ", ".join(SORTS)}]}
        )
    user = request_user(request)
    village: str | int | None = None
    if filters.village:
        lookup = village_lookup(filters.village)
        village = lookup.get("pk", lookup.get("name"))
        if isinstance(village, str) and village.isdigit():
            village = 0  # digits other than 0-9 (e.g. "²") name no village and are no id
    parent = parent_of(request, filters.parent)
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
        sort="priority"
        if filters.kind == Kind.LEGACY and "sort" not in request.GET
        else filters.sort,
        kind=filters.kind,
        parent=parent.pk if parent is not None else None,
    )
    masks = masks_for(request)
    body = paginate(
        page_rows(items, texts=texts),
        filters,
        each=lambda page: summaries(user, page, masks=masks, texts=texts),
        counted=items,
    )
    # Built field for field to `ItemListOut` (a test holds it there): written out directly.
    return json_response(body)


# --- items: create and edit ----------------------------------------------------------------------


class ItemIn(InputSchema):
    campaign: str = Field(max_length=40, description="Campaign code.")
    category: str | None = Field(
        None, max_length=40, description="Category code (required for rectifications)."
    )
    village: VillageRef = Field(description="Village id or name.")
    title: str = Field(max_length=200)
    kind: Kind = Kind.RECTIFICATION
    source: Source = Source.SURVEY
    group: BodyId | None = Field(None, description="Villagers' group id.")
    plot: str | None = Field(None, max_length=40, description="Plot code.")
    household: BodyId | None = Field(None, description="Household id.")
    parent: str | None = Field(
        None,
        max_length=30,
        description="The code of the item this one breaks down (one level only, same town).",
    )
    owner: BodyId | None = Field(None, description="Owner's person id; by default the caller.")
    description: str = Field("", max_length=10_000)
    measures: str = Field("", max_length=10_000)
    scope: str = Field("", max_length=200)
    standard: str = Field("", max_length=10_000)
    subject: str = Field("", max_length=100)
    importance: Importance | None = Field(None, description="Legacy matters: major or minor.")
    urgency: Urgency | None = Field(None, description="Legacy matters: urgent or can wait.")
    found_on: HappenedDay | None = Field(None, description="Discovery date; today by default.")
    deadline: DeadlineDay | None = Field(
        None,
        description="By default the category's default deadline; a legacy matter without one "
        "has none (`open_ended`) until it is set.",
    )
    attributes: dict[str, Any] | None = Field(
        None, description="Values of the category's fields, by field name."
    )


class ItemPatch(InputSchema):
    """Editable fields only; the state changes through actions, never here."""

    version: Version | None = None
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    measures: str | None = Field(None, max_length=10_000)
    scope: str | None = Field(None, max_length=200)
    standard: str | None = Field(None, max_length=10_000)
    subject: str | None = Field(None, max_length=100)
    importance: Importance | None = Field(None, description="Legacy matters only.")
    urgency: Urgency | None = Field(None, description="Legacy matters only.")
    group: BodyId | None = None
    plot: str | None = Field(None, max_length=40)
    household: BodyId | None = None
    attributes: dict[str, Any] | None = None
    owner: BodyId | None = Field(None, description="Leaders only.")
    deadline: DeadlineDay | None = Field(None, description="Leaders only.")


def _references(
    values: dict[str, Any], *, village: Village, user: Any, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Turn ids and codes of group, plot, household and owner into objects of the village/town."""
    resolved: dict[str, Any] = {}
    if "group" in values:
        if values["group"] is None:
            resolved["group"] = None
        elif (
            group := VillageGroup.objects.filter(pk=values["group"], village=village).first()
        ) is not None:
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
        elif (
            household := Household.objects.filter(pk=values["household"], village=village).first()
        ) is not None:
            resolved["household"] = household
        else:
            errors["household"] = [
                _("No such household in %(village)s.") % {"village": village.name}
            ]
    if values.get("owner") is not None:
        owner = (
            Person.objects.visible_to(user)
            .filter(pk=values["owner"], town_id=village.town_id)
            .first()
        )
        if owner is None:
            errors["owner"] = [_("No such person in this town.")]
        else:
            resolved["owner"] = owner
    return resolved


@router.post(
    "/items",
    response={201: ItemOut, **WRITE_ERRORS},
    operation_id="maque_ledger_api_item_register",
)
def item_register(request: HttpRequest, payload: ItemIn) -> Status[dict[str, Any]]:
    """Register an item; it starts in `found`, owned by the caller unless `owner` is given."""
    user = request_user(request)
    village = (
        Village.objects.visible_to(user)
        .select_related("town")
        .filter(**village_lookup(payload.village))
        .first()
    )
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
    parent = None
    try:
        parent = parent_of(request, payload.parent)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert campaign is not None
    details = {
        name: getattr(payload, name)
        for name in (
            "description",
            "measures",
            "scope",
            "standard",
            "subject",
            "importance",
            "urgency",
        )
        if name in values and getattr(payload, name) is not None
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
        parent=parent,
        **details,
        **references,
    )
    return Status(201, written_response(request, item))


@router.get(
    "/items/{code}",
    response={200: ItemOut, **ERRORS},
    operation_id="maque_ledger_api_item_detail",
)
def item_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _item_response(request, code)


@router.patch(
    "/items/{code}",
    response={200: ItemOut, **WRITE_ERRORS},
    operation_id="maque_ledger_api_item_edit",
)
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
    changes = {
        name: value
        for name, value in values.items()
        if name not in ("group", "plot", "household", "owner")
    }
    changes.update(_references(values, village=item.village, user=user, errors=errors))
    if errors:
        raise ValidationError(errors)
    lifecycle.item_update(item=item, by=user, changes=changes, version=version)
    return _item_response(request, item.code)
