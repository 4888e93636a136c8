"""A write (register, action) answers with the item as `GET /items/{code}` then shows it — the
indicators computed in Python by the definitions' twins instead of reading the item again."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import jpeg_bytes

from .test_errors import new_item_body


def _same_as_read(client, answer: dict) -> None:  # noqa: ANN001
    read = client.get(f"/api/v1/items/{answer['code']}").json()
    assert answer == read


def test_register_and_every_step_answer_what_a_read_shows(world, api) -> None:  # noqa: ANN001
    cadre, contact = api("cadre_gaige"), api("contact_gaige")
    today = timezone.localdate()
    created = cadre.post(
        "/api/v1/items",
        new_item_body(
            found_on=(today - timedelta(days=20)).isoformat(),
            deadline=(today - timedelta(days=2)).isoformat(),
        ),
    )
    assert created.status_code == 201, created.content
    answer = created.json()
    assert answer["light"] == "red" and answer["days_overdue"] == 2
    _same_as_read(cadre, answer)
    url = f"/api/v1/items/{answer['code']}"
    started = cadre.post(f"{url}/actions/start", {"note": "开始"})
    assert started.status_code == 200, started.content
    _same_as_read(cadre, started.json())
    extended = cadre.post(
        f"{url}/actions/extend",
        {"reason": "雨季", "new_deadline": (today + timedelta(days=20)).isoformat()},
    )
    assert extended.status_code == 200, extended.content
    _same_as_read(cadre, extended.json())
    approved = contact.post(f"{url}/actions/approve_extension", {"note": "同意"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["light"] in ("green", "yellow")
    _same_as_read(contact, approved.json())
    cadre.upload(f"{url}/attachments", {"file": SimpleUploadedFile("a.jpg", jpeg_bytes())})
    submitted = cadre.post(f"{url}/actions/submit", {"note": "完成"})
    assert submitted.status_code == 200, submitted.content
    _same_as_read(cadre, submitted.json())
    returned = contact.post(f"{url}/actions/return", {"reason": "不到位"})
    assert returned.status_code == 200, returned.content
    assert returned.json()["returned_count"] == 1
    _same_as_read(contact, returned.json())
