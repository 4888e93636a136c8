"""Matching a chunk of rows to existing items (by code or by the category's natural key) and
checking it (`_prepare`, reads only); writing it later (`_write`, in the import's transaction)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from maque.exchange.importer.state import ParsedRow, PlannedChunk
from maque.exchange.importer.writing import LifecycleWriting
from maque.ledger.models import Category, CategoryField, FieldType, Item, ProgressLog, State

# The cells the writing step reads (progress, state and its note); a planned row keeps only these.
FOLLOW_UP_CELLS = frozenset({"progress", "state", "closed_flag", "note"})


class RowMatching(LifecycleWriting):
    """A chunk of parsed rows: find each row's item, then create, update or report."""

    def _prepare(self, chunk: list[ParsedRow]) -> None:
        """Match and check a chunk without writing anything; keep it for `_write`."""
        self._match(chunk)
        new_rows = [parsed for parsed in chunk if not parsed.errors and parsed.item is None]
        updates = [parsed for parsed in chunk if not parsed.errors and parsed.item is not None]
        prepared = self._check_new(new_rows)
        for parsed in updates:
            self._check_changes(parsed)
        for parsed in chunk:
            # What the writing still reads of a row; the rest was checked and can go.
            parsed.raw = {}
            parsed.cells = {k: v for k, v in parsed.cells.items() if k in FOLLOW_UP_CELLS}
        self.plan.append(
            PlannedChunk(
                rows=chunk,
                new_rows=new_rows,
                updates=updates,
                prepared=prepared,
                latest_progress=self._latest_progress,
            )
        )

    def _write(self, planned: PlannedChunk) -> None:
        self._latest_progress = planned.latest_progress
        self._create(planned.new_rows, planned.prepared)
        for parsed in planned.updates:
            if not parsed.errors:
                self._update(parsed)
        for parsed in planned.new_rows:
            if not parsed.errors:
                self._follow_up(parsed, None, new=True)
            if not parsed.errors:
                self._preview_new(parsed)
            parsed.values = None  # written: the row need not keep them
        for parsed in planned.rows:
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
                parsed.errors.append(
                    (
                        "code",
                        _("Code %(code)s is also on row %(row)d.")
                        % {"code": code, "row": self.seen_codes[code]},
                    )
                )
            else:
                self.seen_codes[code] = parsed.number
        items = self._items().filter(code__in=codes) if codes else []
        by_code = {item.code: item for item in items}
        key_field = natural_key(self.category)
        by_key: dict[str, list[Item]] = {}
        if key_field is not None and self.existing_up_to:
            keys = [
                str(p.cells[f"attr:{key_field.name}"])
                for p in chunk
                if "code" not in p.cells and f"attr:{key_field.name}" in p.cells
            ]
            if keys:
                candidates = self._items().filter(
                    pk__lte=self.existing_up_to, **{f"attributes__{key_field.name}__in": keys}
                )
                for item in candidates.exclude(state=State.CANCELLED):
                    by_key.setdefault(str(item.attributes.get(key_field.name)), []).append(item)
        for parsed in chunk:
            if parsed.errors:
                continue
            code = parsed.cells.get("code")
            if code is not None:
                item = by_code.get(code)
                if item is None:
                    parsed.errors.append(
                        (
                            "code",
                            _(
                                "No item %(code)s that you can see in this category; leave 编号 empty for a new item."
                            )
                            % {"code": code},
                        )
                    )
                    continue
            elif key_field is not None and f"attr:{key_field.name}" in parsed.cells:
                matches = by_key.get(str(parsed.cells[f"attr:{key_field.name}"]), [])
                if len(matches) > 1:
                    parsed.errors.append(
                        (
                            f"attr:{key_field.name}",
                            _(
                                "Several items have %(label)s %(value)s; fill in 编号 to say which one."
                            )
                            % {
                                "label": key_field.label,
                                "value": parsed.cells[f"attr:{key_field.name}"],
                            },
                        )
                    )
                    continue
                item = matches[0] if matches else None
            else:
                item = None
            if item is None:
                continue
            if item.pk in self.seen_items:
                parsed.errors.append(
                    (
                        "code",
                        _("Item %(code)s is also on row %(row)d.")
                        % {"code": item.code, "row": self.seen_items[item.pk]},
                    )
                )
                continue
            self.seen_items[item.pk] = parsed.number
            village = parsed.cells["village"]
            if village.pk != item.village_id:
                parsed.errors.append(
                    (
                        "village",
                        _(
                            "Item %(code)s belongs to %(village)s; an import cannot move it to another village."
                        )
                        % {"code": item.code, "village": item.village.name},
                    )
                )
                continue
            parsed.item = item
        self._latest_progress = self._progress_texts(
            [p.item.pk for p in chunk if p.item is not None]
        )

    def _items(self):  # noqa: ANN202
        return (
            Item.objects.visible_to(self.by)
            .filter(town=self.town, category=self.category)
            .select_related("village", "owner", "group", "category", "town")
        )

    def _progress_texts(self, item_ids: list[int]) -> dict[int, str]:
        latest: dict[int, str] = {}
        if item_ids:
            logs = ProgressLog.objects.filter(item_id__in=item_ids).order_by(
                "item_id", "-created_at", "-id"
            )
            for item_id, text in logs.values_list("item_id", "text"):
                latest.setdefault(item_id, text)
        return latest


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
