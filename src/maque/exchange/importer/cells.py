"""Parsing one row: cell values, and the village's groups, owners and households they name."""

from __future__ import annotations

import re
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


class RowParsing(SheetState):
    """One row of cells into values, with a message for each cell that is not valid."""

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
