"""The error workbook: the uploaded sheets as they were, with an error column and the bad cells
highlighted, so the clerk fixes the file in place and imports it again."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from maque.exchange.exporter import DATE_FORMAT
from maque.exchange.layout import LISTS_SHEET, match_header, sheet_name, text_of
from maque.exchange.readers import open_spreadsheet

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")
ERROR_HEADER = "错误说明"
SUMMARY_SHEET = "错误汇总"


def error_workbook_write(
    *, path: Path, name: str, problems: list[dict[str, Any]], out: BinaryIO | str
) -> None:
    book = Workbook(write_only=True)
    summary = book.create_sheet(SUMMARY_SHEET)
    summary.column_dimensions["A"].width = 16
    summary.column_dimensions["D"].width = 80
    summary.append(["工作表", "行", "列", "问题"])
    by_cell: dict[tuple[str, int], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        summary.append(
            [
                problem.get("sheet") or "",
                problem.get("row"),
                problem.get("column") or "",
                problem["message"],
            ]
        )
        if problem.get("row"):
            by_cell[(problem.get("sheet") or "", problem["row"])][problem.get("col") or 0].append(
                problem["message"]
            )
    try:
        spreadsheet = open_spreadsheet(path, name)
        sheets = spreadsheet.sheets()
    except Exception:  # noqa: BLE001 - a file that cannot be opened gets the summary only
        book.save(out)
        return
    try:
        for sheet in sheets:
            if sheet.hidden and sheet.name == LISTS_SHEET:
                continue
            ws = book.create_sheet(
                sheet_name(sheet.name if sheet.name != SUMMARY_SHEET else sheet.name + "1")
            )
            width = 0
            header_seen = False
            pending: list[tuple[int, list[Any]]] = []
            for row in sheet.rows():
                pending.append((row.number, row.values))
                width = max(width, len(row.values))
                if len(pending) < 50 and not header_seen:
                    continue
                header_seen = True
                for number, values in pending:
                    _write(ws, number, values, width, by_cell.get((sheet.name, number), {}))
                pending = []
            for number, values in pending:
                _write(ws, number, values, width, by_cell.get((sheet.name, number), {}))
    finally:
        spreadsheet.close()
    book.save(out)


def _write(
    ws: Any, number: int, values: list[Any], width: int, errors: dict[int, list[str]]
) -> None:
    cells: list[Any] = []
    for index in range(width):
        value = values[index] if index < len(values) else None
        if (
            errors.get(index + 1)
            or hasattr(value, "isoformat")
            or (isinstance(value, str) and value.startswith(("=", "＝")))
        ):
            cell = WriteOnlyCell(ws, value)
            if isinstance(value, str) and value.startswith(("=", "＝")):
                cell.data_type = "s"
            if hasattr(value, "isoformat"):
                cell.number_format = DATE_FORMAT
            if errors.get(index + 1):
                cell.fill = BAD_FILL
                cell.font = BAD_FONT
            cells.append(cell)
        else:
            cells.append(value)
    messages = [message for column in sorted(errors) for message in errors[column]]
    is_header = "village" in {match_header(text_of(v), None) for v in values}
    if messages:
        cell = WriteOnlyCell(ws, "；".join(messages))
        cell.font = BAD_FONT
        cells.append(cell)
    elif is_header:
        cells.append(ERROR_HEADER)
    ws.append(cells)
