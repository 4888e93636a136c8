from maque.ledger.models import Item, State

from ..conftest import drive_to_closed, drive_to_submitted, make_item
from .helpers import export_file, run_import, sheet_values


def test_it_exports_in_the_template_layout_and_reimports_unchanged(world, tmp_path):
    open_item = make_item(world, description="联系电话13812345678", measures="=SUM(A1)")
    closed = drive_to_closed(world, make_item(world, title="已复耕"))
    submitted = drive_to_submitted(world, make_item(world, title="待验收的"))
    path = export_file(world.user("principal"), tmp_path / "out.xlsx", category="farmland-outflow")
    rows = sheet_values(path, "耕地流出整治及撂荒地治理")
    assert rows[0][0] == "蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账"
    assert rows[1][:7] == ["序号", "编号", "村", "组", "对象（户/地块）", "事项", "问题描述"]
    assert "面积（亩）" in rows[1] and "整改时限" in rows[1]
    by_code = {row[1]: row for row in rows[2:]}
    header = rows[1]
    assert by_code[open_item.code][header.index("整改措施")] == "=SUM(A1)"
    assert (
        by_code[open_item.code][header.index("问题描述")] == "联系电话13812345678"
    )  # the principal sees it
    assert by_code[closed.code][header.index("状态")] == "已销号"
    assert by_code[closed.code][header.index("是否销号")] == "是"
    before = {i.pk: (i.version, i.history.count()) for i in Item.objects.all()}
    for persona in ("principal", "contact_gaige"):
        result = run_import(world.user(persona), path)
        assert result.problems == [] and result.committed
        assert result.counts() == {"new": 0, "updated": 0, "unchanged": 3, "invalid": 0}
    assert {i.pk: (i.version, i.history.count()) for i in Item.objects.all()} == before
    assert submitted.state == State.SUBMITTED


def test_it_masks_personal_data_for_roles_that_do_not_need_it_and_still_round_trips(
    world, tmp_path
):
    item = make_item(world, description="户主电话13812345678，身份证612426199001011234")
    path = export_file(world.user("cadre_gaige"), tmp_path / "masked.xlsx")
    rows = sheet_values(path)
    description = rows[2][rows[1].index("问题描述")]
    assert description == "户主电话138****5678，身份证612426********1234"
    result = run_import(world.user("cadre_gaige"), path)
    assert result.counts()["unchanged"] == 1 and result.problems == []
    item.refresh_from_db()
    assert item.description == "户主电话13812345678，身份证612426199001011234"
