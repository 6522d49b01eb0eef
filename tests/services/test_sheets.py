"""Spreadsheets as offices save them: title rows, extra columns, GBK CSV, broken files."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from mingjing.services.sheets import (
    Column,
    RowIssue,
    cell_text,
    parse_date,
    read_sheet,
    yes_no,
)
from mingjing.storage.errors import InputRefused

COLUMNS = (
    Column("name", ("姓名", "名字"), required=True),
    Column("position", ("职务", "职位", "岗位")),
    Column("department", ("部门", "处室", "科室", "所在部门")),
)


def xlsx(path: Path, *sheets: tuple[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_header_below_a_title_extra_columns_blank_rows_and_trimming(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "名单.xlsx",
        (
            "Sheet1",
            [
                ["岚川县农业农村局干部名单"],
                [],
                ["序号", " 姓名 ", "性别", "职务*", "所在部门（股室）", "备注"],
                [1, "\u3000王芳\u3000", "女", " 科员", "办公室", "借调"],
                [None, None, None, None, None, None],
                [2, "李四", "男", 3.0, "计划财务股", None],
                [3, None, None, None, None, "只有备注的空行"],
                [4, "张三", None, None, None, None],
            ],
        ),
    )
    sheet = read_sheet(path, COLUMNS)
    assert sheet.header_row == 3
    assert sheet.on_first_sheet and sheet.where(4) == "第 4 行"
    assert sheet.columns == {"name": "姓名", "position": "职务*", "department": "所在部门（股室）"}
    assert sheet.ignored == ["序号", "性别", "备注"]
    assert [r.number for r in sheet.rows] == [4, 6, 8]
    assert sheet.rows[0].cells == {"name": "王芳", "position": "科员", "department": "办公室"}
    assert sheet.rows[1]["position"] == "3"
    assert sheet.rows[2]["department"] == ""


def test_synonyms_and_a_repeated_header(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "a.xlsx",
        (
            "名单",
            [
                ["名字", "岗位", "处室"],
                ["王芳", "科员", "办公室"],
                ["名字", "岗位", "处室"],  # printed list: header on every page
                ["李四", "股长", "财务股"],
            ],
        ),
    )
    sheet = read_sheet(path, COLUMNS)
    assert [(r.number, r["name"], r["department"]) for r in sheet.rows] == [
        (2, "王芳", "办公室"),
        (4, "李四", "财务股"),
    ]


def test_the_first_sheet_with_a_header_is_used_and_named_in_row_references(
    tmp_path: Path,
) -> None:
    path = xlsx(
        tmp_path / "b.xlsx",
        ("说明", [["填表说明：请在“名单”表中填写"], ["每人一行"]]),
        ("名单", [["姓名", "职务"], ["王芳", "科员"], [], ["李四", "股长"]]),
        ("另一张", [["姓名"], ["不会被读到"]]),
    )
    sheet = read_sheet(path, COLUMNS)
    assert sheet.sheet_name == "名单" and not sheet.on_first_sheet
    assert [r["name"] for r in sheet.rows] == ["王芳", "李四"]
    assert sheet.issue(sheet.rows[1], "李四", "x").where == "“名单”工作表第 4 行"


def test_wrong_dimensions_written_by_other_programs_do_not_cut_rows(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "c.xlsx", ("Sheet", [["姓名"], ["甲"], ["乙"], ["丙"]]))
    broken = tmp_path / "dims.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data)
                assert n == 1
            dst.writestr(info, data)
    assert [r["name"] for r in read_sheet(broken, COLUMNS).rows] == ["甲", "乙", "丙"]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("gbk", b""), ("gb18030", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf")],
)
def test_csv_in_the_encodings_offices_save(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = (
        '干部名单,,\r\n姓名,职务,科室\r\n王芳,科员,办公室\r\n,,\r\n"李 四","股长,兼会计",财务股\r\n'
    )
    path = tmp_path / "名单.csv"
    path.write_bytes(prefix + text.encode(encoding))
    sheet = read_sheet(path, COLUMNS)
    assert sheet.header_row == 2 and sheet.sheet_name == ""
    assert [(r.number, r["name"], r["position"]) for r in sheet.rows] == [
        (3, "王芳", "科员"),
        (5, "李 四", "股长,兼会计"),
    ]


def test_unicode_text_from_excel_is_utf16_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "名单.txt"
    path.write_bytes("姓名\t职务\r\n王芳\t科员\r\n".encode("utf-16"))
    assert read_sheet(path, COLUMNS).rows[0].cells["position"] == "科员"


def _refusal(path: Path) -> str:
    with pytest.raises(InputRefused) as info:
        read_sheet(path, COLUMNS)
    return str(info.value)


def test_bad_files_are_refused_with_the_file_and_the_reason(tmp_path: Path) -> None:
    good = xlsx(tmp_path / "good.xlsx", ("S", [["姓名"], ["王芳"]]))
    cases: dict[str, tuple[bytes | None, str]] = {
        "不存在.xlsx": (None, "找不到文件"),
        "空的.xlsx": (b"", "文件是空的"),
        "空的.csv": (b"\r\n  \r\n", "文件是空的"),
        "旧版.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, ".xls"),
        "改名的旧版.xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "密码"),
        "其实是文本.xlsx": ("姓名,职务\n王芳,科员\n".encode(), "不是有效的 Excel 工作簿"),
        "损坏.xlsx": (good.read_bytes()[:400], "不是有效的 Excel 工作簿"),
        "文档.docx": (b"PK\x03\x04", "不是表格文件"),
        "无扩展名": (b"abc", "不是表格文件"),
        "二进制.csv": (b"\x00\x01\x02\x03" * 10, "不是文本格式"),
    }
    for name, (blob, words) in cases.items():
        path = tmp_path / name
        if blob is not None:
            path.write_bytes(blob)
        message = _refusal(path)
        assert name in message, message
        assert words in message, (name, message)
    assert "文件夹" in _refusal(tmp_path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "已损坏" in _refusal(path)


def test_no_recognisable_header_or_a_missing_required_column(tmp_path: Path) -> None:
    assert "找不到表头" in _refusal(
        xlsx(tmp_path / "a.xlsx", ("S", [["编号", "人员", "岗"], ["1", "王芳", "科员"]]))
    )
    message = _refusal(
        xlsx(tmp_path / "b.xlsx", ("S", [["标题"], ["序号", "职务", "部门"], ["1", "科员", "x"]]))
    )
    assert "第 2 行像是表头" in message and "“姓名”（或“名字”）" in message
    late = [["说明"]] * 10 + [["姓名"], ["王芳"]]
    assert "前 10 行中找不到表头" in _refusal(xlsx(tmp_path / "c.xlsx", ("S", late)))
    assert "没有内容" in _refusal(xlsx(tmp_path / "d.xlsx", ("S", [])))
    assert "第 2 行表头下面没有内容" in _refusal(
        xlsx(tmp_path / "e.xlsx", ("S", [["名单"], ["姓名", "职务"], [None, None]]))
    )


def test_cells_read_as_a_user_sees_them() -> None:
    assert cell_text(1.0) == "1"
    assert cell_text(2.5) == "2.5"
    assert cell_text(12) == "12"
    assert cell_text(None) == ""
    assert cell_text(True) == "TRUE"
    assert cell_text(dt.datetime(2026, 11, 3)) == "2026-11-03"
    assert cell_text(dt.datetime(2026, 11, 3, 14, 30)) == "2026-11-03 14:30"
    assert cell_text("\u3000 王芳\n") == "王芳"
    assert cell_text("第一段\n第二段") == "第一段\n第二段"


def test_dates_as_offices_write_them() -> None:
    day = dt.date(2026, 11, 3)
    for text in ["2026-11-03", "2026/11/3", "2026.11.3", "2026年11月3日", "2026年11月03日",
                 "20261103", "2026-11-03 00:00", "46329"]:  # fmt: skip
        assert parse_date(text) == day, text
    assert parse_date("") is None
    for bad in ["11月3日", "2026-13-01", "2026-02-30", "下周", "123"]:
        with pytest.raises(ValueError):  # noqa: PT011 - any ValueError is the contract
            parse_date(bad)


def test_a_month_and_day_take_the_year_given() -> None:
    for text in ["10月20日", "10月20号", "10月20", "10/20", "10-20", " 10 月 20 日 "]:
        assert parse_date(text, 2025) == dt.date(2025, 10, 20), text
    assert parse_date("2026年1月5日", 2025) == dt.date(2026, 1, 5)  # a year written wins
    for bad in ["2月30日", "13月1日", "下周", "10.20"]:
        with pytest.raises(ValueError):  # noqa: PT011 - any ValueError is the contract
            parse_date(bad, 2025)
    with pytest.raises(ValueError):  # noqa: PT011
        parse_date("10月20日")  # no year to take


def test_a_row_keeps_its_first_cell_read_or_not(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "a.xlsx",
        ("S", [["序号", "姓名"], [1, "王芳"], ["制表人：李四", None], [None, "合计 1 人"]]),
    )
    rows = read_sheet(path, COLUMNS).rows
    assert [(r.number, r.first) for r in rows] == [(2, "1"), (4, "合计 1 人")]  # row 3: blank


def test_row_issues_read_as_sentences() -> None:
    assert str(RowIssue(5, "第 5 行", "王芳", "姓名为空")) == "第 5 行 王芳：姓名为空"
    assert str(RowIssue(5, "第 5 行", "", "姓名为空")) == "第 5 行：姓名为空"
    assert str(RowIssue(5, "第 5 行", "（科员）", "姓名为空")) == "第 5 行（科员）：姓名为空"


def test_yes_and_no_as_offices_write_them() -> None:
    for text in ["是", "√", "Y", "y", "1", "班子成员", "TRUE", " 是 "]:
        assert yes_no(text) is True, text
    for text in ["否", "×", "N", "0", "", "FALSE", "不是"]:
        assert yes_no(text) is False, text
    for text in ["大概", "待定", "2"]:
        assert yes_no(text) is None, text
