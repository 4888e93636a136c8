"""Importing a ledger spreadsheet: find the header, read every row, and create or update items
through the ledger's lifecycle services — all or nothing, in one transaction.

A preview is the same run rolled back at the end, so what the preview says is exactly what the
commit does. Rows are read and processed in chunks: memory holds one chunk of rows, the problems
found and the codes already seen (to refuse duplicates), never the whole sheet.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.exchange.layout import (
    DERIVED,
    LISTS_SHEET,
    NO,
    STATE_NAMES,
    STATE_SYNONYMS,
    TITLE_SUFFIX,
    YES,
    check_message,
    mask_personal,
    match_header,
    normalise,
    parse_date,
    parse_number,
    text_of,
)
from maque.exchange.readers import Row, Sheet, open_spreadsheet
from maque.ledger import lifecycle
from maque.ledger.attributes import References, clean_attributes
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import Category, CategoryField, FieldType, Item, ProgressLog, Source, State
from maque.ledger.services import progress_add
from maque.organisation.access import actor_for
from maque.organisation.models import Household, Person, RoleAssignment, Town, Village, VillageGroup

CHUNK_ROWS = 1000
HEADER_SEARCH_ROWS = 20
MAX_BLANK_WARNINGS = 50
MAX_LISTED_CODES = 1000  # the result names the first codes created, not all (bounded memory)
# Actions an import may take to bring an item to the state its row names (design §4).
IMPORT_ACTIONS = ("start", "submit", "verify", "return", "reopen", "cancel")
# Actions whose service needs the note (备注) as its note or reason.
NOTE_ACTIONS = {"verify": "note", "return": "reason", "reopen": "reason", "cancel": "reason"}

Progress = Callable[[int, int | None], None]


@dataclass
class Problem:
    """One thing wrong with the file, a row or a cell: where (as the clerk sees it) and why."""

    sheet: str
    row: int | None
    column: str
    message: str
    col: int | None = None  # 1-based column index, for highlighting the cell

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    committed: bool = False
    codes: list[str] = field(default_factory=list)  # the first codes created (when committed)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged, "invalid": self.invalid}


def ledger_import(
    *,
    by: AbstractBaseUser,
    path: Path,
    name: str,
    category: str | None = None,
    commit: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Read the file and import every sheet; with `commit=False` (a preview) nothing is kept.

    Nothing is kept either when any row has a problem: the result lists them all.
    """
    result = ImportResult()
    try:
        book = open_spreadsheet(path, name)
        sheets = book.sheets()
    except ValidationError as error:
        result.problems.append(Problem("", None, "", " ".join(error.messages)))
        return result
    try:
        actor = actor_for(by)
        town = actor.person.town if actor.person is not None else Town.objects.order_by("pk").first()
        if town is None or (actor.person is None and not actor.is_superuser):
            result.problems.append(Problem("", None, "", _("Only a member of staff with a role in the town can import.")))
            return result
        with transaction.atomic():
            read_any = False
            for sheet in sheets:
                if sheet.hidden and sheet.name == LISTS_SHEET:
                    continue  # the template's own drop-down lists
                if sheet.hidden:
                    result.problems.append(
                        Problem(sheet.name, None, "", _("Sheet “%(sheet)s” is hidden. Unhide it or delete it, then import again.") % {"sheet": sheet.name})
                    )
                    continue
                importer = SheetImport(by=by, town=town, sheet=sheet, category_code=category, result=result, progress=progress)
                read_any = importer.run() or read_any
            if not read_any and not result.problems:
                result.problems.append(Problem("", None, "", _("The file has no ledger rows to import.")))
            if result.problems:
                result.codes = []
                transaction.set_rollback(True)
            elif not commit:
                transaction.set_rollback(True)
                result.codes = []
            else:
                result.committed = True
    except ValidationError as error:
        result.problems.append(Problem("", None, "", " ".join(error.messages)))
        result.committed = False
    finally:
        book.close()
    return result


