"""The item lifecycle (design §4): every state change of an item, implemented once.

Each action is a typed service: it checks the actor's right and the separation of duties, the
evidence and reasons it needs, and the item's version; it locks the row, runs in a transaction,
writes a `Transition` row and keeps the history. The web, the API, imports, the CLI and `tick`
all call these functions; nothing else sets `Item.state`.

- `rules`: the allowed transitions and who may take each action (one table each), and the policy
  of each kind of item (its table, its actors, its deadlines);
- `machinery`: the machine of each kind on `maque.core.statemachine` (lock, check version → 409,
  refuse, apply, save with a new version, record), and what screens may offer;
- `actions`: the actions themselves (`item_start`, `item_submit`, `item_verify`, …);
- `registration`: creating items one at a time and editing their fields; `bulk`: many at once,
  checked first (no writes) and then written in one short transaction.
"""

from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.lifecycle.actions import (
    ACTION_SERVICES,
    has_fresh_evidence,
    item_approve_extension,
    item_approve_suspension,
    item_cancel,
    item_reject_extension,
    item_reject_suspension,
    item_reopen,
    item_request_extension,
    item_request_suspension,
    item_resume,
    item_return,
    item_start,
    item_submit,
    item_verify,
)
from maque.ledger.lifecycle.bulk import (
    BulkCreateError,
    CodeReservation,
    CreatedItems,
    PreparedItems,
    items_create_bulk,
    items_insert_prepared,
    items_prepare_bulk,
    items_release_codes,
    items_reserve_codes,
)
from maque.ledger.lifecycle.machinery import (
    ACTION_FIELDS,
    MACHINES,
    Context,
    available_actions,
    available_actions_each,
    available_actions_rows,
    machine_for,
    may,
)
from maque.ledger.lifecycle.registration import (
    EDITABLE_FIELDS,
    LEADER_FIELDS,
    clean_changes,
    item_create,
    item_update,
)
from maque.ledger.lifecycle.rules import (
    ACTION_LABELS,
    ACTORS,
    AUTOMATIC_ACTIONS,
    DEFAULT_VERIFIER_ROLES,
    OWNER,
    POLICIES,
    TRANSITIONS,
    DeadlinePolicy,
    KindPolicy,
    allowed_roles,
    policy_for,
    roles_on_item,
)

__all__ = [
    "ACTION_LABELS",
    "ACTION_SERVICES",
    "ACTORS",
    "AUTOMATIC_ACTIONS",
    "DEFAULT_VERIFIER_ROLES",
    "EDITABLE_FIELDS",
    "LEADER_FIELDS",
    "MACHINES",
    "OWNER",
    "POLICIES",
    "TRANSITIONS",
    "BulkCreateError",
    "CreatedItems",
    "PreparedItems",
    "ConflictError",
    "Context",
    "DeadlinePolicy",
    "KindPolicy",
    "NotPermitted",
    "allowed_roles",
    "clean_changes",
    "available_actions",
    "ACTION_FIELDS",
    "available_actions_each",
    "available_actions_rows",
    "has_fresh_evidence",
    "item_approve_extension",
    "item_approve_suspension",
    "item_cancel",
    "item_create",
    "item_reject_extension",
    "item_reject_suspension",
    "item_reopen",
    "item_request_extension",
    "item_request_suspension",
    "item_resume",
    "item_return",
    "item_start",
    "item_submit",
    "item_update",
    "item_verify",
    "CodeReservation",
    "items_create_bulk",
    "items_insert_prepared",
    "items_prepare_bulk",
    "items_release_codes",
    "items_reserve_codes",
    "machine_for",
    "may",
    "policy_for",
    "roles_on_item",
]
