"""`/api/v1/campaigns`, `/categories`, `/items` and `/attachments`: the ledger over JSON.

Every operation starts from the caller's scope (`item_list`/`visible_to`); an item the caller may
not see is a 404 everywhere. State changes go through `lifecycle`, reports through `services`.

The modules register their operations on `router` when imported; the order below is the order of
the operations in the OpenAPI document.
"""

# isort: off
from maque.ledger.api import catalogue, items, actions, files, history, coordination  # noqa: F401  (registers the operations)

# isort: on
from maque.ledger.api.routing import router

__all__ = ["router"]
