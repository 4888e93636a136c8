"""The bulletin through the API, the print page and the Word document."""

from __future__ import annotations

import io
import pathlib
import shutil
import subprocess
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from maque.bulletins.models import Bulletin
from maque.bulletins.services import bulletin_issue
from tests import office
from tests.conftest import make_item

PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]


def overdue(world):  # noqa: ANN001, ANN201
    today = timezone.localdate()
    return make_item(world, found_on=today - timedelta(days=30), deadline=today - timedelta(days=4))


def test_it_issues_and_reads_through_the_api(world, client):
    overdue(world)
    client.force_login(world.user("inspector"))
    response = client.post("/api/v1/bulletins", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    bulletin = Bulletin.objects.get(pk=body["id"])
    assert body["code"] == bulletin.code and body["hash_matches"] is True
    assert body["snapshot"]["totals"]["overdue"] == 1
    listed = client.get("/api/v1/bulletins").json()
    assert listed["count"] == 1 and listed["bulletins"][0]["code"] == bulletin.code
    assert (
        client.get(f"/api/v1/bulletins/{bulletin.pk}").json()["content_hash"]
        == bulletin.content_hash
    )


def test_it_refuses_issuing_by_a_cadre_and_hides_bulletins_from_outsiders(world, client):
    client.force_login(world.user("cadre_gaige"))
    assert client.post("/api/v1/bulletins", {}, content_type="application/json").status_code == 403
    assert not Bulletin.objects.exists()
    bulletin = bulletin_issue(town=world.town)
    client.force_login(world.user("outsider"))
    assert client.get("/api/v1/bulletins").json()["count"] == 0
    assert client.get(f"/api/v1/bulletins/{bulletin.pk}").status_code == 404
    assert client.get(f"/api/v1/bulletins/{bulletin.pk}/docx").status_code == 404
    assert client.get(f"/bulletins/{bulletin.pk}/").status_code == 404


def test_it_shows_a_print_page(world, client):
    overdue(world)
    bulletin = bulletin_issue(town=world.town)
    client.force_login(world.user("cadre_shuangsheng"))
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert (
        bulletin.code in page
        and "整治不及时的问题" in page
        and "改革村" in page
        and "bulletins/bulletin.css" in page
    )
    # The official-document layout lives in the page's own stylesheet (no inline style: the content policy).
    import maque

    stylesheet = (
        pathlib.Path(maque.__file__).parent / "bulletins" / "static" / "bulletins" / "bulletin.css"
    )
    assert "FangSong_GB2312" in stylesheet.read_text(
        encoding="utf-8"
    ) and "@page { size: A4" in stylesheet.read_text(encoding="utf-8")


@pytest.fixture
def docx_bytes(world, client):  # noqa: ANN001, ANN201
    overdue(world)
    bulletin = bulletin_issue(town=world.town)
    client.force_login(world.user("principal"))
    response = client.get(f"/api/v1/bulletins/{bulletin.pk}/docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    return bulletin, response.content


def test_it_lays_out_the_word_document_as_an_official_document(docx_bytes):
    bulletin, content = docx_bytes
    document = Document(io.BytesIO(content))
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
        text_width = section.page_width - section.left_margin - section.right_margin
        text_height = section.page_height - section.top_margin - section.bottom_margin
        assert abs(text_width - Mm(156)) < Mm(0.5) and abs(text_height - Mm(225)) < Mm(0.5)
    texts = [p.text for p in document.paragraphs]
    assert bulletin.code in texts and bulletin.code.endswith("号") and "〔" in bulletin.code
    assert "一、整治不及时的问题" in texts and "二、整改不到位的问题" in texts
    assert any(t.startswith("抄送：") for t in texts)
    assert any(
        t.endswith(f"{bulletin.day.year}年{bulletin.day.month}月{bulletin.day.day}日印发")
        for t in texts
    )
    # Every run names an East-Asian font and the zh-CN language.
    body = document.element.body
    runs = body.findall(".//" + qn("w:r"))
    assert runs
    for run in runs:
        fonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        lang = run.find(qn("w:rPr") + "/" + qn("w:lang"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.xml
        assert lang is not None and lang.get(qn("w:eastAsia")) == "zh-CN"
    by_text = {p.text: p for p in document.paragraphs}
    mark = next(p for p in document.paragraphs if p.text == bulletin.snapshot["authority"])
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    title_runs = [
        r for p in document.paragraphs for r in p.runs if r.font.size and r.font.size.pt == 22
    ]
    assert title_runs and all(
        r._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体" for r in title_runs
    )
    heading = by_text["一、整治不及时的问题"].runs[0]
    assert (
        heading._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体" and heading.font.size.pt == 16
    )
    body_paragraph = by_text["二、整改不到位的问题"]
    assert body_paragraph.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    # The red rule under the number.
    number = by_text[bulletin.code]
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    # Page numbers: odd on the right, even on the left, `— PAGE —` in 四号 宋体.
    first = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((first.footer, 2), (first.even_page_footer, 0)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert "PAGE" in paragraph._p.xml
        assert {r.font.size.pt for r in paragraph.runs} == {14.0}
    # Word refuses properties out of schema order: check the order of every pPr and rPr.
    for element in document.element.iter(qn("w:pPr"), qn("w:rPr")):
        order = PPR_ORDER if element.tag == qn("w:pPr") else RPR_ORDER
        tags = [child.tag.split("}")[1] for child in element]
        positions = [order.index(tag) for tag in tags]
        assert positions == sorted(positions), tags
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert 'w:eastAsia="zh-CN"' in archive.read("word/settings.xml").decode()
        assert "仿宋_GB2312" in archive.read("word/fontTable.xml").decode()


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdfinfo", "pdffonts", "pdftotext")),
    reason="poppler-utils are not installed",
)
@office.needs("writer")
def test_it_converts_to_a_pdf_with_embedded_chinese_fonts(docx_bytes, tmp_path):
    _bulletin, content = docx_bytes
    source = tmp_path / "bulletin.docx"
    source.write_bytes(content)
    soffice, pdfinfo, pdffonts = office.soffice(), shutil.which("pdfinfo"), shutil.which("pdffonts")
    subprocess.run(  # noqa: S603 - fixed tools on a file the test wrote
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "bulletin.pdf"
    info = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True, text=True).stdout  # noqa: S603
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    # Body pages, then the end block on a page of its own (LibreOffice leaves out the blank page
    # it inserts to make that page even, so the count itself may be odd).
    assert pages >= 2
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    last = subprocess.run(  # noqa: S603
        [pdftotext, "-f", str(pages), "-l", str(pages), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "抄送" in last and "印发" in last and "整治不及时" not in last
    fonts = subprocess.run([pdffonts, str(pdf)], check=True, capture_output=True, text=True).stdout  # noqa: S603
    embedded = [line for line in fonts.splitlines()[2:] if line.split()[-5] == "yes"]
    assert embedded and any("CJK" in line or "Song" in line or "Fang" in line for line in embedded)


def test_it_numbers_headings_in_chinese():
    from maque.bulletins.document import title_lines
    from maque.bulletins.wording import chinese_numeral

    assert [chinese_numeral(n) for n in (1, 10, 12, 20, 40, 99, 100, 105, 110, 300, 999)] == [
        "一",
        "十",
        "十二",
        "二十",
        "四十",
        "九十九",
        "一百",
        "一百零五",
        "一百一十",
        "三百",
        "九百九十九",
    ]
    assert title_lines("关于2026年11月27日重点工作进展情况的通报") == [
        "关于2026年11月27日",
        "重点工作进展情况的通报",
    ]
    assert title_lines("关于重点工作的通报") == ["关于重点工作的通报"]


def test_it_renders_the_word_document_once_and_still_checks_who_asks(world, client, monkeypatch):
    overdue(world)
    bulletin = bulletin_issue(town=world.town)
    from maque.bulletins import api

    rendered = []
    real = api.bulletin_docx
    monkeypatch.setattr(api, "bulletin_docx", lambda snapshot: rendered.append(1) or real(snapshot))
    url = f"/api/v1/bulletins/{bulletin.pk}/docx"
    client.force_login(world.user("principal"))
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert rendered == [1]
    client.force_login(world.user("outsider"))
    assert client.get(url).status_code == 404
