"""Scoping: an item the caller may not see is a 404 everywhere, never a 403 (design §6)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ..conftest import add_evidence, jpeg_bytes, make_item
from .conftest import assert_error, snapshot


@pytest.fixture
def gaige_item(world):  # noqa: ANN001, ANN201
    item = make_item(world)
    from maque.ledger import lifecycle

    item = lifecycle.item_start(item=item, by=world.user("cadre_gaige"))
    attachment = add_evidence(world, item)
    return item, attachment


def test_it_hides_another_villages_item_from_a_cadre_everywhere(world, api, gaige_item):
    item, attachment = gaige_item
    client = api("cadre_shuangsheng")
    before = snapshot()

    listing = client.get("/api/v1/items").json()
    assert listing == {"items": [], "count": 0, "page": 1, "page_size": 50}
    assert client.get("/api/v1/items", {"village": world.gaige.pk}).json()["count"] == 0
    assert client.get("/api/v1/items", {"village": "改革村", "q": item.code}).json()["count"] == 0
    for path in (
        f"/api/v1/items/{item.code}",
        f"/api/v1/items/{item.code}/history",
        f"/api/v1/items/{item.code}/attachments",
        f"/api/v1/attachments/{attachment.pk}",
    ):
        assert_error(client.get(path), 404, code="not_found")
    upload = {
        "text": "越权上报",
        "percent": "50",
        "files": [SimpleUploadedFile("x.jpg", jpeg_bytes())],
    }
    assert_error(client.upload(f"/api/v1/items/{item.code}/progress", upload), 404)
    assert_error(
        client.upload(
            f"/api/v1/items/{item.code}/attachments",
            {"file": SimpleUploadedFile("x.jpg", jpeg_bytes())},
        ),
        404,
    )
    assert_error(client.patch(f"/api/v1/items/{item.code}", {"title": "越权修改"}), 404)
    for action in ("submit", "cancel", "verify", "extend"):
        assert_error(
            client.post(
                f"/api/v1/items/{item.code}/actions/{action}", {"reason": "x", "note": "x"}
            ),
            404,
        )
    assert snapshot() == before


def test_it_gives_the_same_404_for_hidden_and_missing_items(world, api, gaige_item):
    item, _attachment = gaige_item
    client = api("cadre_shuangsheng")
    hidden = client.get(f"/api/v1/items/{item.code}")
    missing = client.get("/api/v1/items/HP-1999-00404")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_it_shows_the_item_to_those_in_scope(world, api, gaige_item):
    item, attachment = gaige_item
    for persona in (
        "cadre_gaige",
        "contact_gaige",
        "secretary_gaige",
        "principal",
        "inspector",
        "discipline",
    ):
        client = api(persona)
        assert client.get(f"/api/v1/items/{item.code}").status_code == 200, persona
        assert [row["code"] for row in client.get("/api/v1/items").json()["items"]] == [
            item.code
        ], persona
        response = client.get(f"/api/v1/attachments/{attachment.pk}")
        assert response.status_code == 200, persona
        assert b"".join(response.streaming_content) == attachment.file.open("rb").read()


def test_it_shows_nothing_to_a_user_without_a_role(world, api, gaige_item):
    item, attachment = gaige_item
    client = api("outsider")
    assert client.get("/api/v1/items").json() == {
        "items": [],
        "count": 0,
        "page": 1,
        "page_size": 50,
    }
    assert client.get("/api/v1/villages").json() == []
    assert client.get("/api/v1/people").json() == []
    assert client.get("/api/v1/plots").json()["count"] == 0
    assert_error(client.get(f"/api/v1/items/{item.code}"), 404)
    assert_error(client.get(f"/api/v1/attachments/{attachment.pk}"), 404)


def test_it_scopes_villages_plots_and_registration(world, api):
    client = api("cadre_shuangsheng")
    assert [v["name"] for v in client.get("/api/v1/villages").json()] == ["双胜村"]
    assert [p["code"] for p in client.get("/api/v1/plots").json()["plots"]] == ["SS-001"]
    before = snapshot()
    body = {
        "campaign": "five-rectifications",
        "category": "farmland-outflow",
        "village": world.gaige.pk,
        "title": "越权登记",
    }
    assert_error(client.post("/api/v1/items", body), 422, fields=("village",))
    assert_error(
        client.post("/api/v1/plots", {"code": "GG-100", "village": "改革村", "area_mu": "1"}),
        422,
        fields=("village",),
    )
    # A discipline officer sees the whole town but registers nothing.
    body["village"] = "改革村"
    assert_error(api("discipline").post("/api/v1/items", body), 403)
    assert_error(
        api("discipline").post(
            "/api/v1/plots", {"code": "GG-100", "village": "改革村", "area_mu": "1"}
        ),
        403,
    )
    assert snapshot() == before


def test_it_masks_phone_numbers_unless_the_role_may_see_them(world, api):
    masked = {p["name"]: p["phone"] for p in api("cadre_gaige").get("/api/v1/people").json()}
    assert masked["principal"] == "138****1234"
    assert "13800001234" not in api("cadre_gaige").get("/api/v1/people").content.decode()
    for persona in ("principal", "discipline"):
        plain = {p["name"]: p["phone"] for p in api(persona).get("/api/v1/people").json()}
        assert plain["cadre_gaige"] == "13800001234", persona
    roles = {
        p["name"]: p["roles"]
        for p in api("principal").get("/api/v1/people", {"village": "改革村"}).json()
    }
    assert set(roles) == {"contact_gaige", "cadre_gaige", "secretary_gaige"}
    assert roles["cadre_gaige"][0]["village"]["name"] == "改革村"


def test_it_serves_evidence_only_through_the_scoped_endpoint(world, api, gaige_item):
    _item, attachment = gaige_item
    content = attachment.file.open("rb").read()
    for path in (f"/media/{attachment.file.name}", attachment.file.url):
        response = api("cadre_gaige").client.get(path)
        assert response.status_code == 404, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert content not in body
