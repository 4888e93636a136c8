"""The item list's rows: what a list shows, held to the OpenAPI schema; the long texts with
`expand=text`; the actions offered on each row the same as the item's own (issue: reads at the
speed of the index — lean pages, a fast JSON renderer)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.api.listing import COLUMNS, LONG_TEXTS, ItemListOut
from maque.ledger.models import Item
from maque.ledger.queries import item_list
from tests.conftest import add_evidence, drive_to_closed, make_item

from .conftest import assert_error

PERSONAS = (
    "principal",
    "leader",
    "leader_projects",
    "inspector",
    "discipline",
    "contact_gaige",
    "cadre_gaige",
    "secretary_gaige",
    "cadre_shuangsheng",
    "contact_shuangsheng",
)


@pytest.fixture
def ledger(world):  # noqa: ANN001, ANN201
    today = timezone.localdate()
    found = make_item(world, description="长文本" * 50, measures="措施", scope="范围")
    overdue = make_item(
        world, found_on=today - timedelta(days=30), deadline=today - timedelta(days=3)
    )
    lifecycle.item_start(item=overdue, by=world.user("cadre_gaige"))
    submitted = make_item(world, village=world.shuangsheng, persona="cadre_shuangsheng")
    lifecycle.item_start(item=submitted, by=world.user("cadre_shuangsheng"))
    add_evidence(world, submitted, "cadre_shuangsheng")
    lifecycle.item_submit(item=submitted, by=world.user("cadre_shuangsheng"), note="完成")
    extending = make_item(world)
    lifecycle.item_request_extension(
        item=extending,
        by=world.user("cadre_gaige"),
        new_deadline=extending.deadline + timedelta(days=10),
        reason="雨季",
    )
    closed = drive_to_closed(world, make_item(world))
    return [found, overdue, submitted, extending, closed]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_rows_offer_the_items_own_actions(world, ledger, persona: str) -> None:  # noqa: ANN001
    user = world.user(persona)
    items = list(item_list(user=user))
    rows = list(item_list(user=user).values(*COLUMNS))
    assert [row["id"] for row in rows] == [item.pk for item in items]
    assert lifecycle.available_actions_rows(user, rows) == lifecycle.available_actions_each(
        user, items
    )


@pytest.mark.parametrize("persona", ("principal", "cadre_gaige", "inspector"))
def test_every_list_answer_fits_its_schema(world, ledger, api, persona: str) -> None:  # noqa: ANN001
    client = api(persona)
    for params in (
        {},
        {"overdue": "true", "sort": "-days_overdue"},
        {"light": "red"},
        {"expand": "text", "page_size": 2},
        {"page": 2, "page_size": 1},
    ):
        response = client.get("/api/v1/items", params)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("application/json")
        ItemListOut.model_validate_json(response.content)


def test_the_long_texts_come_with_expand_text_or_with_the_item(world, ledger, api) -> None:  # noqa: ANN001
    client = api("principal")
    lean = client.get("/api/v1/items").json()["items"]
    assert lean and all(name not in row for row in lean for name in LONG_TEXTS)
    full = client.get("/api/v1/items", {"expand": "text"}).json()["items"]
    by_code = {row["code"]: row for row in full}
    found = ledger[0]
    assert by_code[found.code]["description"] == found.description
    assert by_code[found.code]["standard"] == Item.objects.get(pk=found.pk).standard
    item = client.get(f"/api/v1/items/{found.code}").json()
    assert item["description"] == found.description
    # Everything else of a row is what the item says of itself.
    for name, value in lean[0].items():
        if name != "actions":
            assert client.get(f"/api/v1/items/{lean[0]['code']}").json()[name] == value, name


def test_an_unknown_expansion_is_refused(world, api) -> None:  # noqa: ANN001
    assert_error(
        api("principal").get("/api/v1/items", {"expand": "history"}), 422, fields=("expand",)
    )
