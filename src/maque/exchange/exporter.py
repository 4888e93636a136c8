"""Writing ledger spreadsheets: the empty template of a category, and exports of any filtered
ledger in the same layout (so that export → import changes nothing).

Workbooks are written in the spreadsheet library's write-only mode and items are read with a
database iterator, so memory stays bounded whatever the number of rows. CSV is produced line by
line for streaming responses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any, BinaryIO

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from maque.core.formulas import xlsx_text
from maque.core.masking import mask_text
from maque.exchange.layout import (
    LISTS_SHEET,
    NO,
    STATE_NAMES,
    YES,
    Column,
    columns_for,
    decimal_cell,
    neutralise,
    sheet_name,
    sheet_title,
)
from maque.ledger.models import Category, FieldType, Item, ProgressLog, State, Transition
from maque.organisation.models import Household, Person, Town, Village

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
ITERATOR_CHUNK = 2000
VALIDATION_ROWS = 5000  # drop-downs reach this far below the last row, for rows the clerk adds
MASKED_COLUMNS = frozenset(
    {"subject", "title", "description", "measures", "scope", "progress", "note"}
)
_THIN = Side(style="thin", color="999999")
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)

Progress = Callable[[int, int | None], None]


def export_queryset(items: QuerySet[Item]) -> QuerySet[Item]:
    """The items with what the layout shows: latest progress, last reason, related names."""
    latest_progress = (
        ProgressLog.objects.filter(item=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("text")[:1]
    )
    last_reason = (
        Transition.objects.filter(item=OuterRef("pk"))
        .exclude(reason="")
        .order_by("-created_at", "-id")
        .values("reason")[:1]
    )
    # Only the relations a row shows: the sheet knows its category, campaign and town already.
    return (
        items.select_related(None)
        .select_related("village", "group", "owner", "verified_by")
        .annotate(latest_progress=Subquery(latest_progress), last_reason=Subquery(last_reason))
    )


# --- workbooks ------------------------------------------------------------------------------


class LedgerBook:
    """A write-only workbook of ledger sheets plus one hidden sheet of drop-down lists."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        self.lists: list[tuple[str, list[str]]] = []  # (list name, values), one column each
        self._names: set[str] = set()

    def _list_range(self, name: str, values: list[str]) -> str | None:
        if not values:
            return None
        if (name, values) not in self.lists:
            self.lists.append((name, values))
        index = self.lists.index((name, values))
        letter = get_column_letter(index + 1)
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"

    def sheet(
        self,
        *,
        town: Town,
        category: Category | None,
        columns: list[Column],
        rows_hint: int,
        user: Any = None,
    ) -> Worksheet:
        name = sheet_name(category.name if category else "其他事项")
        if name in self._names:
            name = sheet_name(f"{town.short_name}{name}")
        self._names.add(name)
        ws = self.book.create_sheet(name)
        last = get_column_letter(len(columns))
        ws.merged_cells.add(f"A1:{last}1")
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "C3"
        ws.print_title_rows = "1:2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = True
        self._validations(
            ws, town=town, category=category, columns=columns, rows_hint=rows_hint, user=user
        )
        campaign_name = category.campaign.name if category else ""
        title = WriteOnlyCell(
            ws,
            sheet_title(
                town_name=town.name,
                campaign_name=campaign_name,
                category_name=category.name if category else "其他事项",
            ),
        )
        title.font = TITLE_FONT
        title.alignment = CENTRED
        ws.append([title])
        headers = []
        for column in columns:
            cell = WriteOnlyCell(ws, column.header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.border = HEADER_BORDER
            cell.alignment = CENTRED
            headers.append(cell)
        ws.append(headers)
        return ws

    def _validations(
        self,
        ws: Worksheet,
        *,
        town: Town,
        category: Category | None,
        columns: list[Column],
        rows_hint: int,
        user: Any = None,
    ) -> None:
        last_row = 2 + rows_hint + VALIDATION_ROWS
        # The empty workbook's sheet has no town: no village or owner to offer.
        town_id = town.pk or 0
        # A reader's workbook offers the villages they may see, not every village of the town.
        offered = Village.objects.visible_to(user) if user is not None else Village.objects.all()
        villages = list(
            offered.filter(town_id=town_id, active=True)
            .order_by("name")
            .values_list("name", flat=True)
        )
        owners = sorted(
            set(Person.objects.filter(town_id=town_id, active=True).values_list("name", flat=True))
        )
        for index, column in enumerate(columns, start=1):
            values: list[str] | None = None
            if column.key == "village":
                values, name = villages, "村"
            elif column.key == "owner":
                values, name = owners, "责任人"
            elif column.key == "state":
                values, name = list(STATE_NAMES.values()), "状态"
            elif column.key == "closed_flag":
                values, name = [YES, NO], "是否销号"
            elif column.field is not None and column.field.type == FieldType.CHOICE:
                values, name = list(column.field.choices), column.header
            if column.key == "deadline" or (
                column.field is not None and column.field.type == FieldType.DATE
            ):
                validation = DataValidation(
                    type="date", operator="greaterThan", formula1="1", allow_blank=True
                )
                validation.error = "请填写日期，例如 2026-07-18"
                validation.errorTitle = column.header
            elif values:
                source = self._list_range(name, values)
                if source is None:
                    continue
                validation = DataValidation(type="list", formula1=source, allow_blank=True)
                validation.error = "请从下拉列表中选择"
                validation.errorTitle = column.header
            else:
                continue
            validation.showErrorMessage = True
            letter = get_column_letter(index)
            validation.add(f"{letter}3:{letter}{last_row}")
            ws.data_validations.append(validation)

    def save(self, out: BinaryIO | str) -> None:
        if self.lists:
            ws = self.book.create_sheet(LISTS_SHEET)
            ws.sheet_state = "hidden"
            ws.append([name for name, _values in self.lists])
            longest = max(len(values) for _name, values in self.lists)
            for row in range(longest):
                ws.append(
                    [values[row] if row < len(values) else None for _name, values in self.lists]
                )
        self.book.save(out)


def template_write(*, category: Category, out: BinaryIO | str, user: Any = None) -> None:
    """The empty ledger of a category: title, headers, drop-downs, print setup; with `user`, the
    village drop-down offers the villages that user may see."""
    book = LedgerBook()
    book.sheet(
        town=category.town, category=category, columns=columns_for(category), rows_hint=0, user=user
    )
    book.save(out)


def export_write(
    *,
    items: QuerySet[Item],
    out: BinaryIO | str,
    masks: bool,
    progress: Progress | None = None,
    keep_order: bool = False,
) -> int:
    """Write the items as an .xlsx ledger, one sheet per category; returns the number of rows.

    Each sheet lists its items by code, or in the order of `items` with `keep_order` (an
    exported list in the order it was listed).
    """
    items = export_queryset(items)
    book = LedgerBook()
    done = 0
    total = items.count() if progress else None
    for town, category, group in _by_category(items, keep_order=keep_order):
        columns = columns_for(category)
        ws = book.sheet(town=town, category=category, columns=columns, rows_hint=group.count())
        for values in _rows(group, columns, masks=masks):
            ws.append([_xlsx_cell(ws, value) for value in values])
            done += 1
            if progress and done % ITERATOR_CHUNK == 0:
                progress(done, total)
    if not book.book.worksheets:
        book.sheet(
            town=Town(name="", short_name=""), category=None, columns=columns_for(None), rows_hint=0
        )
    book.save(out)
    if progress:
        progress(done, total)
    return done


def _xlsx_cell(ws: Worksheet, value: Any) -> Any:
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATE_FORMAT
        return cell
    return xlsx_text(ws, value)


def _by_category(
    items: QuerySet[Item], *, keep_order: bool = False
) -> Iterator[tuple[Town, Category | None, QuerySet[Item]]]:
    keys = items.order_by().values_list("town_id", "category_id").distinct()
    pairs = sorted(set(keys), key=lambda pair: (pair[0], pair[1] is None, pair[1] or 0))
    towns = {town.pk: town for town in Town.objects.filter(pk__in={town for town, _c in pairs})}
    categories = {
        category.pk: category
        for category in Category.objects.filter(pk__in={c for _t, c in pairs if c})
        .select_related("campaign", "town")
        .prefetch_related("fields")
    }
    ordered = sorted(pairs, key=lambda pair: (pair[0], *(_category_order(categories.get(pair[1])))))
    for town_id, category_id in ordered:
        group = items.filter(town_id=town_id, category_id=category_id)
        if not keep_order:
            group = group.order_by("code")
        yield towns[town_id], categories.get(category_id) if category_id else None, group


def _category_order(category: Category | None) -> tuple[int, int, int]:
    if category is None:
        return (1, 0, 0)
    return (0, category.campaign.order, category.order)


# What a row of the ledger reads of an item: plain values, no model instances (an export of
# 20,000 rows spends its time in the writer, not in building objects).
ROW_FIELDS = (
    "code",
    "village__name",
    "group__name",
    "owner__name",
    "verified_by__name",
    "subject",
    "title",
    "description",
    "measures",
    "scope",
    "standard",
    "deadline",
    "state",
    "closed_at",
    "attributes",
    "latest_progress",
    "last_reason",
)


def _rows(items: QuerySet[Item], columns: list[Column], *, masks: bool) -> Iterator[list[Any]]:
    """The cell values of each item, in column order."""
    households: dict[int, str] = {}
    household_fields = [
        c.field.name for c in columns if c.field is not None and c.field.type == FieldType.HOUSEHOLD
    ]
    buffer: list[dict[str, Any]] = []
    sequence = 0

    def flush() -> Iterator[list[Any]]:
        nonlocal sequence
        if household_fields:
            found = (
                str((row["attributes"] or {}).get(name))
                for row in buffer
                for name in household_fields
            )
            ids = {int(value) for value in found if value.isdigit()}
            households.clear()
            households.update(
                {
                    pk: f"{name} #{pk}"
                    for pk, name in Household.objects.filter(pk__in=ids).values_list(
                        "pk", "head_name"
                    )
                }
            )
        for row in buffer:
            sequence += 1
            yield [_value(row, column, sequence, masks, households) for column in columns]
        buffer.clear()

    for row in items.values(*ROW_FIELDS).iterator(chunk_size=ITERATOR_CHUNK):
        buffer.append(row)
        if len(buffer) >= ITERATOR_CHUNK:
            yield from flush()
    yield from flush()


def _value(
    row: dict[str, Any], column: Column, sequence: int, masks: bool, households: dict[int, str]
) -> Any:
    key = column.key
    if column.field is not None:
        raw = (row["attributes"] or {}).get(column.field.name)
        if raw is None or raw == "":
            return None
        match column.field.type:
            case FieldType.DECIMAL:
                return decimal_cell(str(raw))
            case FieldType.NUMBER:
                return int(raw)
            case FieldType.DATE:
                return date.fromisoformat(raw)
            case FieldType.HOUSEHOLD:
                return households.get(int(raw), str(raw))
            case _:
                return mask_text(str(raw)) if masks else str(raw)
    value: Any
    match key:
        case "seq":
            return sequence
        case "code":
            return row["code"]
        case "village":
            return row["village__name"]
        case "group":
            return row["group__name"]
        case "owner":
            return row["owner__name"]
        case "deadline":
            return row["deadline"]
        case "progress":
            value = row["latest_progress"] or ""
        case "state":
            return STATE_NAMES[row["state"]]
        case "closed_flag":
            return YES if row["state"] == State.CLOSED else NO
        case "closed_on":
            return (
                timezone.localtime(row["closed_at"]).date()
                if row["closed_at"] and row["state"] == State.CLOSED
                else None
            )
        case "verifier":
            return row["verified_by__name"] if row["state"] == State.CLOSED else None
        case "note":
            value = row["last_reason"] or ""
        case _:
            value = row[key] or ""
    if masks and key in MASKED_COLUMNS:
        value = mask_text(value)
    return value or None


# --- CSV ------------------------------------------------------------------------------------


class CsvLine:
    """A file-like object for the csv writer that hands back what was written."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_lines(
    *, items: QuerySet[Item], category: Category, masks: bool, keep_order: bool = False
) -> Iterator[str]:
    """The CSV ledger of one category, line by line (UTF-8 with a byte-order mark for Excel),
    by code or, with `keep_order`, in the order of `items`.

    Cells that a spreadsheet program would run as a formula are neutralised with a leading '.
    """
    columns = columns_for(category)
    line = CsvLine()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow(
        [
            neutralise(
                sheet_title(
                    town_name=category.town.name,
                    campaign_name=category.campaign.name,
                    category_name=category.name,
                )
            )
        ]
    )
    yield "\ufeff" + line.take()
    writer.writerow([column.header for column in columns])
    yield line.take()
    rows = export_queryset(items)
    for values in _rows(rows if keep_order else rows.order_by("code"), columns, masks=masks):
        writer.writerow([neutralise(_csv_text(value)) for value in values])
        yield line.take()


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def csv_write(
    *,
    items: QuerySet[Item],
    category: Category,
    masks: bool,
    out: BinaryIO,
    keep_order: bool = False,
) -> int:
    rows = -2
    for text in csv_lines(items=items, category=category, masks=masks, keep_order=keep_order):
        out.write(text.encode("utf-8"))
        rows += 1
    return rows


def single_category(items: QuerySet[Item]) -> Category | None:
    """The one category of the items (CSV holds one ledger), or None when they span several."""
    ids = list(items.order_by().values_list("category_id", flat=True).distinct()[:2])
    if len(ids) != 1 or ids[0] is None:
        return None
    return (
        Category.objects.select_related("campaign", "town")
        .prefetch_related("fields")
        .get(pk=ids[0])
    )


CSV_LISTED_CATEGORIES = 5


def csv_category_message(items: QuerySet[Item]) -> str:
    """Why a list cannot be one CSV file: it has no items, or they span several categories (named)."""
    ids = list(
        items.order_by()
        .values_list("category_id", flat=True)
        .distinct()[: CSV_LISTED_CATEGORIES + 1]
    )
    if not ids:
        return _(
            "The list has no items, so there is no category ledger to write as CSV: change the filters, or export .xlsx."
        )
    names = list(
        Category.objects.filter(pk__in=[pk for pk in ids if pk])
        .order_by("order", "pk")
        .values_list("name", flat=True)
    )
    if None in ids:
        names.append(_("items without a category"))
    listed = "、".join(names[:CSV_LISTED_CATEGORIES]) + (
        "…" if len(ids) > CSV_LISTED_CATEGORIES else ""
    )
    return _(
        "A CSV file holds the ledger of one category, and the items of this list belong to: %(categories)s. "
        "Filter the list by category, or export .xlsx, which puts each category on a sheet of its own."
    ) % {"categories": listed}


def iter_bytes(lines: Iterable[str]) -> Iterator[bytes]:
    for text in lines:
        yield text.encode("utf-8")
