"""`/items/{code}/history`: transitions, field changes, progress and requests in one list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from pydantic import Field

from maque.api.schemas import (
    ERRORS,
    Out,
    Ref,
)
from maque.ledger import lifecycle
from maque.ledger.api.item_output import _visible_item
from maque.ledger.api.routing import router
from maque.ledger.models import (
    Item,
)
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


HISTORY_FIELDS = (
    "title", "description", "measures", "scope", "standard", "subject", "group", "plot", "household",
    "attributes", "owner", "deadline", "category", "campaign", "village", "kind", "source", "found_on",
)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


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
    entries: list[dict[str, Any]] = []
    for t in item.transitions.select_related("actor").order_by("created_at", "id"):
        entries.append(
            {
                "at": t.created_at,
                "type": "transition",
                "by": _ref(t.actor),
                "action": t.action,
                "action_label": str(lifecycle.ACTION_LABELS.get(t.action, t.action)),
                "from_state": t.from_state,
                "to_state": t.to_state,
                "note": t.reason,
                "via": t.via,
            }
        )
    records = list(item.history.order_by("history_date", "history_id"))
    people = {
        person.user_id: person
        for person in Person.objects.filter(user_id__in={r.history_user_id for r in records if r.history_user_id})
    }
    labels = {name: str(Item._meta.get_field(name).verbose_name) for name in HISTORY_FIELDS}
    for previous, record in zip(records, records[1:], strict=False):
        delta = record.diff_against(previous, included_fields=HISTORY_FIELDS)
        for change in delta.changes:
            entries.append(
                {
                    "at": record.history_date,
                    "type": "change",
                    "by": _ref(people.get(record.history_user_id)),
                    "field": change.field,
                    "label": labels.get(change.field, change.field),
                    "before": _jsonable(change.old),
                    "after": _jsonable(change.new),
                    "note": record.history_change_reason or None,
                }
            )
    logs = item.progress_logs.select_related("author").prefetch_related("attachments").order_by("created_at", "id")
    for log in logs:
        entries.append(
            {
                "at": log.created_at,
                "type": "progress",
                "by": _ref(log.author),
                "text": log.text,
                "percent": log.percent,
                "attachments": [a.pk for a in log.attachments.all()],
            }
        )
    requests = item.requests.select_related("requested_by", "decided_by").order_by("created_at", "id")
    for r in requests:
        entries.append(
            {
                "at": r.created_at,
                "type": "request",
                "by": _ref(r.requested_by),
                "request_type": r.type,
                "status": r.status,
                "note": r.reason,
                "new_deadline": r.new_deadline,
                "resume_on": r.resume_on,
                "decided_by": _ref(r.decided_by),
                "decided_at": r.decided_at,
                "decision_note": r.decision_note or None,
            }
        )
    order = {"transition": 0, "change": 1, "request": 2, "progress": 3}
    entries.sort(key=lambda entry: (entry["at"], order[entry["type"]]))
    return entries
