"""Who may take which action, and from which state: the allowed transitions in one table, and
the policy of each kind of item (its table, who acts, and its deadlines)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.core.statemachine import AUTOMATIC, STATE, Transitions
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import OPEN_STATES, Category, Item, ItemRequest, Kind, State
from maque.organisation.access import APPROVER_ROLES, REOPEN_ROLES, Actor

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

# What the automation (`tick`) may do by itself: resume an item whose resume date has come.
AUTOMATIC_ACTIONS = frozenset({"resume"})

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

# The decisions on a request, and the type of request each decides: offered (and allowed) only
# while a request of that type waits.
DECIDES = {
    "approve_extension": ItemRequest.Type.EXTENSION,
    "reject_extension": ItemRequest.Type.EXTENSION,
    "approve_suspension": ItemRequest.Type.SUSPENSION,
    "reject_suspension": ItemRequest.Type.SUSPENSION,
}
# The requests, and the type each opens: not offered while one of that type already waits.
REQUESTS = {"extend": ItemRequest.Type.EXTENSION, "suspend": ItemRequest.Type.SUSPENSION}
NOTHING_PENDING = "nothing_pending"
REQUEST_PENDING = "request_pending"
# Where an item keeps the types of its pending requests once read (see `pending_types`).
PENDING_CACHE = "_pending_request_types"

DEFAULT_VERIFIER_ROLES = ("contact_leader", "leader", "principal", "inspector")
DEFAULT_DEADLINE_DAYS = 30


# --- the kinds of item ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlinePolicy:
    """How a kind of item gets its deadline, and how far it may be extended.

    Without limits of its own, a new item is due the category's default number of days after it
    was found (30 without a category), and may be extended any number of times. Petitions carry
    the statutory limits of the 信访工作条例: acceptance decided within `acceptance_days` of
    registration, handling within `handling_days` of acceptance, extended at most
    `max_extensions` times by at most `max_extension_days` each.
    """

    acceptance_days: int | None = None
    handling_days: int | None = None
    max_extensions: int | None = None
    max_extension_days: int | None = None

    def default_deadline(self, *, found_on: date, category: Category | None) -> date:
        if self.acceptance_days is not None:
            # Until the petition app decides acceptance, the first limit is the one that runs.
            return found_on + timedelta(days=self.acceptance_days)
        days = category.default_deadline_days if category is not None else DEFAULT_DEADLINE_DAYS
        return found_on + timedelta(days=days)

    def handling_deadline(self, *, accepted_on: date) -> date | None:
        """The deadline once accepted (petitions); None for kinds without a handling limit."""
        return (
            accepted_on + timedelta(days=self.handling_days)
            if self.handling_days is not None
            else None
        )

    def may_extend(self, item: Item) -> bool:
        return self.max_extensions is None or item.extension_count < self.max_extensions


@dataclass(frozen=True)
class KindPolicy:
    """What the lifecycle of one kind of item is: its transitions, who acts, its deadlines."""

    kind: str
    transitions: Transitions = field(default_factory=lambda: TRANSITIONS)
    actors: dict[str, frozenset[str]] = field(default_factory=lambda: ACTORS)
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    needs_category: bool = False


# Every kind shares the rectification table today; petitions have their statutory deadlines.
POLICIES: dict[str, KindPolicy] = {
    Kind.RECTIFICATION: KindPolicy(Kind.RECTIFICATION, needs_category=True),
    Kind.ACTION: KindPolicy(Kind.ACTION),
    Kind.MILESTONE: KindPolicy(Kind.MILESTONE),
    Kind.LEGACY: KindPolicy(Kind.LEGACY),
    Kind.PETITION: KindPolicy(
        Kind.PETITION,
        deadlines=DeadlinePolicy(
            acceptance_days=15, handling_days=60, max_extensions=1, max_extension_days=30
        ),
    ),
}


def policy_for(kind: str) -> KindPolicy:
    return POLICIES.get(kind) or POLICIES[Kind.RECTIFICATION]


# --- who may do what ------------------------------------------------------------------------


def roles_on_item(actor: Actor, item: Item) -> set[str]:
    """The roles (and `owner`) the actor holds over this item."""
    roles = actor.roles_over(
        town_id=item.town_id, village_id=item.village_id, campaign_id=item.campaign_id
    )
    if actor.person is not None and item.owner_id == actor.person.pk:
        roles.add(OWNER)
    return roles


def allowed_roles(action: str, item: Item) -> frozenset[str]:
    if action in ("verify", "return"):
        configured = (
            item.category.verifier_roles if item.category is not None else DEFAULT_VERIFIER_ROLES
        )
        return frozenset(configured or DEFAULT_VERIFIER_ROLES)
    return policy_for(item.kind).actors[action]


def pending_types(item: Item) -> frozenset[str]:
    """The types of request waiting for a decision on the item, read once per instance (a list
    page reads them for all its items at once with `pending_types_load`)."""
    cached = getattr(item, PENDING_CACHE, None)
    if cached is None:
        cached = frozenset(
            item.requests.filter(status=ItemRequest.Status.PENDING).values_list("type", flat=True)
        )
        setattr(item, PENDING_CACHE, cached)
    return cached


def pending_types_load(items: Sequence[Item]) -> None:
    """Read the pending request types of every item not yet read, in one query."""
    wanted = {
        item.pk: item
        for item in items
        if getattr(item, PENDING_CACHE, None) is None and item.pk is not None
    }
    if not wanted:
        return
    found: dict[int, set[str]] = {}
    rows = ItemRequest.objects.filter(item_id__in=list(wanted), status=ItemRequest.Status.PENDING)
    for item_id, type_ in rows.values_list("item_id", "type"):
        found.setdefault(item_id, set()).add(type_)
    for pk, item in wanted.items():
        setattr(item, PENDING_CACHE, frozenset(found.get(pk, ())))


def pending_types_forget(item: Item) -> None:
    """A request was opened or decided: the item's pending types are read again when asked."""
    if hasattr(item, PENDING_CACHE):
        delattr(item, PENDING_CACHE)


