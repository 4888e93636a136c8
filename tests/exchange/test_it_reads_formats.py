import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from maque.ledger.models import Item

from .. import office
from .helpers import LATER_YEAR, csv_file, outflow_row, run_import, xlsx_file

FIXTURES = Path(__file__).with_name("fixtures")
EXPECTED = [
    ("撂荒地复耕", "3.5", "复耕", date(LATER_YEAR, 7, 18)),
    ("坡地撂荒", "2.25", "复种", date(LATER_YEAR, 8, 1)),
]


def imported() -> list[tuple[str, str, str, date]]:
    return [
        (i.title, i.attributes["area_mu"], i.attributes["target_use"], i.deadline)
        for i in Item.objects.order_by("code")
    ]


@pytest.mark.parametrize(
    "name",
    [
        "ledger-source.xlsx",
        "lo-ledger.xlsx",
        "lo-ledger.xls",
        "lo-ledger-utf8.csv",
        "lo-ledger-gb18030.csv",
    ],
)
def test_it_reads_files_made_by_office_programs(world, name, monkeypatch):
    # The office programs' files carry deadlines in 2099: imported as if on a day a little
    # before them, they are within the sane bounds of a deadline (core/dates.py).
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2098, 6, 1))
    result = run_import(world.user("cadre_gaige"), FIXTURES / name)
    assert result.problems == [], result.problems
    assert result.counts()["new"] == 2
    assert imported() == [(*row[:3], row[3].replace(year=2099)) for row in EXPECTED]
    assert {i.group.name for i in Item.objects.all()} == {"一组"}  # "1组" is group number 1


