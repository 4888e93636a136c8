"""`SheetImport`: one sheet of the file, read and checked in chunks, then written."""

from __future__ import annotations

from collections import deque
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from maque.exchange.importer.cells import RowParsing
from maque.exchange.importer.headers import HEADER_SEARCH_ROWS, HeaderReading
from maque.exchange.importer.matching import RowMatching
from maque.exchange.importer.results import Problem
from maque.exchange.importer.state import ParsedRow
from maque.exchange.layout import (
    text_of,
)

CHUNK_ROWS = 1000
MAX_BLANK_WARNINGS = 50


class SheetImport(HeaderReading, RowParsing, RowMatching):
    """One sheet of the file, read in chunks."""

    def run(self) -> bool:
        """Read and check the sheet, writing nothing (`write` does, later); False when it holds
        nothing at all (an empty extra sheet)."""
        rows = self.sheet.rows()
        limit = settings.MAQUE_IMPORT_MAX_ROWS
        if (
            self.sheet.declared_rows is not None
            and self.sheet.declared_rows > limit + HEADER_SEARCH_ROWS
        ):
            self.problem(
                None,
                None,
                _(
                    "The sheet has %(rows)d rows; at most %(max)d can be imported at once: "
                    "split it into several files and import them one after another."
                )
                % {"rows": self.sheet.declared_rows, "max": limit},
            )
            return True
        titles = self._find_header(rows)
        if titles is None:
            return False
        if not self.header_row:
            return True
        self.category = self._resolve_category(titles)
        if self.category is None:
            return True
        self.fields = {f.name: f for f in self.category.fields.all()}
        self._map_columns(self._header_values)
        if "village" not in self.index_of:
            self.problem(self.header_row, None, _("The header row has no village (村) column."))
            return True
        if "title" not in self.index_of and "description" not in self.index_of:
            self.problem(
                self.header_row,
                None,
                _(
                    "The header row has neither an item (事项) nor a problem description (问题描述) column."
                ),
            )
            return True
        chunk: list[ParsedRow] = []
        data_rows = 0
        # Only the latest few empty rows are remembered: a sheet may end in a million of them.
        blank_rows: deque[int] = deque(maxlen=MAX_BLANK_WARNINGS)
        previous = self.header_row
        for row in rows:
            # Rows a workbook leaves out entirely are empty rows too.
            blank_rows.extend(range(previous + 1, row.number))
            previous = row.number
            if _blank(row.values):
                blank_rows.append(row.number)
                continue
            while blank_rows:
                self.result.warnings.append(
                    Problem(self.sheet.name, blank_rows.popleft(), "", _("Empty row, skipped."))
                )
            blank_rows.clear()
            data_rows += 1
            if data_rows > limit:
                self.problem(
                    row.number,
                    None,
                    _(
                        "Too many rows: at most %(max)d can be imported at once: split the "
                        "file into several and import them one after another."
                    )
                    % {"max": limit},
                )
                break
            chunk.append(self._parse(row))
            if len(chunk) >= CHUNK_ROWS:
                self._prepare(chunk)
                chunk = []
                if self.progress:
                    self.progress(
                        data_rows,
                        self.sheet.declared_rows and self.sheet.declared_rows - self.header_row,
                    )
        if chunk:
            self._prepare(chunk)
        if self.progress:
            self.progress(data_rows, data_rows)
        if data_rows == 0:
            self.problem(
                None,
                None,
                _("Sheet “%(sheet)s” has a header but no data rows.") % {"sheet": self.sheet.name},
            )
        self.rows_read = True  # `write` checks the merged cells once the rows' problems are known
        return True

    def write(self) -> None:
        """Write every chunk read, in order (inside the import's one transaction)."""
        while self.plan:
            self._write(self.plan.pop(0))
        if self.rows_read:
            self._check_merges()


def _blank(values: list[Any]) -> bool:
    """True when no cell of the row has any text (what `text_of` would find)."""
    for value in values:
        if value is None:
            continue
        if type(value) is str:
            if value.strip():
                return False
        elif text_of(value):
            return False
    return True
