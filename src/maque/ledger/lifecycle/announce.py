"""Item events, announced after they commit to whoever listens (the notifications app, which
sits above the ledger and so registers itself here when it is ready).

`record` announces every event it writes; creating an item for someone else and changing an
item's owner announce `assigned`. A listener is called only once the action's transaction
commits (`on_commit`), so a refused or rolled-back action announces nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from maque.ledger.models import Item, ItemRequest
from maque.organisation.models import Person

# The requests, and the type each opens.
REQUEST_OF = {"extend": ItemRequest.Type.EXTENSION, "suspend": ItemRequest.Type.SUSPENSION}


@dataclass(frozen=True)
class ItemEvent:
    """One event of an item: `version` is the item's after it (unique per event); `request_id`
    is the request a request event opened."""

    item_id: int
    event: str
    version: int
    actor: Person | None
    reason: str = ""
    request_id: int | None = None


LISTENERS: list[Callable[[ItemEvent], object]] = []


def listen(listener: Callable[[ItemEvent], object]) -> None:
    if listener not in LISTENERS:
        LISTENERS.append(listener)


def announce_on_commit(item: Item, event: str, *, actor: Person | None, reason: str = "") -> None:
    """Tell the listeners of `event` once the current transaction commits."""
    if not LISTENERS:
        return
    request_id = None
    if event in REQUEST_OF:
        # The request as the event left it (it may be decided at once, by an approver).
        request_id = (
            item.requests.filter(type=REQUEST_OF[event])
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
    happened = ItemEvent(
        item_id=item.pk,
        event=event,
        version=item.version,
        actor=actor,
        reason=reason,
        request_id=request_id,
    )
    for listener in list(LISTENERS):
        transaction.on_commit(partial(listener, happened))
