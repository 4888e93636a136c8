"""The ledger spreadsheet layout (台账): its columns, how headers are recognised, and how values
are written to and read from cells.

The headers are the county's Chinese document format, not interface text: they are written and
matched in Chinese whatever the interface language, so a file made in one language imports in
the other. Messages about them go through gettext like any other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# The shared formula guard, under the names the ledger's modules and tests use.
from maque.core.formulas import FORMULA_PREFIXES as FORMULA_PREFIXES
from maque.core.formulas import neutralise as neutralise
from maque.core.formulas import unneutralise as unneutralise
from maque.ledger.models import Category, CategoryField, FieldType, State

# Fixed columns: key -> (header, synonyms, width). Category fields go between 问题描述 and 整改措施.
FIXED_BEFORE = [
    ("seq", "序号", ("序号", "编号序号", "no"), 6),
    ("code", "编号", ("编号", "事项编号", "台账编号", "问题编号"), 16),
    (
        "village",
        "村",
        ("村", "村名", "村别", "村社区", "村/社区", "所属村", "村(社区)", "行政村"),
        10,
    ),
    ("group", "组", ("组", "村民小组", "小组", "组别", "组名"), 8),
    ("subject", "对象（户/地块）", ("对象", "对象(户/地块)", "户/地块", "整治对象", "户主"), 16),
    ("title", "事项", ("事项", "事项名称", "标题", "问题", "问题名称"), 24),
    ("description", "问题描述", ("问题描述", "存在问题", "问题情况", "主要问题", "问题详情"), 30),
]
FIXED_AFTER = [
    ("measures", "整改措施", ("整改措施", "措施", "整治措施", "整改方案"), 28),
    ("scope", "整改范围", ("整改范围", "范围", "整治范围", "整改面积范围"), 20),
    ("standard", "整改标准", ("整改标准", "标准", "整治标准", "验收标准"), 28),
    ("owner", "责任人", ("责任人", "负责人", "整改责任人", "包保责任人", "责任人员"), 10),
    (
        "deadline",
        "整改时限",
        ("整改时限", "完成时限", "整改期限", "时限", "完成时间", "整改时间", "截止日期"),
        14,
    ),
    (
        "progress",
        "整改进展",
        ("整改进展", "进展情况", "整改进度", "进展", "整改情况", "推进情况"),
        28,
    ),
    ("state", "状态", ("状态", "整改状态", "当前状态", "事项状态"), 10),
    ("closed_flag", "是否销号", ("是否销号", "销号"), 10),
    ("closed_on", "销号日期", ("销号日期", "销号时间"), 14),
    ("verifier", "核查人", ("核查人", "验收人", "核查人员"), 10),
    ("note", "备注", ("备注", "说明", "备注说明"), 24),
]
# Columns that are written on export but never change anything on import (derived values).
DERIVED = frozenset({"seq", "closed_on", "verifier"})

STATE_NAMES: dict[str, str] = {
    State.FOUND: "待整改",
    State.RECTIFYING: "整改中",
    State.SUBMITTED: "待验收",
    State.CLOSED: "已销号",
    State.SUSPENDED: "挂起",
    State.CANCELLED: "撤销",
}
STATE_SYNONYMS = {
    **{name: state for state, name in STATE_NAMES.items()},
    "未整改": State.FOUND,
    "正在整改": State.RECTIFYING,
    "已提交": State.SUBMITTED,
    "待核查": State.SUBMITTED,
    "销号": State.CLOSED,
    "已挂起": State.SUSPENDED,
    "已撤销": State.CANCELLED,
}
YES, NO = "是", "否"

LISTS_SHEET = "选项"  # the hidden sheet holding the drop-down lists of a template
TITLE_SUFFIX = "台账"


@dataclass(frozen=True)
class Column:
    key: str  # a fixed key, or "attr:<field name>"
    header: str
    width: int
    field: CategoryField | None = None

    @property
    def is_attribute(self) -> bool:
        return self.field is not None


def field_header(field: CategoryField) -> str:
    return f"{field.label}（{field.unit}）" if field.unit else field.label


def columns_for(category: Category | None) -> list[Column]:
    """The template's columns for a category, in order."""
    columns = [Column(key, header, width) for key, header, _synonyms, width in FIXED_BEFORE]
    if category is not None:
        for field in category.fields.all():
            width = 14 if field.type != FieldType.TEXT else 20
            columns.append(Column(f"attr:{field.name}", field_header(field), width, field))
    columns += [Column(key, header, width) for key, header, _synonyms, width in FIXED_AFTER]
    return columns


