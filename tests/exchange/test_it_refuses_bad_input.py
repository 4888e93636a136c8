import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from maque.ledger.models import Item

from ..conftest import make_item
from .helpers import HEADERS, csv_file, export_file, outflow_row, run_import, xlsx_file


def only_messages(result):
    return [p.message for p in result.problems]


def assert_nothing_imported(result, count=0):
    assert result.problems and not result.committed
    assert Item.objects.count() == count


def test_it_refuses_files_that_are_not_spreadsheets(world, tmp_path):
    for name, content in [
        ("a.pdf", b"%PDF-1.4"),
        ("a.xlsx", b"plain text"),
        ("a.xls", b"<html></html>"),
        ("a.csv", b"\x00\x01\x02"),
        ("a.xlsx", b""),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        result = run_import(world.user("cadre_gaige"), path)
        assert_nothing_imported(result)
        assert result.problems[0].row is None


def test_it_refuses_corrupt_and_password_protected_workbooks(world, tmp_path):
    good = xlsx_file(tmp_path / "good.xlsx", [outflow_row()])
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:400])
    assert_nothing_imported(run_import(world.user("cadre_gaige"), truncated))
    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert "zip" in only_messages(run_import(world.user("cadre_gaige"), other_zip))[0]
    # An office program saves a password-protected workbook as an OLE container holding an
    # encrypted package instead of a zip.
    protected = tmp_path / "protected.xlsx"
    protected.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 512
    )
    result = run_import(world.user("cadre_gaige"), protected)
    assert_nothing_imported(result)
    assert "password" in result.problems[0].message or "密码" in result.problems[0].message


def test_it_refuses_zip_bombs_before_opening_them(world, tmp_path, settings):
    settings.MAQUE_IMPORT_MAX_BYTES = 1024 * 1024
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (30 * 1024 * 1024))
    assert bomb.stat().st_size < 100 * 1024
    result = run_import(world.user("cadre_gaige"), bomb)
    assert_nothing_imported(result)
    assert "zip" in result.problems[0].message


def test_it_refuses_files_and_sheets_over_the_limits(world, tmp_path, settings):
    path = xlsx_file(tmp_path / "many.xlsx", [outflow_row(事项=f"第{n}块") for n in range(6)])
    settings.MAQUE_IMPORT_MAX_ROWS = 5
    assert_nothing_imported(run_import(world.user("cadre_gaige"), path))
    settings.MAQUE_IMPORT_MAX_ROWS = 100
    settings.MAQUE_IMPORT_MAX_BYTES = 1024
    assert_nothing_imported(run_import(world.user("cadre_gaige"), path))
    settings.MAQUE_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    csv_path = csv_file(tmp_path / "many.csv", [outflow_row(事项=f"第{n}块") for n in range(6)])
    settings.MAQUE_IMPORT_MAX_ROWS = 5
    result = run_import(world.user("cadre_gaige"), csv_path)
    assert_nothing_imported(result)
    assert any(p.row == 8 for p in result.problems)


def test_it_refuses_formulas(world, tmp_path):
    path = xlsx_file(tmp_path / "f.xlsx", [outflow_row(), outflow_row(**{"面积（亩）": "=1+2"})])
    result = run_import(world.user("cadre_gaige"), path)
    assert_nothing_imported(result)
    assert [(p.row, p.column) for p in result.problems] == [(4, "面积（亩）")]


def test_it_refuses_merged_cells_inside_the_data(world, tmp_path):
    path = xlsx_file(
        tmp_path / "m.xlsx", [outflow_row(), outflow_row(村=None), outflow_row(村=None)]
    )
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.active.merge_cells("C3:C5")
    book.save(path)
    result = run_import(world.user("cadre_gaige"), path)
    assert_nothing_imported(result)
    assert len(result.problems) == 1  # the merge explains the blanks it leaves
    assert result.problems[0].row == 3 and result.problems[0].column == "村"


def test_it_refuses_hidden_sheets_but_skips_empty_ones(world, tmp_path):
    path = xlsx_file(tmp_path / "h.xlsx", [outflow_row()])
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.create_sheet("Sheet2")  # office programs add empty sheets: harmless
    hidden = book.create_sheet("旧数据")
    hidden.append(["anything"])
    hidden.sheet_state = "hidden"
    book.save(path)
    result = run_import(world.user("cadre_gaige"), path)
    assert_nothing_imported(result)
    assert result.problems[0].sheet == "旧数据"


