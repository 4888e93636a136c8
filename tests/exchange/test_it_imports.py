from datetime import date

from maque.ledger.models import Item, Source, State, Transition

from .helpers import LATER_YEAR, outflow_row, run_import, xlsx_file


def test_it_imports_new_items_through_the_lifecycle(world, tmp_path):
    path = xlsx_file(
        tmp_path / "ledger.xlsx",
        [
            outflow_row(),
            outflow_row(事项="第二块", 地块="GG-001", 整改时限=f"{LATER_YEAR}年7月19日"),
        ],
    )
    result = run_import(world.user("cadre_gaige"), path)
    assert result.problems == [], result.problems
    assert result.counts() == {"new": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    items = list(Item.objects.order_by("code"))
    assert [i.title for i in items] == ["撂荒地复耕", "第二块"]
    first = items[0]
    assert first.source == Source.IMPORT and first.state == State.FOUND
    assert first.attributes == {
        "plot": "GG-001",
        "area_mu": "3.5",
        "current_use": "撂荒",
        "target_use": "复耕",
    }
    assert first.deadline == date(LATER_YEAR, 7, 18) and items[1].deadline == date(
        LATER_YEAR, 7, 19
    )
    assert first.owner == world.people["cadre_gaige"] and first.group.name == "一组"
    assert Transition.objects.filter(item=first, action="create", via="import").count() == 1
    assert first.history.count() == 1 and first.history.first().history_user == world.user(
        "cadre_gaige"
    )
