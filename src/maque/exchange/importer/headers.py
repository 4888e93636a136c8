"""Finding a sheet's header row, its category and its columns; merged cells in the data."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from maque.exchange.importer.results import Problem
from maque.exchange.importer.state import SheetState
from maque.exchange.layout import (
    TITLE_SUFFIX,
    match_header,
    normalise,
    text_of,
)
from maque.exchange.readers import Row
from maque.ledger.models import Category

HEADER_SEARCH_ROWS = 20


class HeaderReading(SheetState):
    """The header row and what it says about the sheet."""

    def _find_header(self, rows: Iterator[Row]) -> list[str] | None:
        titles: list[str] = []
        for seen, row in enumerate(rows):
            texts = [text_of(value) for value in row.values]
            if not any(texts):
                if seen >= HEADER_SEARCH_ROWS:
                    break
                continue
            keys = [match_header(text, None) for text in texts]
            if "village" in keys and len({k for k in keys if k}) >= 3:
                self.header_row = row.number
                self._header_values = texts
                return titles
            titles.append(next(text for text in texts if text))
            if seen >= HEADER_SEARCH_ROWS:
                break
        if not titles:
            return None
        self.problem(
            None,
            None,
            _(
                "No header row found in the first %(rows)d rows of sheet “%(sheet)s” (it needs at least 村 and two other ledger columns)."
            )
            % {"rows": HEADER_SEARCH_ROWS, "sheet": self.sheet.name},
        )
        return titles

    def _resolve_category(self, titles: list[str]) -> Category | None:
        categories = list(
            Category.objects.filter(town=self.town)
            .select_related("campaign")
            .prefetch_related("fields")
        )
        if self.category_code:
            found = [
                c
                for c in categories
                if c.code == self.category_code or c.name == self.category_code
            ]
        else:
            sheet_name = normalise(self.sheet.name)
            found = [
                c
                for c in categories
                if normalise(c.name) == sheet_name or c.code == self.sheet.name
            ]
            if not found:
                title = normalise(" ".join(titles)).replace(normalise(TITLE_SUFFIX), "")
                matches = [c for c in categories if normalise(c.name) in title]
                if matches:
                    longest = max(len(c.name) for c in matches)
                    found = [c for c in matches if len(c.name) == longest]
        if len(found) != 1:
            self.problem(
                None,
                None,
                _(
                    "Cannot tell which category sheet “%(sheet)s” belongs to: name the sheet or its title after the category (e.g. %(example)s), or choose the category when importing."
                )
                % {
                    "sheet": self.sheet.name,
                    "example": categories[0].name if categories else "耕地流出整治及撂荒地治理",
                },
            )
            return None
        return found[0]

    def _map_columns(self, headers: list[str]) -> None:
        for index, text in enumerate(headers):
            if not text:
                continue
            key = match_header(text, self.category)
            if key is None:
                self.result.warnings.append(
                    Problem(
                        self.sheet.name,
                        self.header_row,
                        text,
                        _("Unknown column “%(header)s”, ignored.") % {"header": text},
                        index + 1,
                    )
                )
                continue
            if key in self.index_of:
                self.index_of.setdefault("__dup__", index)
                self.result.problems.append(
                    Problem(
                        self.sheet.name,
                        self.header_row,
                        text,
                        _("Column “%(header)s” appears twice.") % {"header": text},
                        index + 1,
                    )
                )
                continue
            self.columns[index] = key
            self.index_of[key] = index
            self.headers[key] = text

    def _check_merges(self) -> None:
        """Merged cells inside the data hide values from every row but the first."""
        covered: set[tuple[int, int]] = set()
        for min_row, min_col, max_row, max_col in self.sheet.merged:
            if max_row <= self.header_row:
                continue  # the title and header may be merged
            first = max(min_row, self.header_row + 1)
            key = self.columns.get(min_col - 1)
            header = self.headers.get(key, "") if key else ""
            self.result.problems.append(
                Problem(
                    self.sheet.name,
                    first,
                    header,
                    _(
                        "Rows %(first)d–%(last)d are merged cells: unmerge them and fill the value into every row."
                    )
                    % {"first": first, "last": max_row},
                    min_col,
                )
            )
            for row in range(first, max_row + 1):
                for col in range(min_col, max_col + 1):
                    if (row, col) != (min_row, min_col):
                        covered.add((row, col))
        if covered:
            # The blanks a merge leaves behind are explained by the merge message above.
            self.result.problems = [
                p
                for p in self.result.problems
                if p.sheet != self.sheet.name
                or p.col is None
                or (p.row, p.col) not in covered
                or "merged" in p.message
                or "合并" in p.message
            ]
