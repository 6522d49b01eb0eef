"""The PDF read back: GB/T 9704 numbers measured on the page, text, fonts, rules."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pypdf
import pytest

from mingjing.fonts import FontRegistry, FontRole
from mingjing.reports.document import (
    Document,
    Heading,
    Para,
    Section,
    Signature,
    Subtitle,
    Table,
    Title,
)
from mingjing.reports.layout import rule_breaks
from mingjing.reports.pdf import LEADING, PITCH, render_pdf

from .conftest import MM, PrintedLine, postscript_name, printed_lines, turned_page_numbers

BODY = (
    "2025年10月县里部署高标准农田建设项目验收时，我以材料没备齐为由推迟到月底才去双河镇，"
    "3个标段中有1个至今没有验收，给群众造成了损失（农户反映强烈）。对群众反映的水渠维修问题"
    "回应不及时，拖了两周才派人查看；这是宗旨意识淡薄的表现！"
)


def one(*blocks: object, title: str = "测试材料") -> Document:
    return Document(title, (Section(title, tuple(blocks)),))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def statement(registry: FontRegistry) -> tuple[bytes, list[PrintedLine]]:
    doc = one(
        Title("个人对照检查材料"),
        Subtitle("农田建设管理股股长　陈喆"),
        Heading(1, "一、查摆的问题"),
        Heading(2, "（一）精神状态方面"),
        *[Para(BODY) for _ in range(12)],
        Heading(3, "1.工作热情减弱"),
        Para("完" * 28 * 3, indent=False),
        Signature("陈喆", dt.date(2025, 1, 5)),
    )
    rendered = render_pdf(doc, registry)
    assert rendered.missing == ()
    return rendered.data, printed_lines(rendered.data)


def body_lines(lines: list[PrintedLine]) -> list[PrintedLine]:
    return [line for line in lines if abs(line.size - 16) < 0.1]


def test_type_area_margins_and_grid(statement: tuple[bytes, list[PrintedLine]]) -> None:
    _, lines = statement
    body = body_lines(lines)
    # Left margin 28 mm: a line without indent starts there, an indented one two characters in.
    unindented = [line for line in body if not line.text.startswith(("一", "（", "农"))]
    lefts = sorted(round(line.x0 / MM, 1) for line in unindented)
    assert abs(lefts[0] - 28) <= 1
    first = next(line for line in body if line.text.startswith("2025"))
    assert abs(first.x0 - (28 * MM + 2 * PITCH)) <= 1 * MM
    # A full line ends flush with the 156 mm type area.
    full = [line for line in body if line.text.startswith("完") and len(line.text) == 28]
    assert full, "a line of 28 characters"
    for line in full:
        assert abs(line.x1 / MM - (28 + 156)) <= 1
        assert abs(line.x0 / MM - 28) <= 1
    # Line pitch: 225 mm / 22; the first line's box starts 37 mm from the top.
    page1 = [line for line in lines if line.page == 1 and line.size < 15]
    for a, b in itertools.pairwise(body):
        if a.page == b.page:  # one grid line apart, or two (the blank line before the signer)
            steps = (b.baseline - a.baseline) / LEADING
            assert steps == pytest.approx(round(steps), abs=0.02) and round(steps) in (1, 2)
    title = next(line for line in lines if line.text == "个人对照检查材料")
    box_top = (title.top + title.bottom) / 2 - LEADING / 2
    assert abs(box_top / MM - 37) <= 1
    assert title.size == pytest.approx(22)
    assert abs((title.x0 + title.x1) / 2 / MM - (28 + 78)) <= 1  # centred
    assert page1  # the page number


def test_twenty_two_lines_of_twenty_eight_characters(
    statement: tuple[bytes, list[PrintedLine]],
) -> None:
    _, lines = statement
    page2 = [line for line in body_lines(lines) if line.page == 2]
    assert len(page2) == 22
    cjk_only = [line for line in body_lines(lines) if all(ord(c) > 0x2E7F for c in line.text)]
    assert max(len(line.text) for line in cjk_only) == 28


def test_page_numbers(statement: tuple[bytes, list[PrintedLine]]) -> None:
    _, lines = statement
    numbers = [line for line in lines if line.text.startswith("—") and line.size < 15]
    pages = max(line.page for line in lines)
    assert [line.text.replace(" ", "") for line in numbers] == [
        f"—{n}—" for n in range(1, pages + 1)
    ]
    for line in numbers:
        assert line.size == pytest.approx(14)
        dash = line.chars[0]
        middle = (float(dash["top"]) + float(dash["bottom"])) / 2  # type: ignore[arg-type]
        bottom_of_type_area = (37 + 225) * MM
        assert abs((middle - bottom_of_type_area) / MM - 7) <= 1.5
        number = int(line.text.strip("— "))
        if number % 2:  # odd: right, one character in
            assert abs(line.x1 - ((28 + 156) * MM - 14)) <= 1 * MM
        else:
            assert abs(line.x0 - (28 * MM + 14)) <= 1 * MM


def test_headings_in_their_faces_and_signature(
    statement: tuple[bytes, list[PrintedLine]], registry: FontRegistry
) -> None:
    _, lines = statement

    def set_in(text: str, role: FontRole) -> bool:
        """The line's characters are in the role's face (reportlab adds -N for a .ttc)."""
        face = registry.primary(role)
        name = postscript_name(face.path, face.subfont_index)
        line = next(line for line in lines if line.text.startswith(text))
        return all(f.split("+", 1)[-1].startswith(name) for f in line.fonts)

    assert set_in("一、查摆", FontRole.HEI)
    assert set_in("（一）精神", FontRole.KAI)
    assert set_in("1.工作", FontRole.FANGSONG)
    assert not set_in("1.工作", FontRole.HEI)
    signer = next(line for line in lines if line.text == "陈喆")
    date = next(line for line in lines if line.text == "2025年1月5日")
    assert date.bottom - signer.bottom == pytest.approx(LEADING, abs=0.5)
    # The date is longer: two characters from the right; the signer starts two before it.
    assert abs(((28 + 156) * MM - 2 * PITCH) - date.x1) <= 1 * MM
    assert abs((date.x0 - signer.x0) - 2 * PITCH) <= 1 * MM


def test_text_copies_out_and_fonts_are_embedded(
    statement: tuple[bytes, list[PrintedLine]],
) -> None:
    data, _ = statement
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert BODY in text.replace(" ", "")
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "/ToUnicode" in font, font["/BaseFont"]
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
    assert reader.metadata is not None and reader.metadata.title == "测试材料"


def test_user_text_is_text(registry: FontRegistry) -> None:
    tricky = '<b>加粗</b> & <font size=80>大</font> <img src="x.png"/> <a href="http://x">链</a>'
    rendered = render_pdf(one(Para(tricky), Table(("内容",), ((tricky,),), (1,))), registry)
    text = "".join(line.text for line in printed_lines(rendered.data))
    assert text.count("<b>加粗</b>") == 2 and text.count('<img src="x.png"/>') == 2
    assert all(line.size < 23 for line in printed_lines(rendered.data))


def test_a_character_no_font_has_is_named_not_dropped(registry: FontRegistry) -> None:
    rare = next(
        ch
        for ch in ("\U0003134a", "\U00031350", "\U0002ebf0", "\U0002b81e")
        if registry.face_for(FontRole.FANGSONG, ch) is None
    )
    rendered = render_pdf(one(Para(f"姓名：张{rare}")), registry)
    assert rendered.missing == (rare,)
    text = "".join(line.text for line in printed_lines(rendered.data))
    assert "张〓" in text  # the mark Chinese typesetting uses, not a silent gap


def test_a_long_cell_runs_on_across_pages(registry: FontRegistry) -> None:
    note = "进展" * 2500
    rows = tuple(
        (str(n), "对群众反映的问题回应不及时", "建立限时回复制度", note if n == 2 else "已完成")
        for n in range(1, 4)
    )
    doc = Document(
        "台账",
        (
            Section(
                "台账",
                (Table(("序号", "问题", "措施", "整改进展"), rows, (2, 8, 8, 20)),),
                landscape=True,
            ),
        ),
    )
    rendered = render_pdf(doc, registry)
    lines = printed_lines(rendered.data)
    assert rendered.pages >= 3
    text = "".join(line.text for line in lines)
    assert text.count("进展") >= 2500  # nothing clipped (header 整改进展 repeats too)
    headers = [line for line in lines if line.text.startswith("序号")]
    assert len(headers) == rendered.pages  # the header on every page, once
    assert {line.page for line in headers} == set(range(1, rendered.pages + 1))


def test_a_table_across_the_page_is_a_turned_portrait_page(registry: FontRegistry) -> None:
    """GB/T 9704 §10.2: a landscape table keeps the portrait page's number, upright
    and where it always is; the table's head lies toward the left (the binding of
    an odd page, the cut edge of an even one)."""
    rows = tuple((str(n), "对群众反映的问题回应不及时" * 3, "建立限时回复制度") for n in range(60))
    doc = Document(
        "台账",
        (
            Section("说明", (Para("正文。"),)),
            Section("台账", (Table(("序号", "问题", "措施"), rows, (2, 16, 8)),), landscape=True),
        ),
    )
    rendered = render_pdf(doc, registry)
    reader = pypdf.PdfReader(io.BytesIO(rendered.data))
    assert reader.pages[0].rotation == 0
    turned = [n for n, page in enumerate(reader.pages, 1) if page.rotation == 270]
    assert len(turned) >= 2 and turned[0] == 2
    for n in turned:
        box = reader.pages[n - 1].mediabox
        assert float(box.width) > float(box.height)  # a landscape sheet, shown turned
    numbers = turned_page_numbers(rendered.data)
    assert set(numbers) == set(turned)
    # Where page 1 (portrait, odd) has its number, measured the same way.
    portrait = next(line for line in printed_lines(rendered.data) if line.text == "— 1 —")
    for n, (text, x, y) in numbers.items():
        assert text == f"— {n} —"
        assert abs(y - portrait.bottom) < 0.5, (n, y)
        if n % 2:  # odd: at the right, one character in from the type area's edge
            assert abs(x - portrait.x0) < 0.5, (n, x)
        else:
            assert abs(x - (28 * MM + 14)) < 0.5, (n, x)
    # The head of the table faces left on the paper: on the sheet it is at the top.
    lines = printed_lines(rendered.data)
    head = next(line for line in lines if line.page == 2 and line.text.startswith("序号"))
    first_row = next(line for line in lines if line.page == 2 and line.text.startswith("0"))
    assert head.baseline < first_row.baseline


def test_rules_hold_in_body_text(statement: tuple[bytes, list[PrintedLine]]) -> None:
    _, lines = statement
    assert rule_breaks([line.text for line in body_lines(lines)]) == []


def test_a_long_title_breaks_at_a_sense_boundary(registry: FontRegistry) -> None:
    title = "岚川县农业农村局关于专项行动整改落实情况的公示"
    rendered = render_pdf(one(Title(title), Para("正文。")), registry)
    lines = [line.text for line in printed_lines(rendered.data) if line.size > 20]
    # 发文机关 over 事由, not a full line over “公示” nor 专项／行动 cut in two.
    assert lines == ["岚川县农业农村局", "关于专项行动整改落实情况的公示"]
    three = "岚川县农业农村局" * 6
    rendered = render_pdf(one(Title(three), Para("正文。")), registry)
    lines = [line.text for line in printed_lines(rendered.data) if line.size > 20]
    assert "".join(lines) == three and len(lines) == 3
    assert max(map(len, lines)) - min(map(len, lines)) <= 2  # three even lines


def test_after_a_table_the_signature_goes_with_its_last_row(registry: FontRegistry) -> None:
    seen_alone_risk = 0
    for n, last in itertools.product(range(18, 44), (22, 40)):
        # Rows of one line, the last of three or five lines: however the table
        # ends, no header is repeated inside a page and no row is left a line.
        rows = tuple((str(k), "问题" * (6 if k < n else last), "措施" * 6) for k in range(1, n + 1))
        doc = one(
            Title("清单"),
            Table(("序号", "问题", "措施"), rows, (2, 10, 10)),
            Signature("岚川县农业农村局", dt.date(2025, 1, 5)),
        )
        lines = printed_lines(render_pdf(doc, registry).data)
        signer = next(line for line in lines if line.text == "岚川县农业农村局")
        rows_above = [
            line
            for line in lines
            if line.page == signer.page
            and line.baseline < signer.baseline
            and "问题问题" in line.text
        ]
        seen_alone_risk += signer.page > 1
        assert rows_above, n
        for page in {line.page for line in lines}:
            headers = [x for x in lines if x.page == page and x.text.startswith("序号")]
            assert len(headers) <= 1, (n, page)  # never a header repeated inside a page
    assert seen_alone_risk  # some of these tables did fill their page


def test_the_signature_never_stands_alone(registry: FontRegistry) -> None:
    """However the text falls, the 落款 has lines of the text above it on its page."""
    for n in range(14, 24):
        doc = one(Title("材料"), Para("完" * 28 * n), Signature("陈喆", dt.date(2025, 1, 5)))
        lines = printed_lines(render_pdf(doc, registry).data)
        signer = next(line for line in lines if line.text == "陈喆")
        above = [
            line
            for line in lines
            if line.page == signer.page and line.baseline < signer.baseline and "完" in line.text
        ]
        assert len(above) >= 2, n
