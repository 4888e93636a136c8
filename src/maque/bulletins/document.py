"""The bulletin as a Word document in the national official-document layout (GB/T 9704-2012).

The facts of the layout are in `docs/official-document-format.md`. Everything is built from the
bulletin's stored snapshot, so the document of an issued bulletin never changes.

Fonts are named in the East-Asian slot of every style and run (`w:rFonts w:eastAsia`), with the
language set to zh-CN, so Word, WPS and LibreOffice all pick Chinese forms. The GB2312 font names
that township offices install come first; the font table gives each its common alternative.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from maque.bulletins.wording import bulletin_language, bulletin_text

# Font names: (name written in the document, alternative in the font table).
FANGSONG = ("仿宋_GB2312", "仿宋")
HEITI = ("黑体", "SimHei")
KAITI = ("楷体_GB2312", "楷体")
XIAOBIAOSONG = ("方正小标宋简体", "宋体")
SONGTI = ("宋体", "SimSun")

RED = RGBColor(0xFF, 0x00, 0x00)
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
SMALL_SIZE = Pt(14)  # 四号: page numbers and the end block
LINE_PITCH = Pt(28.95)  # 22 lines in the 225 mm text block
LINE_PITCH_TWIPS = 579
# 28 characters of 16 pt need 448 pt, the 156 mm text block has 442.2 pt: body characters are
# condensed by 0.25 pt (in twentieths of a point), so 28 fit on a line. A character grid would do
# the same in Word but is laid out differently elsewhere; condensed runs look the same everywhere.
CONDENSE_TWENTIETHS = -5
CHAR = Pt(16)  # one character of body text, for indents


# The rPr children that come after w:spacing in the schema (Word rejects them out of order).
_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


# The pPr children that come after w:pBdr in the schema.
_AFTER_BORDERS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _fonts(element: Any, font: tuple[str, str]) -> None:
    """Name the font in all four slots of an rPr and set the East-Asian language to zh-CN."""
    name = font[0]
    fonts = element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        element.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.lower().endswith("theme"):
            del fonts.attrib[attribute]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    lang = element.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        element.append(lang)
    # Western text (digits) keeps Western line breaking, so numbers are never split across lines;
    # Chinese text is zh-CN, so punctuation takes its Chinese forms.
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _run(
    paragraph: Paragraph,
    text: str,
    font: tuple[str, str] = FANGSONG,
    size: Pt = BODY_SIZE,
    **style: Any,
) -> Any:
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.name = font[0]
    if style.get("bold"):
        run.font.bold = True
    if style.get("color") is not None:
        run.font.color.rgb = style["color"]
    rpr = run._element.get_or_add_rPr()
    _fonts(rpr, font)
    if size == BODY_SIZE:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
        rpr.insert_element_before(spacing, *_AFTER_SPACING)
    return run


def _paragraph(
    document: Any,
    text: str = "",
    *,
    font: tuple[str, str] = FANGSONG,
    size: Pt = BODY_SIZE,
    align: int | None = None,
    indent_first: bool = False,
    line: Pt = LINE_PITCH,
    **style: Any,
) -> Paragraph:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = style.pop("space_before", Pt(0))
    fmt.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if indent_first:
        fmt.first_line_indent = CHAR * 2
    if text:
        _run(paragraph, text, font, size, **style)
    return paragraph


def _border(
    paragraph: Paragraph, side: str, *, size_eighths: int, color: str = "000000", space: int = 1
) -> None:
    """A rule drawn as a paragraph border (spans the text block)."""
    properties = paragraph._p.get_or_add_pPr()
    borders = properties.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        properties.insert_element_before(borders, *_AFTER_BORDERS)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _page_number_field(paragraph: Paragraph) -> None:
    """`— N —` in 四号 宋体, N a PAGE field."""
    _run(paragraph, "— ", SONGTI, SMALL_SIZE)
    begin = _run(paragraph, "", SONGTI, SMALL_SIZE)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "begin")
    begin._element.append(char)
    instruction = _run(paragraph, "", SONGTI, SMALL_SIZE)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = " PAGE "
    instruction._element.append(text)
    separate = _run(paragraph, "", SONGTI, SMALL_SIZE)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "separate")
    separate._element.append(char)
    _run(paragraph, "1", SONGTI, SMALL_SIZE)
    end = _run(paragraph, "", SONGTI, SMALL_SIZE)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._element.append(char)
    _run(paragraph, " —", SONGTI, SMALL_SIZE)


def _set_page(section: Any) -> None:
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.bottom_margin = Mm(35)
    section.header_distance = Mm(15)
    # The top of the page number sits 7 mm below the text block (35 mm from the page edge); the
    # footer distance is measured to the bottom of its 14 pt line.
    section.footer_distance = Mm(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # The line pitch is recorded for editors; the layout itself comes from the exact line spacing
    # of every paragraph (225 mm / 28.95 pt = 22 lines). No snapping grid: grids split numbers.
    grid.attrib.pop(qn("w:type"), None)
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def _set_styles(document: Any) -> None:
    """Document defaults and the Normal style: 仿宋 三号, zh-CN, exact line pitch."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(run_defaults, FANGSONG)
    # The character grid is measured from the default size: 三号.
    for tag in ("w:sz", "w:szCs"):
        size = run_defaults.find(qn(tag))
        if size is None:
            size = OxmlElement(tag)
            run_defaults.append(size)
        size.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    normal = document.styles["Normal"]
    normal.font.name = FANGSONG[0]
    normal.font.size = BODY_SIZE
    _fonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_PITCH
    normal.paragraph_format.space_after = Pt(0)
    for style in document.styles:
        rpr = getattr(style.element, "rPr", None)
        if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
            _fonts(rpr, FANGSONG)


