"""What an import reports: the problems found and the counts of new, updated and unchanged items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[int, int | None], None]


@dataclass
class Problem:
    """One thing wrong with the file, a row or a cell: where (as the clerk sees it) and why."""

    sheet: str
    row: int | None
    column: str
    message: str
    col: int | None = None  # 1-based column index, for highlighting the cell

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


MAX_PREVIEW_ROWS = 200  # the rows a preview shows, with what each will do


@dataclass
class RowPreview:
    """What the import does with one row: a new item, or the changes to an existing one."""

    sheet: str
    row: int
    action: str  # "new", "update" or "unchanged"
    code: str  # the existing item's code ("" for a new one: codes are given on import)
    village: str
    title: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, before, after)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "code": self.code,
            "village": self.village,
            "title": self.title,
            "changes": [
                {"column": column, "before": before, "after": after}
                for column, before, after in self.changes
            ],
        }


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    committed: bool = False
    codes: list[str] = field(default_factory=list)  # the first codes created (when committed)
    rows: list[RowPreview] = field(default_factory=list)  # the first rows, what each will do

    def preview(self, row: RowPreview) -> None:
        """Keep what the import does with a row, for the first `MAX_PREVIEW_ROWS` rows."""
        if len(self.rows) < MAX_PREVIEW_ROWS:
            self.rows.append(row)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
        }
