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
