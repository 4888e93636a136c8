"""Registering items (one at a time or in bulk) and editing them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from maque.ledger.attributes import References, clean_attributes
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.lifecycle.machinery import Context, locked, save
from maque.ledger.lifecycle.rules import ACTORS, roles_on_item
from maque.ledger.models import (
    OPEN_STATES,
    Campaign,
    Category,
    Item,
    ItemCounter,
    Kind,
    Source,
    State,
    Transition,
)
from maque.organisation.access import REGISTER_ROLES, Actor
from maque.organisation.models import Household, Person, Plot, Village, VillageGroup

EDITABLE_FIELDS = ("title", "description", "measures", "scope", "standard", "subject", "group", "plot", "household", "attributes")
LEADER_FIELDS = ("owner", "deadline")


def take_codes(town_id: int, town_code: str, year: int, count: int = 1) -> list[str]:
    """Take the next `count` numbers for the town and year in one bump of the locked counter
    (safe with concurrent callers)."""
    ItemCounter.objects.get_or_create(town_id=town_id, year=year)
    counter = ItemCounter.objects.select_for_update().get(town_id=town_id, year=year)
    counter.last = F("last") + count
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    first = counter.last - count + 1
    return [f"{town_code.upper()}-{year}-{number:05d}" for number in range(first, counter.last + 1)]


def next_code(town_id: int, town_code: str, year: int) -> str:
    """Take the next number for the town and year under a row lock."""
    return take_codes(town_id, town_code, year)[0]


def new_item_values(
    actor: Actor,
    *,
    by: AbstractBaseUser,
    campaign: Campaign,
    village: Village,
    title: str,
    category: Category | None = None,
    owner: Person | None = None,
    found_on: date | None = None,
    deadline: date | None = None,
    kind: str = Kind.RECTIFICATION,
    source: str = Source.SURVEY,
    attributes: dict[str, Any] | None = None,
    references: References | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The checks of a new item, shared by `item_create` and `items_create_bulk`.

    Returns the field values of the new `Item` (all but its code), or raises `NotPermitted` /
    `ValidationError` with one message per field.
    """
    errors: dict[str, list[str]] = {}
    if actor.person is None or not actor.roles_over(
        town_id=village.town_id, village_id=village.pk, campaign_id=campaign.pk
    ) & REGISTER_ROLES:
        raise NotPermitted(_("You may not register items in %(village)s.") % {"village": village.name})
    if campaign.town_id != village.town_id:
        errors["campaign"] = [_("The campaign belongs to another town.")]
    if category is not None and category.campaign_id != campaign.pk:
        errors["category"] = [_("The category does not belong to this campaign.")]
    if kind == Kind.RECTIFICATION and category is None:
        errors["category"] = [_("A rectification item needs a category.")]
    owner = owner or actor.person
    if owner.town_id != village.town_id or not owner.active:
        errors["owner"] = [_("The owner must be an active person of this town.")]
    if not isinstance(title, str) or not title.strip():
        errors["title"] = [_("The title is required.")]
    if kind not in Kind.values:
        errors["kind"] = [_("Unknown kind of item.")]
    if source not in Source.values:
        errors["source"] = [_("Unknown source.")]
    found_on = found_on or actor.day
    if found_on > actor.day:
        errors["found_on"] = [_("The discovery date cannot be in the future.")]
    if deadline is None:
        days = category.default_deadline_days if category is not None else 30
        deadline = found_on + timedelta(days=days)
    if deadline < found_on:
        errors["deadline"] = [_("The deadline cannot be before the discovery date.")]
    cleaned_details = clean_details(details, village=village, errors=errors)
    cleaned_attributes: dict[str, Any] = {}
    if category is not None:
        try:
            cleaned_attributes = clean_attributes(category, attributes, village=village, references=references)
        except ValidationError as error:
            errors.update(error.message_dict)
    elif attributes:
        errors["attributes"] = [_("Category fields need a category.")]
    if errors:
        raise ValidationError(errors)
    return dict(
        town_id=village.town_id,
        year=found_on.year,
        kind=kind,
        campaign=campaign,
        category=category,
        village=village,
        owner=owner,
        title=title.strip(),
        found_on=found_on,
        deadline=deadline,
        original_deadline=deadline,
        state=State.FOUND,
        attributes=cleaned_attributes,
        source=source,
        standard=cleaned_details.pop("standard", "") or (category.standard if category else ""),
        created_by=by,
        **cleaned_details,
    )


