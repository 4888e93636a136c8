import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from maque.exchange.models import ImportBatch
from maque.ledger.models import Item

from ..conftest import make_item
from .helpers import outflow_row, xlsx_file


def client_for(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    return client


def upload(client, path):
    return client.post(
        "/api/v1/ledger/imports", {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )


def test_it_previews_then_commits_an_upload(world, tmp_path):
    client = client_for(world, "cadre_gaige")
    response = upload(
        client, xlsx_file(tmp_path / "new.xlsx", [outflow_row(), outflow_row(事项="另一块")])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    assert body["status"] == "previewed" and body["problems"] == []
    assert Item.objects.count() == 0  # a preview changes nothing
    response = client.post(f"/api/v1/ledger/imports/{body['id']}/commit")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "committed"
    assert Item.objects.count() == 2
    assert sorted(response.json()["created_codes"]) == sorted(
        Item.objects.values_list("code", flat=True)
    )
    # Committing twice imports nothing more.
    assert client.post(f"/api/v1/ledger/imports/{body['id']}/commit").status_code == 409
    assert Item.objects.count() == 2


def test_it_reports_every_problem_and_commits_nothing(world, tmp_path):
    client = client_for(world, "cadre_gaige")
    rows = [
        outflow_row(),
        outflow_row(村="双胜村", 地块="SS-001"),
        outflow_row(整改时限="明年"),
        outflow_row(面积="abc", 现状用途="鱼塘"),
    ]
    response = upload(client, xlsx_file(tmp_path / "bad.xlsx", rows))
    body = response.json()
    assert body["status"] == "invalid"
    assert body["counts"]["invalid"] == 3 and body["counts"]["new"] == 1
    where = {(p["row"], p["column"]) for p in body["problems"]}
    assert (4, "村") in where  # 双胜村 is not the cadre's village
    assert (5, "整改时限") in where
    assert (6, "现状用途") in where
    response = client.post(f"/api/v1/ledger/imports/{body['id']}/commit")
    assert response.status_code == 422
    assert response.json()["code"] == "import_invalid" and response.json()["problems"]
    assert Item.objects.count() == 0
    # The error workbook: the uploaded rows, an error column, the bad cells highlighted.
    response = client.get(f"/api/v1/ledger/imports/{body['id']}/errors")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[0] == "错误汇总"
    sheet = book.worksheets[1]
    header = [c.value for c in sheet[2]]
    assert header[-1] == "错误说明"
    village_cell = sheet.cell(row=4, column=header.index("村") + 1)
    assert village_cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "改革村" not in (sheet.cell(row=4, column=len(header)).value or "")
    assert sheet.cell(row=4, column=len(header)).value


def test_it_keeps_batches_private_to_their_uploader(world, tmp_path):
    response = upload(
        client_for(world, "cadre_gaige"), xlsx_file(tmp_path / "a.xlsx", [outflow_row()])
    )
    batch_id = response.json()["id"]
    other = client_for(world, "principal")
    assert other.get(f"/api/v1/ledger/imports/{batch_id}").status_code == 404
    assert other.post(f"/api/v1/ledger/imports/{batch_id}/commit").status_code == 404
    assert ImportBatch.objects.get().status == "previewed" and Item.objects.count() == 0
    assert Client().get(f"/api/v1/ledger/imports/{batch_id}").status_code == 401


def test_it_refuses_uploads_that_are_not_spreadsheets(world, tmp_path):
    client = client_for(world, "cadre_gaige")
    response = client.post(
        "/api/v1/ledger/imports", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 422
    assert ImportBatch.objects.count() == 0
    response = client.post(
        "/api/v1/ledger/imports", {"file": SimpleUploadedFile("x.xlsx", b"hello, not a zip")}
    )
    assert response.status_code == 201 and response.json()["status"] == "invalid"
    assert (
        response.json()["problems"][0]["message"]
        == "x.xlsx 不是表格文件：内容不是 Excel 或 WPS 工作簿。"
    )
    assert Item.objects.count() == 0


def test_it_downloads_templates_and_exports(world):
    make_item(world)
    client = client_for(world, "principal")
    response = client.get("/api/v1/ledger/template/farmland-outflow")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["耕地流出整治及撂荒地治理"]
    assert sheet.freeze_panes == "C3" and sheet.page_setup.orientation == "landscape"
    assert "A1" in str(sheet.merged_cells)
    assert book["选项"].sheet_state == "hidden"
    assert any("选项" in (v.formula1 or "") for v in sheet.data_validations.dataValidation)
    assert client.get("/api/v1/ledger/template/nope").status_code == 404
    response = client.get(
        "/api/v1/ledger/export", {"format": "csv", "category": "farmland-outflow"}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "耕地流出整治及撂荒地治理台账" in text.splitlines()[0]
    assert len(text.strip().splitlines()) == 3
    assert (
        client.get("/api/v1/ledger/export", {"format": "csv"}).status_code == 200
    )  # one category in the ledger
    response = client_for(world, "cadre_shuangsheng").get(
        "/api/v1/ledger/export", {"format": "csv", "category": "farmland-outflow"}
    )
    assert response.status_code == 422  # nothing visible: no category to write
