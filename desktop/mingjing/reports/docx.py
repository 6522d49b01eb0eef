"""A :class:`~mingjing.reports.document.Document` as a Word file, for hand editing.

The same blocks in the same GB/T 9704 styles as the PDF, set up the way unit
offices set up their own 公文 templates in Word: A4, margins 37/35/28/26 mm,
a document grid of 22 lines × 28 characters (line pitch 28.95 pt, character
pitch 15.79 pt on 3号), 仿宋 body, 小标宋 title, 黑体/楷体 headings, page
numbers “— 1 —” in 4号宋体 at the right on odd pages and the left on even ones.
A landscape section (the ledger) keeps them where they are on the paper
(§10.2): in a turned text box along its left edge, not in its footer.

Fonts are named, not embedded: Word on the user's computer sets the text in
its own 仿宋/黑体/楷体/方正小标宋简体 (or substitutes). Each material of a
package starts in a new section on an odd page; the contents is a TOC field
that shows the page numbers of the PDF until Word updates it.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.section import Section as DocxSection
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from mingjing.domain.text import cn_date
from mingjing.reports.document import (
    DRAFT_MARK,
    Block,
    Document,
    Heading,
    PageBreak,
    Para,
    Signature,
    Subtitle,
    Table,
    Title,
)
from mingjing.reports.layout import break_title

FANGSONG = "仿宋"
HEI = "黑体"
KAI = "楷体"
SONG = "宋体"
XIAOBIAOSONG = "方正小标宋简体"
LINE = Pt(28.95)
"""22 lines in 225 mm, as Word templates of 公文 set it."""
CHAR_SPACING = -5
"""Character spacing of body text in twentieths of a point (−0.25 pt): 28
characters of 三号 then fit the 156 mm line (28 × 15.75 pt ≤ 442.2 pt).

Not Word's character grid (docGrid linesAndChars): LibreOffice, and so WPS
users who open the file there, give a character larger than the grid cell two
cells, which set 14 characters a line."""
PITCH = 15.75
"""One character of body text, in points, for indents given in characters."""

ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _set_font(run_or_style: object, face: str, size: float, bold: bool = False) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = face
    font.size = Pt(size)
    font.bold = bold
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), face)


_AFTER_SPACING = {
    qn(f"w:{tag}")
    for tag in (
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
    )
}


def _character_spacing(rpr: Any, twentieths: int) -> None:
    """w:spacing in its place in the run properties (Word rejects it out of order)."""
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(twentieths))
    following = next((child for child in rpr if child.tag in _AFTER_SPACING), None)
    if following is None:
        rpr.append(spacing)
    else:
        following.addprevious(spacing)


def _no_autospace(ppr: Any) -> None:
    """No extra space between Chinese and Latin letters or digits (LibreOffice and
    WPS add it by default: “2026 年 8 月”); 公文 sets them close. First in the
    paragraph's properties (before snapToGrid, the spacing and the indents)."""
    for n, tag in enumerate(("w:autoSpaceDE", "w:autoSpaceDN")):
        off = OxmlElement(tag)
        off.set(qn("w:val"), "0")
        ppr.insert(n, off)


def _para(
    doc: DocxDocument,
    text: str,
    face: str,
    size: float = 16,
    *,
    align: str = "justify",
    first_chars: int = 0,
    right_chars: float = 0,
    outline: int | None = None,
) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = ALIGN[align]
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    ppr = p._p.get_or_add_pPr()
    _no_autospace(ppr)
    if first_chars:
        fmt.first_line_indent = Pt(first_chars * PITCH)
    if right_chars:
        fmt.right_indent = Pt(right_chars * PITCH)
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        ppr.append(level)
    lines = text.split("\n")
    for n, line in enumerate(lines):
        run = p.add_run(line)
        _set_font(run, face, size)
        if n < len(lines) - 1:
            run.add_break()
    return p


def _page_setup(section: DocxSection, landscape: bool) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(24)
    section.header_distance = Mm(15)
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    sect.append(grid)


def _field(
    paragraph: Paragraph, instruction: str, shown: str | None, face: str, size: float
) -> None:
    """A Word field (PAGE, TOC …) with ``shown`` as its current result; with
    ``shown`` None, one that shows nothing (a TC entry)."""
    parts = ("begin", "instr", "separate") if shown is not None else ("begin", "instr")
    for kind in parts:
        run = paragraph.add_run()
        _set_font(run, face, size)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = instruction
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    if shown is not None:
        result = paragraph.add_run(shown)
        _set_font(result, face, size)
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)


