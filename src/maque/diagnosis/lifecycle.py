"""The life of a watch-list entry (design §5, 找、选、剖) on the shared state machine:

    proposed ──accept──▶ listed ──dissect──▶ dissected ──┐
        │                  │  └──────propose_exit────────┼──▶ exit_proposed ──exit──▶ exited
        └─dismiss─▶ dismissed   └──exit (a leader's decision, with a reason)──────────▶ exited
                                         exit_proposed ──keep──▶ back to listed / dissected

One table of transitions, one of who acts, one refusal function: the board and the entry page
offer exactly what `entry_act` accepts. The automation (`maque tick`) may only propose an exit.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.core.statemachine import AUTOMATIC, STATE, Context, Machine
from maque.diagnosis.models import EntryState, WatchEntry, WatchEvent
from maque.ledger.errors import ConflictError, NotPermitted
from maque.organisation.access import Actor
from maque.organisation.roles import Role

S = EntryState

# action -> (states it may start from, resulting state; None: decided by the action, see keep)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({S.PROPOSED}), S.LISTED),
    "dismiss": (frozenset({S.PROPOSED}), S.DISMISSED),
    "dissect": (frozenset({S.LISTED}), S.DISSECTED),
    "propose_exit": (frozenset({S.LISTED, S.DISSECTED}), S.EXIT_PROPOSED),
    "exit": (frozenset({S.LISTED, S.DISSECTED, S.EXIT_PROPOSED}), S.EXITED),
    "keep": (frozenset({S.EXIT_PROPOSED}), None),
}

# Selecting and delisting are the town leaders' (a principal, a leader in charge); a solving
# meeting may be recorded by them or by the village's contact leader.
DECIDERS = frozenset({Role.PRINCIPAL, Role.LEADER})
ACTORS: dict[str, frozenset[str]] = {
    "accept": DECIDERS,
    "dismiss": DECIDERS,
    "dissect": DECIDERS | {Role.CONTACT_LEADER},
    "propose_exit": DECIDERS,
    "exit": DECIDERS,
    "keep": DECIDERS,
    "propose": DECIDERS,
}

# Actions that need a reason (exit: unless it confirms an exit the rules proposed).
NEEDS_REASON = frozenset({"accept", "dismiss", "keep"})

AUTOMATIC_ACTIONS = frozenset({"propose_exit"})

STALE = gettext_lazy(
    "This watch-list entry was changed by someone else (version %(current)d, yours %(yours)d). Reload and try again."
)


def roles_over(actor: Actor, entry: WatchEntry) -> set[str]:
    return actor.roles_over(town_id=entry.town_id, village_id=entry.village_id)


def refusal(actor: Actor, entry: WatchEntry, action: str) -> str | None:
    """Why the actor may not take `action` on the entry (the state is checked by the machine)."""
    if actor.is_superuser:
        return None
    if actor.person is None:
        return "no_person"
    return None if roles_over(actor, entry) & ACTORS[action] else "role"


def may_propose(actor: Actor, *, town_id: int) -> bool:
    """Whether the actor may put a subject on the watch list by hand."""
    if actor.is_superuser:
        return True
    return bool(actor.roles_over(town_id=town_id, village_id=None) & DECIDERS)


def explain(key: str, actor: Actor, entry: WatchEntry, action: str) -> Exception:
    if key == STATE:
        return ConflictError(
            _("A watch-list entry that is %(state)s cannot take this step.")
            % {"state": entry.get_state_display()},
            code="state_change_not_allowed",
        )
    if key == AUTOMATIC:
        return NotPermitted(_("The system may only propose an exit."))
    if action == "dissect":
        return NotPermitted(
            _("Only the town's leaders and the village's contact leader record a solving meeting.")
        )
    return NotPermitted(_("Only the principal and the leaders in charge decide the watch list."))


def record(
    entry: WatchEntry, ctx: Context[Any], action: str, from_state: str, reason: str
) -> WatchEvent:
    return WatchEvent.objects.create(
        entry=entry,
        action=action,
        from_state=from_state,
        to_state=entry.state,
        by=ctx.user,
        reason=reason,
        numbers=getattr(entry, "_event_numbers", {}) or {},
        via=ctx.via,
    )


ENTRIES: Machine[WatchEntry, Any] = Machine(
    model=WatchEntry,
    transitions=TRANSITIONS,
    actors=ACTORS,
    refuse=refusal,
    explain=explain,
    record=record,
    stale=STALE,
    automatic=AUTOMATIC_ACTIONS,
)


def available(actor: Actor, entry: WatchEntry) -> list[str]:
    return ENTRIES.available(actor, entry)