def test_it_skips_empty_rows_with_a_warning(world, tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账"])
    ws.append(HEADERS)
    ws.append(
        [
            1,
            None,
            "改革村",
            "一组",
            None,
            "复耕",
            None,
            "GG-001",
            3.5,
            "撂荒",
            "复耕",
            None,
            "cadre_gaige",
        ]
    )
    ws.append([])
    ws.append([None] * 5)
    ws.append(
        [
            2,
            None,
            "改革村",
            "一组",
            None,
            "复种",
            None,
            "GG-001",
            2,
            "撂荒",
            "复种",
            None,
            "cadre_gaige",
        ]
    )
    path = tmp_path / "gaps.xlsx"
    book.save(path)
    result = run_import(world.user("cadre_gaige"), path)
    assert result.problems == [] and result.counts()["new"] == 2
    assert [w.row for w in result.warnings if "空" in w.message or "mpty" in w.message] == [4, 5]


def test_it_refuses_duplicate_codes_in_one_file(world, tmp_path):
    make_item(world)
    path = export_file(world.user("principal"), tmp_path / "e.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book.worksheets[0]
    ws.append([cell.value for cell in ws[3]])
    book.save(path)
    result = run_import(world.user("principal"), path)
    assert_nothing_imported(result, count=1)
    assert [(p.row, p.column) for p in result.problems] == [(4, "编号")]


def test_it_never_reveals_or_touches_items_outside_the_importers_scope(world, tmp_path):
    item = make_item(world)
    path = export_file(world.user("principal"), tmp_path / "e.xlsx")
    result = run_import(world.user("cadre_shuangsheng"), path)
    assert_nothing_imported(result, count=1)
    # Unknown to this cadre: the message does not confirm that the item exists.
    assert result.problems[0].column == "编号" and item.code in result.problems[0].message
    item.refresh_from_db()
    assert item.version == 1


@pytest.mark.parametrize("village", ["不存在村", ""])
def test_it_requires_a_known_village(world, tmp_path, village):
    result = run_import(
        world.user("principal"), xlsx_file(tmp_path / "v.xlsx", [outflow_row(村=village)])
    )
    assert_nothing_imported(result)
    assert result.problems[0].column == "村"


def test_it_resolves_owners_by_name_and_refuses_ambiguous_ones(world, tmp_path):
    from maque.organisation.models import Person

    Person.objects.create(town=world.town, name="王五")
    Person.objects.create(town=world.town, name="王五")
    result = run_import(
        world.user("principal"),
        xlsx_file(tmp_path / "o.xlsx", [outflow_row(责任人="王五"), outflow_row(责任人="无此人")]),
    )
    assert_nothing_imported(result)
    assert [(p.row, p.column) for p in result.problems] == [(3, "责任人"), (4, "责任人")]


@pytest.mark.parametrize("deadline", ["1999-12-31", "far"])
def test_it_refuses_deadlines_outside_the_sane_bounds(world, tmp_path, deadline):
    """A deadline in a spreadsheet was typed by someone too: not before the town's records
    begin, not more than five years ahead (core/dates.py)."""
    if deadline == "far":
        deadline = f"{date.today().year + 6}-01-01"
    path = xlsx_file(tmp_path / "d.xlsx", [outflow_row(), outflow_row(整改时限=deadline)])
    result = run_import(world.user("cadre_gaige"), path)
    assert_nothing_imported(result)
    assert [(p.row, p.column) for p in result.problems] == [(4, "整改时限")]


def test_it_refuses_moving_a_deadline_years_ahead(world, tmp_path):
    item = make_item(world)
    far = date(date.today().year + 6, 1, 1)
    path = tmp_path / "e.xlsx"
    export_file(world.user("contact_gaige"), path)
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = next(
        r for r in sheet.iter_rows(min_row=1, max_row=5) if "整改时限" in [c.value for c in r]
    )
    column = [c.value for c in header].index("整改时限") + 1
    sheet.cell(row=header[0].row + 1, column=column, value=far)
    book.save(path)
    result = run_import(world.user("contact_gaige"), path)
    assert [p.column for p in result.problems] == ["整改时限"] and not result.committed
    item.refresh_from_db()
    assert item.deadline != far