def _set_settings(document: Any) -> None:
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), "en-US")
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    document.settings.odd_and_even_pages_header_footer = True


def _set_font_table(document: Any) -> None:
    """Declare each font with its alternative and the GB2312 character set."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            break
    else:  # pragma: no cover - the default template has one
        return
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alternative in (FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI):
        font = etree.SubElement(root, f"{{{w}}}font")
        font.set(f"{{{w}}}name", name)
        alt = etree.SubElement(font, f"{{{w}}}altName")
        alt.set(f"{{{w}}}val", alternative)
        charset = etree.SubElement(font, f"{{{w}}}charset")
        charset.set(f"{{{w}}}val", "86")
        family = etree.SubElement(font, f"{{{w}}}family")
        family.set(f"{{{w}}}val", "modern" if name != SONGTI[0] else "auto")
        pitch = etree.SubElement(font, f"{{{w}}}pitch")
        pitch.set(f"{{{w}}}val", "fixed" if name != SONGTI[0] else "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _footers(section: Any) -> None:
    """Odd pages: number on the right, one character in; even pages: on the left."""
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        if side == "right":
            paragraph.paragraph_format.right_indent = SMALL_SIZE
        else:
            paragraph.paragraph_format.left_indent = SMALL_SIZE
        _page_number_field(paragraph)


def _width(text: str) -> float:
    """Width in characters: half-width digits and Latin letters take half a character."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def title_lines(title: str, per_line: float = 19.0) -> list[str]:
    """Split a long title in two, in a pyramid (the first line shorter), after the date if possible."""
    if _width(title) <= per_line:
        return [title]
    cut = title.find("日") + 1
    if 0 < cut and _width(title[:cut]) <= _width(title[cut:]) <= per_line:
        return [title[:cut], title[cut:]]
    half = len(title) // 2
    return [title[:half], title[half:]]


def _mark_size(text: str) -> Pt:
    # As large as the usual 48 pt allows while the mark fits the 156 mm text block on one line.
    return Pt(min(48.0, 440.0 / max(len(text), 1)))


def _heading(document: Any, text: str, level: int) -> Paragraph:
    font = {1: HEITI, 2: KAITI}.get(level, FANGSONG)
    heading = _paragraph(document, text, font=font, indent_first=True)
    heading.paragraph_format.keep_with_next = True  # never a heading alone at the foot of a page
    return heading


def _body(document: Any, text: str) -> Paragraph:
    return _paragraph(document, text, indent_first=True)


