"""The item machine of each kind, on the shared `maque.core.statemachine`, and the pieces every
action shares: lock, check, apply, save with a new version, record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.core.statemachine import Automation, Machine
from maque.core.statemachine import Context as BaseContext
from maque.ledger.lifecycle.announce import announce_on_commit
from maque.ledger.lifecycle.rules import (
    AUTOMATIC_ACTIONS,
    PENDING_CACHE,
    POLICIES,
    explain,
    pending_types_forget,
    pending_types_load,
    policy_for,
    refusal,
)
from maque.ledger.models import Category, Item, ItemRequest, Kind, State, Transition
from maque.organisation.access import Actor, actor_for, automation_actor

Context = BaseContext[Actor]
By = User | Automation

STALE = gettext_lazy(
    "This item was changed by someone else (version %(current)d, yours %(yours)d). Reload and try again."
)


def context_for(by: By, via: str) -> Context:
    """Who acts (a user, or the automation) and through which channel."""
    if isinstance(by, Automation):
        return Context(user=None, actor=automation_actor(), via=via)
    return Context(user=by, actor=actor_for(by), via=via)


def record(item: Item, ctx: Context, action: str, from_state: str, reason: str = "") -> Transition:
    """The item's event row (announced once it commits). The automation's rows carry neither a
    person nor a user."""
    announce_on_commit(item, action, actor=ctx.actor.person, reason=reason)
    return Transition.objects.create(
        item=item,
        action=action,
        from_state=from_state,
        to_state=item.state,
        actor=ctx.actor.person,
        actor_user=ctx.user,
        reason=reason,
        via=ctx.via,
    )


def _entered(item: Item, ctx: Context) -> list[str]:
    if item.state in (State.CLOSED, State.CANCELLED):
        # A finished item has nothing left to extend or suspend.
        for request in item.requests.select_for_update().filter(status=ItemRequest.Status.PENDING):
            close_request(
                request,
                ctx,
                ItemRequest.Status.WITHDRAWN,
                _("The item was %(state)s.") % {"state": item.get_state_display()},
            )
    return []


def _machine(transitions: object, actors: object) -> Machine[Item, Actor]:
    return Machine(
        model=Item,
        transitions=transitions,  # type: ignore[arg-type]
        actors=actors,  # type: ignore[arg-type]
        refuse=refusal,
        explain=explain,
        record=record,
        stale=STALE,
        entered=_entered,
        automatic=AUTOMATIC_ACTIONS,
    )


# One machine per kind; kinds sharing a table share the machine.
_BY_TABLE: dict[tuple[int, int], Machine[Item, Actor]] = {}
MACHINES: dict[str, Machine[Item, Actor]] = {}
for _kind, _policy in POLICIES.items():
    _key = (id(_policy.transitions), id(_policy.actors))
    MACHINES[_kind] = _BY_TABLE.setdefault(_key, _machine(_policy.transitions, _policy.actors))


def machine_for(item: Item) -> Machine[Item, Actor]:
    return machine_for_kind(item.kind)


def machine_for_kind(kind: str) -> Machine[Item, Actor]:
    return MACHINES.get(kind) or MACHINES[policy_for(kind).kind]


# --- who may do what (screens, API and services ask the same machine) ------------------------


def may(actor: Actor, item: Item, action: str) -> bool:
    """Whether the actor may take `action` on the item now (state, role and separation of duties)."""
    return machine_for(item).may(actor, item, action)


def check(actor: Actor, item: Item, action: str) -> None:
    machine_for(item).check(actor, item, action)


def available_actions(user: User, item: Item) -> list[str]:
    """The lifecycle actions this user may take on this item right now (for screens and API)."""
    return available_actions_each(user, [item])[0]


def available_actions_each(user: User, items: Sequence[Item]) -> list[list[str]]:
    """The lifecycle actions this user may take on each of the items (a list page), with the
    user's roles looked up once and the items' pending requests in one query."""
    actor = actor_for(user)
    pending_types_load(items)
    return [machine_for(item).available(actor, item) for item in items]


# What `rules.refusal` (and the machine's state check) read of an item. Rows of a list that agree
# on all of it are offered the same actions; change this together with `refusal`.
ACTION_FIELDS = (
    "id",
    "kind",
    "state",
    "town_id",
    "village_id",
    "campaign_id",
    "category_id",
    "category__verifier_roles",
    "owner_id",
    "submitted_by_id",
    "extension_count",
)


def available_actions_rows(user: User, rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """`available_actions_each` for rows read with `values(*ACTION_FIELDS, ...)` instead of
    model instances. What `refusal` reads of a row comes down to a few things: its kind and state,
    the roles the actor holds over its place (town, village, campaign), who may verify its
    category, whether it is the actor's own work, its pending requests and its extensions. The
    actions are worked out once for each combination, on a bare item, and shared by the rows
    alike (a page of 100 has a handful)."""
    actor = actor_for(user)
    me = actor.person.pk if actor.person is not None else None
    pending: dict[int, set[str]] = {}
    if rows:
        requests = ItemRequest.objects.filter(
            item_id__in=[row["id"] for row in rows], status=ItemRequest.Status.PENDING
        )
        for item_id, type_ in requests.values_list("item_id", "type"):
            pending.setdefault(item_id, set()).add(type_)
    places: dict[tuple[int, int, int], frozenset[str]] = {}
    answers: dict[tuple[Any, ...], list[str]] = {}
    out = []
    for row in rows:
        place = (row["town_id"], row["village_id"], row["campaign_id"])
        if place not in places:
            places[place] = frozenset(
                actor.roles_over(town_id=place[0], village_id=place[1], campaign_id=place[2])
            )
        waiting = frozenset(pending.get(row["id"], ()))
        verifiers = row["category__verifier_roles"]
        key = (
            row["kind"],
            row["state"],
            places[place],
            row["category_id"] is not None,
            tuple(verifiers) if isinstance(verifiers, list) else verifiers,
            row["owner_id"] == me,
            row["submitted_by_id"] == me,
            waiting,
            row["extension_count"],
        )
        if key not in answers:
            answers[key] = machine_for_kind(row["kind"]).available(actor, _bare_item(row, waiting))
        out.append(answers[key])
    return out


def _bare_item(row: dict[str, Any], waiting: frozenset[str]) -> Item:
    category_id = row["category_id"]
    item = Item(
        pk=row["id"],
        kind=row["kind"],
        state=row["state"],
        town_id=row["town_id"],
        village_id=row["village_id"],
        campaign_id=row["campaign_id"],
        category=Category(pk=category_id, verifier_roles=row["category__verifier_roles"])
        if category_id is not None
        else None,
        owner_id=row["owner_id"],
        submitted_by_id=row["submitted_by_id"],
        extension_count=row["extension_count"],
    )
    setattr(item, PENDING_CACHE, waiting)
    return item


# --- the machinery shared by every action -----------------------------------------------------


def locked(item: Item, version: int | None) -> Item:
    """Re-read the item under a row lock and check the caller's version (the same for every
    kind; `item` may be a bare `Item(pk=…)`)."""
    return MACHINES[Kind.RECTIFICATION].lock(
        item, version, queryset=Item.objects.select_related("category", "town")
    )


def save(item: Item, ctx: Context, reason: str, fields: list[str]) -> None:
    machine_for(item).save(item, ctx, reason, fields)


def require_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    return text


def act(
    action: str,
    *,
    item: Item,
    by: By,
    version: int | None,
    via: str,
    reason: str = "",
    apply: Callable[[Item, Context], list[str]] | None = None,
) -> Item:
    """Lock, check, apply the change, save with a new version and record the transition."""
    ctx = context_for(by, via)
    with transaction.atomic():
        current = locked(item, version)
        # The kind is known once the row is read; it never changes, so locking comes first.
        return machine_for(current).take(action, current, ctx=ctx, reason=reason, apply=apply)


def close_request(request: ItemRequest, ctx: Context, status: str, note: str) -> None:
    request.status = status
    request.decided_by = ctx.actor.person
    request.decided_at = timezone.now()
    request.decision_note = note
    request._history_user = ctx.user  # type: ignore[attr-defined]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    pending_types_forget(request.item)
