"""`ledger_import`: read and check every sheet of the file, then write it all in one transaction,
rolled back for a preview or on any problem.

The two steps are apart so that a long import holds the database's write lock only while it
writes: `import_prepare` reads, matches and checks every row with reads only (other people keep
writing meanwhile), and `PreparedImport.write` writes the checked rows in one transaction. The
ledger may change between the two; every write goes through its service again, which checks the
item's version, so a row changed meanwhile is a problem of the import, never a lost edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.exchange.importer.results import ImportResult, Problem, Progress
from maque.exchange.importer.sheet import SheetImport
from maque.exchange.layout import LISTS_SHEET
from maque.exchange.readers import open_spreadsheet
from maque.ledger import lifecycle
from maque.organisation.access import actor_for
from maque.organisation.models import Town


@dataclass
class PreparedImport:
    """A file read and checked, not yet written: `write` writes it (or only tries, for a preview)."""

    result: ImportResult
    sheets: list[SheetImport] = field(default_factory=list)
    reservations: list[lifecycle.CodeReservation] = field(default_factory=list)

    def reserve_codes(self) -> None:
        """Take the new items' codes now, in a short transaction of their own, so that other
        registrations in the town do not wait for the write (see `ledger.lifecycle.bulk`).
        Call before the transaction that writes; `write` gives them back if it writes nothing."""
        if self.result.problems or self.reservations:
            return
        preparations = [
            planned.prepared
            for sheet in self.sheets
            for planned in sheet.plan
            if planned.prepared is not None and planned.prepared.values
        ]
        if preparations:
            self.reservations = lifecycle.items_reserve_codes(preparations)

    def write(self, *, commit: bool = True) -> ImportResult:
        """Write every checked row in one transaction, kept only when `commit` and no row has a
        problem. Call inside the caller's transaction to keep more in the same one (after
        `reserve_codes`, outside it)."""
        result = self.result
        if result.problems and not self.sheets:
            return result
        if commit and not transaction.get_connection().in_atomic_block:
            self.reserve_codes()
        try:
            with transaction.atomic():
                for sheet in self.sheets:
                    sheet.write()
                if result.problems or not commit:
                    result.codes = []
                    transaction.set_rollback(True)
                else:
                    result.committed = True
        except ValidationError as error:
            result.problems.append(Problem("", None, "", " ".join(error.messages)))
            result.committed = False
        self.sheets = []
        if not result.committed:
            self.release_codes()
        return result

    def release_codes(self) -> None:
        """Give back the codes reserved for a write that did not happen; the import's problems
        name those that somebody else's later registration keeps from being given back."""
        if not self.reservations:
            return
        for kept in lifecycle.items_release_codes(self.reservations):
            first, last = kept.codes
            self.result.problems.append(
                Problem(
                    "",
                    None,
                    "",
                    _(
                        "The codes %(first)s to %(last)s were set aside for this import and stay "
                        "unused: other items were registered after them meanwhile."
                    )
                    % {"first": first, "last": last},
                )
            )
        self.reservations = []


def import_prepare(
    *,
    by: User,
    path: Path,
    name: str,
    category: str | None = None,
    progress: Progress | None = None,
) -> PreparedImport:
    """Read the file and check every sheet's rows; nothing is written."""
    result = ImportResult()
    prepared = PreparedImport(result)
    try:
        book = open_spreadsheet(path, name)
        sheets = book.sheets()
    except ValidationError as error:
        result.problems.append(Problem("", None, "", " ".join(error.messages)))
        return prepared
    try:
        actor = actor_for(by)
        town = (
            actor.person.town if actor.person is not None else Town.objects.order_by("pk").first()
        )
        if town is None or (actor.person is None and not actor.is_superuser):
            result.problems.append(
                Problem(
                    "", None, "", _("Only a member of staff with a role in the town can import.")
                )
            )
            return prepared
        read_any = False
        for sheet in sheets:
            if sheet.hidden and sheet.name == LISTS_SHEET:
                continue  # the template's own drop-down lists
            if sheet.hidden:
                result.problems.append(
                    Problem(
                        sheet.name,
                        None,
                        "",
                        _("Sheet “%(sheet)s” is hidden. Unhide it or delete it, then import again.")
                        % {"sheet": sheet.name},
                    )
                )
                continue
            importer = SheetImport(
                by=by,
                town=town,
                sheet=sheet,
                category_code=category,
                result=result,
                progress=progress,
            )
            read_any = importer.run() or read_any
            prepared.sheets.append(importer)
        if not read_any and not result.problems:
            result.problems.append(
                Problem("", None, "", _("The file has no ledger rows to import."))
            )
    except ValidationError as error:
        result.problems.append(Problem("", None, "", " ".join(error.messages)))
        prepared.sheets = []
    finally:
        book.close()
    return prepared


def ledger_import(
    *,
    by: User,
    path: Path,
    name: str,
    category: str | None = None,
    commit: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Read the file and import every sheet; with `commit=False` (a preview) nothing is kept.

    Nothing is kept either when any row has a problem: the result lists them all.
    """
    prepared = import_prepare(by=by, path=path, name=name, category=category, progress=progress)
    return prepared.write(commit=commit)