def _page_number(p: Paragraph) -> None:
    """“— N —” in 4号宋体, N a PAGE field."""
    lead = p.add_run("— ")
    _set_font(lead, SONG, 14)
    _field(p, "PAGE", "1", SONG, 14)
    tail = p.add_run(" —")
    _set_font(tail, SONG, 14)


def _page_numbers(section: DocxSection, numbered: bool, restart: bool) -> None:
    """“— N —” 4号宋体: odd pages right, even pages left, one character in."""
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        p = footer.paragraphs[0]
        for run in list(p.runs):
            run._r.getparent().remove(run._r)
        if not numbered:
            continue
        p.paragraph_format.alignment = align
        if side == "right":  # one character (4号, 14 pt) in from the edge
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        _page_number(p)
    if restart:
        number = OxmlElement("w:pgNumType")
        number.set(qn("w:start"), "1")
        section._sectPr.append(number)


_WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_EMU_PER_MM = 36000

# Where the number of a turned page goes, in the landscape page's own terms
# (GB/T 9704 §10.2: where it is on every other page, upright on the paper).
# The table's top lies along the paper's binding side, so the paper's bottom
# edge is the landscape page's left edge and the number reads top to bottom.
SIDE_NUMBER_COLUMN = (23.0, 8.0)
"""From the landscape page's left edge, and wide (mm): the band 7 mm below the
portrait type area (its baseline 26.5 mm above the paper's foot)."""
SIDE_NUMBER_LENGTH = 40.0
SIDE_NUMBER_ODD_END = 28 + 156 - 14 * 25.4 / 72
"""Odd pages: the number ends one character in from the type area's outer side
(mm from the landscape page's top = from the paper's left edge)."""
SIDE_NUMBER_EVEN_START = 28 + 14 * 25.4 / 72
"""Even pages: it starts one character in from the type area's left side."""


def _side_number_box(header: Any, odd: bool, shape_id: int) -> None:
    """A text box with “— PAGE —” turned a quarter clockwise, placed on the page."""
    left, width = SIDE_NUMBER_COLUMN
    top = SIDE_NUMBER_ODD_END - SIDE_NUMBER_LENGTH if odd else SIDE_NUMBER_EVEN_START
    x, y = round(left * _EMU_PER_MM), round(top * _EMU_PER_MM)
    cx, cy = round(width * _EMU_PER_MM), round(SIDE_NUMBER_LENGTH * _EMU_PER_MM)
    inner = Paragraph(OxmlElement("w:p"), header)
    inner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    inner.paragraph_format.line_spacing = 1.0
    inner.paragraph_format.first_line_indent = Pt(0)
    _page_number(inner)
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    inner._p.get_or_add_pPr().insert(0, snap)
    _no_autospace(inner._p.get_or_add_pPr())
    xml = f"""<mc:AlternateContent xmlns:mc="{_MC}" xmlns:wp="{_WP}" xmlns:a="{_A}"
        xmlns:wps="{_WPS}" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
      <mc:Choice Requires="wps"><w:drawing>
        <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0"
            relativeHeight="{251659264 + shape_id}" behindDoc="0" locked="1"
            layoutInCell="1" allowOverlap="1">
          <wp:simplePos x="0" y="0"/>
          <wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>
          <wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>
          <wp:extent cx="{cx}" cy="{cy}"/>
          <wp:effectExtent l="0" t="0" r="0" b="0"/>
          <wp:wrapNone/>
          <wp:docPr id="{shape_id}" name="页码 {shape_id}"/>
          <wp:cNvGraphicFramePr/>
          <a:graphic><a:graphicData uri="{_WPS}"><wps:wsp>
            <wps:cNvSpPr txBox="1"/>
            <wps:spPr>
              <a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>
              <a:prstGeom prst="rect"><a:avLst/></a:prstGeom>
              <a:noFill/><a:ln><a:noFill/></a:ln>
            </wps:spPr>
            <wps:txbx><w:txbxContent/></wps:txbx>
            <wps:bodyPr rot="0" vert="vert" wrap="square" lIns="0" tIns="0" rIns="0"
                bIns="0" anchor="ctr" anchorCtr="0"><a:noAutofit/></wps:bodyPr>
          </wps:wsp></a:graphicData></a:graphic>
        </wp:anchor>
      </w:drawing></mc:Choice>
    </mc:AlternateContent>"""
    box = parse_xml(xml)
    box.find(".//" + qn("w:txbxContent")).append(inner._p)
    holder = header.paragraphs[0].add_run()
    holder._r.append(box)


