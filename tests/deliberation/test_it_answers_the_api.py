"""`/api/v1/topics`: the list with its filters and envelope, a topic, proposing, and actions
offered exactly as the lifecycle allows them (issue 12 §7)."""

from __future__ import annotations

from typing import Any

import pytest

from maque.deliberation.models import Topic, TopicState
from maque.meetings.models import MeetingKind
from maque.meetings.services import meeting_create
from tests.api.conftest import assert_error
from tests.conftest import World
from tests.deliberation.helpers import deadline, propose

pytestmark = pytest.mark.django_db


def topics_snapshot() -> list[dict[str, Any]]:
    return list(Topic.objects.order_by("id").values())


def test_it_lists_in_the_envelope_with_filters(world: World, api):  # noqa: ANN001
    urgent = propose(world, concern="urgent", title="村道塌方")
    hoped = propose(world, concern="hoped_for", title="希望建设文化广场")
    propose(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村议题")
    body = api("secretary_gaige").get("/api/v1/topics").json()
    assert set(body) == {"items", "count", "page", "page_size"}
    assert {row["code"] for row in body["items"]} == {urgent.code, hoped.code}
    only = api("principal").get("/api/v1/topics", {"concern": "hoped_for"}).json()
    assert [row["code"] for row in only["items"]] == [hoped.code]
    found = api("principal").get("/api/v1/topics", {"q": "塌方"}).json()
    assert [row["code"] for row in found["items"]] == [urgent.code]
    by_village = api("principal").get("/api/v1/topics", {"village": "双胜村"}).json()
    assert by_village["count"] == 1
    by_state = api("principal").get("/api/v1/topics", {"state": "submitted,accepted"}).json()
    assert by_state["count"] == 3
    assert_error(api("principal").get("/api/v1/topics", {"state": "nope"}), 422, fields=("state",))
    paged = api("principal").get("/api/v1/topics", {"page_size": 1, "page": 2}).json()
    assert paged["count"] == 3 and len(paged["items"]) == 1


def test_it_masks_a_villager_phone_for_readers_without_the_right(world: World, api):  # noqa: ANN001
    topic = propose(world)
    for persona, phone in (
        ("secretary_gaige", "13912345678"),
        ("principal", "13912345678"),
        ("cadre_gaige", "139****5678"),
        ("inspector", "139****5678"),
    ):
        body = api(persona).get(f"/api/v1/topics/{topic.code}").json()
        assert body["proposer_phone"] == phone, persona


def test_it_hides_other_villages_topics(world: World, api):  # noqa: ANN001
    topic = propose(world)
    assert api("cadre_shuangsheng").get(f"/api/v1/topics/{topic.code}").status_code == 404
    assert api(None).get(f"/api/v1/topics/{topic.code}").status_code == 401
    before = topics_snapshot()
    response = api("cadre_shuangsheng").post(
        f"/api/v1/topics/{topic.code}/actions/accept", {"track": "quick"}
    )
    assert response.status_code == 404
    assert topics_snapshot() == before


def test_it_proposes_and_returns_the_receipt_once(world: World, api):  # noqa: ANN001
    response = api("cadre_gaige").post(
        "/api/v1/topics",
        {
            "village": world.gaige.pk,
            "title": "荷塘园区停车位不够",
            "concern": "worrying",
            "domain": "industry",
            "proposer_kind": "four_teams",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["receipt"].startswith(body["code"] + "-")
    assert body["proposer_name"] == "cadre_gaige" and body["state"] == "submitted"
    detail = api("cadre_gaige").get(f"/api/v1/topics/{body['code']}").json()
    assert "receipt" not in detail
    assert_error(
        api("cadre_shuangsheng").post(
            "/api/v1/topics", {"village": world.gaige.pk, "title": "越权", "concern": "urgent"}
        ),
        422,
        fields=("village",),
    )
    assert_error(
        api("cadre_gaige").post(
            "/api/v1/topics",
            {"village": world.gaige.pk, "title": "x", "concern": "urgent", "state": "answered"},
        ),
        422,
    )


def test_it_offers_the_actions_it_allows(world: World, api):  # noqa: ANN001
    topic = propose(world)
    assert api("cadre_gaige").get(f"/api/v1/topics/{topic.code}").json()["actions"] == []
    offered = api("secretary_gaige").get(f"/api/v1/topics/{topic.code}").json()["actions"]
    assert offered == ["accept", "decline", "merge"]
    cadre = world.people["cadre_gaige"].pk
    response = api("secretary_gaige").post(
        f"/api/v1/topics/{topic.code}/actions/accept",
        {"track": "quick", "owner": cadre, "deadline": deadline().isoformat(), "version": 1},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "assigned" and len(body["items"]) == 1
    assert body["actions"] == ["add_action"]
    stale = api("secretary_gaige").post(
        f"/api/v1/topics/{topic.code}/actions/add_action",
        {"owner": cadre, "deadline": deadline().isoformat(), "version": 1},
    )
    assert_error(stale, 409, code="stale_version")
    assert stale.json()["current_version"] == body["version"]


def test_it_refuses_fields_an_action_does_not_take(world: World, api):  # noqa: ANN001
    topic = propose(world)
    before = topics_snapshot()
    assert_error(
        api("secretary_gaige").post(
            f"/api/v1/topics/{topic.code}/actions/decline", {"reason": "重复", "track": "quick"}
        ),
        422,
        fields=("track",),
    )
    assert_error(
        api("secretary_gaige").post(f"/api/v1/topics/{topic.code}/actions/decline", {}),
        422,
        fields=("reason",),
    )
    assert_error(
        api("secretary_gaige").post(f"/api/v1/topics/{topic.code}/actions/fly", {}),
        404,
        code="unknown_action",
    )
    assert_error(
        api("secretary_gaige").post(f"/api/v1/topics/{topic.code}/actions/accept", {}),
        422,
        fields=("track",),
    )
    assert topics_snapshot() == before


def test_it_schedules_into_a_meeting_and_merges_by_code(world: World, api):  # noqa: ANN001
    topic = propose(world, title="晒场建设")
    duplicate = propose(world, title="建一个晒场")
    client = api("contact_gaige")
    merged = client.post(
        f"/api/v1/topics/{duplicate.code}/actions/merge", {"into": topic.code.lower()}
    )
    assert merged.status_code == 200, merged.content
    assert merged.json()["merged_into"] == topic.code
    client.post(f"/api/v1/topics/{topic.code}/actions/accept", {"track": "joint"})
    meeting = meeting_create(
        by=world.user("contact_gaige"),
        town=world.town,
        kind=MeetingKind.REPRESENTATIVES,
        title="村民代表会议",
        held_on=deadline().replace(year=deadline().year - 1),
        villages=[world.gaige],
    )
    assert_error(
        client.post(f"/api/v1/topics/{topic.code}/actions/schedule", {"meeting": 999999}),
        422,
        fields=("meeting",),
    )
    body = client.post(
        f"/api/v1/topics/{topic.code}/actions/schedule", {"meeting": meeting.pk}
    ).json()
    assert body["state"] == TopicState.SCHEDULED
    assert body["agenda"][0]["meeting"] == meeting.pk
