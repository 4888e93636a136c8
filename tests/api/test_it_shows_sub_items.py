"""Sub-items through the API (issue 13, breaking work down): an item shows its `parent`, a new
item may name one where the ledger allows it, and the list filters by it."""

from __future__ import annotations

from maque.ledger.models import Item
from tests.conftest import drive_to_closed, make_item

from .conftest import assert_error, snapshot
from .test_errors import new_item_body


def test_a_sub_item_registered_through_the_api_names_its_parent(world, api) -> None:  # noqa: ANN001
    parent = make_item(world, title="荷塘清淤")
    other = make_item(world, title="另一事项")
    client = api("cadre_gaige")
    made = client.post("/api/v1/items", new_item_body(parent=parent.code.lower()))
    assert made.status_code == 201, made.content
    child = made.json()
    assert child["parent"] == parent.code
    assert Item.objects.get(code=child["code"]).parent_id == parent.pk
    assert client.get(f"/api/v1/items/{child['code']}").json()["parent"] == parent.code
    assert client.get(f"/api/v1/items/{parent.code}").json()["parent"] is None

    rows = client.get("/api/v1/items", {"parent": parent.code}).json()["items"]
    assert [row["code"] for row in rows] == [child["code"]]
    assert rows[0]["parent"] == parent.code
    assert client.get("/api/v1/items", {"parent": other.code}).json()["items"] == []
    everything = {row["code"]: row["parent"] for row in client.get("/api/v1/items").json()["items"]}
    assert everything[child["code"]] == parent.code and everything[parent.code] is None


def test_the_ledgers_rules_refuse_a_parent_and_nothing_changes(world, api) -> None:  # noqa: ANN001
    parent = make_item(world)
    child = make_item(world, parent=parent)
    finished = drive_to_closed(world, make_item(world))
    client = api("cadre_gaige")
    before = snapshot()
    for code in (child.code, finished.code, "GG-2099-9999", "no such/code"):
        assert_error(
            client.post("/api/v1/items", new_item_body(parent=code)), 422, fields=("parent",)
        )
    assert snapshot() == before


def test_a_parent_the_caller_may_not_see_is_no_parent_nor_a_filter(world, api) -> None:  # noqa: ANN001
    parent = make_item(world)
    make_item(world, parent=parent)
    outsider = api("cadre_shuangsheng")
    before = snapshot()
    body = new_item_body(village="双胜村", parent=parent.code, attributes=None)
    assert_error(outsider.post("/api/v1/items", body), 422, fields=("parent",))
    assert snapshot() == before
    assert_error(outsider.get("/api/v1/items", {"parent": parent.code}), 422, fields=("parent",))


def test_the_export_takes_the_parent_filter_as_the_list_does(world) -> None:  # noqa: ANN001
    from tests.exchange.test_it_exports_the_listed_items import client_for, exported_codes

    parent = make_item(world)
    child = make_item(world, parent=parent)
    make_item(world)
    client = client_for(world, "principal")
    response = client.get("/api/v1/ledger/export", {"parent": parent.code, "format": "xlsx"})
    assert response.status_code == 200
    assert exported_codes(response) == [child.code]
    refused = client.get("/api/v1/ledger/export", {"parent": "GG-2099-9999"})
    assert refused.status_code == 422 and "parent" in refused.json()["errors"]
