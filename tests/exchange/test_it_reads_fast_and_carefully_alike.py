"""The fast values-only reader and the careful streaming parser read a workbook alike (numbers,
dates, text, blanks, merged ranges, a sheet that starts below A1, hidden sheets); a workbook with
a formula or a DTD goes to the careful one, which marks or refuses them (issue: imports at the
reader's speed)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from maque.exchange import readers
from maque.exchange.readers import Spreadsheet, open_spreadsheet

FIXTURES = Path(__file__).with_name("fixtures")


def _plain_book(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet["B3"] = "蒿坪镇台账"
    sheet.merge_cells("B3:E3")
    sheet.append([None, "村", "面积", "时限", "备注"])
    sheet.append([None, "改革村", 3.5, date(2026, 7, 18), ""])
    sheet.append([None, "双胜村", 12, datetime(2026, 7, 18, 9, 30), "  留空  "])
    sheet.append([None, None, None, None, None])
    sheet.append([None, "桃园村", 0.25, None, True])
    hidden = book.create_sheet("说明")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "填写说明"
    book.save(path)
    return path


def _read(path: Path, *, careful: bool, monkeypatch: pytest.MonkeyPatch) -> list:
    monkeypatch.setattr(readers, "_needs_careful_reading", lambda _path: careful)
    book = Spreadsheet(path, "xlsx")
    try:
        out = []
        for sheet in book.sheets():
            rows = []
            for row in sheet.rows():
                values = list(row.values)
                while values and values[-1] is None:
                    values.pop()
                if values:
                    rows.append((row.number, values))
            out.append((sheet.name, sheet.hidden, rows, sorted(sheet.merged)))
        return out
    finally:
        book.close()


@pytest.mark.parametrize("name", ["plain", "ledger-source.xlsx", "lo-ledger.xlsx"])
def test_both_readers_read_a_plain_workbook_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = _plain_book(tmp_path / "plain.xlsx") if name == "plain" else FIXTURES / name
    fast = _read(path, careful=False, monkeypatch=monkeypatch)
    careful = _read(path, careful=True, monkeypatch=monkeypatch)
    assert fast == careful
    assert fast[0][2], "the sheet has rows"


def test_a_formula_or_a_dtd_sends_the_workbook_to_the_careful_reader(tmp_path: Path) -> None:
    plain = _plain_book(tmp_path / "plain.xlsx")
    assert not readers._needs_careful_reading(plain)
    book = Workbook()
    book.active["A1"] = "=1+2"
    book.save(tmp_path / "formula.xlsx")
    assert readers._needs_careful_reading(tmp_path / "formula.xlsx")
    opened = open_spreadsheet(tmp_path / "formula.xlsx", "formula.xlsx")
    try:
        (row,) = list(opened.sheets()[0].rows())
        assert row.formulas == frozenset({0})
    finally:
        opened.close()
