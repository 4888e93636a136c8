"""The field-work sheets: household visits (入户走访台账), one visit a row with its households and
the policies explained, and publicity records (政策宣传台账), one a row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from maque.core.masking import mask_text
from maque.exchange.sheets.layout import SheetColumn, SheetLayout, joined
from maque.fieldwork.models import FieldVisit, Method, PublicityRecord, Purpose

CHUNK = 1000

# The purposes and methods by their names in the sheet (the township's words, not the screens').
PURPOSE_NAMES: dict[str, str] = {
    Purpose.PUBLICITY: "政策宣传",
    Purpose.SURVEY: "摸排",
    Purpose.FOLLOW_UP: "事项回访",
    Purpose.PETITION_FOLLOW_UP: "信访回访",
    Purpose.MEDIATION: "矛盾调解",
    Purpose.OTHER: "其他",
}
METHOD_NAMES: dict[str, str] = {
    Method.LOUDSPEAKER: "小喇叭",
    Method.MEETING: "村民会议",
    Method.POSTER: "张贴宣传",
    Method.OTHER: "其他",
}

VISITS = SheetLayout(
    kind="visits",
    title="入户走访台账",
    columns=(
        SheetColumn("seq", "序号", 6, derived=True),
        SheetColumn("code", "走访编号", 10, ("编号",), derived=True),
        SheetColumn("village", "村", 10, ("村名", "所属村", "行政村", "村/社区")),
        SheetColumn("visitor", "走访人", 10, ("走访干部", "走访人员", "干部")),
        SheetColumn("visited_at", "走访时间", 18, ("走访日期", "日期", "时间")),
        SheetColumn("purpose", "走访事由", 12, ("走访目的", "目的", "事由")),
        SheetColumn("households", "走访农户", 24, ("农户", "走访对象", "户主")),
        SheetColumn("policies", "宣传政策", 20, ("宣讲政策", "政策", "讲解政策")),
        SheetColumn("notes", "走访情况", 30, ("情况记录", "走访记录", "备注")),
        SheetColumn("items", "发现问题", 18, ("登记问题", "问题编号"), derived=True),
    ),
)

PUBLICITY = SheetLayout(
    kind="publicity",
    title="政策宣传台账",
    columns=(
        SheetColumn("seq", "序号", 6, derived=True),
        SheetColumn("village", "村", 10, ("村名", "所属村", "行政村")),
        SheetColumn("on", "宣传日期", 14, ("日期",)),
        SheetColumn("policy", "宣传政策", 16, ("政策",)),
        SheetColumn("method", "宣传方式", 12, ("方式",)),
        SheetColumn("reach", "覆盖人数", 10, ("受众人数", "人数")),
        SheetColumn("notes", "情况说明", 30, ("备注",)),
        SheetColumn("recorded_by", "记录人", 10, ("填报人",)),
    ),
)


def household_label(head_name: str, pk: int) -> str:
    """A household as the ledger's household cells name one: 户主 #id (names repeat in a village)."""
    return f"{head_name} #{pk}"


def visit_rows(visits: QuerySet[FieldVisit], *, masks: bool) -> Iterator[list[Any]]:
    visits = (
        visits.select_related("village", "visitor")
        .prefetch_related("households", "policies", "item_links__item")
        .order_by("visited_at", "id")
    )
    for sequence, visit in enumerate(visits.iterator(chunk_size=CHUNK), start=1):
        notes = mask_text(visit.notes) if masks else visit.notes
        yield [
            sequence,
            visit.pk,
            visit.village.name,
            visit.visitor.name,
            timezone.localtime(visit.visited_at).replace(tzinfo=None, second=0, microsecond=0),
            PURPOSE_NAMES.get(visit.purpose, visit.purpose),
            joined([household_label(h.head_name, h.pk) for h in visit.households.all()]) or None,
            joined([p.name for p in visit.policies.all()]) or None,
            notes or None,
            joined([link.item.code for link in visit.item_links.all()]) or None,
        ]


def publicity_rows(records: QuerySet[PublicityRecord], *, masks: bool) -> Iterator[list[Any]]:
    records = records.select_related("village", "policy", "recorded_by").order_by("on", "id")
    for sequence, record in enumerate(records.iterator(chunk_size=CHUNK), start=1):
        notes = mask_text(record.notes) if masks else record.notes
        yield [
            sequence,
            record.village.name,
            record.on,
            record.policy.name,
            METHOD_NAMES.get(record.method, record.method),
            record.reach,
            notes or None,
            record.recorded_by.name,
        ]
