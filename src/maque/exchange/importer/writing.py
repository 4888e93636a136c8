"""Rows through the ledger's lifecycle services: checked first (`_check_new`, `_check_changes`,
reads only), then written (`_create`, `_update`: create, edit, report progress, move the state)."""

from __future__ import annotations

from collections import deque
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.core.masking import mask_text
from maque.exchange.importer.results import MAX_PREVIEW_ROWS, RowPreview
from maque.exchange.importer.state import ParsedRow, SheetState
from maque.exchange.layout import (
    STATE_NAMES,
)
from maque.ledger import lifecycle
from maque.ledger.attributes import clean_attributes
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.lifecycle import PreparedItems
from maque.ledger.models import FieldType, Item, Source, State
from maque.ledger.services import progress_add
from maque.organisation.models import Person, VillageGroup

MAX_LISTED_CODES = 1000  # the result names the first codes created, not all (bounded memory)
# Actions an import may take to bring an item to the state its row names (design §4).
IMPORT_ACTIONS = ("start", "submit", "verify", "return", "reopen", "cancel")
# Actions whose service needs the note (备注) as its note or reason.
NOTE_ACTIONS = {"verify": "note", "return": "reason", "reopen": "reason", "cancel": "reason"}


class LifecycleWriting(SheetState):
    """Rows become items and item changes, each through its service."""

    def _check_new(self, rows: list[ParsedRow]) -> PreparedItems | None:
        """Check the new rows as `item_create` would, writing nothing; bad rows get their errors."""
        if not rows:
            return None
        assert self.category is not None
        arguments = []
        category, campaign = self.category, self.category.campaign
        attribute_keys = [(name, f"attr:{name}") for name in self.fields]
        for parsed in rows:
            cells = parsed.cells
            values: dict[str, Any] = {
                "campaign": campaign,
                "category": category,
                "village": cells["village"],
                "title": cells.get("title") or _title_from(cells.get("description", "")),
                "attributes": {name: cells[key] for name, key in attribute_keys if key in cells},
            }
            for key in (
                "owner",
                "deadline",
                "group",
                "subject",
                "description",
                "measures",
                "scope",
                "standard",
            ):
                if key in cells:
                    values[key] = cells[key]
            arguments.append(values)
        prepared = lifecycle.items_prepare_bulk(
            by=self.by, rows=arguments, via="import", source=Source.IMPORT
        )
        for index, errors in prepared.errors.items():
            self._service_errors(rows[index], errors)
        return prepared

    def _create(self, rows: list[ParsedRow], prepared: PreparedItems | None) -> None:
        """Write the new rows that passed their checks (the other rows are reported)."""
        if prepared is None or not prepared.values:
            return
        items = lifecycle.items_insert_prepared(prepared)
        for position, index in enumerate(prepared.indexes):
            # The new item itself is built only when a row needs it (progress or a state change).
            rows[index].created = (items, position)
            self.result.new += 1
            rows[index].values = prepared.values[position]
            if len(self.result.codes) < MAX_LISTED_CODES:
                self.result.codes.append(items.codes[position])

    def _check_changes(self, parsed: ParsedRow) -> None:
        """The edits a row makes to its existing item, checked, writing nothing."""
        item = parsed.item
        assert item is not None and self.category is not None
        cells = parsed.cells
        changes: dict[str, Any] = {}
        for key in ("title", "description", "measures", "scope", "standard", "subject"):
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
                cleaned = clean_attributes(
                    self.category, merged, village=item.village, references=self.references
                )
            except ValidationError as error:
                self._service_errors(parsed, error.message_dict)
                return
            if not self._same_attributes(item.attributes, cleaned):
                changes["attributes"] = merged
        parsed.changes = changes

    def _update(self, parsed: ParsedRow) -> None:
        """Write a row's edits, progress and state change to its existing item."""
        item = parsed.item
        assert item is not None
        changed = self._follow_up(parsed, item, new=False, changes=parsed.changes)
        if parsed.errors:
            return
        if changed:
            self.result.updated += 1
        else:
            self.result.unchanged += 1
        self.result.preview(
            RowPreview(
                sheet=self.sheet.name,
                row=parsed.number,
                action="update" if changed else "unchanged",
                code=item.code,
                village=item.village.name,
                title=self._shown(item.title),
                changes=parsed.described,
            )
        )

    def _preview_new(self, parsed: ParsedRow) -> None:
        """What a new row creates, for the preview (after its progress and state are written)."""
        values = parsed.values or {}
        village = values.get("village")
        self.result.preview(
            RowPreview(
                sheet=self.sheet.name,
                row=parsed.number,
                action="new",
                code="",
                village=village.name if village is not None else "",
                title=self._shown(values.get("title", "")),
                changes=parsed.described,
            )
        )

    def _described(
        self,
        before: Item,
        changes: dict[str, Any],
        progress: str | None,
        state: str,
        target: str | None,
    ) -> list[tuple[str, str, str]]:
        """The row's changes as the clerk reads them: (column, before, after), masked alike."""
        described: list[tuple[str, str, str]] = []
        for key, value in changes.items():
            if key == "attributes":
                for name, after in value.items():
                    if before.attributes.get(name) != after:
                        described.append(
                            (
                                self.headers.get(f"attr:{name}", name),
                                self._shown(before.attributes.get(name)),
                                self._shown(after),
                            )
                        )
                continue
            described.append(
                (self.headers.get(key, key), self._shown(getattr(before, key)), self._shown(value))
            )
        if progress:
            described.append(
                (
                    self.headers.get("progress", ""),
                    self._shown(self._latest_progress.get(before.pk, "")),
                    self._shown(progress),
                )
            )
        if target is not None and target != state:
            described.append(
                (self.headers.get("state", ""), STATE_NAMES[state], STATE_NAMES[target])
            )
        return described

    def _shown(self, value: Any) -> str:
        """A value as the preview shows it: names for people and groups, dates as written."""
        if value is None:
            return ""
        if isinstance(value, Person):
            text = value.name
        elif isinstance(value, VillageGroup):
            text = value.name
        elif isinstance(value, date):
            text = value.isoformat()
        else:
            text = str(value)
        return mask_text(text) if self.masks else text

    def _follow_up(
        self,
        parsed: ParsedRow,
        item: Item | None,
        *,
        new: bool,
        changes: dict[str, Any] | None = None,
    ) -> bool:
        """Edits, progress and state changes of one row, each through its service, in a savepoint.

        A new row's item is `None` here (it was just created in state found) until a service needs it.
        """
        assert item is not None or new
        changed = False
        progress = parsed.cells.get("progress")
        if (
            progress
            and not new
            and item is not None
            and self._same_text(self._latest_progress.get(item.pk, ""), progress)
        ):
            progress = None  # the ledger already says so
        state = item.state if item is not None else State.FOUND
        target = self._target_state(parsed)
        path: list[str] = []
        if target is not None and target != state:
            route = _path(state, target)
            if route is None:
                parsed.errors.append(
                    (
                        "state",
                        _(
                            "An import cannot bring an item from %(from)s to %(to)s; suspensions and resumptions are requested in the ledger."
                        )
                        % {"from": STATE_NAMES[state], "to": STATE_NAMES[target]},
                    )
                )
                return False
            path = route
        if not changes and not progress and not path:
            return False
        if item is None:
            assert parsed.created is not None
            created, index = parsed.created
            item = parsed.item = created[index]
        before = item
        try:
            with transaction.atomic():
                if not new:
                    _check_unchanged_since_read(item)
                if changes:
                    item = lifecycle.item_update(
                        item=item, by=self.by, changes=changes, via="import"
                    )
                if progress:
                    progress_add(item=item, by=self.by, text=progress)
                for action in path:
                    extra = {}
                    if action in NOTE_ACTIONS:
                        extra[NOTE_ACTIONS[action]] = parsed.cells.get("note", "")
                    item = lifecycle.ACTION_SERVICES[action](
                        item=item, by=self.by, via="import", **extra
                    )
                changed = True
            if len(self.result.rows) < MAX_PREVIEW_ROWS:
                parsed.described = self._described(before, changes or {}, progress, state, target)
        except ValidationError as error:
            self._service_errors(
                parsed,
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages},
            )
        except (NotPermitted, ConflictError) as error:
            parsed.errors.append(
                (
                    "state" if path else None,
                    _("Row not imported: %(reason)s") % {"reason": error.message},
                )
            )
        if new and parsed.errors:
            self.result.new -= 1
        return changed

    def _target_state(self, parsed: ParsedRow) -> str | None:
        state = parsed.cells.get("state")
        closed = parsed.cells.get("closed_flag")
        if closed is True and state not in (None, State.CLOSED):
            parsed.errors.append(
                (
                    "closed_flag",
                    _("是否销号 says 是 but the state is %(state)s.")
                    % {"state": STATE_NAMES[state]},
                )
            )
            return None
        if closed is False and state == State.CLOSED:
            parsed.errors.append(("closed_flag", _("是否销号 says 否 but the state is 已销号.")))
            return None
        if state is None and closed is True:
            return State.CLOSED
        return state

    def _same_text(self, current: str, value: str) -> bool:
        current = current or ""
        return current == value or (self.masks and mask_text(current) == value)

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
            if not (self.masks and isinstance(value, str) and mask_text(value) == new):
                return False
        return True

    def _service_errors(self, parsed: ParsedRow, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            key = _column_for(name, self.index_of)
            for message in messages:
                parsed.errors.append((key, message))


def _check_unchanged_since_read(item: Item) -> None:
    """The row was checked against the item as it was when the file was read; refuse to write
    over a change made since (the row stays locked until the import's transaction ends)."""
    current = (
        Item.objects.select_for_update().filter(pk=item.pk).values_list("version", flat=True).get()
    )
    if current != item.version:
        raise ConflictError(
            _("%(code)s was changed by someone else after the file was read; import it again.")
            % {"code": item.code},
            code="stale_version",
        )


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
