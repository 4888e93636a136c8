"""The machinery every action shares: lock, check, apply, save with a new version, record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.ledger.errors import ConflictError
from maque.ledger.lifecycle.rules import TRANSITIONS, check
from maque.ledger.models import Item, ItemRequest, State, Transition
from maque.organisation.access import Actor, actor_for

# --- the machinery shared by every action -----------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Who acts and through which channel."""

    user: AbstractBaseUser
    via: str = "api"

    @property
    def actor(self) -> Actor:
        return actor_for(self.user)


def locked(item: Item, version: int | None) -> Item:
    """Re-read the item under a row lock and check the caller's version."""
    current = Item.objects.select_for_update(of=("self",)).select_related("category", "town").get(pk=item.pk)
    if version is not None and version != current.version:
        raise ConflictError(
            _("This item was changed by someone else (version %(current)d, yours %(yours)d). Reload and try again.")
            % {"current": current.version, "yours": version},
            code="stale_version",
            current_version=current.version,
        )
    return current


def save(item: Item, ctx: Context, reason: str, fields: list[str]) -> None:
    # The row is locked (see locked), so a plain increment is safe.
    item.version += 1
    item._history_user = ctx.user  # type: ignore[attr-defined]
    item._change_reason = f"{ctx.via}: {reason}"[:100]  # type: ignore[attr-defined]
    item.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])


def record(item: Item, ctx: Context, action: str, from_state: str, reason: str = "") -> Transition:
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


def require_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    return text


def act(
    action: str,
    *,
    item: Item,
    by: AbstractBaseUser,
    version: int | None,
    via: str,
    reason: str = "",
    apply: Callable[[Item, Context], list[str]] | None = None,
) -> Item:
    """Lock, check, apply the change, save with a new version and record the transition."""
    ctx = Context(user=by, via=via)
    with transaction.atomic():
        current = locked(item, version)
        check(ctx.actor, current, action)
        from_state = current.state
        target = TRANSITIONS[action][1]
        changed = apply(current, ctx) if apply else []
        if target is not None:
            current.state = target
            changed.append("state")
        if target in (State.CLOSED, State.CANCELLED):
            # A finished item has nothing left to extend or suspend.
            for request in current.requests.select_for_update().filter(status=ItemRequest.Status.PENDING):
                close_request(request, ctx, ItemRequest.Status.WITHDRAWN, _("The item was %(state)s.") % {"state": current.get_state_display()})
        save(current, ctx, f"{action} {reason}".strip(), changed)
        record(current, ctx, action, from_state, reason)
    return current


def close_request(request: ItemRequest, ctx: Context, status: str, note: str) -> None:
    request.status = status
    request.decided_by = ctx.actor.person
    request.decided_at = timezone.now()
    request.decision_note = note
    request._history_user = ctx.user  # type: ignore[attr-defined]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
