"""`/items/{code}/history`: transitions, field changes, progress and requests in one list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from pydantic import Field

from maque.api.auth import request_user
from maque.api.schemas import (
    ERRORS,
    Out,
    Ref,
)
from maque.core.masking import mask_text
from maque.ledger.api.item_output import _visible_item, masks_for
from maque.ledger.api.routing import router
from maque.ledger.history import item_timeline
from maque.organisation.models import Person


class HistoryEntry(Out):
    at: datetime
    type: str = Field(description="transition, change, progress or request")
    by: Ref | None
    action: str | None = None
    action_label: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    note: str | None = None
    via: str | None = None
    field: str | None = None
    label: str | None = None
    before: Any = None
    after: Any = None
    text: str | None = None
    percent: int | None = None
    attachments: list[int] | None = None
    request_type: str | None = None
    status: str | None = None
    new_deadline: date | None = None
    resume_on: date | None = None
    decided_by: Ref | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None


def _ref(person: Person | None) -> dict[str, Any] | None:
    return {"id": person.pk, "name": person.name} if person is not None else None


@router.get(
    "/items/{code}/history",
    response={200: list[HistoryEntry], **ERRORS},
    operation_id="maque_ledger_api_item_history",
)
def item_history(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """One chronological list: transitions, field changes (who, when, before → after), progress
    reports and extension/suspension requests."""
    item = _visible_item(request, code)
    masks = masks_for(request)
    entries = []
    for entry in item_timeline(item, request_user(request)):
        out = {
            key: value for key, value in entry.items() if key not in ("automatic", "to_state_label")
        }
        out["by"] = _ref(entry["by"])
        if entry["type"] == "progress":
            out["attachments"] = [attachment.pk for attachment in entry["attachments"]]
        if entry["type"] == "request":
            out["decided_by"] = _ref(entry["decided_by"])
        if masks:
            for name in ("note", "text", "decision_note", "before", "after"):
                if isinstance(out.get(name), str):
                    out[name] = mask_text(out[name])
        entries.append(out)
    return entries
