"""The public API (`/api/v1/public/…`, no token): a villager proposes, looks the receipt up and
gives satisfaction; nothing else is readable; abuse is refused and changes nothing (issue 12 §5)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from maque.deliberation import lifecycle
from maque.deliberation.models import PublicThrottle, Topic, TopicPhoto, TopicState
from maque.deliberation.tick import complete_finished_topics
from tests.api.conftest import assert_error
from tests.conftest import World, jpeg_bytes
from tests.deliberation.helpers import accept_quick, close_item, propose, topic_items

pytestmark = pytest.mark.django_db


def form(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "concern": "urgent",
        "title": "村口水渠堵了",
        "description": "下雨就漫到路上，电话13912345678。",
        "name": "赵春花",
        "phone": "13912345678",
    }
    values.update(overrides)
    return values


def submit(client: Client, world: World, **overrides: Any) -> Any:
    return client.post(
        f"/api/v1/public/villages/{world.gaige.public_code}/topics", form(**overrides)
    )


def answered(world: World, receipt_client: Client) -> tuple[Topic, str]:
    response = submit(receipt_client, world)
    receipt = response.json()["receipt"]
    topic = Topic.objects.get(code=response.json()["code"])
    topic = accept_quick(world, topic)
    close_item(world, topic_items(topic)[0])
    complete_finished_topics(now=timezone.now())
    topic = lifecycle.topic_answer(
        topic=Topic.objects.get(pk=topic.pk), by=world.user("secretary_gaige"), answer="水渠已疏通"
    )
    return topic, receipt


def test_a_villager_proposes_with_photos_and_follows_the_receipt(world: World):
    client = Client()
    response = submit(
        client,
        world,
        photos=[
            SimpleUploadedFile("a.jpg", jpeg_bytes("red"), content_type="image/jpeg"),
            SimpleUploadedFile("b.jpg", jpeg_bytes("blue"), content_type="image/jpeg"),
        ],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    topic = Topic.objects.get(code=body["code"])
    assert topic.source == "public" and topic.proposer_name == "赵春花"
    assert TopicPhoto.objects.filter(topic=topic).count() == 2
    looked = client.get(f"/api/v1/public/receipts/{body['receipt'].lower()}")
    assert looked.status_code == 200, looked.content
    assert looked.json()["state"] == "submitted" and looked.json()["may_rate"] is False


def test_it_needs_no_token_and_no_session_cookie(world: World):
    client = Client(enforce_csrf_checks=True)
    assert submit(client, world).status_code == 201
    assert client.get(f"/api/v1/public/villages/{world.gaige.public_code}/board").status_code == 200


def test_the_board_shows_only_answered_topics_with_names_masked(world: World):
    client = Client()
    topic, _receipt = answered(world, client)
    submit(client, world, title="还没受理的议题")
    accepted = propose(world, title="已受理未答复")
    lifecycle.topic_accept(topic=accepted, by=world.user("secretary_gaige"), track="joint")
    board = client.get(f"/api/v1/public/villages/{world.gaige.public_code}/board").json()
    assert board["village"]["name"] == "改革村"
    assert [row["code"] for row in board["topics"]] == [topic.code]
    row = board["topics"][0]
    assert row["proposer"] == "赵**" and row["answer"] == "水渠已疏通"
    text = str(board)
    assert "13912345678" not in text and "赵春花" not in text
    other = client.get(f"/api/v1/public/villages/{world.shuangsheng.public_code}/board").json()
    assert other["topics"] == []
    assert client.get("/api/v1/public/villages/nope/board").status_code == 404
    # Staff routes stay closed without a token.
    assert client.get("/api/v1/topics").status_code == 401
    assert client.get(f"/api/v1/topics/{topic.code}").status_code == 401


def test_the_receipt_secret_is_required(world: World):
    client = Client()
    body = submit(client, world).json()
    code, secret = body["receipt"].rsplit("-", 1)
    wrong = "2" * 8 if secret != "2" * 8 else "3" * 8
    assert client.get(f"/api/v1/public/receipts/{code}-{wrong}").status_code == 404
    assert client.get(f"/api/v1/public/receipts/{code}").status_code == 404
    other = propose(world)
    assert client.get(f"/api/v1/public/receipts/{other.code}-{secret}").status_code == 404
    assert (
        client.post(
            f"/api/v1/public/receipts/{code}-{wrong}/satisfaction",
            {"satisfaction": "satisfied"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_failed_lookups_are_limited_per_client(world: World, settings):  # noqa: ANN001
    settings.MAQUE_PUBLIC_LOOKUP_FAILURES = 3
    client = Client()
    receipt = submit(client, world).json()["receipt"]
    for _ in range(3):
        assert client.get("/api/v1/public/receipts/HP-YT-2026-0099-ABCDEFGH").status_code == 404
    limited = client.get(f"/api/v1/public/receipts/{receipt}")
    assert_error(limited, 429, code="rate_limited")
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert elsewhere.get(f"/api/v1/public/receipts/{receipt}").status_code == 200


def test_the_villager_gives_satisfaction_once_and_may_reopen(world: World):
    client = Client()
    topic, receipt = answered(world, client)
    seen = client.get(f"/api/v1/public/receipts/{receipt}").json()
    assert seen["answer"] == "水渠已疏通" and seen["may_rate"] is True
    rated = client.post(
        f"/api/v1/public/receipts/{receipt}/satisfaction",
        {"satisfaction": "dissatisfied", "note": "只通了一半", "reopen": True},
        content_type="application/json",
    )
    assert rated.status_code == 200, rated.content
    topic.refresh_from_db()
    assert topic.state == TopicState.ACCEPTED and topic.reopened_count == 1
    again = client.post(
        f"/api/v1/public/receipts/{receipt}/satisfaction",
        {"satisfaction": "satisfied"},
        content_type="application/json",
    )
    assert_error(again, 409)


def test_rate_limits_per_client_and_per_village(world: World, settings):  # noqa: ANN001
    settings.MAQUE_PUBLIC_TOPICS_PER_CLIENT = 2
    settings.MAQUE_PUBLIC_TOPICS_PER_VILLAGE = 3
    one = Client(REMOTE_ADDR="10.0.0.1")
    assert submit(one, world).status_code == 201
    assert submit(one, world).status_code == 201
    assert_error(submit(one, world), 429, code="rate_limited")
    two = Client(REMOTE_ADDR="10.0.0.2")
    assert submit(two, world).status_code == 201
    assert_error(submit(two, world), 429, code="rate_limited")  # the village's limit
    assert Topic.objects.count() == 3
    # Another village still takes topics from the second address.
    response = two.post(f"/api/v1/public/villages/{world.shuangsheng.public_code}/topics", form())
    assert response.status_code == 201
    assert PublicThrottle.objects.filter(scope="village").count() == 2


def test_hostile_input_is_refused_and_changes_nothing(world: World, settings):  # noqa: ANN001
    client = Client()
    # The honeypot.
    assert_error(submit(client, world, website="http://spam.example"), 400, code="refused")
    # Not an image, under an image's name; a document; four photos.
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    assert_error(submit(client, world, photos=[fake]), 422, fields=("photos",))
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    assert_error(submit(client, world, photos=[pdf]), 422, fields=("photos",))
    four = [
        SimpleUploadedFile(f"{n}.jpg", jpeg_bytes(), content_type="image/jpeg") for n in range(4)
    ]
    assert_error(submit(client, world, photos=four), 422, fields=("photos",))
    # A huge body, refused before it is read.
    settings.MAQUE_PUBLIC_PHOTO_MB = 1
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (4 * 1024 * 1024))
    assert_error(submit(client, world, photos=[big]), 413, code="too_large")
    # Over-long text, an unknown concern, no title.
    assert_error(submit(client, world, title="长" * 101), 422)
    assert_error(submit(client, world, concern="angry"), 422)
    assert_error(submit(client, world, title=""), 422)
    assert_error(submit(client, world, phone="call me"), 422, fields=("proposer_phone",))
    assert not Topic.objects.exists() and not TopicPhoto.objects.exists()


def test_a_script_in_the_title_is_kept_as_text(world: World):
    client = Client()
    body = submit(client, world, title="<script>alert('x')</script>").json()
    seen = client.get(f"/api/v1/public/receipts/{body['receipt']}")
    assert seen["Content-Type"].startswith("application/json")
    assert seen.json()["title"] == "<script>alert('x')</script>"


def test_a_spam_topic_reads_as_not_accepted_on_its_receipt(world: World):
    client = Client()
    body = submit(client, world, title="代开发票").json()
    topic = Topic.objects.get(code=body["code"])
    lifecycle.topic_mark_spam(topic=topic, by=world.user("secretary_gaige"))
    seen = client.get(f"/api/v1/public/receipts/{body['receipt']}").json()
    assert seen["state"] == "declined"


def test_a_merged_topic_receipt_shows_the_survivor(world: World):
    client = Client()
    survivor = propose(world, title="水渠疏通")
    body = submit(client, world).json()
    lifecycle.topic_merge(
        topic=Topic.objects.get(code=body["code"]), by=world.user("secretary_gaige"), into=survivor
    )
    seen = client.get(f"/api/v1/public/receipts/{body['receipt']}").json()
    assert seen["followed"]["code"] == survivor.code
    assert seen["steps"][-1]["action"] == "merge" and survivor.code in seen["steps"][-1]["note"]


def test_an_inactive_village_takes_nothing(world: World):
    world.gaige.active = False
    world.gaige.save()
    assert submit(Client(), world).status_code == 404


def test_jpeg_helper_is_an_image() -> None:
    # The fixture photos are what the sniffing accepts (guards the tests above).
    from PIL import Image

    assert Image.open(io.BytesIO(jpeg_bytes())).format == "JPEG"
