"""Who may take which action, and from which state: the allowed transitions in one table."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import OPEN_STATES, Item, State
from maque.organisation.access import APPROVER_ROLES, REOPEN_ROLES, Actor, actor_for

OWNER = "owner"

# The allowed transitions, in one table: action -> (states it may start from, resulting state).
# A resulting state of None means the state does not change (an approval or a request).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "start": (frozenset({State.FOUND}), State.RECTIFYING),
    "submit": (frozenset({State.RECTIFYING}), State.SUBMITTED),
    "verify": (frozenset({State.SUBMITTED}), State.CLOSED),
    "return": (frozenset({State.SUBMITTED}), State.RECTIFYING),
    "reopen": (frozenset({State.CLOSED}), State.RECTIFYING),
    "cancel": (frozenset({State.FOUND, State.RECTIFYING}), State.CANCELLED),
    "suspend": (frozenset({State.FOUND, State.RECTIFYING}), None),
    "approve_suspension": (frozenset({State.FOUND, State.RECTIFYING}), State.SUSPENDED),
    "reject_suspension": (frozenset(OPEN_STATES) | {State.SUSPENDED}, None),
    "resume": (frozenset({State.SUSPENDED}), None),  # back to the state it was suspended from
    "extend": (frozenset(OPEN_STATES), None),
    "approve_extension": (frozenset(OPEN_STATES), None),
    "reject_extension": (frozenset(OPEN_STATES) | {State.SUSPENDED}, None),
}

# Who may act, by action. "owner" is the item's owner; roles are those the actor holds over the
# item's village/town/campaign. Verify/return use the category's own verifier roles.
ACTORS: dict[str, frozenset[str]] = {
    "start": frozenset({OWNER}) | APPROVER_ROLES,
    "submit": frozenset({OWNER}),
    "verify": frozenset(),  # from the category
    "return": frozenset(),  # from the category
    "reopen": REOPEN_ROLES,
    "cancel": APPROVER_ROLES,
    "suspend": frozenset({OWNER}) | APPROVER_ROLES,
    "approve_suspension": APPROVER_ROLES,
    "reject_suspension": APPROVER_ROLES,
    "resume": frozenset({OWNER}) | APPROVER_ROLES,
    "extend": frozenset({OWNER}) | APPROVER_ROLES,
    "approve_extension": APPROVER_ROLES,
    "reject_extension": APPROVER_ROLES,
    "progress": frozenset({OWNER}) | APPROVER_ROLES,
    "edit": frozenset({OWNER}) | APPROVER_ROLES,
    "assign": APPROVER_ROLES,
}

ACTION_LABELS = {
    "start": gettext_lazy("start rectifying"),
    "submit": gettext_lazy("submit for verification"),
    "verify": gettext_lazy("verify and close out"),
    "return": gettext_lazy("return as inadequate"),
    "reopen": gettext_lazy("reopen"),
    "cancel": gettext_lazy("cancel"),
    "suspend": gettext_lazy("suspend"),
    "approve_suspension": gettext_lazy("approve suspension"),
    "reject_suspension": gettext_lazy("reject suspension"),
    "resume": gettext_lazy("resume"),
    "extend": gettext_lazy("extend the deadline"),
    "approve_extension": gettext_lazy("approve extension"),
    "reject_extension": gettext_lazy("reject extension"),
}

DEFAULT_VERIFIER_ROLES = ("contact_leader", "leader", "principal", "inspector")


# --- who may do what ------------------------------------------------------------------------


def roles_on_item(actor: Actor, item: Item) -> set[str]:
    """The roles (and `owner`) the actor holds over this item."""
    roles = actor.roles_over(town_id=item.town_id, village_id=item.village_id, campaign_id=item.campaign_id)
    if actor.person is not None and item.owner_id == actor.person.pk:
        roles.add(OWNER)
    return roles


def allowed_roles(action: str, item: Item) -> frozenset[str]:
    if action in ("verify", "return"):
        configured = item.category.verifier_roles if item.category_id else DEFAULT_VERIFIER_ROLES
        return frozenset(configured or DEFAULT_VERIFIER_ROLES)
    return ACTORS[action]


def may(actor: Actor, item: Item, action: str) -> bool:
    """Whether the actor may take `action` on the item now (state, role and separation of duties)."""
    return _refusal(actor, item, action) is None


def available_actions(user: AbstractBaseUser, item: Item) -> list[str]:
    """The lifecycle actions this user may take on this item right now (for screens and API)."""
    return available_actions_each(user, [item])[0]


def available_actions_each(user: AbstractBaseUser, items: list[Item]) -> list[list[str]]:
    """The lifecycle actions this user may take on each of the items (a list page), with the
    user's roles looked up once."""
    actor = actor_for(user)
    return [[action for action in TRANSITIONS if may(actor, item, action)] for item in items]


def _refusal(actor: Actor, item: Item, action: str) -> str | None:
    """Why the actor may not take `action` on the item now, as a key (None: they may). No message
    is built here: lists ask this of every action on every row."""
    if action in TRANSITIONS and item.state not in TRANSITIONS[action][0]:
        return "state"
    if actor.person is None:
        return "no_role"
    if not roles_on_item(actor, item) & allowed_roles(action, item):
        return "role"
    if action == "verify" and actor.person.pk in {item.owner_id, item.submitted_by_id}:
        # Separation of duties: whoever did or submitted the work never closes it out.
        return "own_work"
    if action in ("approve_extension", "approve_suspension") and actor.person.pk == item.owner_id:
        return "own_request"
    return None


def check(actor: Actor, item: Item, action: str) -> None:
    refusal = _refusal(actor, item, action)
    if refusal is None:
        return
    label = ACTION_LABELS.get(action, action)
    if refusal == "state":
        raise ConflictError(
            _("Cannot %(action)s an item that is %(state)s.") % {"action": label, "state": item.get_state_display()},
            code="transition_not_allowed",
        )
    if refusal == "no_role":
        raise NotPermitted(_("Only a member of staff with a role in the town can do this."))
    if refusal == "role":
        raise NotPermitted(_("You may not %(action)s this item.") % {"action": label})
    if refusal == "own_work":
        raise NotPermitted(_("The owner or submitter of an item cannot verify it."))
    raise NotPermitted(_("The owner of an item cannot approve its own request."))
