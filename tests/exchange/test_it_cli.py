from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from maque.ledger.models import Item

from ..conftest import make_item
from .helpers import outflow_row, xlsx_file


def ledger(*args):
    out = StringIO()
    call_command("ledger", *args, stdout=out)
    return out.getvalue()


def test_it_writes_a_template(world, tmp_path):
    target = tmp_path / "t.xlsx"
    assert "耕地流出整治及撂荒地治理" in ledger("template", "farmland-outflow", "-o", str(target))
    book = load_workbook(target)
    sheet = book["耕地流出整治及撂荒地治理"]
    headers = [c.value for c in sheet[2]]
    assert headers[:7] == ["序号", "编号", "村", "组", "对象（户/地块）", "事项", "问题描述"]
    assert headers[7:12] == ["地块", "面积（亩）", "现状用途", "整治方向", "奖补资金（元）"]
    assert headers[12:] == [
        "整改措施",
        "整改范围",
        "整改标准",
        "责任人",
        "整改时限",
        "整改进展",
        "状态",
        "是否销号",
        "销号日期",
        "核查人",
        "备注",
    ]
    assert sheet["A1"].value == "蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账"
    with pytest.raises(CommandError):
        ledger("template", "nope", "-o", str(target))


def test_it_imports_with_a_dry_run_first(world, tmp_path):
    path = xlsx_file(tmp_path / "l.xlsx", [outflow_row()])
    output = ledger("import", str(path), "--user", "cadre_gaige", "--dry-run")
    assert "new 1" in output and Item.objects.count() == 0
    output = ledger("import", str(path), "--user", "cadre_gaige")
    assert "new 1" in output and Item.objects.count() == 1


def test_it_exits_non_zero_and_changes_nothing_on_any_problem(world, tmp_path):
    path = xlsx_file(tmp_path / "l.xlsx", [outflow_row(), outflow_row(村="双胜村", 地块="SS-001")])
    # A CommandError is what makes `maque ledger import` exit with status 1.
    with pytest.raises(CommandError, match="nothing was imported"):
        ledger("import", str(path), "--user", "cadre_gaige")
    assert Item.objects.count() == 0
    with pytest.raises(CommandError):
        ledger("import", str(path), "--user", "nobody")


def test_it_exports_filtered_ledgers_as_xlsx_or_csv(world, tmp_path):
    make_item(world)
    make_item(world, village=world.shuangsheng, persona="cadre_shuangsheng")
    output = ledger(
        "export",
        "--category",
        "farmland-outflow",
        "--village",
        "改革村",
        "--state",
        "待整改",
        "-o",
        str(tmp_path / "e.xlsx"),
    )
    assert "1 rows" in output
    output = ledger("export", "--user", "cadre_shuangsheng", "-o", str(tmp_path / "e.csv"))
    assert "1 rows" in output
    text = (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    assert "双胜村" in text and "改革村" not in text
    with pytest.raises(CommandError):
        ledger("export", "-o", str(tmp_path / "e.txt"))
