"""A worksheet's XML read as a stream: the careful reader of `.xlsx` files.

`exchange.readers` opens a checked file and hands a workbook with formulas, a DTD or a very large
sheet to `SheetCells` (the fast values-only reader takes the rest); `Row` is what both give.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass
class Row:
    number: int  # as the user sees it: 1-based
    values: list[Any]
    formulas: frozenset[int] = frozenset()  # 0-based columns holding a formula


def declared_rows_of(source: Any) -> int | None:
    """The last row a worksheet declares (its `dimension`), read from the sheet's first lines
    only; None when it does not say (the row limit is then enforced while reading)."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    dimension, data = f"{{{SHEET_MAIN_NS}}}dimension", f"{{{SHEET_MAIN_NS}}}sheetData"
    for _event, element in iterparse(source, events=("start",)):
        if element.tag == dimension:
            try:
                return range_boundaries(element.get("ref", ""))[3]
            except (TypeError, ValueError):
                return None
        if element.tag == data:
            return None
    return None


class SheetCells:
    """A worksheet's rows, read straight from its XML as a stream of parser events: no element
    tree, no cell objects. Values are what the spreadsheet library's own sheet parser gives
    (numbers, dates by the cell's style, shared and inline strings, booleans, ISO dates, error
    codes; a formula as its text, marked as such), rows one at a time, memory bounded by one
    read buffer. A sheet that declares a DTD (entity tricks) is refused."""

    READ_SIZE = 1 << 16

    def __init__(
        self, *, shared_strings: Any, epoch: Any, date_formats: Any, timedelta_formats: Any
    ) -> None:
        self.shared_strings = shared_strings
        self.epoch = epoch
        self.date_formats = date_formats
        self.timedelta_formats = timedelta_formats
        self.merged: list[tuple[int, int, int, int]] = []  # complete once every row has been read

    def rows(self, source: Any) -> Iterator[Row]:
        from xml.parsers import expat

        from openpyxl.utils.cell import column_index_from_string, range_boundaries
        from openpyxl.utils.datetime import from_excel, from_ISO8601
        from openpyxl.xml.constants import SHEET_MAIN_NS

        ready: list[Row] = []
        row_number = 0
        cells: list[tuple[int, Any]] = []
        formulas: list[int] = []
        column = 0
        cell_type = "n"
        style = 0
        text: list[str] = []
        collecting = (
            False  # inside a <v>, an <f>, or a <t> of an inline string (not of a phonetic hint)
        )
        value_text: str | None = None
        formula: str | None = None
        inline: list[str] | None = None
        in_phonetic = False
        in_cell = False
        letters: dict[str, int] = {}
        # Elements of the sheet's own namespace (what the library reads too); any other is skipped.
        tags = {
            f"{SHEET_MAIN_NS}}}{name}": name
            for name in ("c", "v", "f", "is", "t", "rPh", "row", "mergeCell")
        }

        def column_of(reference: str) -> int:
            name = reference.rstrip("0123456789")
            if name not in letters:
                letters[name] = column_index_from_string(name)
            return letters[name]

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal \
                row_number, \
                column, \
                cell_type, \
                style, \
                collecting, \
                value_text, \
                formula, \
                inline, \
                in_phonetic, \
                in_cell
            name = tags.get(tag)
            if name is None:
                return
            if name == "c":
                reference = attrs.get("r")
                column = column_of(reference) if reference else column + 1
                cell_type = attrs.get("t", "n")
                style = int(attrs["s"]) if attrs.get("s") else 0
                value_text = formula = inline = None
                in_cell = True
            elif not in_cell:
                if name == "row":
                    number = attrs.get("r")
                    row_number = int(float(number)) if number else row_number + 1
                    column = 0
                elif name == "mergeCell":
                    min_col, min_row, max_col, max_row = range_boundaries(attrs["ref"])
                    self.merged.append((min_row, min_col, max_row, max_col))
            elif name in ("v", "f"):
                collecting = True
                text.clear()
            elif name == "is":
                inline = []
            elif name == "rPh":
                in_phonetic = True
            elif name == "t" and inline is not None and not in_phonetic:
                collecting = True
                text.clear()

        def end(tag: str) -> None:
            nonlocal collecting, value_text, formula, in_phonetic, in_cell
            name = tags.get(tag)
            if name is None:
                return
            if name == "c":
                in_cell = False
                if formula is not None:
                    formulas.append(column - 1)
                    cells.append((column, formula))
                else:
                    cells.append(
                        (
                            column,
                            self._value(
                                cell_type, style, value_text, inline, from_excel, from_ISO8601
                            ),
                        )
                    )
            elif name == "v" and collecting:
                collecting = False
                value_text = "".join(text) or None
            elif name == "f" and collecting:
                collecting = False
                formula = "=" + "".join(text)
            elif name == "t" and collecting:
                collecting = False
                assert inline is not None
                inline.append("".join(text))
            elif name == "rPh":
                in_phonetic = False
            elif name == "row" and not in_cell:
                if cells:
                    values: list[Any] = [None] * max(position for position, _value in cells)
                    for position, value in cells:
                        values[position - 1] = value
                    ready.append(Row(row_number, values, frozenset(formulas)))
                cells.clear()
                formulas.clear()

        def characters(data: str) -> None:
            if collecting:
                text.append(data)

        def refuse_dtd(*_args: Any) -> None:
            raise ValidationError(_("The file is damaged or is not a real .xlsx workbook."))

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.ordered_attributes = False
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters
        parser.StartDoctypeDeclHandler = refuse_dtd
        parser.EntityDeclHandler = refuse_dtd
        while True:
            chunk = source.read(self.READ_SIZE)
            parser.Parse(chunk, not chunk)
            yield from ready
            ready.clear()
            if not chunk:
                break

    def _value(
        self,
        cell_type: str,
        style: int,
        text: str | None,
        inline: list[str] | None,
        from_excel: Any,
        from_iso: Any,
    ) -> Any:
        if cell_type == "inlineStr":
            return "".join(inline) if inline is not None else None
        if text is None:
            return None
        if cell_type == "n":
            number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            if style in self.date_formats:
                try:
                    return from_excel(number, self.epoch, timedelta=style in self.timedelta_formats)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if cell_type == "s":
            return self.shared_strings[int(text)]
        if cell_type == "b":
            return bool(int(text))
        if cell_type == "d":
            return from_iso(text)
        return text  # "str" (a formula's text result) and "e" (an error code)