def _turned_page_numbers(section: DocxSection, shape_ids: Any) -> None:
    """A turned (landscape) section: no footer number; the number in a box at the side."""
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    section.header.is_linked_to_previous = False
    section.even_page_header.is_linked_to_previous = False
    footers: tuple[Any, ...] = (section.footer, section.even_page_footer)
    for part in footers:
        for run in list(part.paragraphs[0].runs):
            run._r.getparent().remove(run._r)
    headers: tuple[tuple[Any, bool], ...] = (
        (section.header, True),
        (section.even_page_header, False),
    )
    for part, odd in headers:
        _side_number_box(part, odd, next(shape_ids))


def _plain_headers(section: DocxSection) -> None:
    """Headers of their own, empty: not the side numbers of a turned section before."""
    for part in (section.header, section.even_page_header):
        part.is_linked_to_previous = False
        for run in list(part.paragraphs[0].runs):
            run._r.getparent().remove(run._r)


def _cell_paragraph(p: Paragraph, size: float) -> None:
    """Small type set solid in a cell: its own line height, not the page's
    28.95 pt line grid (a cell line would take a whole body line)."""
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(round(size * 1.4, 1))
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)
    ppr = p._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert(0, snap)
    _no_autospace(ppr)


def _table(doc: DocxDocument, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    width = 225 if block.landscape else 156
    total = sum(block.widths)
    widths = [Mm(width * w / total) for w in block.widths]
    # The grid too, not only each cell: LibreOffice and WPS size columns by the
    # grid, which python-docx writes as equal columns.
    table.autofit = False
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w.twips)))
    # Cell padding as in the PDF (3 pt a side), not Word's 5.4 pt: 序号 and a
    # whole date fit their columns.
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "60")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    table._tbl.tblPr.append(margins)
    header = table.rows[0]
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    trpr.append(repeat)  # the header row repeats on every page
    for cell, text, w in zip(header.cells, block.header, widths, strict=True):
        cell.width = w
        p = cell.paragraphs[0]
        _cell_paragraph(p, block.font_size)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run(text), HEI, block.font_size)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text, w in zip(cells, row, widths, strict=True):
            cell.width = w
            lines = text.split("\n")
            p = cell.paragraphs[0]
            _cell_paragraph(p, block.font_size)
            for n, line in enumerate(lines):
                run = p.add_run(line)
                _set_font(run, SONG, block.font_size)
                if n < len(lines) - 1:
                    run.add_break()


def _entry(paragraph: Paragraph, text: str, level: int) -> None:
    """A TC field: a contents entry that prints nothing where it stands."""
    quoted = text.replace('"', "'")
    _field(paragraph, f' TC "{quoted}" \\l {level} ', None, XIAOBIAOSONG, 22)


def _blocks(
    doc: DocxDocument,
    blocks: Sequence[Block],
    landscape: bool,
    outline: int | None = None,
    entry: str = "",
) -> None:
    """``outline``: the first title is an outline entry at that level (the
    contents and Word's navigation pane list it)."""
    for block in blocks:
        if isinstance(block, Title):
            title = _para(
                doc,
                _title_lines(block.text, landscape),
                XIAOBIAOSONG,
                22,
                align="center",
                outline=outline,
            )
            if outline is not None and entry:
                _entry(title, entry, outline + 1)
            outline = None
            _para(doc, "", FANGSONG)
        elif isinstance(block, Subtitle):
            _para(doc, block.text, KAI, align="center")
        elif isinstance(block, Heading):
            face = {1: HEI, 2: KAI, 3: FANGSONG}[block.level]
            _para(doc, block.text, face, first_chars=2)
        elif isinstance(block, Para):
            _para(
                doc, block.text, FANGSONG, align=block.align, first_chars=2 if block.indent else 0
            )
        elif isinstance(block, Signature):
            _signature(doc, block)
        elif isinstance(block, Table):
            _table(doc, Table(block.header, block.rows, block.widths, landscape, block.font_size))
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _title_lines(text: str, landscape: bool) -> str:
    """A two-line title broken where the PDF breaks it (Word would fill the
    first line and leave a stub such as 公示 under it)."""
    width = (225 if landscape else 156) / 25.4 * 72
    lines = break_title(text, width, lambda ch: 22.0 if ord(ch) > 0x2E7F else 11.0)
    return "\n".join(line.text for line in lines) if lines else text


