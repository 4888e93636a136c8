"""Importing a sheet kind: find the header, read and check every row with reads only, then write
the planned records through their apps' services in one transaction — kept only when every row
is good and the run is a commit. A preview is the same run rolled back, so what the preview
says is exactly what the commit does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.core.errors import NotPermitted
from maque.exchange.importer.headers import HEADER_SEARCH_ROWS
from maque.exchange.importer.results import ImportResult, Problem
from maque.exchange.layout import LISTS_SHEET, text_of
from maque.exchange.readers import Sheet, open_spreadsheet
from maque.exchange.sheets.access import may_import
from maque.exchange.sheets.layout import SheetLayout
from maque.exchange.sheets.rows import RowReader
from maque.exchange.sheets.topics import layout as topics_layout
from maque.organisation.access import actor_for

MAX_LISTED_CODES = 200


def _readers() -> dict[str, type[RowReader]]:
    from maque.exchange.sheets.petition_import import PetitionReader
    from maque.exchange.sheets.project_import import ProjectReader
    from maque.exchange.sheets.topic_import import TopicReader
    from maque.exchange.sheets.visit_import import VisitReader

    return {
        "topics": TopicReader,
        "projects": ProjectReader,
        "visits": VisitReader,
        "petitions": PetitionReader,
    }


IMPORT_KINDS = ("topics", "projects", "visits", "petitions")


def layout_of(kind: str) -> SheetLayout:
    """The layout a kind's import reads."""
    reader = _readers()[kind]
    return topics_layout() if kind == "topics" else reader.layout


@dataclass
class PreparedSheet:
    """A sheet of some kind read and checked, not yet written: `write` writes it (or only
    tries, for a preview), in one transaction."""

    result: ImportResult
    reader: RowReader | None = None

    def reserve_codes(self) -> None:
        """Nothing to take ahead: each record's service takes its own code as it writes."""

    def release_codes(self) -> None:
        """Nothing was taken ahead (see `reserve_codes`)."""

    def write(self, *, commit: bool) -> ImportResult:
        result, reader = self.result, self.reader
        if reader is None or (not reader.plans and not result.problems):
            if not result.problems:
                result.problems.append(Problem("", None, "", _("The file has no rows to import.")))
            return result
        _write(reader, result, commit=commit)
        self.reader = None
        return result


def sheet_prepare(*, kind: str, by: User, path: Path, name: str) -> PreparedSheet:
    """Read and check a sheet of `kind` with reads only, outside any transaction (others keep
    writing meanwhile); nothing is written."""
    prepared = PreparedSheet(ImportResult())
    result = prepared.result
    actor = actor_for(by)
    if kind not in IMPORT_KINDS or not may_import(actor, kind) or actor.person is None:
        result.problems.append(Problem("", None, "", _("You may not import this kind of sheet.")))
        return prepared
    try:
        book = open_spreadsheet(path, name)
        sheets = book.sheets()
    except ValidationError as error:
        result.problems.append(Problem("", None, "", " ".join(error.messages)))
        return prepared
    try:
        visible = [s for s in sheets if not (s.hidden and s.name == LISTS_SHEET)]
        sheet = next((s for s in visible if not s.hidden), None)
        if sheet is None:
            result.problems.append(Problem("", None, "", _("The file has no rows to import.")))
            return prepared
        prepared.reader = _readers()[kind](
            by=by, actor=actor, town=actor.person.town, result=result, sheet=sheet.name
        )
        _read(prepared.reader, sheet)
    except ValidationError as error:
        result.problems.append(Problem("", None, "", " ".join(error.messages)))
        prepared.reader = None
    finally:
        book.close()
    return prepared


def sheet_import(*, kind: str, by: User, path: Path, name: str, commit: bool) -> ImportResult:
    """Read, check and (with `commit`, when every row is good) write a sheet of `kind`."""
    return sheet_prepare(kind=kind, by=by, path=path, name=name).write(commit=commit)


def _read(reader: RowReader, sheet: Sheet) -> None:
    limit = settings.MAQUE_IMPORT_MAX_ROWS
    if sheet.declared_rows is not None and sheet.declared_rows > limit + HEADER_SEARCH_ROWS:
        reader.problem(
            None,
            None,
            _("The sheet has %(rows)d rows; at most %(max)d can be imported at once.")
            % {"rows": sheet.declared_rows, "max": limit},
        )
        return
    layout = reader.layout
    columns: dict[int, str] | None = None
    read = 0
    for row in sheet.rows():
        if columns is None:
            if row.number > HEADER_SEARCH_ROWS:
                break
            found = {i: layout.match(text_of(v)) for i, v in enumerate(row.values)}
            keys = {key for key in found.values() if key}
            if len(keys) >= 3 and set(reader.required) <= keys:
                columns = {i: key for i, key in found.items() if key}
                reader.columns = {key: i + 1 for i, key in columns.items()}
            continue
        cells: dict[str, Any] = {"_row": row.number}
        for index, key in columns.items():
            value = row.values[index] if index < len(row.values) else None
            if index in row.formulas:
                reader.problem(row.number, key, _("The cell holds a formula; paste it as a value."))
                continue
            if layout.column(key).derived or value is None or text_of(value) == "":
                continue
            cells[key] = value
        if len(cells) == 1:
            continue  # a blank row
        read += 1
        if read > limit:
            reader.problem(
                None,
                None,
                _("The sheet has %(rows)d rows; at most %(max)d can be imported at once.")
                % {"rows": read, "max": limit},
            )
            return
        reader.read(cells)
    if columns is None:
        needed = [layout.column(key).header for key in reader.required]
        reader.problem(
            None,
            None,
            _(
                "No header row found in the first %(rows)d rows: the sheet needs the columns %(columns)s."
            )
            % {"rows": HEADER_SEARCH_ROWS, "columns": "、".join(needed)},
        )
        return
    reader.finish()


def _write(reader: RowReader, result: ImportResult, *, commit: bool) -> None:
    codes: list[str] = []
    with transaction.atomic():
        for plan in reader.plans:
            try:
                with transaction.atomic():
                    codes.append(plan.write())
            except ValidationError as error:
                reader.service_problems(plan, error)
                continue
            except NotPermitted as refused:
                reader.problem(plan.rows[0], None, str(refused))
                continue
            result.new += 1
            result.preview(plan.preview)
        result.invalid = len(reader.bad_rows)
        if result.problems or not commit:
            transaction.set_rollback(True)
        else:
            result.committed = True
            result.codes = codes[:MAX_LISTED_CODES]
    if result.problems:
        result.new = 0
