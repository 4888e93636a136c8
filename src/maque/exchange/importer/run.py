"""`ledger_import`: every sheet of the file in one transaction, rolled back for a preview or on any problem."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.exchange.importer.results import ImportResult, Problem, Progress
from maque.exchange.importer.sheet import SheetImport
from maque.exchange.layout import (
    LISTS_SHEET,
)
from maque.exchange.readers import open_spreadsheet
from maque.organisation.access import actor_for
from maque.organisation.models import Town


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
    result = ImportResult()
    try:
        book = open_spreadsheet(path, name)
        sheets = book.sheets()
    except ValidationError as error:
        result.problems.append(Problem("", None, "", " ".join(error.messages)))
        return result
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
            return result
        with transaction.atomic():
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
                            _(
                                "Sheet “%(sheet)s” is hidden. Unhide it or delete it, then import again."
                            )
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
            if not read_any and not result.problems:
                result.problems.append(
                    Problem("", None, "", _("The file has no ledger rows to import."))
                )
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