def _signature(doc: DocxDocument, block: Signature) -> None:
    """As in the PDF: the date two characters right of the signer, or the date
    two from the right and the signer moved left to keep that step."""
    date = cn_date(block.date)

    def chars(text: str) -> float:
        return sum(1.0 if ord(c) > 0x2E7F else 0.5 for c in text)

    signer_right = 2.0
    date_right = signer_right + chars(block.signer) - 2 - chars(date)
    if date and date_right < 2:
        date_right = 2.0
        signer_right = date_right + chars(date) + 2 - chars(block.signer)
    # The 落款 never on a page of its own: the last paragraph, the blank line and
    # the signer keep with what follows (Word and WPS honour keep-with-next).
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _para(doc, "", FANGSONG).paragraph_format.keep_with_next = True
    signer = _para(doc, block.signer, FANGSONG, align="right", right_chars=signer_right)
    if date:
        signer.paragraph_format.keep_with_next = True
        _para(doc, date, FANGSONG, align="right", right_chars=date_right)


def render_docx(document: Document, pages: Sequence[int] = ()) -> bytes:
    """The document as .docx bytes; ``pages`` are the sections' first page
    numbers (from the PDF) shown in the contents until Word updates them."""
    doc = new_docx()
    normal = doc.styles["Normal"]
    _set_font(normal, FANGSONG, 16)
    _character_spacing(normal.element.get_or_add_rPr(), CHAR_SPACING)

    doc.settings.odd_and_even_pages_header_footer = True
    if document.contents:
        # Word (and WPS) offer to update the fields on opening, so the contents'
        # page numbers become Word's own instead of the PDF's shown until then.
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        doc.settings.element.append(update)
    props = doc.core_properties
    props.title = document.title
    props.author = document.author or "明镜"
    props.subject = document.subject
    props.keywords = "，".join(document.keywords)
    props.language = "zh-CN"
    first = doc.sections[0]
    body_started = False
    if document.cover:
        _page_setup(first, landscape=False)
        _page_numbers(first, numbered=False, restart=False)
        for _ in range(5):
            _para(doc, "", FANGSONG)
        for n, line in enumerate(document.cover):
            text = _title_lines(line, landscape=False) if n == 0 else line
            _para(doc, text, XIAOBIAOSONG if n == 0 else KAI, 22 if n == 0 else 16, align="center")
            if n == 1 and document.draft:
                _para(doc, DRAFT_MARK, KAI, 16, align="center")
            _para(doc, "", FANGSONG)
        body_started = True
    if document.contents:
        section = doc.add_section(WD_SECTION.ODD_PAGE) if body_started else first
        _page_setup(section, landscape=False)
        _page_numbers(section, numbered=True, restart=True)
        _para(doc, "目　　录", XIAOBIAOSONG, 22, align="center")
        _para(doc, "", FANGSONG)
        if document.draft:
            _para(doc, document.draft, FANGSONG)
            _para(doc, "", FANGSONG)
        p = _para(doc, "", FANGSONG, align="left")
        shown = "\n".join(
            f"{s.title}……{pages[n] if n < len(pages) else ''}"
            for n, s in enumerate(document.sections)
        )
        # \\f \\l: built from the TC entries each material's title carries, so
        # the contents names them as the PDF's does (个人对照检查材料（刘志堃）),
        # not by their printed titles (five 个人对照检查材料, a title's line breaks).
        _field(p, 'TOC \\f \\l "1-2" \\h \\z', shown, FANGSONG, 16)
        body_started = True
    shape_ids = itertools.count(1)
    turned_before = False
    for n, section_data in enumerate(document.sections):
        if body_started:
            start = (
                WD_SECTION.ODD_PAGE
                if (document.cover or document.contents)
                else WD_SECTION.NEW_PAGE
            )
            section = doc.add_section(start)
        else:
            section = first
        _page_setup(section, section_data.landscape)
        if not body_started or (n == 0 and document.cover and not document.contents):
            _page_numbers(section, numbered=True, restart=True)
        else:  # a new section copies the one before, with its restart at 1: drop it
            for restart in section._sectPr.findall(qn("w:pgNumType")):
                section._sectPr.remove(restart)
            if turned_before and not section_data.landscape:
                _page_numbers(section, numbered=True, restart=False)
                _plain_headers(section)
        if section_data.landscape:
            _turned_page_numbers(section, shape_ids)
        turned_before = section_data.landscape
        # Later sections keep the footers of the one before (linked, as Word
        # makes them): the page numbers run on through the package.
        _blocks(
            doc,
            section_data.blocks,
            section_data.landscape,
            outline=section_data.level,
            entry=section_data.title,
        )
        body_started = True
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
