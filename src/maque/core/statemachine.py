"""One idiom for every state machine: items, accountability cases, and the machines to come.

A `Machine` is declared, not written: a table of transitions (action → the states it may start
from, and the state it leads to, or None when the state does not change), a table of who may
take each action, and one refusal function. The same refusal decides what a screen or the API
offers ("what may this actor do now") and what a service enforces, so the two cannot drift.

`Machine.run` is the shared machinery of one action: lock the row, check the caller's version
(a stale one is a 409 carrying the current version), check the refusal, apply the change, move
the state, bump the version, save with a history reason, and write the event row — all in one
transaction. An app supplies only what is its own: the refusal of its roles and duties, how a
refusal reads, how its event row is written, and the changes each typed action makes.

Automation (`tick`) acts as `AUTOMATION`, not as a person: it holds no role, and a machine lets
it take only the actions listed in `automatic`.

This module knows nothing of the apps above core: actors and records are whatever the app says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy

from maque.core.errors import ConflictError

Obj = TypeVar("Obj", bound=models.Model)
ActorT = TypeVar("ActorT")

# The refusal keys the machine itself decides; an app's refusal function adds its own.
STATE = "state"
AUTOMATIC = "automatic"

Transitions = Mapping[str, tuple[frozenset[str], str | None]]


class Automation:
    """The system acting on its own (`maque tick`): not a person, holds no role, cannot sign in.

    Its transitions carry no actor and no user; screens show them with `label`.
    """

    label = gettext_lazy("Maque system (automatic)")
    is_authenticated = False

    def __repr__(self) -> str:
        return "AUTOMATION"


AUTOMATION = Automation()


def is_automatic(actor: Any) -> bool:
    """Whether `actor` (an app's actor, or a user) is the automation."""
    return actor is AUTOMATION or bool(getattr(actor, "automatic", False))


@dataclass(frozen=True)
class Context(Generic[ActorT]):
    """Who acts and through which channel. `user` is None when the automation acts."""

    user: Any
    actor: ActorT
    via: str = "api"


@dataclass(frozen=True)
class Machine(Generic[Obj, ActorT]):
    """A state machine over `model.<state_field>`.

    - `transitions`: action → (states it may start from, resulting state or None);
    - `actors`: action → the roles that may take it (read by `refuse`);
    - `refuse(actor, obj, action)`: the app's reason key for refusing (roles, duties), or None;
      the machine has already checked the state and the automation;
    - `explain(key, actor, obj, action)`: the exception a refusal key raises;
    - `record(obj, ctx, action, from_state, reason)`: writes the event/history row;
    - `stale`: the message of a stale version, with `%(current)d` and `%(yours)d`;
    - `entered(obj, ctx)`: what follows entering a new state (returns the fields it changed);
    - `automatic`: the actions the automation may take.
    """

    model: type[Obj]
    transitions: Transitions
    actors: Mapping[str, frozenset[str]]
    refuse: Callable[[ActorT, Obj, str], str | None]
    explain: Callable[[str, ActorT, Obj, str], Exception]
    record: Callable[[Obj, Context[ActorT], str, str, str], object]
    stale: Any
    state_field: str = "state"
    version_field: str = "version"
    entered: Callable[[Obj, Context[ActorT]], list[str]] | None = None
    automatic: frozenset[str] = field(default_factory=frozenset)

    # --- the table --------------------------------------------------------------------------

    @property
    def actions(self) -> list[str]:
        return list(self.transitions)

    def target(self, action: str) -> str | None:
        return self.transitions[action][1]

    def path(self, start: str, goal: str, *, through: Iterable[str] | None = None) -> list[str]:
        """A shortest sequence of state-changing actions from `start` to `goal` over the table
        (optionally only `through` these actions); [] if start is goal. ValueError if none."""
        allowed = set(self.transitions if through is None else through)
        frontier: list[tuple[str, list[str]]] = [(start, [])]
        seen = {start}
        while frontier:
            following: list[tuple[str, list[str]]] = []
            for state, steps in frontier:
                if state == goal:
                    return steps
                for action, (sources, target) in self.transitions.items():
                    if (
                        action in allowed
                        and target is not None
                        and state in sources
                        and target not in seen
                    ):
                        seen.add(target)
                        following.append((target, [*steps, action]))
            frontier = following
        raise ValueError(f"no path from {start!r} to {goal!r}")

    def walk(
        self, start: str, actions: Iterable[str], *, returns: Mapping[str, str] | None = None
    ) -> str:
        """The state reached by taking `actions` from `start`, refusing (ValueError) any action
        the table does not allow. `returns` gives the state of actions whose target is decided
        at run time (e.g. resume: back to where it was); otherwise they keep the state."""
        state = start
        for action in actions:
            sources, target = self.transitions[action]
            if state not in sources:
                raise ValueError(f"{action!r} is not allowed from {state!r}")
            state = target if target is not None else (returns or {}).get(action, state)
        return state

    # --- who may do what --------------------------------------------------------------------

    def refusal(self, actor: ActorT, obj: Obj, action: str) -> str | None:
        """Why `actor` may not take `action` on `obj` now, as a key (None: they may). Cheap: no
        message is built, so lists may ask it of every action on every row."""
        if (
            action in self.transitions
            and getattr(obj, self.state_field) not in self.transitions[action][0]
        ):
            return STATE
        if is_automatic(actor):
            return None if action in self.automatic else AUTOMATIC
        return self.refuse(actor, obj, action)

    def may(self, actor: ActorT, obj: Obj, action: str) -> bool:
        return self.refusal(actor, obj, action) is None

    def available(self, actor: ActorT, obj: Obj) -> list[str]:
        """The actions of the table `actor` may take on `obj` now, in table order."""
        return [action for action in self.transitions if self.refusal(actor, obj, action) is None]

    def check(self, actor: ActorT, obj: Obj, action: str) -> None:
        refusal = self.refusal(actor, obj, action)
        if refusal is not None:
            raise self.explain(refusal, actor, obj, action)

    # --- the machinery ----------------------------------------------------------------------

    def lock(
        self, obj: Obj, version: int | None, *, queryset: models.QuerySet[Obj] | None = None
    ) -> Obj:
        """Re-read `obj` under a row lock (inside a transaction) and check the caller's version.

        `queryset` narrows the read (a scope, `select_related`); a row outside it is `DoesNotExist`.
        """
        rows = queryset if queryset is not None else self.model._default_manager.all()
        current = rows.select_for_update(of=("self",)).get(pk=obj.pk)
        current_version = getattr(current, self.version_field)
        if version is not None and version != current_version:
            raise ConflictError(
                str(self.stale) % {"current": current_version, "yours": version},
                code="stale_version",
                current_version=current_version,
            )
        return current

    def save(self, obj: Obj, ctx: Context[ActorT], reason: str, fields: Iterable[str]) -> None:
        """Save the changed fields with a new version and the history's user and reason."""
        # The row is locked (see lock), so a plain increment is safe.
        setattr(obj, self.version_field, getattr(obj, self.version_field) + 1)
        obj._history_user = ctx.user  # type: ignore[attr-defined]
        obj._change_reason = f"{ctx.via}: {reason}"[:100]  # type: ignore[attr-defined]
        update = [*dict.fromkeys(fields), self.version_field]
        if any(
            getattr(f, "auto_now", False) and f.name == "updated_at"
            for f in obj._meta.concrete_fields
        ):
            update.append("updated_at")
        obj.save(update_fields=update)

    def run(
        self,
        action: str,
        obj: Obj,
        *,
        ctx: Context[ActorT],
        version: int | None,
        reason: str = "",
        apply: Callable[[Obj, Context[ActorT]], list[str]] | None = None,
        queryset: models.QuerySet[Obj] | None = None,
    ) -> Obj:
        """Take `action` on `obj`: lock, check the version and the refusal, apply, move the
        state, save with a new version and write the event row, in one transaction."""
        with transaction.atomic():
            current = self.lock(obj, version, queryset=queryset)
            return self.take(action, current, ctx=ctx, reason=reason, apply=apply)

    def take(
        self,
        action: str,
        current: Obj,
        *,
        ctx: Context[ActorT],
        reason: str = "",
        apply: Callable[[Obj, Context[ActorT]], list[str]] | None = None,
    ) -> Obj:
        """`run` on a row already locked by `lock` (in the caller's transaction)."""
        self.check(ctx.actor, current, action)
        from_state = getattr(current, self.state_field)
        target = self.target(action)
        changed = apply(current, ctx) if apply else []
        if target is not None:
            setattr(current, self.state_field, target)
            changed.append(self.state_field)
            if self.entered is not None and target != from_state:
                changed += self.entered(current, ctx)
        self.save(current, ctx, f"{action} {reason}".strip(), changed)
        self.record(current, ctx, action, from_state, reason)
        return current
