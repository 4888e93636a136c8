"""The spreadsheet screens: upload → preview with problems → import, through `maque.exchange`."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from maque.exchange.models import ImportBatch
from maque.ledger.models import Item, Source
from maque.organisation.models import Plot
from tests.conftest import make_item
from tests.exchange.helpers import LATER_YEAR

HEADERS = [
    "序号",
    "村",
    "组",
    "事项",
    "问题描述",
    "地块",
    "面积（亩）",
    "现状用途",
    "整治方向",
    "责任人",
    "整改时限",
]


def ledger_csv(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账"])
    writer.writerow(HEADERS)
    for number, row in enumerate(rows, start=1):
        writer.writerow([row.get(h, str(number) if h == "序号" else "") for h in HEADERS])
    return SimpleUploadedFile(
        "台账.csv", buffer.getvalue().encode("utf-8"), content_type="text/csv"
    )


def row(**overrides: str) -> dict[str, str]:
    values = {
        "村": "改革村",
        "组": "一组",
        "事项": "表格导入的撂荒地",
        "问题描述": "撂荒",
        "地块": "GG-001",
        "面积（亩）": "1.2",
        "现状用途": "撂荒",
        "整治方向": "复耕",
        "责任人": "cadre_gaige",
        "整改时限": f"{LATER_YEAR}-07-18",
    }
    values.update(overrides)
    return values


def test_it_uploads_previews_and_imports_a_ledger(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    assert client.get("/spreadsheets/").status_code == 200
    response = client.post(
        "/spreadsheets/", {"file": ledger_csv([row()]), "category": "farmland-outflow"}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/spreadsheets/{batch.key}/"
    assert not Item.objects.exists()
    preview = client.get(f"/spreadsheets/{batch.key}/").content.decode()
    assert 'action="/spreadsheets/%s/commit/"' % batch.key in preview
    client.post(f"/spreadsheets/{batch.key}/commit/")
    item = Item.objects.get(title="表格导入的撂荒地")
    assert item.source == Source.IMPORT
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.created_codes == [item.code]


def test_it_shows_the_problems_and_offers_the_error_workbook(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    client.post(
        "/spreadsheets/",
        {"file": ledger_csv([row(**{"面积（亩）": "很多"})]), "category": "farmland-outflow"},
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    page = client.get(f"/spreadsheets/{batch.key}/").content.decode()
    assert f"/api/v1/ledger/imports/{batch.key}/errors" in page
    assert "/commit/" not in page
    assert batch.problems and batch.problems[0]["message"] in page
    assert not Item.objects.exists()


def test_it_refuses_a_file_that_is_not_a_spreadsheet_next_to_the_field(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    response = client.post("/spreadsheets/", {"file": SimpleUploadedFile("x.txt", b"hello")})
    assert response.status_code == 422
    assert b'id="file-errors"' in response.content
    assert not ImportBatch.objects.exists()


def test_it_another_users_import_is_not_found(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    client.post("/spreadsheets/", {"file": ledger_csv([row()]), "category": "farmland-outflow"})
    batch = ImportBatch.objects.get()
    client.force_login(world.user("principal"))
    assert client.get(f"/spreadsheets/{batch.key}/").status_code == 404
    assert client.post(f"/spreadsheets/{batch.key}/commit/").status_code == 404
    assert not Item.objects.exists()


def test_it_the_ledger_export_link_keeps_the_filter(client, world):  # noqa: ANN001
    client.force_login(world.user("principal"))
    page = client.get(
        "/ledger/", {"village": world.gaige.pk, "overdue": "yes", "q": "撂荒"}
    ).content.decode()
    assert (
        f"/api/v1/ledger/export?q=%E6%92%82%E8%8D%92&amp;village={world.gaige.pk}&amp;overdue=true"
        in page
    )


def test_it_the_download_links_work_with_the_session(client, world):  # noqa: ANN001
    client.force_login(world.user("principal"))
    page = client.get("/spreadsheets/")
    template_url = dict((c.code, url) for c, url in page.context["templates"])["farmland-outflow"]
    template = client.get(template_url)
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    make_item(world)
    export = client.get(client.get("/ledger/", {"state": "found"}).context["export_url"])
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_the_preview_shows_each_row_and_what_an_update_changes(client, world):  # noqa: ANN001
    existing = make_item(world, title="三组撂荒地复耕")
    client.force_login(world.user("contact_gaige"))
    headers = [*HEADERS, "编号", "整改措施", "整改进展"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账"])
    writer.writerow(headers)
    edited = row(
        事项="三组撂荒地复耕", 编号=existing.code, 整改措施="组织农户复耕", 整改进展="已翻耕一半"
    )
    edited["面积（亩）"] = "3.5"
    edited["问题描述"] = existing.description
    edited["整改时限"] = existing.deadline.isoformat()
    Plot.objects.create(
        town=world.town,
        village=world.gaige,
        group=world.plots["gaige"].group,
        code="GG-002",
        area_mu="2.00",
    )
    for values in (edited, row(事项="新发现的撂荒地", 地块="GG-002")):
        writer.writerow([values.get(h, "") for h in headers])
    upload = SimpleUploadedFile("台账.csv", buffer.getvalue().encode("utf-8"))
    client.post("/spreadsheets/", {"file": upload, "category": "farmland-outflow"})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.problems
    by_row = {r["row"]: r for r in batch.rows}
    assert by_row[3]["action"] == "update" and by_row[3]["code"] == existing.code
    changes = {c["column"]: (c["before"], c["after"]) for c in by_row[3]["changes"]}
    assert changes["整改措施"] == (existing.measures, "组织农户复耕")
    assert changes["整改进展"] == ("", "已翻耕一半")
    assert by_row[4]["action"] == "new" and by_row[4]["title"] == "新发现的撂荒地"
    page = client.get(f"/spreadsheets/{batch.key}/").content.decode()
    assert "导入后将发生的变化" in page and "组织农户复耕" in page and "新发现的撂荒地" in page
    existing.refresh_from_db()
    assert existing.measures != "组织农户复耕"  # a preview changes nothing
    api = client.get(f"/api/v1/ledger/imports/{batch.key}")
    assert api.status_code == 200 and api.json()["rows"][0]["changes"][0]["column"]
