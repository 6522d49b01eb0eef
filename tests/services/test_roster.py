"""干部名单: import from the office's spreadsheet, and add/edit/remove by hand."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from mingjing.domain.enums import Role
from mingjing.domain.errors import DomainError
from mingjing.domain.models import AuditEntry, Member
from mingjing.services.campaigns import campaign_data
from mingjing.services.demo import create_demo
from mingjing.services.roster import (
    add_member,
    import_roster,
    list_members,
    preview_roster,
    remove_member,
    restore_member,
    update_member,
)
from mingjing.services.sheets import ImportRefused
from mingjing.services.summary import current_campaign
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused

HEADER = ["序号", "姓名", "性别", "职务", "所在部门", "是否班子成员", "备注"]


@pytest.fixture
def demo(db: Database) -> Database:
    create_demo(db, today=dt.date(2025, 11, 20))
    return db


def roster_file(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["岚川县农业农村局干部名单（2025年11月）"])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    sheet.append([])
    sheet.append(["制表人：杨慧琳"])
    book.save(path)
    return path


def members(db: Database) -> list[Member]:
    with db.read() as s:
        return list(
            s.scalars(select(Member).where(Member.deleted_at.is_(None)).order_by(Member.sort_order))
        )


def audit_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


MIXED = [
    [1, "王　芳", "女", "科员", "办公室", "否", "借调"],  # padded two-character name
    [2, "刘志堃", "男", "党组书记、局长", "局领导", "是", ""],  # already in the roster
    [3, "王芳", "女", "科员", "办公室", "", ""],  # same as row 4
    [4, None, None, "科员", "财务股", None, None],  # no name
    [5, "赵六", "男", "副局长", "局领导", "大概", ""],  # unreadable flag
    [6, "陈喆", "男", "科员", "办公室", "", ""],  # a namesake in another post
    [7, "钱七", "男", "副局长", "局领导", "√", ""],
    [8, "孙珺", "女", "副局长（正科级）", "局领导", "是", ""],  # same 部门: same person
    [9, None, None, None, None, None, "空行只有备注"],
    [None, "合计：3人", None, None, None, None, None],  # a footer in the 姓名 column
]
MIXED_ISSUES = 5


def test_preview_reports_rows_issues_and_notes_and_writes_nothing(
    demo: Database, tmp_path: Path
) -> None:
    before = audit_count(demo)
    path = roster_file(tmp_path / "名单.xlsx", MIXED)
    preview = preview_roster(demo, path)
    assert audit_count(demo) == before and len(members(demo)) == 12
    assert preview.unit_name == "岚川县农业农村局"
    assert preview.ignored_columns == ["序号", "性别", "备注"]
    assert [(r.row, r.name, r.is_leader) for r in preview.rows] == [
        (4, "王芳", False),
        (9, "陈喆", False),
        (10, "钱七", True),
    ]
    issues = {i.row: (i.label, i.reason) for i in preview.issues}
    assert set(issues) == {5, 6, 7, 8, 11}  # the 制表人 line is under 序号: not read
    assert "名单中已有刘志堃" in issues[5][1]
    assert issues[6] == ("王芳", "与第 4 行重复，只导入一次")
    assert issues[7] == ("（财务股，科员）", "姓名为空")
    assert "“大概”" in issues[8][1]
    assert "孙珺" in issues[11][1] and "部门相同" in issues[11][1]
    assert str(preview.issues[0]).startswith("第 5 行 刘志堃：")
    namesake, footer = preview.notes
    assert namesake.row == 9 and "农田建设管理股股长" in namesake.reason
    assert str(footer) == "第 13 行：是合计行（合计：3人），已跳过"
    assert preview.skipped == MIXED_ISSUES


def test_import_writes_the_readable_rows_after_the_existing_roster(
    demo: Database, tmp_path: Path
) -> None:
    before = members(demo)
    result = import_roster(demo, roster_file(tmp_path / "名单.xlsx", MIXED))
    assert (result.added, result.skipped) == (3, MIXED_ISSUES)
    after = members(demo)
    new = after[len(before) :]
    assert [m.name for m in new] == ["王芳", "陈喆", "钱七"]
    assert [str(m.id) for m in new] == result.member_ids
    assert [m.sort_order for m in new] == [12, 13, 14]
    assert {m.unit_id for m in new} == {before[0].unit_id}
    assert (new[2].is_leader, new[2].role) == (True, Role.LEADER)
    assert (new[0].is_leader, new[0].role) == (False, Role.STAFF)
    assert (new[0].position, new[0].department) == ("科员", "办公室")
    # Importing the same file again adds no one.
    again = import_roster(demo, roster_file(tmp_path / "名单.xlsx", MIXED))
    assert again.added == 0 and len(members(demo)) == 15
    assert any("名单中已有王芳" in i.reason for i in again.issues)


def test_strict_refuses_the_whole_file_and_changes_nothing(demo: Database, tmp_path: Path) -> None:
    before = audit_count(demo)
    with pytest.raises(ImportRefused) as info:
        import_roster(demo, roster_file(tmp_path / "名单.xlsx", MIXED), strict=True)
    assert isinstance(info.value, InputRefused)
    message = str(info.value)
    assert "5 处需要改正" in message and "整个文件都没有导入" in message
    assert "第 6 行 王芳：与第 4 行重复" in message
    assert "第 7 行（财务股，科员）：姓名为空" in message
    assert len(info.value.issues) == MIXED_ISSUES
    assert len(members(demo)) == 12 and audit_count(demo) == before


def test_strict_imports_a_clean_file(demo: Database, tmp_path: Path) -> None:
    clean = [
        [1, "钱七", "男", "副局长", "局领导", "是", ""],
        [2, "周八", "", "科员", "办公室", "", ""],
    ]
    path = roster_file(tmp_path / "名单.xlsx", clean)
    result = import_roster(demo, path, strict=True)
    assert result.added == 2 and result.issues == []


def test_a_list_of_names_alone_matches_the_roster_by_name(demo: Database, tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_text("姓名\n陈喆\n孙　珺\n周八\n周八\n", encoding="utf-8")
    preview = preview_roster(demo, path)
    assert [r.name for r in preview.rows] == ["周八"]
    reasons = [i.reason for i in preview.issues]
    assert reasons[0].startswith("名单中已有陈喆（农田建设管理股，农田建设管理股股长），本行未填")
    assert reasons[1].startswith("名单中已有孙珺")
    assert reasons[2] == "与第 4 行重复，只导入一次"
    assert preview.notes == []


def test_leader_flag_as_offices_write_it(demo: Database, tmp_path: Path) -> None:
    marks = ["是", "√", "Y", "1", "班子成员", "否", "×", "N", "0", None]
    rows = [
        [i, f"测试{'甲乙丙丁戊己庚辛壬癸'[i]}", "", f"职务{i}", "", m, ""]
        for i, m in enumerate(marks)
    ]
    preview = preview_roster(demo, roster_file(tmp_path / "a.xlsx", rows))
    assert preview.issues == []
    assert [r.is_leader for r in preview.rows] == [True] * 5 + [False] * 5


def test_gbk_csv_from_excel(demo: Database, tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    text = "姓名,职位,处室,班子成员\r\n周八,科员,办公室,\r\n吴九,副局长,局领导,是\r\n"
    path.write_bytes(text.encode("gbk"))
    result = import_roster(demo, path)
    assert result.added == 2
    wu = next(m for m in members(demo) if m.name == "吴九")
    assert wu.is_leader and wu.department == "局领导"


def test_refused_files_and_an_empty_database(db: Database, tmp_path: Path) -> None:
    path = roster_file(tmp_path / "名单.xlsx", [[1, "周八", "", "", "", "", ""]])
    with pytest.raises(InputRefused, match="还没有专项行动"):
        import_roster(db, path)
    create_demo(db, today=dt.date(2025, 11, 20))
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(path.read_bytes()[:300])
    with pytest.raises(InputRefused, match=r"坏\.xlsx"):
        import_roster(db, broken)
    old = tmp_path / "名单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(InputRefused, match="旧版"):
        preview_roster(db, old)
    assert len(members(db)) == 12


def test_add_update_remove_restore_by_hand(demo: Database) -> None:
    new_id = add_member(demo, " 周　八 ", "科员", "办公室")
    view = next(m for m in list_members(demo) if m.id == new_id)
    assert (view.name, view.label, view.role, view.sort_order) == (
        "周八",
        "周八（科员）",
        "staff",
        12,
    )
    with pytest.raises(DomainError, match="名单中已有周八"):
        add_member(demo, "周八", "科员", "财务股")  # same name and post
    with pytest.raises(DomainError, match="名单中已有周八"):
        add_member(demo, "周八", "副股长", "办公室")  # same name and department
    namesake = add_member(demo, "周八", "会计", "财务股")
    with pytest.raises(DomainError, match="请填写姓名"):
        add_member(demo, "  ", "科员", "")
    with pytest.raises(DomainError, match="不像是姓名"):
        add_member(demo, "制表人：杨慧琳")

    update_member(demo, new_id, position="副股长", is_leader=True)
    view = next(m for m in list_members(demo) if m.id == new_id)
    assert (view.position, view.is_leader, view.role) == ("副股长", True, "leader")
    with pytest.raises(DomainError, match="名单中已有周八"):
        update_member(demo, namesake, department="办公室")
    assert next(m for m in list_members(demo) if m.id == namesake).department == "财务股"

    secretary = next(m for m in list_members(demo) if m.role == "secretary")
    update_member(demo, secretary.id, is_leader=True)
    assert next(m for m in list_members(demo) if m.id == secretary.id).role == "secretary"

    remove_member(demo, new_id)
    assert new_id not in {m.id for m in list_members(demo)}
    with demo.read() as s:
        campaign = current_campaign(s)
        assert campaign is not None
        exported = {m["id"] for m in campaign_data(s, campaign)["members"]}
        kept = s.get(Member, uuid.UUID(new_id))
        assert kept is not None and kept.deleted_at is not None  # the row stays
    assert new_id not in exported
    with pytest.raises(DomainError, match="找不到"):
        update_member(demo, new_id, position="x")

    other = add_member(demo, "周八", "副股长", "办公室")  # the post is free again
    with pytest.raises(DomainError, match="名单中已有周八"):
        restore_member(demo, new_id)
    remove_member(demo, other)
    restore_member(demo, new_id)
    assert new_id in {m.id for m in list_members(demo)}


def test_the_sheets_own_footnotes_are_noted_not_refused(demo: Database, tmp_path: Path) -> None:
    # 姓名 first: the footnotes are written in the 姓名 column.
    path = tmp_path / "名单.csv"
    path.write_text(
        "姓名,职务,部门\n"
        "周八,科员,办公室\n"
        "制表人：王芳,,\n"
        "填表人：李四,,\n"
        "审核人：赵　六,,\n"
        "联系电话：0571-88888888,,\n"
        "备注：借调人员不列入,,\n"
        "说明：班子成员按职务排序,,\n"
        "合计1人,,\n",
        encoding="utf-8",
    )
    preview = preview_roster(demo, path)
    assert [r.name for r in preview.rows] == ["周八"]
    assert preview.issues == [] and preview.skipped == 0
    assert [str(n) for n in preview.notes] == [
        "第 3 行：是表格的落款（制表人：王芳），已跳过",
        "第 4 行：是表格的落款（填表人：李四），已跳过",
        "第 5 行：是表格的落款（审核人：赵 六），已跳过",
        "第 6 行：是表格的落款（联系电话：0571-88888888），已跳过",
        "第 7 行：是表格下方的说明（备注：借调人员不列入），已跳过",
        "第 8 行：是表格下方的说明（说明：班子成员按职务排序），已跳过",
        "第 9 行：是合计行（合计1人），已跳过",
    ]
    assert import_roster(demo, path, strict=True).added == 1  # not counted against it


def test_a_footnote_in_the_first_cell_of_the_row(demo: Database, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        [1, "周八", "", "科员", "办公室", "", ""],
        ["制表人：王芳", None, None, "审核人：赵六", None, None, "2025年11月20日"],
        ["合计", "1人", None, None, None, None, None],
        [2, "吴九", "", "科员", "办公室", "", ""],  # a person below stays a person
    ]
    preview = preview_roster(demo, roster_file(tmp_path / "名单.xlsx", rows))
    assert [r.name for r in preview.rows] == ["周八", "吴九"]
    assert preview.issues == []
    assert [(n.row, n.reason) for n in preview.notes] == [
        (5, "是表格的落款（制表人：王芳），已跳过"),
        (6, "是合计行（合计），已跳过"),
    ]


def test_a_row_without_a_name_is_told_by_its_post_and_department(
    demo: Database, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [
        [1, None, "", "副股长", "", "", ""],
        [2, None, "", "", "财务股", "否", ""],
        [3, None, "", "", "", "是", ""],
    ]
    preview = preview_roster(demo, roster_file(tmp_path / "名单.xlsx", rows))
    assert [str(i) for i in preview.issues] == [
        "第 4 行（副股长）：姓名为空",
        "第 5 行（财务股）：姓名为空",
        "第 6 行：姓名为空",
    ]


def party_secretary(db: Database) -> list[str]:
    return [m.name for m in list_members(db) if m.is_party_secretary]


def test_one_party_secretary_by_hand(demo: Database) -> None:
    assert party_secretary(demo) == ["刘志堃"]
    sun = next(m.id for m in list_members(demo) if m.name == "孙珺")
    update_member(demo, sun, is_party_secretary=True)
    assert party_secretary(demo) == ["孙珺"]  # 刘志堃 no longer

    new_id = add_member(demo, "周八", "党组书记", "局领导", is_party_secretary=True)
    zhou = next(m for m in list_members(demo) if m.id == new_id)
    assert (zhou.is_party_secretary, zhou.is_leader, zhou.role) == (True, True, "leader")
    assert party_secretary(demo) == ["周八"]

    with pytest.raises(DomainError, match="党组书记是领导班子成员"):
        update_member(demo, new_id, is_leader=False, is_party_secretary=True)
    update_member(demo, new_id, is_leader=False)  # out of the team: no longer 党组书记
    assert party_secretary(demo) == []

    update_member(demo, sun, is_party_secretary=True)
    remove_member(demo, sun)
    update_member(demo, new_id, is_leader=True, is_party_secretary=True)
    restore_member(demo, sun)  # back in the roster, but not a second 党组书记
    assert party_secretary(demo) == ["周八"]
    update_member(demo, new_id, is_party_secretary=False)
    assert party_secretary(demo) == []
    assert next(m for m in list_members(demo) if m.id == new_id).is_leader


def test_party_secretary_column_on_import(demo: Database, tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_text(
        "姓名,职务,部门,是否班子成员,是否党组书记\n"
        "周八,党组书记、局长,局领导,,是\n"
        "吴九,党组副书记,局领导,是,√\n"
        "郑十,科员,办公室,,也许\n"
        "王芳,科员,办公室,,\n",
        encoding="utf-8",
    )
    preview = preview_roster(demo, path)
    assert [(r.name, r.is_leader, r.is_party_secretary) for r in preview.rows] == [
        ("周八", True, True),
        ("吴九", True, False),
        ("王芳", False, False),
    ]
    (issue,) = preview.issues
    assert str(issue) == "第 4 行 郑十：是否党组书记写的是“也许”，看不懂（请写“是”或“否”）"
    assert [n.reason for n in preview.notes] == [
        "名单中原来的党组书记是刘志堃，导入后改为周八",
        "第 2 行的周八已标为党组书记，党组书记只有一位，本行不记为党组书记",
    ]
    import_roster(demo, path)
    assert party_secretary(demo) == ["周八"]