def refusal(actor: Actor, item: Item, action: str) -> str | None:
    """Why the actor may not take `action` on the item (the state and the automation are
    already checked by the machine), as a key; None: they may. No message is built here: lists
    ask this of every action on every row."""
    if actor.person is None:
        return "no_role"
    if not roles_on_item(actor, item) & allowed_roles(action, item):
        return "role"
    if action == "verify" and actor.person.pk in {item.owner_id, item.submitted_by_id}:
        # Separation of duties: whoever did or submitted the work never closes it out.
        return "own_work"
    if action in ("approve_extension", "approve_suspension") and actor.person.pk == item.owner_id:
        return "own_request"
    if action in DECIDES and DECIDES[action] not in pending_types(item):
        # Nothing to approve or reject: neither offered nor allowed.
        return NOTHING_PENDING
    if action in REQUESTS and REQUESTS[action] in pending_types(item):
        return REQUEST_PENDING
    if action == "extend" and not policy_for(item.kind).deadlines.may_extend(item):
        return "extension_limit"
    return None


def explain(refusal: str, actor: Actor, item: Item, action: str) -> Exception:
    """The error a refusal raises, with its message."""
    label = ACTION_LABELS.get(action, action)
    if refusal == STATE:
        return ConflictError(
            _("Cannot %(action)s an item that is %(state)s.")
            % {"action": label, "state": item.get_state_display()},
            code="transition_not_allowed",
        )
    if refusal == AUTOMATIC:
        return NotPermitted(_("The system may not %(action)s by itself.") % {"action": label})
    if refusal == "no_role":
        return NotPermitted(_("Only a member of staff with a role in the town can do this."))
    if refusal == "role":
        return NotPermitted(_("You may not %(action)s this item.") % {"action": label})
    if refusal == "own_work":
        return NotPermitted(_("The owner or submitter of an item cannot verify it."))
    if refusal == NOTHING_PENDING:
        return ConflictError(_("There is no pending request to decide."), code="no_pending_request")
    if refusal == REQUEST_PENDING:
        return ConflictError(
            _("A request of this kind is already waiting for a decision."), code="request_pending"
        )
    if refusal == "extension_limit":
        return ConflictError(_("This item may not be extended again."), code="extension_limit")
    return NotPermitted(_("The owner of an item cannot approve its own request."))
