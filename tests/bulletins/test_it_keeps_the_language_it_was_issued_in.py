"""A bulletin reads in the language it was issued in (Chinese by default), whoever reads it later:
the snapshot stores the wording, and the Word document and the print page render their fixed text
in the snapshot's language, so an issued bulletin never changes."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone, translation
from docx import Document

from maque.bulletins.services import bulletin_issue
from tests.conftest import make_item


def overdue(world):  # noqa: ANN001, ANN201
    today = timezone.localdate()
    return make_item(world, found_on=today - timedelta(days=30), deadline=today - timedelta(days=4))


def docx_texts(client, bulletin, language: str) -> list[str]:  # noqa: ANN001
    response = client.get(f"/api/v1/bulletins/{bulletin.pk}/docx", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return [paragraph.text for paragraph in Document(io.BytesIO(response.content)).paragraphs]


def test_it_writes_a_chinese_bulletin_even_for_a_reader_in_english(world, client):
    overdue(world)
    bulletin = bulletin_issue(town=world.town)
    s = bulletin.snapshot
    assert s["language"] == "zh-hans" and s["authority"] == "蒿坪镇督查考评组"
    assert (
        s["addressee"] == "各村（社区）、镇直各部门："
        and s["copy_to"] == "镇党委、镇人民政府主要领导，镇纪委。"
    )
    assert s["printed_by"] == "蒿坪镇党政办公室"
    day = bulletin.day
    assert s["day_text"] == f"{day.year}年{day.month}月{day.day}日"
    client.force_login(world.user("principal"))
    texts = docx_texts(client, bulletin, "en")
    assert (
        "一、整治不及时的问题" in texts
        and "（一）改革村（1件）" in texts
        and "四、工作要求" in texts
    )
    assert "抄送：镇党委、镇人民政府主要领导，镇纪委。" in texts
    assert any(text.startswith("截至") and "全镇累计排查登记问题1件" in text for text in texts)
    assert not any("Late rectification" in text for text in texts)
    page = client.get(f"/bulletins/{bulletin.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The page around the bulletin speaks the reader's language, the bulletin its own.
    assert "Download as a Word document" in page
    assert (
        "一、整治不及时的问题" in page
        and "（一）改革村（1件）" in page
        and f"{s['day_text']}印发" in page
    )


def test_it_writes_an_english_bulletin_in_english_for_a_chinese_reader(world, client):
    overdue(world)
    with translation.override("en"):
        bulletin = bulletin_issue(town=world.town)
        correction = bulletin_issue(town=world.town, corrects=bulletin)
    s = bulletin.snapshot
    assert s["language"] == "en" and s["authority"] == "蒿坪镇 Inspection and Evaluation Group"
    assert s["addressee"] == "To the villages (communities) and the departments of the town:"
    assert bulletin.title.startswith("Bulletin on the progress of") and "年" not in bulletin.title
    assert correction.title == f"{bulletin.title} (correction)"
    client.force_login(world.user("principal"))
    texts = docx_texts(client, bulletin, "zh-hans")
    assert (
        "1. Late rectification" in texts
        and "(1) 改革村: 1 overdue" in texts
        and "4. Requirements" in texts
    )
    assert any(text.startswith("Copy to: The principal leaders") for text in texts)
    assert any(text.endswith(f"Printed on {s['day_text']}") for text in texts)
    assert not any("整治不及时" in text or "抄送" in text for text in texts)