@office.needs("calc")
@pytest.mark.parametrize("target", ["xls", "xlsx", "ods"])
def test_it_reads_what_libreoffice_converts_on_the_fly(world, tmp_path, target):
    source = xlsx_file(
        tmp_path / "source.xlsx",
        [outflow_row(), outflow_row(事项="第二", 整改时限=f"{LATER_YEAR}.8.1")],
    )
    subprocess.run(  # noqa: S603 - a fixed program on files the test made
        [
            office.soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = tmp_path / "out" / f"source.{target}"
    result = run_import(world.user("cadre_gaige"), converted)
    if target == "ods":
        assert result.problems and Item.objects.count() == 0  # not a format this import reads
        return
    assert result.problems == [] and result.counts()["new"] == 2
    assert sorted(i.deadline for i in Item.objects.all()) == [
        date(LATER_YEAR, 7, 18),
        date(LATER_YEAR, 8, 1),
    ]


@pytest.mark.parametrize(
    "typed", ["2026-07-18", "2026/7/18", "2026.7.18", "2026年7月18日", "20260718", 46221]
)
def test_it_reads_dates_the_way_people_type_them(world, tmp_path, typed, settings):
    path = xlsx_file(tmp_path / "d.xlsx", [outflow_row(整改时限=typed)])
    run_import(world.user("cadre_gaige"), path, commit=False)
    result = run_import(world.user("principal"), path)
    if Item.objects.exists():
        assert Item.objects.get().deadline == date(2026, 7, 18)
    else:  # the date is before today: the lifecycle refuses a deadline before discovery
        assert [p.column for p in result.problems] == ["整改时限"]


def test_it_reads_numbers_with_units_and_tolerant_headers(world, tmp_path):
    headers = [
        "序 号",
        "编号",
        "村（社区）",
        "组",
        "事项名称",
        "存在问题",
        "地块",
        "面积",
        "现状用途",
        "整治方向",
        "负责人",
        "完成时限",
    ]
    path = csv_file(
        tmp_path / "t.csv",
        [
            outflow_row(
                面积="3.50亩",
                负责人="cadre_gaige",
                完成时限=f"{LATER_YEAR}/7/18",
                事项名称="复耕",
                **{"村（社区）": "改革村"},
            )
        ],
        headers=headers,
        encoding="gb18030",
    )
    result = run_import(world.user("cadre_gaige"), path)
    assert result.problems == [], result.problems
    item = Item.objects.get()
    assert Decimal(item.attributes["area_mu"]) == Decimal("3.5") and item.title == "复耕"
    assert item.deadline == date(LATER_YEAR, 7, 18)


def _with_sheet_xml(path: Path, change) -> Path:  # noqa: ANN001
    """Rewrite the first worksheet's XML of an .xlsx file."""
    import zipfile

    copy = path.with_name("changed-" + path.name)
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(member, data)
    return copy


def test_it_reads_inline_and_rich_text_strings_and_the_declared_size(world, tmp_path):
    import re

    from maque.exchange.readers import open_spreadsheet

    path = xlsx_file(tmp_path / "rich.xlsx", [outflow_row(事项="PLACEHOLDER")])

    def inline(xml: str) -> str:
        # The 事项 cell as an inline string in two rich-text runs plus a phonetic hint that is not text.
        cell = re.search(r'<c r="F3"[^>]*>.*?</c>', xml).group(0)
        return xml.replace(
            cell,
            '<c r="F3" t="inlineStr"><is><r><t>撂荒地</t></r><r><rPr><b/></rPr><t xml:space="preserve">复耕 </t></r>'
            '<rPh sb="0" eb="1"><t>liao</t></rPh></is></c>',
        )

    changed = _with_sheet_xml(path, inline)
    book = open_spreadsheet(changed, changed.name)
    try:
        (sheet,) = book.sheets()
        assert sheet.declared_rows == 3
        rows = list(sheet.rows())
        assert rows[2].values[5] == "撂荒地复耕 "
    finally:
        book.close()
    result = run_import(world.user("cadre_gaige"), changed)
    assert result.problems == [] and Item.objects.get().title == "撂荒地复耕"
    # A sheet that does not declare its size is read all the same (the row limit holds while reading).
    undeclared = _with_sheet_xml(path, lambda xml: re.sub(r"<dimension[^>]*/>", "", xml))
    book = open_spreadsheet(undeclared, undeclared.name)
    try:
        (sheet,) = book.sheets()
        # The fast reader knows the size from the cells; the streaming one reads it all the same.
        assert sheet.declared_rows in (None, 3) and len(list(sheet.rows())) == 3
    finally:
        book.close()


def _trimmed(values: list) -> list:
    values = list(values)
    while values and values[-1] is None:
        values.pop()
    return values


def _library_rows(path: Path) -> tuple[list[tuple[int, list, frozenset]], list]:
    """The rows and merged ranges of the first sheet as the spreadsheet library's own parser reads them."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    book = load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    rows = []
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            if not cells:
                continue
            values = [None] * cells[-1]["column"]
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            rows.append(
                (number, values, frozenset(c["column"] - 1 for c in cells if c["data_type"] == "f"))
            )
        merged = []
        if parser.merged_cells is not None:
            from openpyxl.worksheet.cell_range import CellRange

            for merge in parser.merged_cells.mergeCell:
                b = CellRange(merge.ref).bounds
                merged.append((b[1], b[0], b[3], b[2]))
    book.close()
    return rows, merged


def _every_kind_of_cell(path: Path) -> Path:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["标题", None, None])
    ws.merge_cells("A1:C1")
    ws.append(
        [
            "text",
            3,
            3.25,
            True,
            False,
            date(2026, 7, 18),
            datetime(2026, 7, 18, 9, 30),
            "=1+2",
            '=A2&"x"',
            "#N/A",
        ]
    )
    ws.append([None, None, "  spaces kept  ", "a & b < c", "", 1e20, -0.5, 0])
    ws["E5"] = "after a gap"
    ws.merge_cells("B4:B5")
    book.save(path)
    return path


def _write_only(path: Path) -> Path:
    """Inline strings: what write-only workbooks (the export's too) store text as."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("台账")
    ws.append(["标题"])
    ws.append(["村", "事项", "面积", "时限"])
    ws.append(["改革村", "  撂荒 & 复耕 ", 3.5, date(LATER_YEAR, 7, 18)])
    ws.append([None, "=1+2", None, "", "末列"])
    book.save(path)
    return path


@pytest.mark.parametrize(
    "name", ["ledger-source.xlsx", "lo-ledger.xlsx", "every-kind", "write-only"]
)
def test_its_sheet_reader_reads_what_the_library_reads(tmp_path, name):
    from maque.exchange.readers import open_spreadsheet

    made = {"every-kind": _every_kind_of_cell, "write-only": _write_only}
    path = made[name](tmp_path / f"{name}.xlsx") if name in made else FIXTURES / name
    expected_rows, expected_merged = _library_rows(path)
    book = open_spreadsheet(path, path.name)
    try:
        sheet = book.sheets()[0]
        # Empty cells at the end of a row carry nothing (one reader lists them, the other not).
        rows = [(row.number, _trimmed(row.values), row.formulas) for row in sheet.rows()]
        assert rows == [(number, _trimmed(values), f) for number, values, f in expected_rows]
        assert sheet.merged == expected_merged
    finally:
        book.close()


def test_its_sheet_reader_refuses_entity_declarations(world, tmp_path):
    path = xlsx_file(tmp_path / "dtd.xlsx", [outflow_row()])
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    )
    changed = _with_sheet_xml(
        path, lambda xml: bomb + xml.split("?>", 1)[1] if xml.startswith("<?xml") else bomb + xml
    )
    result = run_import(world.user("cadre_gaige"), changed)
    assert result.problems and not Item.objects.exists()
