"""Who may be named an item's owner at registration follows the grid (design §6).

The registrant may always name themselves; a cadre nobody else; the village's secretary and
contact leader, and an inspector, the people of that village; the principal and the leader in
charge anyone active in the town. The same rule holds through the API, the bulk registration of
an import and a meeting's decision, since all of them register through `new_item_values`."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from maque.ledger.lifecycle import BulkCreateError, items_create_bulk
from maque.ledger.models import Item
from tests.api.conftest import assert_error
from tests.api.test_errors import new_item_body
from tests.conftest import make_item, outflow_attributes

ALLOWED = [
    ("cadre_gaige", "cadre_gaige"),
    ("secretary_gaige", "cadre_gaige"),
    ("contact_gaige", "secretary_gaige"),
    ("inspector", "cadre_gaige"),
    ("principal", "cadre_shuangsheng"),
    ("leader", "cadre_shuangsheng"),
]
REFUSED = [
    ("cadre_gaige", "secretary_gaige"),
    ("cadre_gaige", "cadre_shuangsheng"),
    ("cadre_gaige", "principal"),
    ("secretary_gaige", "cadre_shuangsheng"),
    ("contact_gaige", "cadre_shuangsheng"),
    ("inspector", "cadre_shuangsheng"),
]


@pytest.mark.parametrize(("registrant", "owner"), ALLOWED)
def test_it_lets_the_grid_name_an_owner(world, registrant: str, owner: str) -> None:  # noqa: ANN001
    item = make_item(world, persona=registrant, owner=world.people[owner])
    assert item.owner == world.people[owner]


@pytest.mark.parametrize(("registrant", "owner"), REFUSED)
def test_it_refuses_an_owner_outside_the_registrants_grid(
    world,  # noqa: ANN001
    registrant: str,
    owner: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_item(world, persona=registrant, owner=world.people[owner])
    assert "owner" in refused.value.message_dict
    assert not Item.objects.exists()


def test_the_api_refuses_a_cadre_framing_a_colleague(world, api) -> None:  # noqa: ANN001
    body = new_item_body(owner=world.people["cadre_shuangsheng"].pk)
    with translation.override("zh-hans"):
        response = api("cadre_gaige").post("/api/v1/items", body)
    error = assert_error(response, 422, fields=("owner",))
    assert "自己" in " ".join(error["errors"]["owner"])
    assert not Item.objects.exists()


def test_a_bulk_registration_checks_every_rows_owner(world) -> None:  # noqa: ANN001
    row = {
        "campaign": world.campaign,
        "category": world.category("farmland-outflow"),
        "village": world.gaige,
        "title": "撂荒地复耕",
        "attributes": outflow_attributes("GG-001"),
    }
    rows = [
        {**row, "owner": world.people["cadre_gaige"]},
        {**row, "owner": world.people["cadre_shuangsheng"]},
    ]
    with pytest.raises(BulkCreateError) as refused:
        items_create_bulk(by=world.user("secretary_gaige"), rows=rows)
    assert set(refused.value.errors) == {1}
    assert "owner" in refused.value.errors[1]
    assert not Item.objects.exists()
