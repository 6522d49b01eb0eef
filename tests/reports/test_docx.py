"""The Word file: the same blocks as the PDF, in the 公文 set-up."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from mingjing.reports.document import (
    Document,
    Heading,
    Para,
    Section,
    Signature,
    Table,
    Title,
)
from mingjing.reports.docx import render_docx


def test_same_headings_styles_and_page_set_up() -> None:
    document = Document(
        "汇编",
        (
            Section(
                "个人对照检查材料（陈喆）",
                (
                    Title("个人对照检查材料"),
                    Heading(1, "一、查摆的问题"),
                    Heading(2, "（一）精神状态方面"),
                    Para("2025年10月推迟验收。<b>不是标记</b> & 字"),
                    Signature("陈喆", dt.date(2025, 1, 5)),
                ),
            ),
            Section(
                "整改台账",
                (Title("整改台账"), Table(("序号", "问题"), (("1", "拖延"),), (1, 4))),
                landscape=True,
            ),
        ),
        cover=("专题民主生活会", "会议材料汇编"),
        contents=True,
    )
    data = render_docx(document, pages=[3, 7])
    word = docx.Document(io.BytesIO(data))
    texts = [p.text for p in word.paragraphs]
    for expected in (
        "个人对照检查材料",
        "一、查摆的问题",
        "（一）精神状态方面",
        "2025年10月推迟验收。<b>不是标记</b> & 字",
        "陈喆",
        "2025年1月5日",
        "整改台账",
        "目　　录",
    ):
        assert expected in texts, expected
    heading = next(p for p in word.paragraphs if p.text == "一、查摆的问题")
    fonts = heading.runs[0]._r.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "黑体"
    body = next(p for p in word.paragraphs if p.text.startswith("2025年10月"))
    assert body.runs[0].font.size.pt == 16
    assert body.paragraph_format.line_spacing.pt == 28.95
    # Sections: the cover, the contents, then each material on an odd page.
    sections = word.sections
    assert len(sections) == 4
    assert round(sections[1].top_margin.mm) == 37 and round(sections[1].left_margin.mm) == 28
    assert sections[3].page_width > sections[3].page_height  # the ledger turned
    grid = sections[2]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    table = word.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "问题"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # No Word autospace between Chinese and digits in cells either (“2026 年”).
    cell = table.rows[1].cells[1].paragraphs[0]._p.pPr
    assert cell.find(qn("w:autoSpaceDN")).get(qn("w:val")) == "0"
    assert cell.find(qn("w:autoSpaceDE")).get(qn("w:val")) == "0"
    # Numbered from 1 at the contents, then on through every material.
    assert sections[1]._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    assert all(x._sectPr.find(qn("w:pgNumType")) is None for x in sections[2:])
    # The contents is a field Word and WPS rebuild from the materials' TC entries,
    # named as in the PDF's contents, and they offer to rebuild it on opening.
    xml = word.element.body.xml
    assert 'TOC \\f \\l "1-2" \\h \\z' in xml
    assert 'TC "个人对照检查材料（陈喆）" \\l 1' in xml
    assert word.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    footer = sections[2].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "个人对照检查材料（陈喆）……3" in "".join(texts)


def _convert(soffice: str, word: Path, out: Path) -> None:
    """LibreOffice converts ``word`` to PDF in ``out``. A bare Debian has no Chinese
    font for it: it is given the bundled ones, as an office PC has its own."""
    from mingjing.resources import resource_path

    conf = out / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{resource_path('fonts')}</dir></fontconfig>",
        encoding="utf-8",
    )
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(word)],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "HOME": str(out), "FONTCONFIG_FILE": str(conf)},
    )


@pytest.mark.slow
def test_libreoffice_opens_the_word_file(tmp_path: Path) -> None:
    """The Word file as an office suite reads it: LibreOffice converts it to PDF
    (where it is installed: Debian's libreoffice-writer-nogui) with the headings
    and the 公文 page set-up."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    document = Document(
        "个人对照检查材料",
        (
            Section(
                "个人对照检查材料（陈喆）",
                (
                    Title("个人对照检查材料"),
                    Heading(1, "一、查摆的问题"),
                    Heading(2, "（一）精神状态方面"),
                    *[Para("2025年10月推迟验收，拖了两周才派人查看。" * 6) for _ in range(8)],
                    Signature("陈喆", dt.date(2025, 1, 5)),
                ),
            ),
        ),
    )
    word = tmp_path / "材料.docx"
    word.write_bytes(render_docx(document))
    _convert(soffice, word, tmp_path)
    reader = pypdf.PdfReader(str(tmp_path / "材料.pdf"))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    for heading in ("个人对照检查材料", "一、查摆的问题", "（一）精神状态方面", "2025年1月5日"):
        assert heading in text
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297