def _write_signature(document: Any, s: dict[str, Any]) -> None:
    # The signature never stands alone on a page: the last paragraph of the text comes with it.
    document.paragraphs[-1].paragraph_format.keep_with_next = True
    for _blank in range(2):
        _paragraph(document).paragraph_format.keep_with_next = True
    date_text = s["day_text"]
    # Half-width digits take half a character: the date's width in characters.
    date_width = sum(0.5 if ch.isdigit() else 1 for ch in date_text)
    authority = s["authority"]
    signature = _paragraph(document, authority, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature.paragraph_format.right_indent = Pt(
        16 * max(0.0, 4 + (date_width - len(authority)) / 2)
    )
    signature.paragraph_format.keep_with_next = True
    dated = _paragraph(document, date_text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    dated.paragraph_format.right_indent = CHAR * 4


def _write_end_block(document: Any, s: dict[str, Any]) -> None:
    """The 版记 on its own even page, its last line on the bottom of the text block, unnumbered."""
    section = document.add_section(WD_SECTION.EVEN_PAGE)
    _set_page(section)
    for footer in (section.footer, section.even_page_footer):
        # The new section inherits the body's footers: drop them and start empty ones.
        footer.is_linked_to_previous = True
        footer.is_linked_to_previous = False
    copy_to = _paragraph(
        document, _("Copy to: %(recipients)s") % {"recipients": s["copy_to"]}, size=SMALL_SIZE
    )
    copy_to.paragraph_format.left_indent = SMALL_SIZE
    copy_to.paragraph_format.right_indent = SMALL_SIZE
    copy_to.paragraph_format.first_line_indent = None
    _border(copy_to, "top", size_eighths=8, space=4)
    # Push the block down so its last line sits on the bottom of the text block (two lines and
    # the rules' spacing above it); a space is laid out alike everywhere, unlike section alignment.
    copy_to.paragraph_format.space_before = Mm(225) - LINE_PITCH * 2 - Pt(24)
    printed = _paragraph(document, size=SMALL_SIZE)
    fmt = printed.paragraph_format
    fmt.left_indent = SMALL_SIZE
    fmt.right_indent = SMALL_SIZE
    width = Mm(156) - SMALL_SIZE * 2
    fmt.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    _run(printed, s["printed_by"], FANGSONG, SMALL_SIZE)
    _run(printed, "\t" + _("Printed on %(day)s") % {"day": s["day_text"]}, FANGSONG, SMALL_SIZE)
    _border(printed, "top", size_eighths=4, space=4)
    _border(printed, "bottom", size_eighths=8, space=4)


def bulletin_docx(snapshot: dict[str, Any]) -> bytes:
    """The Word document of a bulletin, from its stored snapshot, with its fixed wording in the
    language the bulletin was issued in (whoever downloads it)."""
    with translation.override(bulletin_language(snapshot)):
        return official_docx(snapshot, bulletin_text(snapshot))


def official_docx(snapshot: dict[str, Any], blocks: Iterable[tuple[str, str]]) -> bytes:
    """A document in the official layout (GB/T 9704): the red mark of `snapshot["authority"]`,
    the number `code`, the `title`, the `addressee`, the `blocks` ("body" or "headingN", text),
    the signature (`authority`, `day_text`) and the end block (`copy_to`, `printed_by`).
    Bulletins and the petition office's notices are both written by it."""
    document = Document()
    section = document.sections[0]
    _set_page(section)
    _set_styles(document)
    _set_settings(document)
    _set_font_table(document)
    _footers(section)
    core = document.core_properties
    core.title = snapshot["title"]
    core.author = snapshot["authority"]
    core.language = "zh-CN"
    core.identifier = snapshot["code"]

    mark_text = snapshot["authority"]
    # The mark's top sits 35 mm below the top of the text block.
    _paragraph(
        document,
        mark_text,
        font=XIAOBIAOSONG,
        size=_mark_size(mark_text),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        color=RED,
        line=Pt(_mark_size(mark_text).pt * 1.25),
        space_before=Mm(35) - LINE_PITCH,
    )
    _paragraph(document)
    _paragraph(document)
    number = _paragraph(document, snapshot["code"], align=WD_ALIGN_PARAGRAPH.CENTER)
    # The red rule 4 mm below the document number, across the text block.
    _border(number, "bottom", size_eighths=12, color="FF0000", space=11)
    _paragraph(document)
    _paragraph(document)
    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(35))
    lines = title_lines(snapshot["title"])
    for position, line in enumerate(lines):
        run = _run(title, line, XIAOBIAOSONG, TITLE_SIZE)
        if position < len(lines) - 1:
            run.add_break()
    _paragraph(document)
    _paragraph(document, snapshot["addressee"])
    for kind, text in blocks:
        if kind == "body":
            _body(document, text)
        else:
            _heading(document, text, int(kind.removeprefix("heading")))
    _write_signature(document, snapshot)
    _write_end_block(document, snapshot)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