@dataclass
class ParsedRow:
    number: int
    cells: dict[str, Any]  # column key -> parsed value (only columns present and non-empty)
    raw: dict[str, str]  # column key -> cell text, for comparisons with masked values
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (column key, message)
    item: Item | None = None


class SheetImport:
    """One sheet of the file, read in chunks."""

    def __init__(
        self,
        *,
        by: AbstractBaseUser,
        town: Town,
        sheet: Sheet,
        category_code: str | None,
        result: ImportResult,
        progress: Progress | None,
    ) -> None:
        self.by = by
        self.actor = actor_for(by)
        self.town = town
        self.sheet = sheet
        self.category_code = category_code
        self.result = result
        self.progress = progress
        self.columns: dict[int, str] = {}  # 0-based index -> key
        self.index_of: dict[str, int] = {}  # key -> 0-based index
        self.headers: dict[str, str] = {}  # key -> header text
        self.header_row = 0
        self.category: Category | None = None
        self.fields: dict[str, CategoryField] = {}
        self.seen_codes: dict[str, int] = {}
        self.seen_items: dict[int, int] = {}
        self.references = References()
        self.masks = self.actor.masks_personal_data()
        self.villages = {normalise(v.name): v for v in Village.objects.filter(town=town).select_related("town")}
        self._groups: dict[int, dict[str, VillageGroup]] = {}
        self._people: dict[str, list[Person]] | None = None
        self._village_people: dict[int, set[int]] | None = None
        # Natural keys match only items that existed before this import: rows of the same file
        # never match each other, and the lookup stays on the rows that were already there.
        self.existing_up_to = Item.objects.filter(town=town).order_by("-pk").values_list("pk", flat=True).first() or 0

    # --- problems ---------------------------------------------------------------------------

    def problem(self, row: int | None, key: str | None, message: str) -> None:
        index = self.index_of.get(key) if key else None
        column = self.headers.get(key, "") if key else ""
        self.result.problems.append(
            Problem(self.sheet.name, row, column, message, index + 1 if index is not None else None)
        )

    # --- the sheet --------------------------------------------------------------------------

    def run(self) -> bool:
        """Import the sheet; False when it holds nothing at all (an empty extra sheet)."""
        rows = self.sheet.rows()
        limit = settings.MAQUE_IMPORT_MAX_ROWS
        if self.sheet.declared_rows is not None and self.sheet.declared_rows > limit + HEADER_SEARCH_ROWS:
            self.problem(None, None, _("The sheet has %(rows)d rows; at most %(max)d can be imported at once.") % {"rows": self.sheet.declared_rows, "max": limit})
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
            self.problem(self.header_row, None, _("The header row has neither an item (事项) nor a problem description (问题描述) column."))
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
            if not any(text_of(value) for value in row.values):
                blank_rows.append(row.number)
                continue
            while blank_rows:
                self.result.warnings.append(
                    Problem(self.sheet.name, blank_rows.popleft(), "", _("Empty row, skipped."))
                )
            blank_rows.clear()
            data_rows += 1
            if data_rows > limit:
                self.problem(row.number, None, _("Too many rows: at most %(max)d can be imported at once.") % {"max": limit})
                break
            chunk.append(self._parse(row))
            if len(chunk) >= CHUNK_ROWS:
                self._process(chunk)
                chunk = []
                if self.progress:
                    self.progress(data_rows, self.sheet.declared_rows and self.sheet.declared_rows - self.header_row)
        if chunk:
            self._process(chunk)
        if self.progress:
            self.progress(data_rows, data_rows)
        if data_rows == 0:
            self.problem(None, None, _("Sheet “%(sheet)s” has a header but no data rows.") % {"sheet": self.sheet.name})
        self._check_merges()
        return True

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
        self.problem(None, None, _("No header row found in the first %(rows)d rows of sheet “%(sheet)s” (it needs at least 村 and two other ledger columns).") % {"rows": HEADER_SEARCH_ROWS, "sheet": self.sheet.name})
        return titles

    def _resolve_category(self, titles: list[str]) -> Category | None:
        categories = list(
            Category.objects.filter(town=self.town).select_related("campaign").prefetch_related("fields")
        )
        if self.category_code:
            found = [c for c in categories if c.code == self.category_code or c.name == self.category_code]
        else:
            sheet_name = normalise(self.sheet.name)
            found = [c for c in categories if normalise(c.name) == sheet_name or c.code == self.sheet.name]
            if not found:
                title = normalise(" ".join(titles)).replace(normalise(TITLE_SUFFIX), "")
                matches = [c for c in categories if normalise(c.name) in title]
                if matches:
                    longest = max(len(c.name) for c in matches)
                    found = [c for c in matches if len(c.name) == longest]
        if len(found) != 1:
            self.problem(
                None, None,
                _("Cannot tell which category sheet “%(sheet)s” belongs to: name the sheet or its title after the category (e.g. %(example)s), or choose the category when importing.")
                % {"sheet": self.sheet.name, "example": categories[0].name if categories else "耕地流出整治及撂荒地治理"},
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
                    Problem(self.sheet.name, self.header_row, text, _("Unknown column “%(header)s”, ignored.") % {"header": text}, index + 1)
                )
                continue
            if key in self.index_of:
                self.index_of.setdefault("__dup__", index)
                self.result.problems.append(
                    Problem(self.sheet.name, self.header_row, text, _("Column “%(header)s” appears twice.") % {"header": text}, index + 1)
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
                    self.sheet.name, first, header,
                    _("Rows %(first)d–%(last)d are merged cells: unmerge them and fill the value into every row.")
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
                p for p in self.result.problems
                if p.sheet != self.sheet.name or p.col is None or (p.row, p.col) not in covered
                or "merged" in p.message or "合并" in p.message
            ]

    # --- one row ----------------------------------------------------------------------------

    def _parse(self, row: Row) -> ParsedRow:
        parsed = ParsedRow(number=row.number, cells={}, raw={})
        values = row.values
        for index, key in self.columns.items():
            value = values[index] if index < len(values) else None
            if index in row.formulas:
                parsed.errors.append((key, _("The cell holds a formula; paste it as a value.")))
                continue
            text = text_of(value)
            if not text:
                continue
            parsed.raw[key] = text
            if key in DERIVED:
                continue
            try:
                parsed.cells[key] = self._parse_cell(key, value, text)
            except ValueError as error:
                parsed.errors.append((key, str(error.args[0]) if error.args else _("Not valid.")))
        village = parsed.cells.get("village")
        if village is None and "village" not in parsed.raw:
            parsed.errors.append(("village", _("The village (村) is required.")))
        if village is not None:
            self._resolve_in_village(parsed, village)
        return parsed

    def _parse_cell(self, key: str, value: Any, text: str) -> Any:
        if key == "village":
            village = self.villages.get(normalise(text))
            if village is None:
                raise ValueError(_("No village named “%(name)s” in %(town)s.") % {"name": text, "town": self.town.name})
            return village
        if key == "deadline":
            try:
                return parse_date(value)
            except ValueError:
                raise ValueError(_("Not a date: write it like 2026-07-18 or 2026年7月18日.")) from None
        if key == "state":
            state = STATE_SYNONYMS.get(normalise(text))
            if state is None:
                raise ValueError(_("Unknown state “%(value)s”; use one of %(names)s.") % {"value": text, "names": "、".join(STATE_NAMES.values())})
            return state
        if key == "closed_flag":
            flag = normalise(text)
            if flag in (YES, "已销号", "y", "yes", "true", "1"):
                return True
            if flag in (NO, "未销号", "n", "no", "false", "0"):
                return False
            raise ValueError(_("Write 是 or 否."))
        if key.startswith("attr:"):
            return self._parse_attribute(self.fields[key[5:]], value, text)
        if key == "code":
            return text.upper()
        return text

    def _parse_attribute(self, field_: CategoryField, value: Any, text: str) -> Any:
        try:
            match field_.type:
                case FieldType.DATE:
                    return parse_date(value).isoformat()
                case FieldType.DECIMAL:
                    return parse_number(value, field_.unit)
                case FieldType.NUMBER:
                    number = parse_number(value, field_.unit)
                    if "." in number and number.rstrip("0").endswith("."):
                        number = number.split(".")[0]
                    return number
                case FieldType.HOUSEHOLD:
                    return text  # resolved once the village is known
                case _:
                    return text
        except ValueError:
            raise ValueError(check_message(field_)) from None

    def _resolve_in_village(self, parsed: ParsedRow, village: Village) -> None:
        if "group" in parsed.cells:
            group = self._group(village, parsed.cells["group"])
            if group is None:
                parsed.errors.append(("group", _("No group “%(name)s” in %(village)s.") % {"name": parsed.cells["group"], "village": village.name}))
                del parsed.cells["group"]
            else:
                parsed.cells["group"] = group
        if "owner" in parsed.cells:
            owner, message = self._owner(village, parsed.cells["owner"])
            if owner is None:
                parsed.errors.append(("owner", message))
                del parsed.cells["owner"]
            else:
                parsed.cells["owner"] = owner
        for name, field_ in self.fields.items():
            key = f"attr:{name}"
            if field_.type == FieldType.HOUSEHOLD and key in parsed.cells:
                household, message = self._household(village, parsed.cells[key])
                if household is None:
                    parsed.errors.append((key, message))
                    del parsed.cells[key]
                else:
                    parsed.cells[key] = household

    def _group(self, village: Village, text: str) -> VillageGroup | None:
        if village.pk not in self._groups:
            groups: dict[str, VillageGroup] = {}
            for group in VillageGroup.objects.filter(village=village):
                groups[normalise(group.name)] = group
                if group.number:
                    groups.setdefault(f"{group.number}组", group)
                    groups.setdefault(str(group.number), group)
            self._groups[village.pk] = groups
        return self._groups[village.pk].get(normalise(text))

    def _owner(self, village: Village, name: str) -> tuple[Person | None, str]:
        """The person of that name, within the village's responsible people when the name is shared."""
        if self._people is None:
            self._people = {}
            for person in Person.objects.filter(town=self.town, active=True):
                self._people.setdefault(normalise(person.name), []).append(person)
            self._village_people = {}
            for person_id, village_id in RoleAssignment.objects.on(self.actor.day).filter(
                town=self.town, village__isnull=False
            ).values_list("person_id", "village_id"):
                self._village_people.setdefault(village_id, set()).add(person_id)
        candidates = self._people.get(normalise(name), [])
        if len(candidates) > 1:
            assert self._village_people is not None
            in_village = self._village_people.get(village.pk, set())
            candidates = [p for p in candidates if p.pk in in_village]
            if len(candidates) != 1:
                return None, _("Several people are named “%(name)s”; none or more than one of them works in %(village)s. Fix the name in the staff list first.") % {"name": name, "village": village.name}
        if not candidates:
            return None, _("No active staff member named “%(name)s” in %(town)s.") % {"name": name, "town": self.town.name}
        return candidates[0], ""

    def _household(self, village: Village, text: str) -> tuple[int | None, str]:
        match = re.search(r"#(\d+)$", text)
        households = Household.objects.filter(village=village)
        if match:
            found = list(households.filter(pk=int(match.group(1))).values_list("pk", "head_name"))
            name = text[: match.start()].strip()
            if found and (not name or normalise(found[0][1]) == normalise(name)):
                return found[0][0], ""
            return None, _("No household “%(value)s” in %(village)s.") % {"value": text, "village": village.name}
        if text.isdigit():
            found_ids = list(households.filter(pk=int(text)).values_list("pk", flat=True))
        else:
            found_ids = list(households.filter(head_name=text.strip()).values_list("pk", flat=True))
        if len(found_ids) == 1:
            return found_ids[0], ""
        if not found_ids:
            return None, _("No household “%(value)s” in %(village)s.") % {"value": text, "village": village.name}
        return None, _("Several households in %(village)s are headed by “%(value)s”; write it as in the export, e.g. 张三 #12.") % {"value": text, "village": village.name}

    # --- a chunk of rows --------------------------------------------------------------------

    def _process(self, chunk: list[ParsedRow]) -> None:
        self._match(chunk)
        new_rows = [parsed for parsed in chunk if not parsed.errors and parsed.item is None]
        updates = [parsed for parsed in chunk if not parsed.errors and parsed.item is not None]
        self._create(new_rows)
        for parsed in updates:
            self._update(parsed)
        for parsed in new_rows:
            if not parsed.errors:
                self._follow_up(parsed, parsed.item, new=True)
        for parsed in chunk:
            if parsed.errors:
                self.result.invalid += 1
                for key, message in parsed.errors:
                    self.problem(parsed.number, key, message)

    def _match(self, chunk: list[ParsedRow]) -> None:
        """Find the existing item of each row: by code, or by the category's natural key."""
        codes = [p.cells["code"] for p in chunk if "code" in p.cells and not p.errors]
        for parsed in chunk:
            code = parsed.cells.get("code")
            if code is None:
                continue
            if code in self.seen_codes:
                parsed.errors.append(("code", _("Code %(code)s is also on row %(row)d.") % {"code": code, "row": self.seen_codes[code]}))
            else:
                self.seen_codes[code] = parsed.number
        items = self._items().filter(code__in=codes) if codes else []
        by_code = {item.code: item for item in items}
        key_field = natural_key(self.category)
        by_key: dict[str, list[Item]] = {}
        if key_field is not None and self.existing_up_to:
            keys = [str(p.cells[f"attr:{key_field.name}"]) for p in chunk if "code" not in p.cells and f"attr:{key_field.name}" in p.cells]
            if keys:
                candidates = self._items().filter(pk__lte=self.existing_up_to, **{f"attributes__{key_field.name}__in": keys})
                for item in candidates.exclude(state=State.CANCELLED):
                    by_key.setdefault(str(item.attributes.get(key_field.name)), []).append(item)
        for parsed in chunk:
            if parsed.errors:
                continue
            code = parsed.cells.get("code")
            if code is not None:
                item = by_code.get(code)
                if item is None:
                    parsed.errors.append(("code", _("No item %(code)s that you can see in this category; leave 编号 empty for a new item.") % {"code": code}))
                    continue
            elif key_field is not None and f"attr:{key_field.name}" in parsed.cells:
                matches = by_key.get(str(parsed.cells[f"attr:{key_field.name}"]), [])
                if len(matches) > 1:
                    parsed.errors.append((f"attr:{key_field.name}", _("Several items have %(label)s %(value)s; fill in 编号 to say which one.") % {"label": key_field.label, "value": parsed.cells[f"attr:{key_field.name}"]}))
                    continue
                item = matches[0] if matches else None
            else:
                item = None
            if item is None:
                continue
            if item.pk in self.seen_items:
                parsed.errors.append(("code", _("Item %(code)s is also on row %(row)d.") % {"code": item.code, "row": self.seen_items[item.pk]}))
                continue
            self.seen_items[item.pk] = parsed.number
            village = parsed.cells["village"]
            if village.pk != item.village_id:
                parsed.errors.append(("village", _("Item %(code)s belongs to %(village)s; an import cannot move it to another village.") % {"code": item.code, "village": item.village.name}))
                continue
            parsed.item = item
        self._latest_progress = self._progress_texts([p.item.pk for p in chunk if p.item is not None])

    def _items(self):  # noqa: ANN202
        return (
            Item.objects.visible_to(self.by)
            .filter(town=self.town, category=self.category)
            .select_related("village", "owner", "group", "category", "town")
        )

    def _progress_texts(self, item_ids: list[int]) -> dict[int, str]:
        latest: dict[int, str] = {}
        if item_ids:
            logs = ProgressLog.objects.filter(item_id__in=item_ids).order_by("item_id", "-created_at", "-id")
            for item_id, text in logs.values_list("item_id", "text"):
                latest.setdefault(item_id, text)
        return latest

    # --- writing through the lifecycle ------------------------------------------------------

    def _create(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        assert self.category is not None
        arguments = []
        for parsed in rows:
            cells = parsed.cells
            values: dict[str, Any] = {
                "campaign": self.category.campaign,
                "category": self.category,
                "village": cells["village"],
                "title": cells.get("title") or _title_from(cells.get("description", "")),
                "attributes": {name: cells[f"attr:{name}"] for name in self.fields if f"attr:{name}" in cells},
            }
            for key in ("owner", "deadline", "group", "subject", "description", "measures", "standard"):
                if key in cells:
                    values[key] = cells[key]
            arguments.append(values)
        try:
            with transaction.atomic():
                items = lifecycle.items_create_bulk(by=self.by, rows=arguments, via="import", source=Source.IMPORT)
        except lifecycle.BulkCreateError as error:
            for index, errors in error.errors.items():
                self._service_errors(rows[index], errors)
            # The other rows are still created (and rolled back with the whole import), so the
            # counts and any later problems of those rows are reported too.
            self._create([parsed for index, parsed in enumerate(rows) if index not in error.errors])
            return
        for parsed, item in zip(rows, items, strict=True):
            parsed.item = item
            self.result.new += 1
            if len(self.result.codes) < MAX_LISTED_CODES:
                self.result.codes.append(item.code)

    def _update(self, parsed: ParsedRow) -> None:
        item = parsed.item
        assert item is not None and self.category is not None
        cells = parsed.cells
        changes: dict[str, Any] = {}
        for key in ("title", "description", "measures", "standard", "subject"):
            if key not in self.index_of:
                continue
            value = cells.get(key, "")
            if key == "title" and not value:
                continue  # a title is never cleared by an empty cell
            if not self._same_text(getattr(item, key), value):
                changes[key] = value
        if "group" in self.index_of and cells.get("group") != item.group:
            changes["group"] = cells.get("group")
        if "owner" in cells and cells["owner"].pk != item.owner_id:
            changes["owner"] = cells["owner"]
        if "deadline" in cells and cells["deadline"] != item.deadline:
            changes["deadline"] = cells["deadline"]
        present = [name for name in self.fields if f"attr:{name}" in self.index_of]
        if present:
            merged = dict(item.attributes)
            for name in present:
                if f"attr:{name}" in cells:
                    merged[name] = cells[f"attr:{name}"]
                else:
                    merged.pop(name, None)
            try:
                cleaned = clean_attributes(self.category, merged, village=item.village, references=self.references)
            except ValidationError as error:
                self._service_errors(parsed, error.message_dict)
                return
            if not self._same_attributes(item.attributes, cleaned):
                changes["attributes"] = merged
        changed = self._follow_up(parsed, item, new=False, changes=changes)
        if parsed.errors:
            return
        if changed:
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def _follow_up(self, parsed: ParsedRow, item: Item | None, *, new: bool, changes: dict[str, Any] | None = None) -> bool:
        """Edits, progress and state changes of one row, each through its service, in a savepoint."""
        assert item is not None
        changed = False
        progress = parsed.cells.get("progress")
        if progress and not new and self._same_text(self._latest_progress.get(item.pk, ""), progress):
            progress = None  # the ledger already says so
        target = self._target_state(parsed)
        path = [] if target is None or target == item.state else _path(item.state, target)
        if path is None:
            parsed.errors.append(("state", _("An import cannot bring an item from %(from)s to %(to)s; suspensions and resumptions are requested in the ledger.") % {"from": STATE_NAMES[item.state], "to": STATE_NAMES[target]}))
            return False
        if not changes and not progress and not path:
            return False
        try:
            with transaction.atomic():
                if changes:
                    item = lifecycle.item_update(item=item, by=self.by, changes=changes, via="import")
                if progress:
                    progress_add(item=item, by=self.by, text=progress)
                for action in path:
                    extra = {}
                    if action in NOTE_ACTIONS:
                        extra[NOTE_ACTIONS[action]] = parsed.cells.get("note", "")
                    item = lifecycle.ACTION_SERVICES[action](item=item, by=self.by, via="import", **extra)
                changed = True
        except ValidationError as error:
            self._service_errors(parsed, error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
        except (NotPermitted, ConflictError) as error:
            parsed.errors.append(("state" if path else None, _("Row not imported: %(reason)s") % {"reason": error.message}))
        if new and parsed.errors:
            self.result.new -= 1
        return changed

    def _target_state(self, parsed: ParsedRow) -> str | None:
        state = parsed.cells.get("state")
        closed = parsed.cells.get("closed_flag")
        if closed is True and state not in (None, State.CLOSED):
            parsed.errors.append(("closed_flag", _("是否销号 says 是 but the state is %(state)s.") % {"state": STATE_NAMES[state]}))
            return None
        if closed is False and state == State.CLOSED:
            parsed.errors.append(("closed_flag", _("是否销号 says 否 but the state is 已销号.")))
            return None
        if state is None and closed is True:
            return State.CLOSED
        return state

    def _same_text(self, current: str, value: str) -> bool:
        current = current or ""
        return current == value or (self.masks and mask_personal(current) == value)

    def _same_attributes(self, current: dict[str, Any], cleaned: dict[str, Any]) -> bool:
        """Equal as values: 3.50 is 3.5, and a masked text is the text it masks."""
        if set(current) != set(cleaned):
            return False
        for key, value in current.items():
            new = cleaned[key]
            if value == new:
                continue
            field_ = self.fields.get(key)
            if field_ is not None and field_.type == FieldType.DECIMAL:
                try:
                    if Decimal(str(value)) == Decimal(str(new)):
                        continue
                except InvalidOperation:
                    return False
            if not (self.masks and isinstance(value, str) and mask_personal(value) == new):
                return False
        return True

    def _service_errors(self, parsed: ParsedRow, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            key = _column_for(name, self.index_of)
            for message in messages:
                parsed.errors.append((key, message))


def _column_for(name: str, index_of: dict[str, int]) -> str | None:
    if name.startswith("attributes."):
        key = "attr:" + name.split(".", 1)[1]
    else:
        key = {
            "title": "title" if "title" in index_of else "description",
            "note": "note",
            "reason": "note",
            "evidence": "state",
            "found_on": "deadline",
            "campaign": "village",
            "category": "village",
        }.get(name, name)
    return key if key in index_of else None


def _title_from(description: str) -> str:
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    return first_line[:60]


def natural_key(category: Category | None) -> CategoryField | None:
    """The category field that names an item when the row has no code: its required plot, or
    a text field that is a document number (`…_no`, e.g. a contract number)."""
    if category is None:
        return None
    fields = list(category.fields.all())
    for field_ in fields:
        if field_.type == FieldType.PLOT and field_.required:
            return field_
    for field_ in fields:
        if field_.type == FieldType.TEXT and field_.name.endswith("_no"):
            return field_
    return None


def _path(start: str, target: str) -> list[str] | None:
    """The shortest sequence of lifecycle actions from one state to another (None if none)."""
    queue: deque[tuple[str, list[str]]] = deque([(start, [])])
    seen = {start}
    while queue:
        state, actions = queue.popleft()
        if state == target:
            return actions
        for action in IMPORT_ACTIONS:
            allowed_from, to = lifecycle.TRANSITIONS[action]
            if state in allowed_from and to is not None and to not in seen:
                seen.add(to)
                queue.append((to, [*actions, action]))
    return None

