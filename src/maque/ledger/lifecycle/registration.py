"""Registering items one at a time, and editing them (in bulk: `bulk`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.ledger.attributes import References, clean_attributes
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.lifecycle.announce import announce_on_commit
from maque.ledger.lifecycle.machinery import context_for, locked, save
from maque.ledger.lifecycle.rules import ACTORS, policy_for, roles_on_item
from maque.ledger.models import (
    OPEN_STATES,
    Campaign,
    Category,
    Importance,
    Item,
    ItemCounter,
    Kind,
    Source,
    State,
    Transition,
    Urgency,
)
from maque.ledger.policies import check_register, may_register, owner_message, owner_refusal
from maque.organisation.access import Actor
from maque.organisation.models import Household, Person, Plot, Village, VillageGroup

EDITABLE_FIELDS = (
    "title",
    "description",
    "measures",
    "scope",
    "standard",
    "subject",
    "group",
    "plot",
    "household",
    "attributes",
    "importance",
    "urgency",
)
LEADER_FIELDS = ("owner", "deadline")
KINDS = tuple(Kind.values)
SOURCES = tuple(Source.values)


def take_numbers(town_id: int, year: int, count: int = 1) -> range:
    """Take the next `count` numbers for the town and year in one bump of the locked counter
    (safe with concurrent callers)."""
    ItemCounter.objects.get_or_create(town_id=town_id, year=year)
    counter = ItemCounter.objects.select_for_update().get(town_id=town_id, year=year)
    counter.last = F("last") + count
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return range(counter.last - count + 1, counter.last + 1)


def item_code(town_code: str, year: int, number: int) -> str:
    """An item's code: the town's code, the year and the number within it (HP-2026-00001)."""
    return f"{town_code.upper()}-{year}-{number:05d}"


def take_codes(town_id: int, town_code: str, year: int, count: int = 1) -> list[str]:
    """Take the next `count` codes for the town and year (see `take_numbers`)."""
    return [item_code(town_code, year, number) for number in take_numbers(town_id, year, count)]


def next_code(town_id: int, town_code: str, year: int) -> str:
    """Take the next number for the town and year under a row lock."""
    return take_codes(town_id, town_code, year)[0]


def new_item_values(
    actor: Actor,
    *,
    by: User,
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
    permitted: dict[tuple[int, int], bool] | None = None,
    people: dict[int, set[int]] | None = None,
    parent: Item | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The checks of a new item, shared by `item_create` and `items_create_bulk`.

    Returns the field values of the new `Item` (all but its code), or raises `NotPermitted` /
    `ValidationError` with one message per field. `permitted` keeps the answer to "may the actor
    register in this village and campaign" across the rows of a bulk creation, `people` the
    village's grid for the owner rule (`ledger.policies.owner_refusal`).
    """
    errors: dict[str, list[str]] = {}
    key = (village.pk, campaign.pk)
    allowed = permitted.get(key) if permitted is not None else None
    if allowed is None:
        allowed = may_register(actor, village, campaign)
        if permitted is not None:
            permitted[key] = allowed
    if not allowed:
        check_register(actor, village, campaign)
    if campaign.town_id != village.town_id:
        errors["campaign"] = [_("The campaign belongs to another town.")]
    if category is not None and category.campaign_id != campaign.pk:
        errors["category"] = [_("The category does not belong to this campaign.")]
    policy = policy_for(kind)
    if kind in KINDS and policy.needs_category and category is None:
        errors["category"] = [_("A rectification item needs a category.")]
    owner = owner or actor.person
    if owner is None or owner.town_id != village.town_id or not owner.active:
        errors["owner"] = [_("The owner must be an active person of this town.")]
    elif not actor.automatic and (
        refusal := owner_refusal(
            actor, village=village, owner=owner, campaign=campaign, people=people
        )
    ):
        errors["owner"] = [owner_message(refusal, village)]
    if not isinstance(title, str) or not title.strip():
        errors["title"] = [_("The title is required.")]
    if kind not in KINDS:
        errors["kind"] = [_("Unknown kind of item.")]
    elif kind == Kind.PETITION:
        # A petition has its own register, lifecycle and statutory limits (the petitions app):
        # never a ledger item, so never filed under a campaign of key work with its deadline.
        errors["kind"] = [
            _("A petition is registered in the petition register, not as a ledger item.")
        ]
    if source not in SOURCES:
        errors["source"] = [_("Unknown source.")]
    if parent is not None:
        if parent.town_id != village.town_id:
            errors["parent"] = [_("The parent item belongs to another town.")]
        elif parent.parent_id is not None:
            errors["parent"] = [_("A sub-item is not broken down further: one level only.")]
        elif parent.state in (State.CLOSED, State.CANCELLED):
            errors["parent"] = [_("A finished item is not broken down.")]
    found_on = found_on or actor.day
    if (
        problem := day_problem(
            found_on,
            DayKind.HAPPENED,
            actor.day,
            too_late=_("The discovery date cannot be in the future."),
        )
    ) is not None:
        errors["found_on"] = [problem]
    open_ended = False
    if deadline is None and kind == Kind.LEGACY:
        # A legacy matter that cannot be solved yet has no deadline until one is set: it is
        # kept up by its coordination log, not counted overdue (ledger/definitions.py).
        open_ended, deadline = True, found_on
    if deadline is None:
        deadline = policy.deadlines.default_deadline(found_on=found_on, category=category)
    # The same sane bounds as every typed date (core/dates.py): a spreadsheet cell is typed too.
    if deadline < found_on:
        errors["deadline"] = [_("The deadline cannot be before the discovery date.")]
    elif (problem := day_problem(deadline, DayKind.DEADLINE, actor.day)) is not None:
        errors["deadline"] = [problem]
    cleaned_details = clean_details(details, village=village, errors=errors, kind=kind)
    cleaned_attributes: dict[str, Any] = {}
    if category is not None:
        try:
            cleaned_attributes = clean_attributes(
                category, attributes, village=village, references=references
            )
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
        open_ended=open_ended,
        state=State.FOUND,
        attributes=cleaned_attributes,
        source=source,
        standard=cleaned_details.pop("standard", "") or (category.standard if category else ""),
        created_by=by,
        parent=parent,
        **cleaned_details,
    )


