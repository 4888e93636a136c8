"""The item page and the API's history read one function, so they tell the same story."""

from __future__ import annotations

from maque.ledger import lifecycle
from maque.ledger.history import item_timeline
from tests.conftest import drive_to_closed, make_item


def test_it_gives_the_api_and_the_page_the_same_history(client, world):  # noqa: ANN001
    item = make_item(world)
    lifecycle.item_update(
        item=item, by=world.user("contact_gaige"), changes={"title": "改过的标题"}, via="web"
    )
    item = drive_to_closed(world, item)
    timeline = item_timeline(item, world.user("contact_gaige"))
    kinds = [entry["type"] for entry in timeline]
    assert kinds.count("transition") == item.transitions.count() and "change" in kinds
    assert [entry["at"] for entry in timeline] == sorted(entry["at"] for entry in timeline)

    client.force_login(world.user("contact_gaige"))
    api = client.get(f"/api/v1/items/{item.code}/history").json()
    assert [(e["type"], e.get("action"), e.get("field")) for e in api] == [
        (e["type"], e.get("action"), e.get("field")) for e in timeline
    ]
    page = client.get(f"/items/{item.pk}/").context["timeline"]
    shown = [entry for entry in timeline if entry["type"] in ("transition", "progress")]
    assert [(e["kind"], e["at"]) for e in page] == [(e["type"], e["at"]) for e in shown]
