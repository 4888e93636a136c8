"""What one sheet's import knows while it reads: its columns, category, caches and problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User

from maque.exchange.importer.results import ImportResult, Problem, Progress
from maque.exchange.layout import (
    normalise,
)
from maque.exchange.readers import Sheet
from maque.ledger.attributes import References
from maque.ledger.lifecycle import PreparedItems
from maque.ledger.models import Category, CategoryField, Item
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Town, Village, VillageGroup


@dataclass
class ParsedRow:
    number: int
    cells: dict[str, Any]  # column key -> parsed value (only columns present and non-empty)
    raw: dict[str, str]  # column key -> cell text, for comparisons with masked values
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (column key, message)
    item: Item | None = None
    created: tuple[Sequence[Item], int] | None = (
        None  # a new row: its item is created[0][created[1]]
    )
    changes: dict[str, Any] = field(default_factory=dict)  # an existing item's edits, prepared
    values: dict[str, Any] | None = None  # a new row's checked item values, once written
    described: list[tuple[str, str, str]] = field(default_factory=list)  # for the preview


@dataclass
class PlannedChunk:
    """A chunk of rows read, matched and checked, waiting to be written.

    `prepared` holds the new rows' checked item values (`new_rows[prepared.indexes[i]]` is the
    row of `prepared.values[i]`); `latest_progress` the existing items' latest progress texts.
    """

    rows: list[ParsedRow]
    new_rows: list[ParsedRow]
    updates: list[ParsedRow]
    prepared: PreparedItems | None
    latest_progress: dict[int, str]


class SheetState:
    """The state of one sheet's import, shared by the steps that read, match and write its rows."""

    _header_values: list[str]  # the header row's texts, once found
    _latest_progress: dict[int, str]  # item id -> its latest progress text, for the current chunk

    def __init__(
        self,
        *,
        by: User,
        town: Town,
        sheet: Sheet,
        category_code: str | None,
        result: ImportResult,
        progress: Progress | None,
    ) -> None:
        self.by = by
        self.actor = actor_for(by)
        self.town = town
        self.sheet = sheet
        self.category_code = category_code
        self.result = result
        self.progress = progress
        self.columns: dict[int, str] = {}  # 0-based index -> key
        self.index_of: dict[str, int] = {}  # key -> 0-based index
        self.headers: dict[str, str] = {}  # key -> header text
        self.header_row = 0
        self.category: Category | None = None
        self.fields: dict[str, CategoryField] = {}
        self.seen_codes: dict[str, int] = {}
        self.seen_items: dict[int, int] = {}
        self.references = References()
        self.masks = self.actor.masks_personal_data()
        self.villages = {
            normalise(v.name): v for v in Village.objects.filter(town=town).select_related("town")
        }
        self._groups: dict[int, dict[str, VillageGroup]] = {}
        self._people: dict[str, list[Person]] | None = None
        self._village_people: dict[int, set[int]] | None = None
        self.rows_read = False  # the sheet's data rows were read (it had a header and category)
        self.plan: list[PlannedChunk] = []  # what the reading found, for the writing step
        self._memos: dict[
            str, dict[Any, Any]
        ] = {}  # lookups by cell text, bounded (see cells.MEMO_SIZE)
        # Natural keys match only items that existed before this import: rows of the same file
        # never match each other, and the lookup stays on the rows that were already there.
        self.existing_up_to = (
            Item.objects.filter(town=town).order_by("-pk").values_list("pk", flat=True).first() or 0
        )

    # --- problems ---------------------------------------------------------------------------

    def problem(self, row: int | None, key: str | None, message: str) -> None:
        index = self.index_of.get(key) if key else None
        column = self.headers.get(key, "") if key else ""
        self.result.problems.append(
            Problem(self.sheet.name, row, column, message, index + 1 if index is not None else None)
        )
