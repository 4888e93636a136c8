"""Writing a sheet kind as .xlsx (write-only workbook, bounded memory) or as CSV line by line,
in the ledger's style: a merged title row, styled headers, frozen panes, A4 landscape print
setup; every text cell through the shared formula guard (`maque.core.formulas`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from maque.core.formulas import neutralise, xlsx_text
from maque.exchange.exporter import (
    CENTRED,
    DATE_FORMAT,
    HEADER_BORDER,
    HEADER_FILL,
    HEADER_FONT,
    TITLE_FONT,
    CsvLine,
)
from maque.exchange.layout import sheet_name
from maque.exchange.sheets.layout import SheetLayout

TIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'


def layout_title(layout: SheetLayout, town_name: str) -> str:
    return f"{town_name}{layout.title}"


def xlsx_write(
    *, layout: SheetLayout, rows: Iterable[list[Any]], out: BinaryIO, town_name: str
) -> int:
    """Write the rows under the layout's title and headers; the number of rows written."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet_name(layout.title))
    for index, column in enumerate(layout.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.merged_cells.add(f"A1:{get_column_letter(len(layout.columns))}1")
    ws.freeze_panes = "C3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    title = WriteOnlyCell(ws, layout_title(layout, town_name))
    title.font = TITLE_FONT
    title.alignment = CENTRED
    ws.append([title])
    headers = []
    for header in layout.headers:
        cell = WriteOnlyCell(ws, header)
        cell.font, cell.fill, cell.border, cell.alignment = (
            HEADER_FONT,
            HEADER_FILL,
            HEADER_BORDER,
            CENTRED,
        )
        headers.append(cell)
    ws.append(headers)
    written = 0
    for values in rows:
        ws.append([_cell(ws, value) for value in values])
        written += 1
    book.save(out)
    return written


def _cell(ws: Any, value: Any) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value.replace(tzinfo=None))
        cell.number_format = TIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATE_FORMAT
        return cell
    return xlsx_text(ws, value)


def csv_lines(*, layout: SheetLayout, rows: Iterable[list[Any]], town_name: str) -> Iterator[str]:
    """The sheet as CSV, line by line (UTF-8 with a byte-order mark for Excel); cells a
    spreadsheet program would run as a formula get a leading '."""
    line = CsvLine()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow([neutralise(layout_title(layout, town_name))])
    yield "\ufeff" + line.take()
    writer.writerow(layout.headers)
    yield line.take()
    for values in rows:
        writer.writerow([neutralise(csv_text(value)) for value in values])
        yield line.take()


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)
