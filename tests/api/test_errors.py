"""Every error class of the API: one shape, a message per field, and nothing changed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maque.ledger.models import Item, State

from ..conftest import drive_to_submitted, jpeg_bytes, make_item
from .conftest import assert_error, snapshot


def new_item_body(**overrides):  # noqa: ANN003, ANN201
    body = {
        "campaign": "five-rectifications",
        "category": "farmland-outflow",
        "village": "改革村",
        "title": "二组撂荒地复耕",
        "attributes": {
            "plot": "GG-001",
            "area_mu": "1.5",
            "current_use": "撂荒",
            "target_use": "复耕",
        },
    }
    body.update(overrides)
    return body


def test_it_answers_400_to_malformed_json(world, api):
    before = snapshot()
    response = api("cadre_gaige").post("/api/v1/items", '{"title": "未闭合')
    body = assert_error(response, 400, code="malformed", fields=("__all__",))
    assert "JSON" in body["detail"]
    assert snapshot() == before


def test_it_answers_401_without_credentials_or_with_a_bad_token(world, api):
    before = snapshot()
    for client in (api(None), api(None)):
        response = client.post("/api/v1/items", new_item_body())
        assert_error(response, 401, code="not_authenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")
    forged = api(None)
    forged.headers = {"Authorization": "Bearer mq_not-a-real-token"}
    assert_error(forged.get("/api/v1/items"), 401, code="not_authenticated")
    assert snapshot() == before


def test_it_answers_403_to_an_action_the_caller_may_not_take(world, api):
    item = make_item(world)
    before = snapshot()
    # A cadre sees the item (it is theirs) but only a leader may cancel it.
    body = assert_error(
        api("cadre_gaige").post(
            f"/api/v1/items/{item.code}/actions/cancel", {"reason": "重复登记"}
        ),
        403,
        code="permission_denied",
    )
    assert body["detail"]
    assert snapshot() == before


def test_it_answers_403_when_the_owner_tries_to_verify(world, api):
    item = make_item(world, persona="contact_gaige")
    client = api("contact_gaige")
    assert client.post(f"/api/v1/items/{item.code}/actions/start", {}).status_code == 200
    response = client.upload(
        f"/api/v1/items/{item.code}/attachments",
        {"file": SimpleUploadedFile("a.jpg", jpeg_bytes())},
    )
    assert response.status_code == 201
    assert client.post(f"/api/v1/items/{item.code}/actions/submit").status_code == 200
    before = snapshot()
    assert_error(
        client.post(f"/api/v1/items/{item.code}/actions/verify", {"note": "自己验收"}), 403
    )
    assert snapshot() == before
    assert Item.objects.get(pk=item.pk).state == State.SUBMITTED


def test_it_answers_404_for_unknown_items_and_actions(world, api):
    item = make_item(world)
    before = snapshot()
    assert_error(api("principal").get("/api/v1/items/HP-1999-99999"), 404, code="not_found")
    assert_error(api("principal").get("/api/v1/items/..%2F..%2Fetc"), 404)
    body = assert_error(
        api("principal").post(f"/api/v1/items/{item.code}/actions/explode", {}),
        404,
        code="unknown_action",
    )
    assert "start" in body["actions"] and "approve_extension" in body["actions"]
    assert "start" in body["detail"]
    assert_error(api("principal").get("/api/v1/categories/no-such-category"), 404)
    assert_error(api("principal").get("/api/v1/attachments/999999"), 404)
    assert snapshot() == before


def test_it_answers_409_to_an_action_in_the_wrong_state(world, api):
    item = make_item(world)
    before = snapshot()
    body = assert_error(
        api("contact_gaige").post(f"/api/v1/items/{item.code}/actions/verify", {"note": "已核查"}),
        409,
        code="transition_not_allowed",
    )
    assert body["detail"]
    assert snapshot() == before


def test_it_answers_409_to_a_stale_version(world, api):
    item = make_item(world)
    client = api("cadre_gaige")
    assert (
        client.patch(f"/api/v1/items/{item.code}", {"title": "新标题", "version": 1}).status_code
        == 200
    )
    before = snapshot()
    body = assert_error(
        client.patch(f"/api/v1/items/{item.code}", {"title": "另一个标题", "version": 1}),
        409,
        code="stale_version",
    )
    assert body["current_version"] == 2
    body = assert_error(
        client.post(f"/api/v1/items/{item.code}/actions/start", {"version": 1}),
        409,
        code="stale_version",
    )
    assert body["current_version"] == 2
    assert snapshot() == before
    assert Item.objects.get(pk=item.pk).title == "新标题"


def test_it_answers_422_to_wrong_types(world, api):
    before = snapshot()
    response = api("cadre_gaige").post(
        "/api/v1/items",
        new_item_body(title=123, found_on="yesterday", owner="me", group=-1, page=None),
    )
    body = assert_error(
        response, 422, code="invalid", fields=("title", "found_on", "owner", "group", "page")
    )
    assert body["errors"]["page"] == ["此字段不被接受。"]
    assert body["errors"]["found_on"] == ["请输入有效日期（YYYY-MM-DD）。"]
    response = api("cadre_gaige").post("/api/v1/items", {})
    body = assert_error(response, 422, fields=("campaign", "village", "title"))
    assert body["errors"]["title"] == ["此字段为必填项。"]
    assert_error(api("cadre_gaige").post("/api/v1/items", [1, 2]), 422)
    assert_error(
        api("cadre_gaige").get("/api/v1/items", {"page": "x", "overdue": "maybe"}),
        422,
        fields=("page", "overdue"),
    )
    assert_error(
        api("cadre_gaige").get("/api/v1/items", {"sort": "; drop table"}), 422, fields=("sort",)
    )
    assert_error(
        api("cadre_gaige").get("/api/v1/items", {"state": "found,lost"}), 422, fields=("state",)
    )
    assert_error(
        api("cadre_gaige").get("/api/v1/items", {"page_size": "500"}), 422, fields=("page_size",)
    )
    body = assert_error(
        api("cadre_gaige").get("/api/v1/items", {"light": "purple"}), 422, fields=("light",)
    )
    assert " or " not in body["errors"]["light"][0] and "blue" in body["errors"]["light"][0]
    item = make_item(world)
    before = snapshot()
    for version in (True, "1", 1.5):
        response = api("cadre_gaige").post(
            f"/api/v1/items/{item.code}/actions/start", {"version": version}
        )
        assert_error(response, 422, fields=("version",))
    assert_error(
        api("cadre_gaige").patch(f"/api/v1/items/{item.code}", {"group": True}),
        422,
        fields=("group",),
    )
    assert snapshot() == before


def test_it_answers_422_to_unknown_and_missing_category_fields(world, api):
    before = snapshot()
    attributes = {"plot": "GG-001", "area_mu": "1.5", "colour": "红"}
    response = api("cadre_gaige").post("/api/v1/items", new_item_body(attributes=attributes))
    body = assert_error(
        response,
        422,
        fields=("attributes.colour", "attributes.current_use", "attributes.target_use"),
    )
    assert "现状用途" in body["errors"]["attributes.current_use"][0]
    assert snapshot() == before


def test_it_answers_422_to_negative_areas(world, api):
    before = snapshot()
    attributes = {"plot": "GG-001", "area_mu": "-3", "current_use": "撂荒", "target_use": "复耕"}
    assert_error(
        api("cadre_gaige").post("/api/v1/items", new_item_body(attributes=attributes)),
        422,
        fields=("attributes.area_mu",),
    )
    plot = {"code": "GG-009", "village": world.gaige.pk, "area_mu": "-2.5"}
    assert_error(api("cadre_gaige").post("/api/v1/plots", plot), 422, fields=("area_mu",))
    assert snapshot() == before


def test_it_answers_422_to_a_deadline_before_the_discovery_date(world, api):
    item = make_item(world)
    today = timezone.localdate()
    before = snapshot()
    body = new_item_body(
        found_on=str(today - timedelta(days=3)), deadline=str(today - timedelta(days=10))
    )
    assert_error(api("cadre_gaige").post("/api/v1/items", body), 422, fields=("deadline",))
    too_early = str(item.found_on - timedelta(days=1))
    assert_error(
        api("contact_gaige").patch(f"/api/v1/items/{item.code}", {"deadline": too_early}),
        422,
        fields=("deadline",),
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    "polygon",
    [
        "POLYGON((0 0, 1 1))",
        {"type": "Point", "coordinates": [108.5, 32.5]},
        {"type": "Polygon", "coordinates": [[[108.5, 32.5], [108.6, 32.5], [108.6, 32.6]]]},
        {
            "type": "Polygon",
            "coordinates": [[[500, 32.5], [108.6, 32.5], [108.6, 32.6], [500, 32.5]]],
        },
    ],
)
def test_it_answers_422_to_invalid_geojson(world, api, polygon):
    before = snapshot()
    body = {"code": "GG-010", "village": "改革村", "area_mu": "1.20", "polygon": polygon}
    assert_error(api("cadre_gaige").post("/api/v1/plots", body), 422, fields=("polygon",))
    assert snapshot() == before


def test_it_answers_422_to_a_file_that_lies_about_its_type(world, api):
    item = make_item(world)
    api("cadre_gaige").post(f"/api/v1/items/{item.code}/actions/start")
    before = snapshot()
    fake = SimpleUploadedFile(
        "evidence.jpg", b"%PDF-1.4 not a photo at all", content_type="image/jpeg"
    )
    assert_error(
        api("cadre_gaige").upload(f"/api/v1/items/{item.code}/attachments", {"file": fake}),
        422,
        fields=("file",),
    )
    fake = SimpleUploadedFile("report.pdf", jpeg_bytes(), content_type="application/pdf")
    response = api("cadre_gaige").upload(
        f"/api/v1/items/{item.code}/progress", {"text": "已复耕一半", "files": [fake]}
    )
    assert_error(response, 422, fields=("files",))
    script = SimpleUploadedFile("run.sh", b"#!/bin/sh\necho hi\n", content_type="image/png")
    assert_error(
        api("cadre_gaige").upload(f"/api/v1/items/{item.code}/attachments", {"file": script}),
        422,
        fields=("file",),
    )
    assert snapshot() == before


def test_it_answers_422_to_an_oversize_upload(world, api, settings):
    settings.MAQUE_MAX_UPLOAD_BYTES = 1024
    item = make_item(world)
    before = snapshot()
    big = io.BytesIO(jpeg_bytes() + b"\0" * 4096)
    upload = SimpleUploadedFile("big.jpg", big.getvalue(), content_type="image/jpeg")
    body = assert_error(
        api("cadre_gaige").upload(f"/api/v1/items/{item.code}/attachments", {"file": upload}),
        422,
        fields=("file",),
    )
    assert "big.jpg" in body["errors"]["file"][0]
    assert snapshot() == before


def test_it_refuses_to_patch_the_state_or_other_fixed_fields(world, api):
    item = make_item(world)
    before = snapshot()
    body = {"state": "closed", "code": "HP-2000-00001", "title": "改个标题"}
    response = api("cadre_gaige").patch(f"/api/v1/items/{item.code}", body)
    body = assert_error(response, 422, fields=("state", "code"))
    assert "title" not in body["errors"]
    assert snapshot() == before
    assert Item.objects.get(pk=item.pk).state == State.FOUND


def test_it_refuses_nul_characters_and_huge_numbers(world, api):
    item = make_item(world)
    before = snapshot()
    assert_error(
        api("cadre_gaige").post("/api/v1/items", new_item_body(title="坏\u0000标题")),
        422,
        fields=("title",),
    )
    assert_error(api("cadre_gaige").get("/api/v1/items", {"q": "a\x00b"}), 422, fields=("q",))
    assert_error(
        api("cadre_gaige").get("/api/v1/items", {"owner": str(10**30)}), 422, fields=("owner",)
    )
    assert api("cadre_gaige").get("/api/v1/items", {"village": str(10**30)}).json()["count"] == 0
    assert_error(
        api("cadre_gaige").patch(f"/api/v1/items/{item.code}", {"household": 10**30}),
        422,
        fields=("household",),
    )
    assert_error(
        api("cadre_gaige").post(
            f"/api/v1/items/{item.code}/actions/extend",
            {"reason": "雨季", "new_deadline": "9999-12-31"},
        ),
        422,
        fields=("new_deadline",),
    )
    assert_error(
        api("cadre_gaige").post(
            "/api/v1/items", '{"title": NaN, "deep": ' + "[" * 5000 + "]" * 5000 + "}"
        ),
        400,
    )
    assert snapshot() == before


def test_it_requires_the_fields_each_action_needs(world, api):
    item = drive_to_submitted(world, make_item(world))
    before = snapshot()
    assert_error(
        api("contact_gaige").post(f"/api/v1/items/{item.code}/actions/return", {}),
        422,
        fields=("reason",),
    )
    assert_error(
        api("contact_gaige").post(f"/api/v1/items/{item.code}/actions/verify"),
        422,
        fields=("note",),
    )
    response = api("contact_gaige").post(
        f"/api/v1/items/{item.code}/actions/verify", {"note": "ok", "resume_on": "2030-01-01"}
    )
    assert_error(response, 422, fields=("resume_on",))
    assert snapshot() == before


def test_it_answers_400_to_a_broken_multipart_body(world, api):
    item = make_item(world)
    before = snapshot()
    client = api("cadre_gaige")
    for path in (
        f"/api/v1/items/{item.code}/progress",
        f"/api/v1/items/{item.code}/attachments",
        f"/api/v1/items/{item.code}/actions/start",
    ):
        response = client.client.post(
            path, b"--x\r\n", content_type="multipart/form-data", headers=client.headers
        )
        assert_error(response, 400, code="malformed")
    assert snapshot() == before


def test_it_speaks_the_callers_language(world, api):
    client = api("cadre_gaige")
    chinese = client.post("/api/v1/items", {}).json()
    english = client.post("/api/v1/items", {}, headers={"Accept-Language": "en"}).json()
    assert chinese["errors"]["title"] == ["此字段为必填项。"]
    assert english["errors"]["title"] == ["This field is required."]
    assert chinese["detail"] != english["detail"]
