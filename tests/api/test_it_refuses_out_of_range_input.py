"""One input discipline for every body, and one envelope for every paged list.

The cases below were server errors or silently accepted before: out-of-range offsets and ids,
unknown fields, texts and numbers the model cannot hold, a meeting file sent by an administrator
who has no person record.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maque.api.services import token_issue
from maque.api_root import api as ninja_api
from maque.bulletins.services import bulletin_issue
from maque.meetings.models import Meeting, MeetingFile, MeetingKind
from maque.meetings.services import meeting_create
from maque.notifications.services import notify
from tests.api.conftest import Api, assert_error
from tests.conftest import jpeg_bytes, make_item

TOO_BIG = 9223372036854775808  # 2^63: one past the largest id a column holds


@pytest.fixture
def admin(world) -> Api:  # noqa: ANN001
    get_user_model().objects.create_superuser(username="admin", password="pw-admin")
    return Api(token_issue(request=None, username="admin", password="pw-admin").token)


def _meeting(world) -> Meeting:  # noqa: ANN001
    return meeting_create(
        by=world.user("principal"),
        town=world.town,
        kind=MeetingKind.PROGRESS,
        title="推进会",
        held_on=timezone.localdate(),
        villages=[world.gaige],
    )


def _meeting_body(world, **changes) -> dict:  # noqa: ANN001, ANN003
    return {"kind": "progress", "title": "推进会", "held_on": str(timezone.localdate()), **changes}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/bulletins", "/api/v1/meetings", "/api/v1/notifications", "/api/v1/accountability"],
)
def test_it_refuses_an_offset_past_any_column(api, path):
    assert_error(
        api("principal").get(path, {"offset": TOO_BIG}), 422, code="invalid", fields=("offset",)
    )
    assert_error(
        api("principal").get(path, {"page": TOO_BIG}), 422, code="invalid", fields=("page",)
    )


@pytest.mark.parametrize("field", ["attendees", "villages", "host"])
def test_it_refuses_an_id_past_any_column_in_a_meeting(world, api, field):
    value = [10**20] if field != "host" else 10**20
    response = api("principal").post("/api/v1/meetings", _meeting_body(world, **{field: value}))
    assert_error(response, 422, code="invalid")
    assert not Meeting.objects.exists()


def test_it_refuses_a_meeting_file_from_an_admin_without_a_person(world, admin):
    meeting = _meeting(world)
    upload = SimpleUploadedFile("site.jpg", jpeg_bytes(), content_type="image/jpeg")
    assert_error(
        admin.upload(f"/api/v1/meetings/{meeting.pk}/files", {"file": upload}),
        403,
        code="permission_denied",
    )
    assert not MeetingFile.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"surprise": 1}, "surprise"),
        ({"title": "长" * 201}, "title"),
        ({"attendee_count": 2**40}, "attendee_count"),
        ({"minutes": "记" * 50_001}, "minutes"),
        ({"held_on": "1999-12-31"}, "held_on"),
        ({"held_on": str(timezone.localdate() + timedelta(days=400))}, "held_on"),
        ({"kind": "party"}, "kind"),
        ({"decisions": [{"text": "下周再议", "deadline": "2999-01-01"}]}, "decisions.0.deadline"),
    ],
)
def test_it_refuses_a_meeting_the_model_cannot_hold(world, api, changes, field):
    response = api("principal").post("/api/v1/meetings", _meeting_body(world, **changes))
    assert_error(response, 422, code="invalid", fields=(field,))
    assert not Meeting.objects.exists()


def test_it_refuses_unknown_fields_and_long_texts_on_every_body(world, api):
    principal = api("principal")
    meeting = _meeting(world)
    assert_error(
        principal.post(f"/api/v1/meetings/{meeting.pk}/record", {"minutes": "x", "extra": 1}),
        422,
        fields=("extra",),
    )
    assert_error(
        principal.post("/api/v1/bulletins", {"special": True, "colour": "red"}),
        422,
        fields=("colour",),
    )
    assert_error(principal.post("/api/v1/bulletins", {"date": "1999-01-01"}), 422, fields=("date",))
    inspector = api("inspector")
    assert_error(
        inspector.post("/api/v1/inspections", {"percent": 10, "seed": 1}), 422, fields=("seed",)
    )
    assert_error(inspector.post("/api/v1/inspections", {"percent": 101}), 422, fields=("percent",))
    assert_error(
        inspector.post("/api/v1/reviews", {"category": "x", "note": "n" * 5_001}),
        422,
        fields=("note",),
    )
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_it_refuses_a_progress_report_longer_than_a_note(world, api):
    item = make_item(world)
    before = item.progress_logs.count()
    response = api("cadre_gaige").upload(
        f"/api/v1/items/{item.code}/progress", {"text": "进" * 5_001}
    )
    assert_error(response, 422, fields=("text",))
    assert item.progress_logs.count() == before


def test_it_answers_every_paged_list_in_one_envelope_with_the_old_key_kept(world, api):
    principal = api("principal")
    bulletin_issue(town=world.town, day=timezone.localdate(), by=world.user("inspector"))
    _meeting(world)
    make_item(world)
    notify(recipients=[world.user("principal")], kind="test", title="提醒", key="paging")
    for path, legacy in [
        ("/api/v1/bulletins", "bulletins"),
        ("/api/v1/meetings", "meetings"),
        ("/api/v1/notifications", "results"),
        ("/api/v1/plots", "plots"),
        ("/api/v1/items", None),
    ]:
        body = principal.get(path).json()
        assert {"items", "count", "page", "page_size"} <= set(body), path
        assert (body["page"], body["page_size"]) == (1, 50), path
        assert len(body["items"]) == body["count"] >= 1, path
        if legacy is not None:
            assert body[legacy] == body["items"], path


def test_it_pages_with_page_size_and_still_honours_limit_and_offset(world, api):
    principal = api("principal")
    for day in range(3):
        meeting_create(
            by=world.user("principal"),
            town=world.town,
            kind=MeetingKind.PROGRESS,
            title=f"会{day}",
            held_on=date.today() - timedelta(days=day),
            villages=[world.gaige],
        )
    ordered = [m["id"] for m in principal.get("/api/v1/meetings").json()["items"]]
    second = principal.get("/api/v1/meetings", {"page": 2, "page_size": 1}).json()
    assert (
        [m["id"] for m in second["items"]],
        second["count"],
        second["page"],
        second["page_size"],
    ) == (ordered[1:2], 3, 2, 1)
    legacy = principal.get("/api/v1/meetings", {"limit": 2, "offset": 1}).json()
    assert [m["id"] for m in legacy["meetings"]] == ordered[1:3] and legacy["page_size"] == 2
    mixed = principal.get("/api/v1/meetings", {"page": 2, "limit": 1})
    assert_error(mixed, 422, fields=("page",))


def test_it_documents_errors_and_the_envelope_on_every_operation(db):
    document = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    silent = [
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if not any(int(code) >= 400 for code in operation["responses"])
    ]
    assert silent == [], "operations that document no error response"
    schemas = document["components"]["schemas"]
    for name in (
        "ItemListOut",
        "PlotListOut",
        "BulletinListOut",
        "MeetingListOut",
        "CaseListOut",
        "InboxOut",
    ):
        assert {"items", "count", "page", "page_size"} <= set(schemas[name]["properties"]), name
    assert schemas["BulletinListOut"]["properties"]["bulletins"]["deprecated"] is True
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/bulletins"]["get"]["parameters"]}
    assert (
        parameters["limit"]["deprecated"] is True
        and parameters["page_size"]["schema"]["maximum"] == 200
    )
