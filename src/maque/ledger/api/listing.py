"""The item list's rows: what a list shows, read as plain rows and written straight to JSON.

A page of the list is read with `values()` (no model instances), its lifecycle actions worked out
once per kind of row (`lifecycle.available_actions_rows`), and the page written to JSON without a
second pass through the schema: the rows are built field for field to `ItemSummaryOut`, and a
test holds every list response to it. The long texts (description, measures, scope, the
category's standard) come with the item (`GET /items/{code}`) or with `expand=text`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from pydantic import Field

from maque.api.paging import page_of
from maque.api.renderer import date_text, datetime_text
from maque.api.schemas import CodeRef, Out, Ref
from maque.core.masking import mask_text
from maque.ledger import lifecycle
from maque.ledger.api.item_output import STATE_LABELS
from maque.ledger.models import Item

# The `expand` values the list takes.
EXPAND_TEXT = "text"
EXPANSIONS = (EXPAND_TEXT,)
LONG_TEXTS = ("description", "measures", "scope", "standard")
SHORT_TEXTS = ("title", "subject")

COLUMNS = (
    *lifecycle.ACTION_FIELDS,
    "code",
    "title",
    "campaign__code",
    "campaign__name",
    "category__code",
    "category__name",
    "village__name",
    "group_id",
    "group__name",
    "plot__code",
    "household_id",
    "parent_id",
    "subject",
    "owner__name",
    "found_on",
    "deadline",
    "original_deadline",
    "open_ended",
    "importance",
    "urgency",
    "light",
    "overdue",
    "days_overdue",
    "attributes",
    "returned_count",
    "reopened_count",
    "progress_percent",
    "source",
    "suspended_until",
    "version",
    "created_at",
    "updated_at",
)


class ItemSummaryOut(Out):
    """An item as a list shows it."""

    code: str
    kind: str
    title: str
    campaign: CodeRef
    category: CodeRef | None
    village: Ref
    group: Ref | None
    plot: str | None = Field(description="Plot code.")
    household: int | None = Field(description="Household id.")
    parent: str | None = Field(description="The parent item's code, for a sub-item.")
    subject: str
    owner: Ref
    found_on: date
    deadline: date
    original_deadline: date
    open_ended: bool = Field(description="A legacy matter without a deadline (never overdue).")
    importance: str = Field(description="Legacy matters: major (重), minor (轻) or empty.")
    urgency: str = Field(description="Legacy matters: urgent (急), slack (缓) or empty.")
    state: str
    state_label: str
    light: str
    overdue: bool
    days_overdue: int
    attributes: dict[str, Any]
    returned_count: int
    reopened_count: int
    extension_count: int
    progress_percent: int
    source: str
    suspended_until: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    actions: list[str] = Field(description="Lifecycle actions the caller may take now.")
    description: str | None = Field(None, description="With `expand=text` only.")
    measures: str | None = Field(None, description="With `expand=text` only.")
    scope: str | None = Field(None, description="With `expand=text` only.")
    standard: str | None = Field(None, description="With `expand=text` only.")


ItemListOut = page_of(ItemSummaryOut, name="ItemListOut")


def page_rows(items: QuerySet[Item], *, texts: bool) -> QuerySet[Any]:
    """The list's queryset (filtered, sorted, annotated) as the rows a page reads."""
    return items.values(*COLUMNS, *(LONG_TEXTS if texts else ()))


def parent_codes(ids: set[int]) -> dict[int, str]:
    """The codes of a page's parent items, in one read of their primary keys (none without
    sub-items on the page): the page's own query stays free of a join of the items to
    themselves."""
    if not ids:
        return {}
    return dict(Item.objects.filter(pk__in=ids).values_list("pk", "code"))


def summaries(
    user: Any, rows: Sequence[dict[str, Any]], *, masks: bool, texts: bool
) -> list[dict[str, Any]]:
    """A page of rows as `ItemSummaryOut` dicts, with the caller's actions on each."""
    mask: Callable[[str], str] = mask_text if masks else str
    actions = lifecycle.available_actions_rows(user, rows)
    # Each state's label in the caller's language, once per page.
    labels = {state: str(label) for state, label in STATE_LABELS.items()}
    parents = parent_codes({row["parent_id"] for row in rows} - {None})
    out = []
    for row, offered in zip(rows, actions, strict=True):
        category_id = row["category_id"]
        group_id = row["group_id"]
        attributes = row["attributes"] if isinstance(row["attributes"], dict) else {}
        summary = {
            "code": row["code"],
            "kind": row["kind"],
            "title": mask(row["title"]),
            "campaign": {"code": row["campaign__code"], "name": row["campaign__name"]},
            "category": {"code": row["category__code"], "name": row["category__name"]}
            if category_id is not None
            else None,
            "village": {"id": row["village_id"], "name": row["village__name"]},
            "group": {"id": group_id, "name": row["group__name"]} if group_id is not None else None,
            "plot": row["plot__code"],
            "household": row["household_id"],
            "parent": parents.get(row["parent_id"]),
            "subject": mask(row["subject"]),
            "owner": {"id": row["owner_id"], "name": row["owner__name"]},
            "found_on": date_text(row["found_on"]),
            "deadline": date_text(row["deadline"]),
            "original_deadline": date_text(row["original_deadline"]),
            "open_ended": bool(row["open_ended"]),
            "importance": row["importance"],
            "urgency": row["urgency"],
            "state": row["state"],
            "state_label": labels.get(row["state"], row["state"]),
            "light": row["light"],
            "overdue": bool(row["overdue"]),
            "days_overdue": row["days_overdue"] or 0,
            "attributes": {
                name: mask(value) if isinstance(value, str) else value
                for name, value in attributes.items()
            }
            if masks
            else attributes,
            "returned_count": row["returned_count"],
            "reopened_count": row["reopened_count"],
            "extension_count": row["extension_count"],
            "progress_percent": row["progress_percent"],
            "source": row["source"],
            "suspended_until": date_text(row["suspended_until"]),
            "version": row["version"],
            "created_at": datetime_text(row["created_at"]),
            "updated_at": datetime_text(row["updated_at"]),
            "actions": offered,
        }
        if texts:
            for name in LONG_TEXTS:
                summary[name] = mask(row[name])
        out.append(summary)
    return out