def item_create(
    *,
    by: User,
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
    parent: Item | None = None,
    **details: Any,
) -> Item:
    """Register a new item in state `found` (a sub-item of `parent`, one level only). The owner
    defaults to the registering person."""
    ctx = context_for(by, via)
    actor = ctx.actor
    values = new_item_values(
        actor,
        by=by,
        campaign=campaign,
        village=village,
        title=title,
        category=category,
        owner=owner,
        found_on=found_on,
        deadline=deadline,
        kind=kind,
        source=source,
        attributes=attributes,
        parent=parent,
        **details,
    )
    with transaction.atomic():
        item = Item(**values)
        item.code = next_code(village.town_id, village.town.code, item.year)
        item._history_user = by  # type: ignore[attr-defined]
        item._change_reason = f"{via}: create"  # type: ignore[attr-defined]
        item.save()
        Transition.objects.create(
            item=item,
            action="create",
            from_state=State.FOUND,
            to_state=State.FOUND,
            actor=actor.person,
            actor_user=by,
            via=via,
        )
        if actor.person is None or item.owner_id != actor.person.pk:
            # Registered for someone else (a meeting's decision, a leader's assignment).
            announce_on_commit(item, "assigned", actor=actor.person)
    return item


def clean_details(
    details: dict[str, Any],
    *,
    village: Village,
    errors: dict[str, list[str]],
    kind: str | None = None,
) -> dict[str, Any]:
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
    for name, choices in (("importance", Importance), ("urgency", Urgency)):
        if name in details:
            value = details[name] or ""
            if value not in ("", *choices.values):
                errors[name] = [_("Unknown value.")]
            elif value and kind != Kind.LEGACY:
                errors[name] = [_("Only a legacy matter is sorted by importance and urgency.")]
            else:
                cleaned[name] = value
    return cleaned


def clean_changes(item: Item, changes: dict[str, Any]) -> dict[str, Any]:
    """Check edits of an item's editable fields (and owner/deadline) without saving anything.

    Returns the cleaned values by field name, or raises ValidationError with one message per
    field. Shared by `item_update` and the admin's item form, so both validate alike.
    """
    errors: dict[str, list[str]] = {}
    plain = {k: v for k, v in changes.items() if k not in (*LEADER_FIELDS, "attributes")}
    fields = clean_details(plain, village=item.village, errors=errors, kind=item.kind)
    if "attributes" in changes:
        if item.category is None:
            errors["attributes"] = [_("Category fields need a category.")]
        else:
            try:
                fields["attributes"] = clean_attributes(
                    item.category, changes["attributes"], village=item.village
                )
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
        elif (problem := day_problem(deadline, DayKind.DEADLINE)) is not None:
            errors["deadline"] = [problem]
        else:
            fields["deadline"] = deadline
            if item.open_ended:
                fields["open_ended"] = False  # a deadline is set: the matter's clock runs
    if "title" in fields and not fields["title"]:
        errors["title"] = [_("The title is required.")]
    if errors:
        raise ValidationError(errors)
    return fields


def item_update(
    *, item: Item, by: User, changes: dict[str, Any], version: int | None = None, via: str = "api"
) -> Item:
    """Edit an open item's editable fields; owner and deadline only by an approver. Never `state`."""
    ctx = context_for(by, via)
    with transaction.atomic():
        current = locked(item, version)
        if current.state not in (*OPEN_STATES, State.SUSPENDED):
            raise ConflictError(
                _("A %(state)s item can no longer be edited.")
                % {"state": current.get_state_display()},
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
        if "owner" in changed:
            announce_on_commit(current, "assigned", actor=ctx.actor.person)
    return current
