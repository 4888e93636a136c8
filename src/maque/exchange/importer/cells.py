"""Parsing one row: cell values, and the village's groups, owners and households they name."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from maque.exchange.importer.state import ParsedRow, SheetState
from maque.exchange.layout import (
    DERIVED,
    NO,
    STATE_NAMES,
    STATE_SYNONYMS,
    YES,
    check_message,
    normalise,
    parse_date,
    parse_number,
    text_of,
)
from maque.exchange.readers import Row
from maque.ledger.models import CategoryField, FieldType
from maque.organisation.models import Household, Person, RoleAssignment, Village, VillageGroup

# Distinct cell values remembered per column (a ledger repeats its villages, dates and units);
# beyond that, values are parsed afresh, so memory stays bounded whatever the sheet.
MEMO_SIZE = 4096
# Columns whose value is the cell's text as it is.
PLAIN = frozenset(
    {
        "subject",
        "title",
        "description",
        "measures",
        "scope",
        "standard",
        "progress",
        "note",
        "group",
        "owner",
    }
)

CellParser = Callable[[Any, str], Any]


class RowParsing(SheetState):
    """One row of cells into values, with a message for each cell that is not valid."""

    _parsers: list[tuple[int, str, CellParser | None]] | None = None

    def _column_parsers(self) -> list[tuple[int, str, CellParser | None]]:
        """Per column: its index, key and parser (None for derived columns), chosen once per sheet."""
        if self._parsers is None:
            parsers: list[tuple[int, str, CellParser | None]] = []
            for index, key in self.columns.items():
                if key in DERIVED:
                    parsers.append((index, key, None))
                elif key in PLAIN:
                    parsers.append((index, key, _text))
                else:
                    parsers.append(
                        (index, key, _remembered(functools.partial(self._parse_cell, key)))
                    )
            self._parsers = parsers
        return self._parsers

    def _parse(self, row: Row) -> ParsedRow:
        parsed = ParsedRow(number=row.number, cells={}, raw={})
        cells, raw, errors = parsed.cells, parsed.raw, parsed.errors
        values = row.values
        width = len(values)
        formulas = row.formulas
        for index, key, parse in self._column_parsers():
            if index >= width:
                continue
            if formulas and index in formulas:
                errors.append((key, _("The cell holds a formula; paste it as a value.")))
                continue
            value = values[index]
            text = value.strip() if type(value) is str else text_of(value)
            if not text:
                continue
            raw[key] = text
            if parse is None:
                continue
            try:
                cells[key] = parse(value, text)
            except ValueError as error:
                errors.append((key, str(error.args[0]) if error.args else _("Not valid.")))
        village = cells.get("village")
        if village is None and "village" not in raw:
            errors.append(("village", _("The village (村) is required.")))
        if village is not None:
            self._resolve_in_village(parsed, village)
        return parsed

    def _parse_cell(self, key: str, value: Any, text: str) -> Any:
        if key == "village":
            village = self.villages.get(normalise(text))
            if village is None:
                raise ValueError(
                    _("No village named “%(name)s” in %(town)s.")
                    % {"name": text, "town": self.town.name}
                )
            return village
        if key == "deadline":
            try:
                return parse_date(value)
            except ValueError:
                raise ValueError(
                    _("Not a date: write it like 2026-07-18 or 2026年7月18日.")
                ) from None
        if key == "state":
            state = STATE_SYNONYMS.get(normalise(text))
            if state is None:
                raise ValueError(
                    _("Unknown state “%(value)s”; use one of %(names)s.")
                    % {"value": text, "names": "、".join(STATE_NAMES.values())}
                )
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
                parsed.errors.append(
                    (
                        "group",
                        _("No group “%(name)s” in %(village)s.")
                        % {"name": parsed.cells["group"], "village": village.name},
                    )
                )
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
        return _remember(
            self._memo("group"), (village.pk, text), lambda: self._find_group(village, text)
        )

    def _owner(self, village: Village, name: str) -> tuple[Person | None, str]:
        """The person of that name, within the village's responsible people when the name is shared."""
        return _remember(
            self._memo("owner"), (village.pk, name), lambda: self._find_owner(village, name)
        )

    def _household(self, village: Village, text: str) -> tuple[int | None, str]:
        return _remember(
            self._memo("household"), (village.pk, text), lambda: self._find_household(village, text)
        )

    def _memo(self, name: str) -> dict[Any, Any]:
        return self._memos.setdefault(name, {})

    def _find_group(self, village: Village, text: str) -> VillageGroup | None:
        if village.pk not in self._groups:
            groups: dict[str, VillageGroup] = {}
            for group in VillageGroup.objects.filter(village=village):
                groups[normalise(group.name)] = group
                if group.number:
                    groups.setdefault(f"{group.number}组", group)
                    groups.setdefault(str(group.number), group)
            self._groups[village.pk] = groups
        return self._groups[village.pk].get(normalise(text))

    def _find_owner(self, village: Village, name: str) -> tuple[Person | None, str]:
        if self._people is None:
            self._people = {}
            for person in Person.objects.filter(town=self.town, active=True):
                self._people.setdefault(normalise(person.name), []).append(person)
            self._village_people = {}
            for person_id, village_id in (
                RoleAssignment.objects.on(self.actor.day)
                .filter(town=self.town, village__isnull=False)
                .values_list("person_id", "village_id")
            ):
                self._village_people.setdefault(village_id, set()).add(person_id)
        candidates = self._people.get(normalise(name), [])
        if len(candidates) > 1:
            assert self._village_people is not None
            in_village = self._village_people.get(village.pk, set())
            candidates = [p for p in candidates if p.pk in in_village]
            if len(candidates) != 1:
                return None, _(
                    "Several people are named “%(name)s”; none or more than one of them works in %(village)s. Fix the name in the staff list first."
                ) % {"name": name, "village": village.name}
        if not candidates:
            return None, _("No active staff member named “%(name)s” in %(town)s.") % {
                "name": name,
                "town": self.town.name,
            }
        return candidates[0], ""

    def _find_household(self, village: Village, text: str) -> tuple[int | None, str]:
        match = re.search(r"#(\d+)$", text)
        households = Household.objects.filter(village=village)
        if match:
            found = list(households.filter(pk=int(match.group(1))).values_list("pk", "head_name"))
            name = text[: match.start()].strip()
            if found and (not name or normalise(found[0][1]) == normalise(name)):
                return found[0][0], ""
            return None, _("No household “%(value)s” in %(village)s.") % {
                "value": text,
                "village": village.name,
            }
        if text.isdigit():
            found_ids = list(households.filter(pk=int(text)).values_list("pk", flat=True))
        else:
            found_ids = list(households.filter(head_name=text.strip()).values_list("pk", flat=True))
        if len(found_ids) == 1:
            return found_ids[0], ""
        if not found_ids:
            return None, _("No household “%(value)s” in %(village)s.") % {
                "value": text,
                "village": village.name,
            }
        return None, _(
            "Several households in %(village)s are headed by “%(value)s”; write it as in the export, e.g. 张三 #12."
        ) % {"value": text, "village": village.name}


def _text(value: Any, text: str) -> str:
    return text


def _remember(memo: dict[Any, Any], key: Any, find: Callable[[], Any]) -> Any:
    """`find()`, remembered under `key` while the memo holds fewer than MEMO_SIZE answers."""
    try:
        return memo[key]
    except KeyError:
        pass
    answer = find()
    if len(memo) < MEMO_SIZE:
        memo[key] = answer
    return answer


def _remembered(parse: CellParser) -> CellParser:
    """A cell parser that remembers its answer for each distinct text cell (a refused value is
    parsed again each time, so that its message is raised each time)."""
    memo: dict[str, Any] = {}

    def parse_remembered(value: Any, text: str) -> Any:
        if type(value) is not str:
            return parse(value, text)
        return _remember(memo, value, lambda: parse(value, text))

    return parse_remembered
