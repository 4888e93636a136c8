"""The life of an accountability case (design §5) on the shared state machine:
suggested → opened → decided → closed, or dismissed (with a reason) before a decision.

One table of transitions, one of who acts, one refusal function: the case page offers exactly
what `case_change_status` would accept.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.accountability.models import AccountabilityCase, CaseEvent, Status
from maque.accountability.policies import CASE_ROLES, may_handle_cases
from maque.core.statemachine import STATE, Context, Machine
from maque.ledger.errors import ConflictError, NotPermitted
from maque.organisation.access import Actor, actor_for

# action -> (statuses it may start from, resulting status)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "open": (frozenset({Status.SUGGESTED}), Status.OPENED),
    "decide": (frozenset({Status.OPENED}), Status.DECIDED),
    "close": (frozenset({Status.DECIDED}), Status.CLOSED),
    "dismiss": (frozenset({Status.SUGGESTED, Status.OPENED}), Status.DISMISSED),
}

# Every action: the town's discipline commission and principal leaders (superusers too).
ACTORS: dict[str, frozenset[str]] = {action: frozenset(CASE_ROLES) for action in TRANSITIONS}

# The action that moves a case to each status (the API and the screen name the status).
ACTION_TO: dict[str, str] = {
    target: action for action, (_sources, target) in TRANSITIONS.items() if target
}

STALE = gettext_lazy(
    "This case was changed by someone else (version %(current)d, yours %(yours)d). Reload and try again."
)


def refusal(actor: Actor, case: AccountabilityCase, action: str) -> str | None:
    """Why the actor may not take `action` on the case (the status is checked by the machine)."""
    return None if may_handle_cases(actor, town_id=case.town_id) else "role"


def explain(refusal: str, actor: Actor, case: AccountabilityCase, action: str) -> Exception:
    if refusal == STATE:
        return status_refused(case, TRANSITIONS[action][1] or "")
    return NotPermitted(
        _("Only the discipline commission and the principal leaders handle accountability cases.")
    )


def status_refused(case: AccountabilityCase, to: str) -> ConflictError:
    return ConflictError(
        _("A case that is %(from)s cannot become %(to)s.")
        % {"from": case.get_status_display(), "to": Status(to).label},
        code="status_change_not_allowed",
    )


def record(
    case: AccountabilityCase, ctx: Context[Actor], action: str, from_status: str, note: str
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, from_status=from_status, to_status=case.status, by=ctx.user, note=note
    )


CASES: Machine[AccountabilityCase, Actor] = Machine(
    model=AccountabilityCase,
    transitions=TRANSITIONS,
    actors=ACTORS,
    refuse=refusal,
    explain=explain,
    record=record,
    stale=STALE,
    state_field="status",
)


def next_statuses(user: User, case: AccountabilityCase) -> list[str]:
    """The statuses this user may move the case to now, in the table's order (moving on first,
    dismissing last)."""
    return [TRANSITIONS[action][1] or "" for action in CASES.available(actor_for(user), case)]
