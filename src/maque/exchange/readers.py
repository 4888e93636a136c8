"""Opening an uploaded spreadsheet safely and reading its rows with bounded memory.

`.xlsx` through the spreadsheet library's streaming sheet parser (rows one at a time, with each
cell's type, so formulas are recognised), `.xls` through the legacy reader, `.csv` in UTF-8 or
GB18030. Before any library sees a file it is checked: its size, that it is the kind of file its
name says, that it is not password-protected, and that a zip container does not expand beyond
a fixed multiple of the size limit (zip bombs).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from maque.exchange.layout import unneutralise

EXTENSIONS = (".xlsx", ".xls", ".csv")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# An xlsx sheet compresses about 10-30 times; a zip bomb, thousands of times.
MAX_MEMBER_RATIO = 200
MAX_EXPANSION = 20  # the whole archive may expand to at most 20 × the upload limit
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


@dataclass
class Row:
    number: int  # as the user sees it: 1-based
    values: list[Any]
    formulas: frozenset[int] = frozenset()  # 0-based columns holding a formula


@dataclass
class Sheet:
    name: str
    hidden: bool
    declared_rows: int | None
    _rows: Any = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col

    def rows(self) -> Iterator[Row]:
        """The rows, streamed; `merged` is complete once they have all been read."""
        return self._rows(self)


class Spreadsheet:
    """An opened, checked file: its sheets, each read as a stream of rows."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        self._book: Any = None

    def sheets(self) -> list[Sheet]:
        if self.kind == "xlsx":
            return self._xlsx_sheets()
        if self.kind == "xls":
            return self._xls_sheets()
        return [Sheet(name=self.path.stem, hidden=False, declared_rows=None, _rows=self._csv_rows)]

    def close(self) -> None:
        if self._book is not None and self.kind == "xlsx":
            self._book.close()
        elif self._book is not None and self.kind == "xls":
            self._book.release_resources()
        self._book = None

    # xlsx ----------------------------------------------------------------------------------

    def _xlsx_sheets(self) -> list[Sheet]:
        import openpyxl

        try:
            self._book = openpyxl.load_workbook(self.path, read_only=True, data_only=False, keep_links=False)
        except Exception as error:  # noqa: BLE001 - any failure of the library means a broken file
            raise ValidationError(_("The file is damaged or is not a real .xlsx workbook.")) from error
        sheets = []
        for worksheet in self._book.worksheets:
            sheet = Sheet(
                name=worksheet.title,
                hidden=worksheet.sheet_state != "visible",
                declared_rows=worksheet.max_row,
                _rows=self._xlsx_rows,
            )
            sheet.worksheet = worksheet  # type: ignore[attr-defined]
            sheets.append(sheet)
        return sheets

    def _xlsx_rows(self, sheet: Sheet) -> Iterator[Row]:
        from openpyxl.worksheet._reader import WorkSheetParser

        worksheet = sheet.worksheet  # type: ignore[attr-defined]
        book = self._book
        with worksheet._get_source() as source:
            # The same parser the library's read-only worksheets use, read directly so that each
            # cell's type (a formula) and the sheet's merged ranges are not thrown away.
            parser = WorkSheetParser(
                source, worksheet._shared_strings, data_only=False, epoch=book.epoch,
                date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
            )
            try:
                for number, cells in parser.parse():
                    if not cells:
                        continue
                    width = cells[-1]["column"]
                    values: list[Any] = [None] * width
                    formulas = []
                    for cell in cells:
                        column = cell["column"] - 1
                        if cell["data_type"] == "f":
                            formulas.append(column)
                        values[column] = cell["value"]
                    yield Row(number, values, frozenset(formulas))
            except ValidationError:
                raise
            except Exception as error:  # noqa: BLE001
                raise ValidationError(_("The file is damaged or is not a real .xlsx workbook.")) from error
            if parser.merged_cells is not None:
                from openpyxl.worksheet.cell_range import CellRange

                for merge in parser.merged_cells.mergeCell:
                    bounds = CellRange(merge.ref).bounds  # min_col, min_row, max_col, max_row
                    sheet.merged.append((bounds[1], bounds[0], bounds[3], bounds[2]))

    # xls -----------------------------------------------------------------------------------

    def _xls_sheets(self) -> list[Sheet]:
        import xlrd

        try:
            self._book = xlrd.open_workbook(str(self.path), formatting_info=True, on_demand=True)
        except xlrd.XLRDError as error:
            if "encrypt" in str(error).lower():
                raise ValidationError(_("The file is password-protected. Save it without a password and try again.")) from error
            raise ValidationError(_("The file is damaged or is not a real .xls workbook.")) from error
        except Exception as error:  # noqa: BLE001
            raise ValidationError(_("The file is damaged or is not a real .xls workbook.")) from error
        sheets = []
        for index in range(self._book.nsheets):
            xls_sheet = self._book.sheet_by_index(index)
            sheet = Sheet(
                name=xls_sheet.name,
                hidden=xls_sheet.visibility != 0,
                declared_rows=xls_sheet.nrows,
                merged=[(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in xls_sheet.merged_cells],
                _rows=self._xls_rows,
            )
            sheet.xls_sheet = xls_sheet  # type: ignore[attr-defined]
            sheets.append(sheet)
        return sheets

    def _xls_rows(self, sheet: Sheet) -> Iterator[Row]:
        import xlrd

        xls_sheet = sheet.xls_sheet  # type: ignore[attr-defined]
        datemode = self._book.datemode
        for index in range(xls_sheet.nrows):
            values: list[Any] = []
            for cell in xls_sheet.row(index):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        values.append(xlrd.xldate_as_datetime(cell.value, datemode))
                    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                        values.append(cell.value)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    values.append(None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    values.append(xlrd.error_text_from_code.get(cell.value, "#ERR"))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    values.append(bool(cell.value))
                else:
                    values.append(cell.value)
            yield Row(index + 1, values)

    # csv -----------------------------------------------------------------------------------

    def _csv_rows(self, sheet: Sheet) -> Iterator[Row]:
        encoding = self._csv_encoding()
        with self.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            try:
                for number, record in enumerate(csv.reader(text), start=1):
                    yield Row(number, [unneutralise(value) for value in record])
            except csv.Error as error:
                raise ValidationError(_("The CSV file is malformed: %(error)s") % {"error": error}) from error

    def _csv_encoding(self) -> str:
        with self.path.open("rb") as raw:
            if raw.read(3) == codecs.BOM_UTF8:
                return "utf-8-sig"
        for encoding in ("utf-8", "gb18030"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                with self.path.open("rb") as raw:
                    for chunk in iter(lambda raw=raw: raw.read(1 << 20), b""):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
        raise ValidationError(_("The CSV file is neither UTF-8 nor GB18030 text."))


def open_spreadsheet(path: Path, name: str) -> Spreadsheet:
    """Check the file and open it, or raise ValidationError with a message the clerk can act on."""
    extension = Path(name).suffix.lower()
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("%(name)s is not a spreadsheet this import reads (.xlsx, .xls or .csv).") % {"name": Path(name).name}
        )
    size = path.stat().st_size
    limit = settings.MAQUE_IMPORT_MAX_BYTES
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB; at most %(max)s MB).")
            % {"size": round(size / 1048576, 1), "max": round(limit / 1048576, 1)}
        )
    with path.open("rb") as raw:
        head = raw.read(8)
    if head.startswith(OLE_MAGIC):
        # Password-protected .xlsx files are OLE containers holding an encrypted package.
        if _contains(path, ENCRYPTED_MARK):
            raise ValidationError(_("The file is password-protected. Save it without a password and try again."))
        if extension == ".csv":
            raise ValidationError(_("The file is not CSV text; it looks like an .xls workbook."))
        return Spreadsheet(path, "xls")
    if head.startswith(ZIP_MAGIC):
        if extension == ".csv":
            raise ValidationError(_("The file is not CSV text; it looks like an .xlsx workbook."))
        _check_zip(path, limit)
        return Spreadsheet(path, "xlsx")
    if extension in (".xlsx", ".xls"):
        raise ValidationError(
            _("%(name)s is not a spreadsheet: its content is not an Excel or WPS workbook.") % {"name": Path(name).name}
        )
    with path.open("rb") as raw:
        if b"\x00" in raw.read(65536):
            raise ValidationError(_("The file is not CSV text."))
    return Spreadsheet(path, "csv")


def _contains(path: Path, needle: bytes) -> bool:
    overlap = len(needle)
    previous = b""
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            if needle in previous[-overlap:] + chunk:
                return True
            previous = chunk
    return False


def _check_zip(path: Path, limit: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationError(_("The file is damaged or is not a real .xlsx workbook.")) from error
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise ValidationError(_("The file is a zip archive but not an Excel or WPS workbook."))
    if any(member.flag_bits & 0x1 for member in members):
        raise ValidationError(_("The file is password-protected. Save it without a password and try again."))
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_MEMBER_RATIO and member.file_size > 1024 * 1024:
            raise ValidationError(_("The file expands to an implausible size when opened (a zip bomb?); it was not read."))
    if total > MAX_EXPANSION * limit:
        raise ValidationError(_("The file expands to an implausible size when opened (a zip bomb?); it was not read."))
