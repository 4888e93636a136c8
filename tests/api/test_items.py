"""The ledger over the API: listing, registering, editing, the full lifecycle, evidence, history."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maque.ledger.models import Attachment, Item, ItemRequest, ProgressLog, State, Transition

from ..conftest import drive_to_closed, jpeg_bytes, make_item
from .conftest import assert_error
from .test_errors import new_item_body

ITEM_FIELDS = {
    "code",
    "kind",
    "title",
    "campaign",
    "category",
    "village",
    "group",
    "plot",
    "household",
    "subject",
    "description",
    "measures",
    "scope",
    "standard",
    "owner",
    "found_on",
    "deadline",
    "original_deadline",
    "state",
    "state_label",
    "light",
    "overdue",
    "days_overdue",
    "attributes",
    "returned_count",
    "reopened_count",
    "extension_count",
    "progress_percent",
    "source",
    "version",
    "created_at",
    "updated_at",
    "actions",
}


def test_it_registers_an_item_owned_by_the_caller_in_state_found(world, api):
    response = api("cadre_gaige").post(
        "/api/v1/items", new_item_body(group=world.gaige.groups.get().pk, plot="GG-001")
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert ITEM_FIELDS <= set(body)
    item = Item.objects.get(code=body["code"])
    assert item.state == State.FOUND and body["state"] == "found"
    assert item.owner == world.people["cadre_gaige"] and body["owner"]["name"] == "cadre_gaige"
    assert item.created_by == world.user("cadre_gaige")
    assert item.deadline == item.found_on + timedelta(days=60)  # the category's default
    assert item.attributes == {
        "plot": "GG-001",
        "area_mu": "1.5",
        "current_use": "撂荒",
        "target_use": "复耕",
    }
    assert item.plot == world.plots["gaige"] and body["plot"] == "GG-001"
    assert body["category"] == {"code": "farmland-outflow", "name": "耕地流出整治及撂荒地治理"}
    assert body["village"] == {"id": world.gaige.pk, "name": "改革村"}
    assert "start" in body["actions"] and "verify" not in body["actions"]
    assert body["state_label"] == "待整改" or "待整改" in body["state_label"]
    assert list(item.transitions.values_list("action", flat=True)) == ["create"]
    assert item.history.get().history_user == world.user("cadre_gaige")


def test_it_lets_a_leader_register_for_another_owner(world, api):
    owner = world.people["cadre_gaige"]
    response = api("contact_gaige").post(
        "/api/v1/items", new_item_body(owner=owner.pk, village=world.gaige.pk)
    )
    assert response.status_code == 201, response.content
    assert Item.objects.get(code=response.json()["code"]).owner == owner


def test_it_runs_the_full_lifecycle_with_separation_of_duties(world, api):
    cadre, contact, inspector = api("cadre_gaige"), api("contact_gaige"), api("inspector")
    code = cadre.post("/api/v1/items", new_item_body()).json()["code"]
    url = f"/api/v1/items/{code}"

    item = cadre.post(f"{url}/actions/start", {"note": "开始复耕"}).json()
    assert item["state"] == "rectifying" and item["version"] == 2
    assert_error(cadre.post(f"{url}/actions/submit", {}), 422, fields=("evidence",))
    response = cadre.upload(
        f"{url}/progress",
        {
            "text": "已翻耕一半",
            "percent": "50",
            "files": [SimpleUploadedFile("a.jpg", jpeg_bytes())],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["progress_percent"] == 50 and len(response.json()["attachments"]) == 1
    item = cadre.post(f"{url}/actions/submit", {"note": "请验收", "version": 2}).json()
    assert item["state"] == "submitted"
    assert "verify" not in item["actions"]  # the owner never verifies
    assert_error(cadre.post(f"{url}/actions/verify", {"note": "自己验收"}), 403)

    assert "verify" in contact.get(url).json()["actions"]
    item = contact.post(f"{url}/actions/return", {"reason": "复耕面积不足"}).json()
    assert (
        item["state"] == "rectifying" and item["returned_count"] == 1 and item["light"] == "yellow"
    )
    cadre.upload(f"{url}/attachments", {"file": SimpleUploadedFile("b.jpg", jpeg_bytes("blue"))})
    cadre.post(f"{url}/actions/submit")
    item = contact.post(f"{url}/actions/verify", {"note": "现场核查已全部复耕"}).json()
    assert item["state"] == "closed" and item["light"] == "grey" and item["progress_percent"] == 100

    item = inspector.post(f"{url}/actions/reopen", {"reason": "回头看发现再次撂荒"}).json()
    assert item["state"] == "rectifying" and item["reopened_count"] == 1

    stored = Item.objects.get(code=code)
    assert stored.verified_by is None and stored.state == State.RECTIFYING
    assert list(stored.transitions.values_list("action", flat=True)) == [
        "create",
        "start",
        "submit",
        "return",
        "submit",
        "verify",
        "reopen",
    ]
    assert set(
        Transition.objects.filter(item=stored, action="verify").values_list("via", flat=True)
    ) == {"api"}
    assert stored.attachments.count() == 2


def test_it_handles_extension_and_suspension_requests(world, api):
    item = make_item(world)
    url = f"/api/v1/items/{item.code}"
    cadre, contact = api("cadre_gaige"), api("contact_gaige")
    later = str(item.deadline + timedelta(days=10))
    body = cadre.post(f"{url}/actions/request-extension", {"reason": "雨季"})  # not an action name
    assert body.status_code == 404
    item_json = cadre.post(
        f"{url}/actions/extend", {"reason": "雨季无法施工", "new_deadline": later}
    ).json()
    assert item_json["deadline"] == str(item.deadline) and item_json["extension_count"] == 0
    assert "approve_extension" not in item_json["actions"]
    assert "approve_extension" in contact.get(url).json()["actions"]
    item_json = contact.post(f"{url}/actions/approve-extension", {"note": "同意"}).json()
    assert item_json["deadline"] == later and item_json["extension_count"] == 1
    assert item_json["original_deadline"] == str(item.deadline)
    assert ItemRequest.objects.get(item=item).status == ItemRequest.Status.APPROVED

    resume_on = str(timezone.localdate() + timedelta(days=30))
    cadre.post(f"{url}/actions/suspend", {"reason": "等待农时", "resume_on": resume_on})
    item_json = contact.post(f"{url}/actions/approve_suspension").json()
    assert item_json["state"] == "suspended" and item_json["light"] == "blue"
    item_json = cadre.post(f"{url}/actions/resume", {"note": "农时已到"}).json()
    assert item_json["state"] == "found"


def test_it_edits_only_editable_fields_with_history(world, api):
    item = make_item(world)
    url = f"/api/v1/items/{item.code}"
    response = api("cadre_gaige").patch(
        url, {"title": "三组撂荒地复耕（12亩）", "measures": "机械翻耕", "version": 1}
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "三组撂荒地复耕（12亩）" and response.json()["version"] == 2
    # Owner and deadline: leaders only.
    later = str(item.deadline + timedelta(days=5))
    assert_error(api("cadre_gaige").patch(url, {"deadline": later}), 403)
    response = api("contact_gaige").patch(
        url, {"deadline": later, "owner": world.people["secretary_gaige"].pk}
    )
    assert response.status_code == 200, response.content
    stored = Item.objects.get(pk=item.pk)
    assert str(stored.deadline) == later and stored.owner == world.people["secretary_gaige"]
    assert stored.state == State.FOUND

    history = api("principal").get(f"{url}/history").json()
    changes = {(e["field"], e["after"]) for e in history if e["type"] == "change"}
    assert ("title", "三组撂荒地复耕（12亩）") in changes
    assert ("deadline", later) in changes
    assert ("owner", world.people["secretary_gaige"].pk) in changes
    title_change = next(e for e in history if e["type"] == "change" and e["field"] == "title")
    assert (
        title_change["before"] == "三组撂荒地复耕" and title_change["by"]["name"] == "cadre_gaige"
    )
    assert history[0]["type"] == "transition" and history[0]["action"] == "create"
    assert [e["at"] for e in history] == sorted(e["at"] for e in history)


def test_it_lists_history_of_transitions_progress_and_requests(world, api):
    item = make_item(world)
    url = f"/api/v1/items/{item.code}"
    cadre = api("cadre_gaige")
    cadre.post(f"{url}/actions/start")
    cadre.upload(f"{url}/progress", {"text": "完成测量", "percent": "20"})
    cadre.post(
        f"{url}/actions/extend",
        {"reason": "雨季", "new_deadline": str(item.deadline + timedelta(days=9))},
    )
    history = api("discipline").get(f"{url}/history").json()
    kinds = [e["type"] for e in history]
    assert {"transition", "progress", "request"} <= set(kinds)
    progress = next(e for e in history if e["type"] == "progress")
    assert (
        progress["text"] == "完成测量"
        and progress["percent"] == 20
        and progress["by"]["name"] == "cadre_gaige"
    )
    request = next(e for e in history if e["type"] == "request")
    assert request["request_type"] == "extension" and request["status"] == "pending"
    assert ProgressLog.objects.filter(item=item).count() == 1


def test_it_lists_and_serves_attachments(world, api):
    item = make_item(world)
    url = f"/api/v1/items/{item.code}"
    content = jpeg_bytes("red")
    response = api("cadre_gaige").upload(
        f"{url}/attachments", {"files": [SimpleUploadedFile("现场.jpg", content)]}
    )
    assert response.status_code == 201, response.content
    created = response.json()[0]
    assert (
        created["name"] == "现场.jpg"
        and created["content_type"] == "image/jpeg"
        and created["size"] == len(content)
    )
    listed = api("principal").get(f"{url}/attachments").json()
    assert [a["id"] for a in listed] == [created["id"]]
    download = api("principal").get(created["url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content) == content
    assert Attachment.objects.get(pk=created["id"]).uploaded_by == world.people["cadre_gaige"]


def test_it_filters_sorts_and_pages_the_list(world, api, today):
    overdue = make_item(
        world,
        found_on=today - timedelta(days=20),
        deadline=today - timedelta(days=5),
        title="逾期的",
    )
    make_item(world, title="新登记")
    make_item(world, village=world.shuangsheng, persona="cadre_shuangsheng", title="双胜的")
    closed = drive_to_closed(world, make_item(world, title="已销号"))
    client = api("principal")

    def codes(**params):  # noqa: ANN003, ANN202
        body = client.get("/api/v1/items", params).json()
        return body["count"], {row["code"] for row in body["items"]}

    assert codes()[0] == 4
    assert codes(village="双胜村")[0] == 1
    assert codes(village=world.gaige.pk)[0] == 3
    assert codes(overdue="true") == (1, {overdue.code})
    assert codes(light="red") == (1, {overdue.code})
    assert codes(state="closed") == (1, {closed.code})
    assert codes(state="closed,found")[0] == 4
    assert codes(q="逾期") == (1, {overdue.code})
    assert codes(category="farmland-outflow", campaign="five-rectifications")[0] == 4
    assert codes(owner=world.people["cadre_shuangsheng"].pk)[0] == 1
    assert codes(due_before=str(today))[1] == {overdue.code}
    rows = client.get("/api/v1/items", {"sort": "-days_overdue", "page_size": 2}).json()
    assert rows["count"] == 4 and len(rows["items"]) == 2
    assert rows["items"][0]["code"] == overdue.code and rows["items"][0]["days_overdue"] == 5
    assert rows["items"][0]["overdue"] is True
    page_two = client.get(
        "/api/v1/items", {"sort": "-days_overdue", "page_size": 2, "page": 2}
    ).json()
    assert page_two["count"] == 4 and len(page_two["items"]) == 2
    assert not {r["code"] for r in rows["items"]} & {r["code"] for r in page_two["items"]}
    assert client.get("/api/v1/items", {"page": 9}).json() == {
        "items": [],
        "count": 4,
        "page": 9,
        "page_size": 50,
    }


def test_it_lists_items_in_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    for index in range(12):
        item = make_item(world, title=f"第{index}号")
        if index % 3 == 0:
            drive_to_closed(world, item)
    client = api("principal")
    client.get("/api/v1/items")  # warm the token's last_used write
    # One of them reads the pending requests of the whole page (what may be approved).
    with django_assert_max_num_queries(7):
        body = client.get("/api/v1/items", {"page_size": 200}).json()
    assert body["count"] == 12 and all(row["actions"] is not None for row in body["items"])
    with django_assert_max_num_queries(7):
        client.get(f"/api/v1/items/{item.code}")


def test_it_describes_categories_with_their_fields(world, api):
    categories = api("cadre_gaige").get("/api/v1/categories").json()
    assert {c["code"] for c in categories} >= {
        "farmland-chief",
        "farmland-outflow",
        "greenhouse",
        "collective-contract",
        "grave",
    }
    category = api("cadre_gaige").get("/api/v1/categories/farmland-outflow").json()
    assert category["evidence_required"] is True and category["default_deadline_days"] == 60
    assert category["campaign"]["code"] == "five-rectifications" and category["standard"]
    area = next(f for f in category["fields"] if f["name"] == "area_mu")
    assert area == {
        "name": "area_mu",
        "label": "面积",
        "type": "decimal",
        "unit": "亩",
        "required": True,
        "choices": [],
        "min_value": "0.01",
        "help_text": "",
    }
    target = next(f for f in category["fields"] if f["name"] == "target_use")
    assert target["type"] == "choice" and target["choices"] == ["复耕", "复垦", "复种"]
    assert api("outsider").get("/api/v1/categories").json() == []
