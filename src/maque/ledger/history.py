"""An item's history in one chronological list: transitions, field changes, progress reports and
extension/suspension requests. The API's history operation and the item page both read it, so the
two never tell a different story."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from maque.ledger.lifecycle import ACTION_LABELS
from maque.ledger.models import Attachment, Item, State
from maque.organisation.models import Person

# The fields whose changes the history shows (who, when, before → after).
HISTORY_FIELDS = (
    "title",
    "description",
    "measures",
    "scope",
    "standard",
    "subject",
    "group",
    "plot",
    "household",
    "attributes",
    "owner",
    "deadline",
    "category",
    "campaign",
    "village",
    "kind",
    "source",
    "found_on",
)
KINDS = ("transition", "change", "request", "progress")
# Entries at the same moment read in this order: the transition, then what came with it.
_ORDER = {kind: position for position, kind in enumerate(KINDS)}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def item_timeline(
    item: Item, user: User | AnonymousUser | None, *, kinds: tuple[str, ...] = KINDS
) -> list[dict[str, Any]]:
    """The item's history, oldest first, for a user who may read the item (the caller checked).

    Each entry has `at`, `type` (one of `KINDS`) and `by` (a `Person`, or None for the automation
    or a user without a person), plus the fields of its type; a progress report carries its
    attachments, limited to those the user may open. `kinds` leaves out the types not asked for.
    """
    entries: list[dict[str, Any]] = []
    if "transition" in kinds:
        for t in item.transitions.select_related("actor").order_by("created_at", "id"):
            entries.append(
                {
                    "at": t.created_at,
                    "type": "transition",
                    "by": t.actor,
                    # The automation (`tick`) acts without a person or a user.
                    "automatic": t.actor_id is None and t.actor_user_id is None,
                    "action": t.action,
                    "action_label": str(ACTION_LABELS.get(t.action, t.action)),
                    "from_state": t.from_state,
                    "to_state": t.to_state,
                    "to_state_label": str(State(t.to_state).label)
                    if t.to_state in State.values
                    else t.to_state,
                    "note": t.reason,
                    "via": t.via,
                }
            )
    if "change" in kinds:
        entries.extend(_changes(item))
    if "progress" in kinds:
        visible = set(
            Attachment.objects.visible_to(user).filter(item=item).values_list("pk", flat=True)
        )
        logs = (
            item.progress_logs.select_related("author")
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        )
        for log in logs:
            entries.append(
                {
                    "at": log.created_at,
                    "type": "progress",
                    "by": log.author,
                    "text": log.text,
                    "percent": log.percent,
                    "attachments": [a for a in log.attachments.all() if a.pk in visible],
                }
            )
    if "request" in kinds:
        for r in item.requests.select_related("requested_by", "decided_by").order_by(
            "created_at", "id"
        ):
            entries.append(
                {
                    "at": r.created_at,
                    "type": "request",
                    "by": r.requested_by,
                    "request_type": r.type,
                    "status": r.status,
                    "note": r.reason,
                    "new_deadline": r.new_deadline,
                    "resume_on": r.resume_on,
                    "decided_by": r.decided_by,
                    "decided_at": r.decided_at,
                    "decision_note": r.decision_note or None,
                }
            )
    entries.sort(key=lambda entry: (entry["at"], _ORDER[entry["type"]]))
    return entries


def _changes(item: Item) -> list[dict[str, Any]]:
    """Field changes between consecutive history records, each with who made it and why."""
    records = list(item.history.order_by("history_date", "history_id"))
    people = {
        person.user_id: person
        for person in Person.objects.filter(
            user_id__in={r.history_user_id for r in records if r.history_user_id}
        )
    }
    labels = {
        field.name: str(field.verbose_name)
        for field in Item._meta.concrete_fields
        if field.name in HISTORY_FIELDS
    }
    found = []
    for previous, record in zip(records, records[1:], strict=False):
        for change in record.diff_against(previous, included_fields=HISTORY_FIELDS).changes:
            found.append(
                {
                    "at": record.history_date,
                    "type": "change",
                    "by": people.get(record.history_user_id),
                    "field": change.field,
                    "label": labels.get(change.field, change.field),
                    "before": _jsonable(change.old),
                    "after": _jsonable(change.new),
                    "note": record.history_change_reason or None,
                }
            )
    return found
