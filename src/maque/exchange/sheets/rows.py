"""Reading one row of a sheet kind on import: each kind's reader turns cells into the arguments
of its app's service, with a problem per bad cell in the clerk's words; shared here are the
look-ups every kind needs (villages, people, dates, choices) and the duplicates check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.exchange.importer.results import ImportResult, Problem, RowPreview
from maque.exchange.layout import normalise, parse_date, text_of
from maque.exchange.sheets.layout import SheetLayout
from maque.organisation.actor import Actor
from maque.organisation.models import Person, Town, Village

MASK = "*"


@dataclass
class Plan:
    """What the import writes for some rows: `write` calls the app's service and returns the
    code or label of what it created; its ValidationError fields map to the rows' columns."""

    rows: list[int]
    preview: RowPreview
    write: Callable[[], str]
    fields: dict[str, str] = field(default_factory=dict)  # service field -> column key


class RowReader:
    """The shared part of a kind's reader: its layout, the town's villages and people, and the
    problems of the rows it has read."""

    layout: SheetLayout
    required: tuple[str, ...] = ()

    def __init__(self, *, by: User, actor: Actor, town: Town, result: ImportResult, sheet: str):
        self.by, self.actor, self.town, self.result, self.sheet = by, actor, town, result, sheet
        self.columns: dict[str, int] = {}  # key -> 1-based column, once the header is read
        self.plans: list[Plan] = []
        self._villages = {normalise(v.name): v for v in Village.objects.filter(town=town)}
        self._people: dict[str, list[Person]] = {}
        for person in Person.objects.filter(town=town, active=True).order_by("pk"):
            self._people.setdefault(normalise(person.name), []).append(person)
        self._seen: dict[Any, int] = {}
        self.bad_rows: set[int] = set()

    # --- problems ---------------------------------------------------------------------------

    def problem(self, row: int | None, key: str | None, message: str) -> None:
        column = self.layout.column(key).header if key else ""
        self.result.problems.append(
            Problem(self.sheet, row, column, message, self.columns.get(key) if key else None)
        )
        if row is not None:
            self.bad_rows.add(row)

    # --- cells ------------------------------------------------------------------------------

    def text(self, cells: dict[str, Any], key: str, *, required: bool = False) -> str:
        value = text_of(cells.get(key))
        if required and not value:
            self.problem(cells["_row"], key, _("This cell is required."))
        return value

    def village(self, cells: dict[str, Any], key: str, *, required: bool = True) -> Village | None:
        name = self.text(cells, key, required=required)
        if not name:
            return None
        found = self._villages.get(normalise(name))
        if found is None:
            self.problem(cells["_row"], key, _("Unknown village in this town.") + f"（{name}）")
        return found

    def person(self, cells: dict[str, Any], key: str, *, required: bool = True) -> Person | None:
        name = self.text(cells, key, required=required)
        if not name:
            return None
        found = self._people.get(normalise(name), [])
        if len(found) != 1:
            self.problem(
                cells["_row"],
                key,
                (
                    _("Unknown person in this town.")
                    if not found
                    else _("Several people of the town have this name; make it unique first.")
                )
                + f"（{name}）",
            )
            return None
        return found[0]

    def day(
        self, cells: dict[str, Any], key: str, kind: DayKind, *, required: bool = True
    ) -> date | None:
        value = cells.get(key)
        if value is None or text_of(value) == "":
            if required:
                self.problem(cells["_row"], key, _("This cell is required."))
            return None
        try:
            day = parse_date(value)
        except ValueError:
            self.problem(cells["_row"], key, _("Enter a date such as 2026-07-18."))
            return None
        problem = day_problem(day, kind)
        if problem is not None:
            self.problem(cells["_row"], key, problem)
            return None
        return day

    def choice(
        self,
        cells: dict[str, Any],
        key: str,
        names: dict[str, str],
        *,
        required: bool = True,
        synonyms: dict[str, str] | None = None,
    ) -> str | None:
        """The value of a choice cell written as its Chinese name (or the value itself, or one
        of `synonyms`: name → value)."""
        text = self.text(cells, key, required=required)
        if not text:
            return None
        by_name = {normalise(name): value for name, value in (synonyms or {}).items()}
        by_name.update({normalise(name): value for value, name in names.items()})
        by_name.update({normalise(value): value for value in names})
        found = by_name.get(normalise(text))
        if found is None:
            self.problem(
                cells["_row"],
                key,
                _("Unknown value %(value)s; one of: %(choices)s.")
                % {"value": text, "choices": "、".join(names.values())},
            )
        return found

    def unmasked(self, cells: dict[str, Any], key: str, value: str) -> str:
        """Personal data must come in full: a masked cell (王**, 139****5678) is refused."""
        if MASK in value:
            self.problem(
                cells["_row"],
                key,
                _("The cell holds masked personal data; import from a file with the full data."),
            )
        return value

    def once(self, cells: dict[str, Any], key: Any, column: str) -> bool:
        """False (with a problem) when an earlier row of the file holds the same record."""
        first = self._seen.setdefault(key, cells["_row"])
        if first != cells["_row"]:
            self.problem(
                cells["_row"],
                column,
                _("Row %(row)d of the file holds the same record already.") % {"row": first},
            )
            return False
        return True

    def exists(self, cells: dict[str, Any], column: str, label: str) -> None:
        self.problem(
            cells["_row"], column, _("This record exists already (%(record)s).") % {"record": label}
        )

    # --- what a kind provides ---------------------------------------------------------------

    def read(self, cells: dict[str, Any]) -> None:
        """Check one row (cells by column key, `_row` its number) and plan its writing."""
        raise NotImplementedError

    def finish(self) -> None:
        """After the last row: plan what needs every row first (a project's milestones)."""

    def service_problems(self, plan: Plan, error: ValidationError) -> None:
        """A service's refusal as problems of the plan's first row, on the column it concerns."""
        row = plan.rows[0]
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.problem(row, None, message)
            return
        for name, errors in error.message_dict.items():
            base = name.split(".")[-1].split("[")[0]
            key = plan.fields.get(name) or plan.fields.get(base)
            for message in errors:
                self.problem(row, key, message)
