"""The six steps of 四议两公开 on the shared machine (`core/statemachine.py`): one table of
transitions (each step may be taken only from the state the step before it leaves), one table of
who acts, one refusal function — the decision page offers exactly what `decision_step` accepts.

A step out of order or skipped is refused by the machine's state check, and `explain` says in
words where the decision stands and which step comes next.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.core.statemachine import STATE, Context, Machine
from maque.decisions.models import (
    STEPS,
    DecisionState,
    DecisionTransition,
    Step,
    VillageDecision,
)
from maque.ledger.errors import ConflictError, NotPermitted
from maque.meetings.policies import VILLAGE_ORGANISERS, may_organise
from maque.organisation.access import Actor

# The state before each step and after it: the order of 四议两公开.
ORDER: tuple[str, ...] = tuple(DecisionState.values)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    step: (frozenset({ORDER[index]}), ORDER[index + 1]) for index, step in enumerate(STEPS)
}
# Every step: whoever records the village's meetings (its secretary, its contact leader, the
# town's organisers; see `meetings.policies`).
ACTORS: dict[str, frozenset[str]] = {step: frozenset(VILLAGE_ORGANISERS) for step in STEPS}

STALE = gettext_lazy(
    "This decision was changed by someone else (version %(current)d, yours %(yours)d). Reload and try again."
)


def next_step(decision: VillageDecision) -> str | None:
    """The step to take next, None once all six are taken."""
    index = ORDER.index(decision.state)
    return STEPS[index] if index < len(STEPS) else None


def refusal(actor: Actor, decision: VillageDecision, action: str) -> str | None:
    """Why the actor may not take the step (the order is checked by the machine)."""
    if may_organise(actor, town_id=decision.town_id, village_ids=[decision.village_id]):
        return None
    return "role"


def out_of_order(decision: VillageDecision, step: str) -> str:
    """The refusal of a step taken out of order, in words."""
    coming = next_step(decision)
    if coming is None:
        return _("All six steps of this decision are done; %(step)s cannot be taken again.") % {
            "step": Step(step).label
        }
    if STEPS.index(step) < STEPS.index(coming):
        return _("%(step)s has already been taken; the next step is %(next)s.") % {
            "step": Step(step).label,
            "next": Step(coming).label,
        }
    return _("Steps are taken in order: the next step is %(next)s, not %(step)s.") % {
        "step": Step(step).label,
        "next": Step(coming).label,
    }


def explain(key: str, actor: Actor, decision: VillageDecision, action: str) -> Exception:
    if key == STATE:
        return ConflictError(out_of_order(decision, action), code="step_out_of_order")
    return NotPermitted(_("You may not take steps of this village's decisions."))


def record(
    decision: VillageDecision, ctx: Context[Actor], action: str, from_state: str, note: str
) -> DecisionTransition:
    return DecisionTransition.objects.create(
        decision=decision,
        action=action,
        from_state=from_state,
        to_state=decision.state,
        by=ctx.user,
        via=ctx.via,
        note=note,
    )


DECISIONS: Machine[VillageDecision, Actor] = Machine(
    model=VillageDecision,
    transitions=TRANSITIONS,
    actors=ACTORS,
    refuse=refusal,
    explain=explain,
    record=record,
    stale=STALE,
)