def item_create(
    *,
    by: AbstractBaseUser,
    campaign: Campaign,
    village: Village,
    title: str,
    category: Category | None = None,
    owner: Person | None = None,
    found_on: date | None = None,
    deadline: date | None = None,
    kind: str = Kind.RECTIFICATION,
    source: str = Source.SURVEY,
    attributes: dict[str, Any] | None = None,
    via: str = "api",
    **details: Any,
) -> Item:
    """Register a new item in state `found`. The owner defaults to the registering person."""
    ctx = Context(user=by, via=via)
    actor = ctx.actor
    values = new_item_values(
        actor, by=by, campaign=campaign, village=village, title=title, category=category, owner=owner,
        found_on=found_on, deadline=deadline, kind=kind, source=source, attributes=attributes, **details,
    )
    with transaction.atomic():
        item = Item(**values)
        item.code = next_code(village.town_id, village.town.code, item.year)
        item._history_user = by  # type: ignore[attr-defined]
        item._change_reason = f"{via}: create"  # type: ignore[attr-defined]
        item.save()
        Transition.objects.create(
            item=item, action="create", from_state=State.FOUND, to_state=State.FOUND,
            actor=actor.person, actor_user=by, via=via,
        )
    return item


class BulkCreateError(Exception):
    """Some rows of a bulk creation are invalid, so nothing was created.

    `errors` maps the index of each bad row to its messages per field, as `item_create` would
    have raised them (a missing right to register in the village is reported on `village`).
    """

    def __init__(self, errors: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(f"{len(errors)} invalid rows")
        self.errors = errors


BULK_BATCH_SIZE = 500


def items_create_bulk(
    *, by: AbstractBaseUser, rows: Sequence[Mapping[str, Any]], via: str = "import", source: str = Source.IMPORT
) -> list[Item]:
    """Register many items at once (spreadsheet import): every row gets exactly the checks of
    `item_create`; if any row fails, nothing is written and `BulkCreateError` lists them all.

    The codes come from one bump of the locked counter per town and year; the items, their
    `create` transitions and their history rows are inserted in bulk in one transaction.
    """
    ctx = Context(user=by, via=via)
    actor = ctx.actor
    references = References()
    # Category fields once per category, not once per row.
    category_ids = {row["category"].pk for row in rows if row.get("category") is not None}
    categories = {c.pk: c for c in Category.objects.filter(pk__in=category_ids).prefetch_related("fields")}
    values: list[dict[str, Any]] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        arguments = {"source": source, **row}
        if arguments.get("category") is not None:
            arguments["category"] = categories[arguments["category"].pk]
        try:
            values.append(new_item_values(actor, by=by, references=references, **arguments))
        except NotPermitted as error:
            errors[index] = {"village": [error.message]}
        except ValidationError as error:
            errors[index] = error.message_dict
    if errors:
        raise BulkCreateError(errors)
    items = [Item(**value) for value in values]
    with transaction.atomic():
        by_year: dict[tuple[int, int], list[Item]] = {}
        for item in items:
            by_year.setdefault((item.town_id, item.year), []).append(item)
        for (town_id, year), group in by_year.items():
            codes = take_codes(town_id, group[0].village.town.code, year, len(group))
            for item, code in zip(group, codes, strict=True):
                item.code = code
        Item.objects.bulk_create(items, batch_size=BULK_BATCH_SIZE)
        Transition.objects.bulk_create(
            [
                Transition(
                    item=item, action="create", from_state=State.FOUND, to_state=State.FOUND,
                    actor=actor.person, actor_user=by, via=via,
                )
                for item in items
            ],
            batch_size=BULK_BATCH_SIZE,
        )
        Item.history.bulk_history_create(
            items, batch_size=BULK_BATCH_SIZE, default_user=by, default_change_reason=f"{via}: create"
        )
    return items


def clean_details(details: dict[str, Any], *, village: Village, errors: dict[str, list[str]]) -> dict[str, Any]:
    """Check the free-text and subject fields shared by creation and edits."""
    unknown = set(details) - set(EDITABLE_FIELDS) - {"attributes"}
    for name in unknown:
        errors[name] = [_("This field cannot be set.")]
    cleaned: dict[str, Any] = {}
    limits = {"title": 200, "subject": 100, "scope": 200}
    for name in ("title", "description", "measures", "scope", "standard", "subject"):
        if name in details:
            value = details[name] if details[name] is not None else ""
            if not isinstance(value, str):
                errors[name] = [_("Must be text.")]
                continue
            if name in limits and len(value) > limits[name]:
                errors[name] = [_("Too long (at most %(max)d characters).") % {"max": limits[name]}]
                continue
            cleaned[name] = value.strip()
    for name, model in (("group", VillageGroup), ("plot", Plot), ("household", Household)):
        if name in details:
            value = details[name]
            if value is None:
                cleaned[name] = None
            elif isinstance(value, model):
                if value.village_id != village.pk:
                    errors[name] = [_("Must belong to the item's village.")]
                cleaned[name] = value
            else:
                errors[name] = [_("Unknown value.")]
    return cleaned


def clean_changes(item: Item, changes: dict[str, Any]) -> dict[str, Any]:
    """Check edits of an item's editable fields (and owner/deadline) without saving anything.

    Returns the cleaned values by field name, or raises ValidationError with one message per
    field. Shared by `item_update` and the admin's item form, so both validate alike.
    """
    errors: dict[str, list[str]] = {}
    plain = {k: v for k, v in changes.items() if k not in (*LEADER_FIELDS, "attributes")}
    fields = clean_details(plain, village=item.village, errors=errors)
    if "attributes" in changes:
        if item.category_id is None:
            errors["attributes"] = [_("Category fields need a category.")]
        else:
            try:
                fields["attributes"] = clean_attributes(item.category, changes["attributes"], village=item.village)
            except ValidationError as error:
                errors.update(error.message_dict)
    if "owner" in changes:
        owner = changes["owner"]
        if not isinstance(owner, Person) or owner.town_id != item.town_id or not owner.active:
            errors["owner"] = [_("The owner must be an active person of this town.")]
        else:
            fields["owner"] = owner
    if "deadline" in changes:
        deadline = changes["deadline"]
        if not isinstance(deadline, date) or deadline < item.found_on:
            errors["deadline"] = [_("The deadline cannot be before the discovery date.")]
        else:
            fields["deadline"] = deadline
    if "title" in fields and not fields["title"]:
        errors["title"] = [_("The title is required.")]
    if errors:
        raise ValidationError(errors)
    return fields


def item_update(
    *, item: Item, by: AbstractBaseUser, changes: dict[str, Any], version: int | None = None, via: str = "api"
) -> Item:
    """Edit an open item's editable fields; owner and deadline only by an approver. Never `state`."""
    ctx = Context(user=by, via=via)
    with transaction.atomic():
        current = locked(item, version)
        if current.state not in (*OPEN_STATES, State.SUSPENDED):
            raise ConflictError(
                _("A %(state)s item can no longer be edited.") % {"state": current.get_state_display()},
                code="not_editable",
            )
        roles = roles_on_item(ctx.actor, current)
        if ctx.actor.person is None or not roles & ACTORS["edit"]:
            raise NotPermitted(_("You may not edit this item."))
        if any(name in changes for name in LEADER_FIELDS) and not roles & ACTORS["assign"]:
            raise NotPermitted(_("Only a leader may change the owner or the deadline."))
        fields = clean_changes(current, changes)
        changed = [name for name, value in fields.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        save(current, ctx, "edit " + ", ".join(changed), changed)
    return current
