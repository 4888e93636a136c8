import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from maque.ledger.models import Item

from .helpers import csv_file, outflow_row, run_import, xlsx_file

FIXTURES = Path(__file__).with_name("fixtures")
EXPECTED = [
    ("撂荒地复耕", "3.5", "复耕", date(2099, 7, 18)),
    ("坡地撂荒", "2.25", "复种", date(2099, 8, 1)),
]


def imported() -> list[tuple[str, str, str, date]]:
    return [
        (i.title, i.attributes["area_mu"], i.attributes["target_use"], i.deadline)
        for i in Item.objects.order_by("code")
    ]


@pytest.mark.parametrize("name", ["ledger-source.xlsx", "lo-ledger.xlsx", "lo-ledger.xls", "lo-ledger-utf8.csv", "lo-ledger-gb18030.csv"])
def test_it_reads_files_made_by_office_programs(world, name):
    result = run_import(world.user("cadre_gaige"), FIXTURES / name)
    assert result.problems == [], result.problems
    assert result.counts()["new"] == 2
    assert imported() == EXPECTED
    assert {i.group.name for i in Item.objects.all()} == {"一组"}  # "1组" is group number 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("target", ["xls", "xlsx", "ods"])
def test_it_reads_what_libreoffice_converts_on_the_fly(world, tmp_path, target):
    source = xlsx_file(tmp_path / "source.xlsx", [outflow_row(), outflow_row(事项="第二", 整改时限="2099.8.1")])
    subprocess.run(  # noqa: S603 - a fixed program on files the test made
        [shutil.which("soffice"), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", target, "--outdir", str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    converted = tmp_path / "out" / f"source.{target}"
    result = run_import(world.user("cadre_gaige"), converted)
    if target == "ods":
        assert result.problems and Item.objects.count() == 0  # not a format this import reads
        return
    assert result.problems == [] and result.counts()["new"] == 2
    assert sorted(i.deadline for i in Item.objects.all()) == [date(2099, 7, 18), date(2099, 8, 1)]


@pytest.mark.parametrize("typed", ["2026-07-18", "2026/7/18", "2026.7.18", "2026年7月18日", "20260718", 46221])
def test_it_reads_dates_the_way_people_type_them(world, tmp_path, typed, settings):
    path = xlsx_file(tmp_path / "d.xlsx", [outflow_row(整改时限=typed)])
    run_import(world.user("cadre_gaige"), path, commit=False)
    result = run_import(world.user("principal"), path)
    if Item.objects.exists():
        assert Item.objects.get().deadline == date(2026, 7, 18)
    else:  # the date is before today: the lifecycle refuses a deadline before discovery
        assert [p.column for p in result.problems] == ["整改时限"]


def test_it_reads_numbers_with_units_and_tolerant_headers(world, tmp_path):
    headers = ["序 号", "编号", "村（社区）", "组", "事项名称", "存在问题", "地块", "面积", "现状用途", "整治方向", "负责人", "完成时限"]
    path = csv_file(tmp_path / "t.csv", [outflow_row(面积="3.50亩", 负责人="cadre_gaige", 完成时限="2099/7/18", 事项名称="复耕", **{"村（社区）": "改革村"})], headers=headers, encoding="gb18030")
    result = run_import(world.user("cadre_gaige"), path)
    assert result.problems == [], result.problems
    item = Item.objects.get()
    assert Decimal(item.attributes["area_mu"]) == Decimal("3.5") and item.title == "复耕"
    assert item.deadline == date(2099, 7, 18)
