from datetime import date

from openpyxl import load_workbook

from maque.ledger.models import Item, ProgressLog, State, Transition

from ..conftest import drive_to_submitted, make_item
from .helpers import LATER_YEAR, export_file, outflow_row, run_import, xlsx_file


def edit(path, code, **cells):
    """Change cells of the row of `code` in an exported ledger, by header."""
    book = load_workbook(path)
    ws = book.worksheets[0]
    header = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        if row[1].value == code:
            for name, value in cells.items():
                row[header.index(name)].value = value
    book.save(path)
    return path


def test_it_updates_fields_and_progress_through_the_services(world, tmp_path):
    item = make_item(world)
    path = edit(
        export_file(world.user("contact_gaige"), tmp_path / "e.xlsx"),
        item.code,
        **{
            "整改措施": "组织农户复耕",
            "面积（亩）": 4,
            "整改进展": "已翻耕一半",
            "整改时限": date(LATER_YEAR, 1, 1),
        },
    )
    result = run_import(world.user("contact_gaige"), path)
    assert result.problems == [] and result.counts() == {
        "new": 0,
        "updated": 1,
        "unchanged": 0,
        "invalid": 0,
    }
    item.refresh_from_db()
    assert (
        item.measures == "组织农户复耕"
        and item.attributes["area_mu"] == "4"
        and item.deadline == date(LATER_YEAR, 1, 1)
    )
    assert ProgressLog.objects.get(item=item).text == "已翻耕一半"
    assert item.history.first().history_user == world.user("contact_gaige")
    assert item.history.first().history_change_reason.startswith("import:")
    # Importing the same file again changes nothing.
    again = run_import(world.user("contact_gaige"), path)
    assert again.counts()["unchanged"] == 1 and ProgressLog.objects.count() == 1


def test_it_refuses_leader_only_changes_from_a_cadre(world, tmp_path):
    item = make_item(world)
    path = edit(
        export_file(world.user("cadre_gaige"), tmp_path / "e.xlsx"),
        item.code,
        **{"整改时限": date(LATER_YEAR, 1, 1)},
    )
    result = run_import(world.user("cadre_gaige"), path)
    assert result.problems and not result.committed
    item.refresh_from_db()
    assert item.deadline != date(LATER_YEAR, 1, 1) and item.version == 1


def test_it_changes_state_through_the_lifecycle_as_the_importer(world, tmp_path):
    item = drive_to_submitted(world, make_item(world))
    path = edit(
        export_file(world.user("contact_gaige"), tmp_path / "e.xlsx"),
        item.code,
        **{"状态": "已销号", "是否销号": "是", "备注": "现场核查已复耕"},
    )
    result = run_import(world.user("contact_gaige"), path)
    assert result.problems == [] and result.counts()["updated"] == 1
    item.refresh_from_db()
    assert item.state == State.CLOSED and item.verified_by == world.people["contact_gaige"]
    verify = Transition.objects.get(item=item, action="verify")
    assert (
        verify.via == "import"
        and verify.actor_user == world.user("contact_gaige")
        and verify.reason == "现场核查已复耕"
    )


def test_it_refuses_a_close_out_that_breaks_separation_of_duties(world, tmp_path):
    item = make_item(world, persona="contact_gaige")
    item = drive_to_submitted(
        world, item, persona="contact_gaige"
    )  # the contact leader owns and submitted it
    path = edit(
        export_file(world.user("contact_gaige"), tmp_path / "e.xlsx"),
        item.code,
        **{"状态": "已销号", "是否销号": "是", "备注": "自己验收"},
    )
    result = run_import(world.user("contact_gaige"), path)
    assert not result.committed and result.counts()["invalid"] == 1
    assert result.problems[0].column == "状态"
    assert "导入" in result.problems[0].message or "not imported" in result.problems[0].message
    item.refresh_from_db()
    assert item.state == State.SUBMITTED


def test_it_needs_a_note_to_return_and_refuses_suspensions(world, tmp_path):
    item = drive_to_submitted(world, make_item(world))
    path = edit(
        export_file(world.user("inspector"), tmp_path / "e.xlsx"),
        item.code,
        **{"状态": "整改中", "备注": None},
    )
    result = run_import(world.user("inspector"), path)
    assert [p.column for p in result.problems] == ["备注"]
    edit(path, item.code, **{"状态": "挂起"})
    result = run_import(world.user("inspector"), path)
    assert [p.column for p in result.problems] == ["状态"]
    edit(path, item.code, **{"状态": "整改中", "备注": "照片不清晰"})
    result = run_import(world.user("inspector"), path)
    assert result.problems == []
    item.refresh_from_db()
    assert item.state == State.RECTIFYING and item.returned_count == 1


def test_it_matches_rows_without_a_code_by_the_natural_key(world, tmp_path):
    item = make_item(world)
    path = xlsx_file(
        tmp_path / "k.xlsx",
        [
            outflow_row(
                事项=item.title,
                整改时限=item.deadline,
                问题描述="补充说明",
                整改措施=item.measures or None,
            )
        ],
    )
    result = run_import(world.user("principal"), path)
    assert result.problems == [], result.problems
    assert result.counts()["updated"] == 1 and Item.objects.count() == 1
    item.refresh_from_db()
    assert item.description == "补充说明"


def test_it_brings_new_rows_to_the_state_they_name(world, tmp_path):
    path = xlsx_file(tmp_path / "n.xlsx", [outflow_row(状态="整改中", 整改进展="已进场")])
    result = run_import(world.user("cadre_gaige"), path)
    assert result.problems == []
    item = Item.objects.get()
    assert item.state == State.RECTIFYING
    assert list(item.transitions.values_list("action", "via")) == [
        ("create", "import"),
        ("start", "import"),
    ]
    assert item.progress_logs.get().text == "已进场"
    # Evidence is required before submitting, and cannot come from a spreadsheet: a new row
    # that says 待验收 fails.
    result = run_import(
        world.user("cadre_gaige"),
        xlsx_file(tmp_path / "s.xlsx", [outflow_row(事项="新", 状态="待验收")]),
    )
    assert result.problems and Item.objects.count() == 1