def _turned_document() -> Document:
    """A statement, the ledger on turned pages, then a portrait material again."""
    rows = tuple(
        (str(n), "对群众反映的问题回应不及时，拖了两周才派人查看。" * 3) for n in range(1, 40)
    )
    return Document(
        "汇编",
        (
            Section("个人对照检查材料", (Title("个人对照检查材料"), Para("正文。" * 40))),
            Section(
                "整改台账",
                (Title("整改台账"), Table(("序号", "问题"), rows, (1, 8), landscape=True)),
                landscape=True,
            ),
            Section("交办单", (Title("交办单"), Para("正文。" * 40))),
        ),
    )


def _has_page_field(part: object) -> bool:
    return "PAGE" in part._element.xml  # type: ignore[attr-defined]


def test_turned_pages_carry_their_number_upright_on_the_paper() -> None:
    """GB/T 9704 §10.2: a landscape table's page number stays where it is on every
    other page — at the paper's foot, which on the turned page is its left edge —
    so it sits in a box there, turned, and the footer is empty."""
    word = docx.Document(io.BytesIO(render_docx(_turned_document())))
    statement, ledger, after = word.sections
    assert ledger.page_width > ledger.page_height
    assert not _has_page_field(ledger.footer) and not _has_page_field(ledger.even_page_footer)
    boxes = {}
    for name, header in (("odd", ledger.header), ("even", ledger.even_page_header)):
        xml = header._element
        (anchor,) = xml.findall(".//" + qn("wp:anchor"))
        body = anchor.find(
            ".//{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}bodyPr"
        )
        assert body.get("vert") == "vert"  # turned a quarter clockwise: upright on the paper
        assert _has_page_field(header)
        offsets = [int(o.text) / 36000 for o in anchor.iter(qn("wp:posOffset"))]
        extent = anchor.find(qn("wp:extent"))
        boxes[name] = (*offsets, int(extent.get("cy")) / 36000)
    # The paper's foot, 7 mm below the type area: 23–31 mm from the turned page's left.
    assert all(23 <= x <= 24 for x, *_ in boxes.values())
    _, odd_y, odd_len = boxes["odd"]
    _, even_y, _ = boxes["even"]
    # One 4号 character in from the type area's sides (28 + 156 mm across the paper).
    assert odd_y + odd_len == pytest.approx(184 - 4.94, abs=0.1)
    assert even_y == pytest.approx(28 + 4.94, abs=0.1)
    # The portrait material after it has its footer numbers back and no side box.
    assert _has_page_field(after.footer) and _has_page_field(after.even_page_footer)
    assert not after.header._element.findall(".//" + qn("wp:anchor"))
    assert not statement.header._element.findall(".//" + qn("wp:anchor"))


@pytest.mark.slow
def test_libreoffice_sets_turned_page_numbers_at_the_paper_foot(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    import pdfplumber

    word = tmp_path / "汇编.docx"
    word.write_bytes(render_docx(_turned_document()))
    _convert(soffice, word, tmp_path)
    mm = 25.4 / 72
    with pdfplumber.open(tmp_path / "汇编.pdf") as pdf:
        turned = [p for p in pdf.pages if p.width > p.height]
        assert len(turned) >= 2
        for page in turned:
            dashes = [c for c in page.chars if c["text"] == "—" and not c["upright"]]
            assert len(dashes) == 2, page.page_number
            assert all(20 <= c["x0"] * mm <= 32 for c in dashes)  # along the left edge
            top = min(c["top"] for c in dashes) * mm
            # Odd pages toward the foot of the turned page, even ones toward its head.
            assert (top > 120) == (page.page_number % 2 == 1), (page.page_number, top)
        after = pdf.pages[-1]
        assert after.width < after.height
        assert [c for c in after.chars if c["text"] == "—" and c["top"] * mm > 260]
