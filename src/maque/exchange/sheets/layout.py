"""What a sheet kind is: its title, its columns with the headers the township uses (and the
synonyms clerks type), and which columns an import only reads past (derived values).

Headers are the township's Chinese document format, not interface text (as the ledger's, see
`maque.exchange.layout`): written and matched in Chinese whatever the interface language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from maque.exchange.layout import normalise


@dataclass(frozen=True)
class SheetColumn:
    key: str
    header: str
    width: int = 14
    synonyms: tuple[str, ...] = ()
    derived: bool = False  # written on export, never read on import


@dataclass(frozen=True)
class SheetLayout:
    """One kind of sheet: `kind` is its name in the API and in an import batch."""

    kind: str
    title: str  # the sheet's title row after the town's name, e.g. 重点项目台账
    columns: tuple[SheetColumn, ...]
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            for name in (column.header, *column.synonyms):
                self._index.setdefault(normalise(name), column.key)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def column(self, key: str) -> SheetColumn:
        return next(column for column in self.columns if column.key == key)

    def match(self, text: Any) -> str | None:
        """The column key a header cell names, or None."""
        return self._index.get(normalise(text)) if normalise(text) else None


def joined(values: list[str]) -> str:
    """Several names in one cell, as clerks write them: 张三、李四."""
    return "、".join(value for value in values if value)


def split_names(text: str) -> list[str]:
    """The names of a cell written as 张三、李四 (or with commas, semicolons or spaces)."""
    for mark in (",", "，", ";", "；", "/", "\n"):
        text = text.replace(mark, "、")
    return [name.strip() for name in text.split("、") if name.strip()]