def sheet_title(*, town_name: str, campaign_name: str, category_name: str) -> str:
    return f"{town_name}{campaign_name}·{category_name}{TITLE_SUFFIX}"


def sheet_name(name: str) -> str:
    """A valid worksheet name (at most 31 characters, none of []:*?/\\)."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "", name).strip("'") or "台账"
    return cleaned[:31]


# --- recognising headers ----------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_UNIT = re.compile(r"^(.*?)\((.*)\)$")


def normalise(text: Any) -> str:
    """Full-width to half-width, no spaces, no required-marks or trailing colons."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = _SPACES.sub("", value).strip("*:：")
    return value.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")").lower()


def _base(text: str) -> str:
    match = _UNIT.match(text)
    return match.group(1) if match else text


_FIXED_INDEX: dict[str, str] = {}
for _key, _header, _synonyms, _width in (*FIXED_BEFORE, *FIXED_AFTER):
    for _name in (_header, *_synonyms):
        _FIXED_INDEX[normalise(_name)] = _key


def match_header(text: Any, category: Category | None) -> str | None:
    """The column key a header names (category fields first), or None when unknown."""
    header = normalise(text)
    if not header:
        return None
    if category is not None:
        for field in category.fields.all():
            label = normalise(field.label)
            if (
                header in (label, normalise(field_header(field)), normalise(field.name))
                or _base(header) == label
            ):
                return f"attr:{field.name}"
    return _FIXED_INDEX.get(header) or _FIXED_INDEX.get(_base(header))


# --- values to cells and back -----------------------------------------------------------------

_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: Any) -> date:
    """A date from the forms people type, a date cell or an Excel date number; ValueError if none."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError("time of day")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) or not 1 <= value <= 2958465:
            raise ValueError("not a date number")
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = normalise(value).rstrip(".")
    text = re.sub(r"\s*00:00(:00)?$", "", text)
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
    raise ValueError("not a date")


_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)(.*)$")


def parse_number(value: Any, unit: str = "") -> str:
    """A number as exact decimal text, from a number cell or text such as `3.5亩` or `1,200元`."""
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 3.5, not 3.50000001.
        return format(Decimal(repr(value)).normalize(), "f") if value == value else "nan"
    text = normalise(value).replace(",", "")
    match = _NUMBER.match(text)
    if not match:
        raise ValueError("not a number")
    number, rest = match.groups()
    if rest and rest not in {
        normalise(unit),
        "亩",
        "元",
        "万元",
        "平方米",
        "m2",
        "m²",
        "㎡",
        "年",
        "个",
        "处",
        "座",
    }:
        raise ValueError("unknown unit")
    if rest == "万元" and normalise(unit) == "元":
        return format((Decimal(number) * 10000).normalize(), "f")
    return number


def decimal_cell(text: str) -> float | str:
    """A decimal stored as text goes to a number cell when the number survives the round trip."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    as_float = float(number)
    return as_float if Decimal(repr(as_float)) == number else text


def text_of(value: Any) -> str:
    """A cell's text: numbers without a spurious `.0`, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(sep=" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def check_message(field: CategoryField) -> str:
    """Why a cell of a category field is refused, in the words of its type."""
    if field.type == FieldType.DATE:
        return _("%(label)s must be a date such as 2026-07-18.") % {"label": field.label}
    if field.type in (FieldType.NUMBER, FieldType.DECIMAL):
        return _("%(label)s must be a number.") % {"label": field.label}
    return _("%(label)s is not valid.") % {"label": field.label}
