"""The item machine of each kind, on the shared `maque.core.statemachine`, and the pieces every
action shares: lock, check, apply, save with a new version, record."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
    POLICIES,
    explain,
    pending_types_forget,
    pending_types_load,
    policy_for,
    refusal,
)
from maque.ledger.models import Item, ItemRequest, Kind, State, Transition
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
    return MACHINES.get(item.kind) or MACHINES[policy_for(item.kind).kind]


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
