"""Hostile and mistaken sheets: formula cells, wrong headers, dates out of bounds, unknown
villages and people, duplicates, files too large or too long, and uploaders without the right.
Each is refused with the row and column it concerns, and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maque.exchange.models import ImportBatch
from maque.fieldwork.models import FieldVisit
from tests.conftest import World
from tests.sheets.helpers import client_for, commit, upload, workbook

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "村", "走访人", "走访时间", "走访事由", "走访情况"]


def visit_row(**changes: object) -> list[object]:
    values = {
        "seq": 1,
        "village": "改革村",
        "visitor": "cadre_gaige",
        "at": (timezone.localdate() - timedelta(days=2)).isoformat() + " 09:30",
        "purpose": "摸排",
        "notes": "了解种植情况",
    }
    values.update(changes)
    return list(values.values())


def problems(body: dict) -> list[tuple[object, str]]:
    return [(p["row"], p["column"]) for p in body["problems"]]


def test_it_imports_a_typed_sheet_of_visits(world: World):
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    rows = [
        ["蒿坪镇入户走访台账"],
        HEADERS,
        visit_row(),
        [None] * 6,  # a blank row between is skipped
        visit_row(seq=2, visitor="", at=day, purpose="信访回访", notes=""),
    ]
    answer = upload("secretary_gaige", "visits", workbook(rows)).json()
    assert answer["status"] == "previewed" and answer["counts"]["new"] == 2
    assert commit("secretary_gaige", answer["id"]).status_code == 200
    first, second = FieldVisit.objects.order_by("visited_at")
    assert first.visitor == world.people["secretary_gaige"]  # no visitor named: the uploader
    assert (
        first.purpose == "petition_follow_up"
        and timezone.localdate(first.visited_at).isoformat() == day
    )
    assert second.visitor == world.people["cadre_gaige"] and second.notes == "了解种植情况"


def test_it_refuses_formulas_bad_dates_unknown_names_and_duplicates(world: World):
    today = timezone.localdate()
    rows = [
        HEADERS,
        visit_row(notes="=1+1"),
        visit_row(at="2099-01-01 09:00"),
        visit_row(at="1990-01-01"),
        visit_row(village="不存在村", at=(today - timedelta(days=5)).isoformat()),
        visit_row(visitor="无名氏", at=(today - timedelta(days=6)).isoformat()),
        visit_row(purpose="吃饭", at=(today - timedelta(days=7)).isoformat()),
        visit_row(at=(today - timedelta(days=8)).isoformat() + " 10:00"),
        visit_row(at=(today - timedelta(days=8)).isoformat() + " 10:00"),
    ]
    body = upload("secretary_gaige", "visits", workbook(rows)).json()
    assert body["status"] == "invalid"
    assert problems(body) == [
        (2, "走访情况"),
        (3, "走访时间"),
        (4, "走访时间"),
        (5, "村"),
        (6, "走访人"),
        (7, "走访事由"),
        (9, "走访时间"),
    ]
    assert FieldVisit.objects.count() == 0
    # Committing a file with problems imports nothing, not even its good rows.
    refused = commit("secretary_gaige", body["id"])
    assert refused.status_code == 422 and FieldVisit.objects.count() == 0
    errors = client_for(world, "secretary_gaige").get(f"/api/v1/ledger/imports/{body['id']}/errors")
    assert errors.status_code == 200


def test_it_refuses_a_sheet_without_its_headers(world: World):
    body = upload("secretary_gaige", "visits", workbook([["姓名", "年龄"], ["张三", 3]])).json()
    assert body["status"] == "invalid" and problems(body) == [(None, "")]
    assert "走访时间" in body["problems"][0]["message"]


def test_it_refuses_huge_and_long_files(world: World, settings):  # noqa: ANN001
    settings.MAQUE_IMPORT_MAX_ROWS = 2
    today = timezone.localdate()
    rows = [HEADERS] + [
        visit_row(at=(today - timedelta(days=day)).isoformat()) for day in (1, 2, 3)
    ]
    body = upload("secretary_gaige", "visits", workbook(rows)).json()
    assert body["status"] == "invalid" and "2" in body["problems"][-1]["message"]
    settings.MAQUE_IMPORT_MAX_BYTES = 2048
    huge = upload("secretary_gaige", "visits", b"x" * 4096, "visits.csv")
    assert huge.status_code == 422 and ImportBatch.objects.filter(kind="visits").count() == 1


def test_it_lets_only_those_with_the_right_import(world: World):
    rows = workbook([HEADERS, visit_row()])
    for persona, kind in (
        ("cadre_gaige", "petitions"),
        ("inspector", "visits"),
        ("cadre_gaige", "projects"),
        ("discipline", "topics"),
    ):
        assert upload(persona, kind, rows).status_code == 403, (persona, kind)
    assert upload("secretary_gaige", "ledger-items", rows).status_code in (404, 422)
    assert ImportBatch.objects.count() == 0
    # The screens: the import button and page only for those who may.
    assert client_for(world, "inspector").get("/sheets/visits/import/").status_code == 404
    page = client_for(world, "cadre_gaige").get("/sheets/visits/import/")
    assert page.status_code == 200 and "走访时间" in page.content.decode()
    assert (
        "/sheets/visits/import/"
        in client_for(world, "cadre_gaige").get("/visits/").content.decode()
    )
    assert (
        "/sheets/visits/import/"
        not in client_for(world, "inspector").get("/visits/").content.decode()
    )
    assert (
        "/sheets/petitions/import/"
        in client_for(world, "principal").get("/petitions/").content.decode()
    )
    assert (
        "/sheets/projects/import/" in client_for(world, "leader").get("/projects/").content.decode()
    )
    assert (
        "/sheets/projects/import/"
        not in client_for(world, "cadre_gaige").get("/projects/").content.decode()
    )
    assert (
        "/sheets/topics/import/"
        in client_for(world, "secretary_gaige").get("/topics/").content.decode()
    )


def test_the_screens_upload_preview_and_commit(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world, "secretary_gaige")
    posted = client.post(
        "/sheets/visits/import/",
        {"file": SimpleUploadedFile("visits.xlsx", workbook([HEADERS, visit_row()]))},
    )
    assert posted.status_code == 302
    batch = ImportBatch.objects.get(kind="visits")
    assert FieldVisit.objects.count() == 0
    client.post(f"/spreadsheets/{batch.key}/commit/")
    assert FieldVisit.objects.get().visitor == world.people["cadre_gaige"]
    assert client.post("/sheets/visits/import/", {}).status_code == 422
