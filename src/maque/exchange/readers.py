"""Opening an uploaded spreadsheet safely and reading its rows with bounded memory.

`.xlsx` through a fast values-only reader (a compiled one, several times faster), or, when the
workbook holds formulas, through a streaming parser of the sheet's XML (rows one at a time, with
each cell's type, so each formula is recognised and refused by the import), `.xls` through the legacy reader, `.csv` in UTF-8 or
GB18030. Before any library sees a file it is checked: its size, that it is the kind of file its
name says, that it is not password-protected, and that a zip container does not expand beyond
a fixed multiple of the size limit (zip bombs).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from maque.exchange.layout import unneutralise
from maque.exchange.sheet_xml import Row, SheetCells, declared_rows_of

EXTENSIONS = (".xlsx", ".xls", ".csv")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# An xlsx sheet compresses about 10-30 times; a zip bomb, thousands of times.
MAX_MEMBER_RATIO = 200
MAX_EXPANSION = 20  # the whole archive may expand to at most 20 × the upload limit
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


@dataclass
class Sheet:
    name: str
    hidden: bool
    declared_rows: int | None
    _rows: Any = None
    merged: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # min_row, min_col, max_row, max_col

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
            # The fast reader for plain values; the streaming parser below for a workbook with
            # formulas (it marks each formula cell, which the import refuses), with a DTD (it
            # refuses one), too large to hold in memory, or one the fast reader cannot open.
            if not _needs_careful_reading(self.path):
                try:
                    return self._calamine_sheets()
                except Exception:  # noqa: BLE001 - the other reader decides whether it is broken
                    self.close()
            return self._xlsx_sheets()
        if self.kind == "xls":
            return self._xls_sheets()
        return [Sheet(name=self.path.stem, hidden=False, declared_rows=None, _rows=self._csv_rows)]

    def close(self) -> None:
        if self._book is not None and self.kind == "xlsx":
            if hasattr(self._book, "archive"):
                self._book.archive.close()
            else:
                self._book.close()
        elif self._book is not None and self.kind == "xls":
            self._book.release_resources()
        self._book = None

    # xlsx, fast: values only ----------------------------------------------------------------

    def _calamine_sheets(self) -> list[Sheet]:
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

        self._book = CalamineWorkbook.from_path(str(self.path))
        sheets = []
        for metadata in self._book.sheets_metadata:
            if metadata.typ != SheetTypeEnum.WorkSheet:
                continue
            source = self._book.get_sheet_by_name(metadata.name)
            sheet = Sheet(
                name=metadata.name,
                hidden=metadata.visible != SheetVisibleEnum.Visible,
                declared_rows=source.end[0] + 1 if source.height else 0,
                merged=[
                    (top + 1, left + 1, bottom + 1, right + 1)
                    for (top, left), (bottom, right) in (source.merged_cell_ranges or [])
                ],
                _rows=self._calamine_rows,
            )
            sheet.source = source  # type: ignore[attr-defined]
            sheets.append(sheet)
        return sheets

    def _calamine_rows(self, sheet: Sheet) -> Iterator[Row]:
        source = sheet.source  # type: ignore[attr-defined]
        if not source.height:
            return
        # Rows come from the first row of the sheet; columns from its first used column.
        padding: list[Any] = [None] * source.start[1]
        for offset, cells in enumerate(source.iter_rows()):
            values = [*padding, *(_plain(value) for value in cells)]
            while values and values[-1] is None:
                values.pop()
            if values:
                yield Row(offset + 1, values)

    # xlsx ----------------------------------------------------------------------------------

    def _xlsx_sheets(self) -> list[Sheet]:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        try:
            # The library's own reading steps, minus its read-only worksheets: those read a sheet
            # that does not declare its size from end to end just to learn it, before any row.
            reader = ExcelReader(
                self.path, read_only=True, keep_vba=False, data_only=False, keep_links=False
            )
            self._book = reader
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = []
            for found, rel in reader.parser.find_sheets():
                if rel.target not in reader.valid_files or "chartsheet" in rel.Type:
                    continue
                with reader.archive.open(rel.target) as source:
                    declared_rows = declared_rows_of(source)
                sheet = Sheet(
                    name=found.name,
                    hidden=(found.state or "visible") != "visible",
                    declared_rows=declared_rows,
                    _rows=self._xlsx_rows,
                )
                sheet.part = rel.target  # type: ignore[attr-defined]
                sheets.append(sheet)
        except Exception as error:  # noqa: BLE001 - any failure of the library means a broken file
            raise ValidationError(
                _("The file is damaged or is not a real .xlsx workbook.")
            ) from error
        return sheets

    def _xlsx_rows(self, sheet: Sheet) -> Iterator[Row]:
        reader = self._book
        cells = SheetCells(
            shared_strings=reader.shared_strings,
            epoch=reader.wb.epoch,
            date_formats=reader.wb._date_formats,
            timedelta_formats=reader.wb._timedelta_formats,
        )
        with reader.archive.open(sheet.part) as source:  # type: ignore[attr-defined]
            try:
                yield from cells.rows(source)
            except ValidationError:
                raise
            except Exception as error:  # noqa: BLE001
                raise ValidationError(
                    _("The file is damaged or is not a real .xlsx workbook.")
                ) from error
        sheet.merged.extend(cells.merged)

    # xls -----------------------------------------------------------------------------------

    def _xls_sheets(self) -> list[Sheet]:
        import xlrd

        try:
            self._book = xlrd.open_workbook(str(self.path), formatting_info=True, on_demand=True)
        except xlrd.XLRDError as error:
            if "encrypt" in str(error).lower():
                raise ValidationError(
                    _("The file is password-protected. Save it without a password and try again.")
                ) from error
            raise ValidationError(
                _("The file is damaged or is not a real .xls workbook.")
            ) from error
        except Exception as error:  # noqa: BLE001
            raise ValidationError(
                _("The file is damaged or is not a real .xls workbook.")
            ) from error
        sheets = []
        for index in range(self._book.nsheets):
            xls_sheet = self._book.sheet_by_index(index)
            sheet = Sheet(
                name=xls_sheet.name,
                hidden=xls_sheet.visibility != 0,
                declared_rows=xls_sheet.nrows,
                merged=[
                    (rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in xls_sheet.merged_cells
                ],
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
                    # Only a cell starting with ' can be a neutralised one.
                    yield Row(
                        number,
                        [unneutralise(value) if value[:1] == "'" else value for value in record],
                    )
            except csv.Error as error:
                raise ValidationError(
                    _("The CSV file is malformed: %(error)s") % {"error": error}
                ) from error

    def _csv_encoding(self) -> str:
        with self.path.open("rb") as raw:
            if raw.read(3) == codecs.BOM_UTF8:
                return "utf-8-sig"
        for encoding in ("utf-8", "gb18030"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                with self.path.open("rb") as raw:
                    for chunk in iter(functools.partial(raw.read, 1 << 20), b""):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
        raise ValidationError(_("The CSV file is neither UTF-8 nor GB18030 text."))


# A formula element in a worksheet part (<f>, <f t="shared" …/>, with or without a namespace
# prefix), or a document type declaration.
_CAREFUL = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]|<!DOCTYPE|<!ENTITY")
# The fast reader holds a sheet in memory (about 1.5 × its XML); a larger sheet is streamed.
FAST_READ_MAX_BYTES = 160 * 1024 * 1024


def _needs_careful_reading(path: Path) -> bool:
    """Whether a worksheet of the workbook holds a formula or a DTD, or is too large for the fast
    reader (the parts are searched in chunks, not parsed)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if not (
                    member.filename.startswith("xl/worksheets/")
                    and member.filename.endswith(".xml")
                ):
                    continue
                if member.file_size > FAST_READ_MAX_BYTES:
                    return True
                with archive.open(member) as part:
                    tail = b""
                    while chunk := part.read(1 << 20):
                        if _CAREFUL.search(tail + chunk):
                            return True
                        tail = chunk[-32:]
    except (zipfile.BadZipFile, OSError, ValueError):
        return True  # let the careful reader say what is wrong with it
    return False


def _plain(value: Any) -> Any:
    """A cell value of the fast reader as the streaming parser gives it: None for an empty cell,
    whole numbers as int, dates as datetimes."""
    if value == "" and type(value) is str:
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def open_spreadsheet(path: Path, name: str) -> Spreadsheet:
    """Check the file and open it, or raise ValidationError with a message the clerk can act on."""
    extension = Path(name).suffix.lower()
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("%(name)s is not a spreadsheet this import reads (.xlsx, .xls or .csv).")
            % {"name": Path(name).name}
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
            raise ValidationError(
                _("The file is password-protected. Save it without a password and try again.")
            )
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
            _("%(name)s is not a spreadsheet: its content is not an Excel or WPS workbook.")
            % {"name": Path(name).name}
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
        raise ValidationError(
            _("The file is password-protected. Save it without a password and try again.")
        )
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_MEMBER_RATIO and member.file_size > 1024 * 1024:
            raise ValidationError(
                _(
                    "The file expands to an implausible size when opened (a zip bomb?); it was not read."
                )
            )
    if total > MAX_EXPANSION * limit:
        raise ValidationError(
            _("The file expands to an implausible size when opened (a zip bomb?); it was not read.")
        )
