"""`POST /api/v1/topics/with-photos`: staff propose a topic with up to three photos (multipart),
each sniffed from its content as an image; a refusal stores nothing (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maque.deliberation.models import Topic, TopicPhoto
from tests.api.conftest import assert_error
from tests.conftest import World, jpeg_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/topics/with-photos"


def jpeg(name: str = "a.jpg", colour: str = "red") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(colour), content_type="image/jpeg")


def fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "village": "改革村",
        "title": "三组水渠垮塌",
        "description": "下雨后水渠垮了一段，照片见附件。",
        "concern": "urgent",
        "domain": "infrastructure",
        "proposer_name": "王秀英",
        "proposer_phone": "13912345678",
    }
    values.update(overrides)
    return values


def stored() -> tuple[int, int]:
    return Topic.objects.count(), TopicPhoto.objects.count()


def test_a_secretary_proposes_with_photos(world: World, api):  # noqa: ANN001
    response = api("secretary_gaige").upload(
        URL, fields(photos=[jpeg("a.jpg", "red"), jpeg("b.jpg", "blue")])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["photos"] == 2 and body["receipt"].startswith(body["code"])
    topic = Topic.objects.get(code=body["code"])
    assert (topic.village, topic.domain, topic.source) == (
        world.gaige,
        "infrastructure",
        "workspace",
    )
    photos = list(topic.photos.order_by("id"))
    assert [p.original_name for p in photos] == ["a.jpg", "b.jpg"]
    assert all(p.kind == "photo" and p.sha256 and p.file.size == p.size for p in photos)
    assert topic.transitions.filter(action="propose", via="api").count() == 1


def test_it_takes_a_topic_without_photos_too(world: World, api):  # noqa: ANN001
    response = api("cadre_gaige").upload(URL, fields())
    assert response.status_code == 201, response.content
    assert response.json()["photos"] == 0


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("a.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"),
        SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html"),
    ],
)
def test_what_is_not_an_image_is_refused_and_nothing_stored(world: World, api, upload):  # noqa: ANN001
    before = stored()
    refused = api("secretary_gaige").upload(URL, fields(photos=[jpeg(), upload]))
    assert_error(refused, 422, fields=("photos",))
    assert stored() == before


def test_more_than_three_photos_are_refused(world: World, api):  # noqa: ANN001
    before = stored()
    four = [jpeg(f"{n}.jpg", colour) for n, colour in enumerate(["red", "blue", "green", "red"])]
    assert_error(api("secretary_gaige").upload(URL, fields(photos=four)), 422, fields=("photos",))
    assert stored() == before


def test_bad_fields_and_other_villages_are_refused(world: World, api):  # noqa: ANN001
    before = stored()
    client = api("secretary_gaige")
    assert_error(client.upload(URL, fields(concern="angry")), 422, fields=("concern",))
    assert_error(client.upload(URL, fields(village="双胜村")), 422, fields=("village",))
    assert_error(client.upload(URL, fields(village="没有这个村")), 422, fields=("village",))
    assert stored() == before
    assert api(None).upload(URL, fields(photos=[jpeg()])).status_code == 401
    assert stored() == before
