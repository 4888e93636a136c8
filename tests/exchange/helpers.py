"""Small builders for ledger files in tests."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from maque.exchange.exporter import export_write
from maque.exchange.importer import ImportResult, ledger_import
from maque.ledger.queries import item_list
from maque.organisation.access import actor_for

# A deadline a ledger may carry: within the sane bounds of a typed deadline (core/dates.py).
LATER_YEAR = date.today().year + 2

HEADERS = [
    "序号",
    "编号",
    "村",
    "组",
    "对象（户/地块）",
    "事项",
    "问题描述",
    "地块",
    "面积（亩）",
    "现状用途",
    "整治方向",
    "整改措施",
    "责任人",
    "整改时限",
    "整改进展",
    "状态",
    "备注",
]


def outflow_row(**overrides: Any) -> dict[str, Any]:
    row = {
        "村": "改革村",
        "组": "一组",
        "事项": "撂荒地复耕",
        "问题描述": "三组撂荒约3亩",
        "地块": "GG-001",
        "面积（亩）": "3.5亩",
        "现状用途": "撂荒",
        "整治方向": "复耕",
        "责任人": "cadre_gaige",
        "整改时限": f"{LATER_YEAR}/7/18",
    }
    row.update(overrides)
    return row


def xlsx_file(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    headers: list[str] = HEADERS,
    title: str | None = "蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账",
    sheet: str = "Sheet1",
) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(headers)
    for number, row in enumerate(rows, start=1):
        ws.append([row.get(h, number if h == "序号" else None) for h in headers])
    book.save(path)
    return path


def csv_file(
    path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8", headers: list[str] = HEADERS
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账"])
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run_import(user: Any, path: Path, **options: Any) -> ImportResult:
    return ledger_import(by=user, path=path, name=path.name, **options)


def export_file(user: Any, path: Path, **filters: Any) -> Path:
    export_write(
        items=item_list(user=user, **filters),
        out=str(path),
        masks=actor_for(user).masks_personal_data(),
    )
    return path


def sheet_values(path: Path, sheet: str | None = None) -> list[list[Any]]:
    book = load_workbook(path)
    ws = book[sheet] if sheet else book.worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]
