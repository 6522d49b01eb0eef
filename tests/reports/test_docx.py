"""The Word file: the same blocks as the PDF, in the 公文 set-up."""

from __future__ import annotations

import datetime as dt
import io

import docx
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
    footer = sections[2].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "个人对照检查材料（陈喆）……3" in "".join(texts)
