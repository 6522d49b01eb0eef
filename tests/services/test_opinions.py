"""征求意见: anonymous entry, merging (N 条梳理为 M 条), turning into problems, bulk import."""

from __future__ import annotations

import datetime as dt
import inspect
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from mingjing.config import DataLocation
from mingjing.domain.enums import Source
from mingjing.domain.errors import DomainError
from mingjing.domain.models import AuditEntry, Member, Opinion, Problem
from mingjing.services.demo import create_demo
from mingjing.services.opinions import (
    OpinionView,
    add_opinion,
    convert_to_problem,
    delete_opinion,
    import_opinions,
    list_opinions,
    merge_opinions,
    opinion_counts,
    preview_opinions,
    unmerge,
    update_opinion,
)
from mingjing.services.sheets import ImportRefused
from mingjing.services.summary import current_campaign
from mingjing.storage import Database
from mingjing.storage.errors import InputRefused


@pytest.fixture
def demo(db: Database) -> Database:
    create_demo(db, today=dt.date(2025, 11, 20))
    return db


def campaign_id(db: Database) -> str:
    with db.read() as s:
        campaign = current_campaign(s)
        assert campaign is not None
        return str(campaign.id)


def member_id(db: Database, name: str) -> str:
    with db.read() as s:
        return str(s.scalars(select(Member.id).where(Member.name == name)).one())


def view(db: Database, opinion_id: str) -> OpinionView:
    return next(v for v in list_opinions(db, campaign_id(db)) if v.id == opinion_id)


def problem(db: Database, problem_id: str) -> Problem:
    with db.read() as s:
        row = s.get(Problem, uuid.UUID(problem_id))
        assert row is not None
        _ = row.area  # loaded while the session is open
        return row


def audit_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


# ---------------------------------------------------------------- by hand


def test_there_is_no_way_to_record_who_gave_an_opinion() -> None:
    giver_words = {"author", "giver", "by", "source", "contact", "name", "phone", "raised_by"}
    for function in (add_opinion, update_opinion, import_opinions, preview_opinions):
        assert not giver_words & set(inspect.signature(function).parameters), function
    assert not giver_words & set(OpinionView.__dataclass_fields__)
    assert not giver_words & {c.name for c in Opinion.__table__.columns}


def test_when_an_opinion_was_typed_is_kept_to_the_day_and_order_says_nothing(
    demo: Database,
) -> None:
    cid = campaign_id(demo)
    later_typed = add_opinion(demo, cid, "forum", "二：办事窗口中午没人。")
    first_typed = add_opinion(demo, cid, "forum", "一：公示栏信息过期。")
    update_opinion(demo, later_typed, text="二：办事窗口午间无人值守。")
    with demo.read() as s:
        rows = [s.get(Opinion, uuid.UUID(i)) for i in (later_typed, first_typed)]
        for row in rows:
            assert row is not None
            for moment in (row.created_at, row.updated_at):
                assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (0,) * 4
        entries = s.scalars(select(AuditEntry).where(AuditEntry.entity == "opinion")).all()
        assert entries and all(e.at.hour == e.at.minute == e.at.second == 0 for e in entries)
    # Listed by what they say, not by when they were typed.
    texts = [o.text for o in list_opinions(demo, cid) if o.text[:1] in "一二"]
    assert texts == ["一：公示栏信息过期。", "二：办事窗口午间无人值守。"]
    from mingjing.services.maintenance import check_database

    assert check_database(demo).ok  # the chain still verifies


def test_add_list_update_delete(demo: Database) -> None:
    cid = campaign_id(demo)
    chen = member_id(demo, "陈喆")
    first = add_opinion(
        demo, cid, "forum", "  下乡调研只到镇上，没进过村。 ", chen, area_key="people",
        received_on=dt.date(2025, 10, 9),
    )  # fmt: skip
    team_one = add_opinion(demo, cid, "意见箱", "班子开会太多。", team=True)
    general = add_opinion(demo, cid, "talk", "食堂饭菜可以改进。")
    v = view(demo, first)
    assert (v.text, v.channel, v.channel_label) == (
        "下乡调研只到镇上，没进过村。",
        "forum",
        "座谈会",
    )
    assert (v.target_kind, v.target_member_id, v.target_label) == (
        "member",
        chen,
        "陈喆（农田建设管理股股长）",
    )
    assert (v.area_key, v.area_title, v.received_on) == (
        "people",
        "群众观念不牢",
        dt.date(2025, 10, 9),
    )
    assert (v.count, v.is_merged, v.problem_id) == (1, False, None)
    t = view(demo, team_one)
    assert (t.target_kind, t.target_label, t.channel, t.area_title) == (
        "team",
        "县农业农村局领导班子",
        "mailbox",
        "未归类",
    )
    assert view(demo, general).target_kind == "none"

    with pytest.raises(DomainError, match="不能同时"):
        add_opinion(demo, cid, "forum", "x", chen, team=True)
    with pytest.raises(DomainError, match="不能为空"):
        add_opinion(demo, cid, "forum", " \u3000")
    with pytest.raises(DomainError, match="渠道“网上”"):
        add_opinion(demo, cid, "网上", "x")
    with pytest.raises(DomainError, match="没有“nowhere”这个方面"):
        add_opinion(demo, cid, "forum", "x", area_key="nowhere")
    with pytest.raises(DomainError, match="找不到"):
        add_opinion(demo, cid, "forum", "x", str(uuid.uuid4()))

    update_opinion(demo, first, text="改过的意见", channel="survey", area_key=None)
    v = view(demo, first)
    assert (v.text, v.channel, v.area_key, v.target_member_id) == (
        "改过的意见",
        "survey",
        None,
        chen,
    )
    update_opinion(demo, first, team=True)
    assert view(demo, first).target_kind == "team"
    update_opinion(demo, first, target_member_id=None)
    assert view(demo, first).target_kind == "none"

    before = opinion_counts(demo, cid).raw
    delete_opinion(demo, general)
    assert general not in {o.id for o in list_opinions(demo, cid)}
    assert opinion_counts(demo, cid).raw == before - 1
    with demo.read() as s:
        assert s.get(Opinion, uuid.UUID(general)) is not None  # soft: the row stays
    with pytest.raises(DomainError, match="已被删除"):
        update_opinion(demo, general, text="x")


def test_merge_counts_unmerge_and_delete_the_kept_one(demo: Database) -> None:
    cid = campaign_id(demo)
    base = opinion_counts(demo, cid)
    luo = member_id(demo, "罗文斌")
    a = add_opinion(demo, cid, "forum", "报账慢", luo, area_key="discipline")
    b = add_opinion(demo, cid, "survey", "报销要跑好几趟", luo)
    c = add_opinion(demo, cid, "mailbox", "拨款拖", luo)
    d = add_opinion(demo, cid, "talk", "付款慢，一拖再拖", luo)
    other = add_opinion(demo, cid, "talk", "班子的事", team=True)
    counts = opinion_counts(demo, cid)
    assert (counts.raw - base.raw, counts.items - base.items) == (5, 5)

    merge_opinions(demo, c, [d])
    merge_opinions(demo, a, [b, c, a])  # c brings d along; a itself is ignored
    counts = opinion_counts(demo, cid)
    assert (counts.raw - base.raw, counts.items - base.items) == (5, 2)
    assert counts.text == f"征求意见 {counts.raw} 条，梳理为 {counts.items} 条"
    assert counts.by_channel["座谈会"] == base.by_channel["座谈会"] + 1
    assert counts.by_area["执行纪律不严"] == base.by_area["执行纪律不严"] + 1
    listed = list_opinions(demo, cid)
    at = [v.id for v in listed].index(a)
    assert listed[at].count == 4
    group = listed[at + 1 : at + 4]  # the merged ones follow the one they were merged into
    assert {v.id for v in group} == {b, c, d}
    assert all(v.merged_into_id == a and v.merged_count == 0 for v in group)

    with pytest.raises(DomainError, match="同一对象"):
        merge_opinions(demo, a, [other])
    with pytest.raises(DomainError, match="已并入另一条"):
        merge_opinions(demo, b, [other])
    with pytest.raises(DomainError, match="先取消合并"):
        update_opinion(demo, b, team=True)

    unmerge(demo, b)
    assert view(demo, b).merged_into_id is None and view(demo, a).count == 3
    delete_opinion(demo, a)  # c and d stay: the first of them is kept in a's place
    kept = [v for v in list_opinions(demo, cid) if v.id in {a, b, c, d}]
    assert {v.id for v in kept} == {b, c, d}
    heads = [v for v in kept if v.merged_into_id is None]
    assert len(heads) == 2
    assert opinion_counts(demo, cid).raw - base.raw == 4
    head = next(v for v in heads if v.id != b)
    assert head.count == 2
    unmerge(demo, head.id)  # the kept one: all of its stand alone again
    assert all(v.merged_into_id is None for v in list_opinions(demo, cid) if v.id in {b, c, d})


def test_the_list_is_not_in_entry_order(demo: Database) -> None:
    cid = campaign_id(demo)
    ids = [
        add_opinion(demo, cid, "forum", text, team=True, area_key="spirit")
        for text in ["乙说的", "甲说的", "丙说的"]
    ]
    listed = [v.id for v in list_opinions(demo, cid) if v.id in ids]
    assert listed == [ids[2], ids[0], ids[1]]  # by text within target, area and date


def test_convert_to_problem_keeps_the_link_and_is_done_once(demo: Database) -> None:
    cid = campaign_id(demo)
    deng = member_id(demo, "邓宇航")
    keep = add_opinion(
        demo, cid, "forum", "下村次数少，村里的情况不清楚。去年就反映过。", deng, area_key="people"
    )
    merged = add_opinion(demo, cid, "survey", "很少见他到村里来", deng)
    merge_opinions(demo, keep, [merged])

    problem_id = convert_to_problem(demo, merged)  # a merged one converts its group
    made = problem(demo, problem_id)
    assert made.owner_member_id == uuid.UUID(deng) and made.owner_team_id is None
    assert made.source is Source.MASSES
    assert made.text == "下村次数少，村里的情况不清楚"
    assert made.examples == "下村次数少，村里的情况不清楚。去年就反映过。\n很少见他到村里来"
    assert made.area is not None and made.area.key == "people"
    with demo.read() as s:
        before = s.scalar(
            select(func.max(Problem.sort_order)).where(
                Problem.owner_member_id == uuid.UUID(deng), Problem.id != made.id
            )
        )
    assert made.sort_order == (before or 0) + 1
    assert view(demo, keep).problem_id == problem_id
    assert view(demo, merged).problem_id == problem_id
    assert convert_to_problem(demo, keep) == problem_id
    assert convert_to_problem(demo, merged) == problem_id
    assert opinion_counts(demo, cid).converted >= 1

    with pytest.raises(DomainError, match="已转为问题"):
        update_opinion(demo, keep, team=True)

    with demo.transaction() as s:
        row = s.get(Problem, uuid.UUID(problem_id))
        assert row is not None
        row.soft_delete()
    assert view(demo, keep).problem_id is None
    again = convert_to_problem(demo, keep)
    assert again != problem_id and view(demo, merged).problem_id == again

    team = add_opinion(demo, cid, "mailbox", "班子研究问题不深入", team=True)
    team_problem = problem(demo, convert_to_problem(demo, team))
    assert team_problem.owner_team_id is not None and team_problem.owner_member_id is None

    # Merging a converted opinion into another: the group keeps that one problem.
    first = add_opinion(demo, cid, "talk", "班子调研走过场", team=True)
    second = add_opinion(demo, cid, "forum", "调研只听汇报", team=True)
    made_first = convert_to_problem(demo, first)
    merge_opinions(demo, second, [first])
    assert convert_to_problem(demo, second) == made_first

    from mingjing.services.roster import remove_member

    peng = member_id(demo, "彭立新")
    about_peng = add_opinion(demo, cid, "talk", "技术指导不及时", peng)
    remove_member(demo, peng)
    with pytest.raises(DomainError, match="已移出名单"):
        convert_to_problem(demo, about_peng)
    assert view(demo, about_peng).target_label.endswith("（已移出名单）")

    nobody = add_opinion(demo, cid, "talk", "单位风气需要改进")
    with pytest.raises(DomainError, match="没有指明对象"):
        convert_to_problem(demo, nobody)


# ---------------------------------------------------------------- import

HEADER = ["序号", "渠道", "对象", "问题方面", "意见内容", "日期", "提出人", "联系电话"]
GIVER = "欧阳提意见"
PHONE = "13800000000"
OCT_3 = dt.datetime(2025, 10, 3)


def opinion_file(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["岚川县农业农村局征求意见汇总表"])
    sheet.append(["（2025年10月）"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


ROWS = [
    [1, "座谈会", "领导班子", "7", "项目资金拨付太慢。施工队天天上门。", OCT_3, GIVER, PHONE],
    [2, "问卷", "罗文斌", "精神状态不佳", "报账窗口经常没人", "2025年10月5日", GIVER, ""],
    [3, "意见箱", "局长", "", "很少听到局长讲基层的事", "2025/10/6", "", ""],
    [4, "个别谈话", "孙珺（党组成员、副局长）", "四", "分管的股室推诿", "2025-10-07", "", ""],
    [5, "问卷调查", "班子", "", "无", "", GIVER, ""],
    [6, "网上", "副局长", "9", "有问题", "下周", "", ""],
    [7, "座谈", "张无忌", "", "不认识的人", "", "", ""],
    [8, "座谈会", "", "", "", "", GIVER, ""],
    [9, "座谈会", "", "", "食堂饭菜可以改进", "", "", ""],
    [10, "问卷", "罗文斌", "精神状态不佳", "报账窗口经常没人", "2025年10月5日", "", ""],
]  # fmt: skip


def test_preview_reads_targets_areas_dates_and_ignores_the_giver(
    demo: Database, tmp_path: Path
) -> None:
    before = audit_count(demo)
    preview = preview_opinions(demo, opinion_file(tmp_path / "意见.xlsx", ROWS))
    assert audit_count(demo) == before
    assert preview.identifying_columns == ["提出人", "联系电话"]
    assert preview.ignored_columns == ["序号", "提出人", "联系电话"]
    assert "已忽略“提出人”、“联系电话”列" in preview.ignored_note
    rows = {r.row: r for r in preview.rows}
    assert sorted(rows) == [4, 5, 6, 7, 12, 13]
    assert (rows[4].target_kind, rows[4].area_key, rows[4].received_on) == (
        "team",
        "discipline",
        dt.date(2025, 10, 3),
    )
    assert (rows[4].channel, rows[4].text) == ("forum", "项目资金拨付太慢。施工队天天上门。")
    assert (rows[5].target_label, rows[5].area_title, rows[5].channel) == (
        "罗文斌（计划财务股股长）",
        "精神状态不佳",
        "survey",
    )
    assert rows[6].target_label == "刘志堃（党组书记、局长）"  # the only 局长
    assert (rows[7].target_label, rows[7].area_key) == (
        "孙珺（党组成员、副局长）",
        "responsibility",
    )
    assert rows[12].target_kind == "none" and rows[12].received_on is None
    issues = {i.row: i.reason for i in preview.issues}
    assert sorted(issues) == [9, 10, 11]
    assert "渠道“网上”" in issues[9] and "问题方面“9”" in issues[9] and "日期“下周”" in issues[9]
    assert "名单中没有“张无忌”" in issues[10]
    assert issues[11] == "意见内容为空"
    notes = {n.row: n.reason for n in preview.notes}
    assert notes == {
        8: "内容为“无”，不计为意见",
        13: "与第 5 行完全相同，已分别计入；如是重复录入请删去一条",
    }
    assert preview.skipped == 4
    for issue in preview.issues + preview.notes:
        assert GIVER not in str(issue)


def test_import_writes_in_one_go_and_the_giver_is_stored_nowhere(
    tmp_path: Path, location: DataLocation
) -> None:
    db = Database.open(location, actor="办公室")
    create_demo(db, today=dt.date(2025, 11, 20))
    cid = campaign_id(db)
    base = opinion_counts(db, cid)
    result = import_opinions(db, opinion_file(tmp_path / "意见.xlsx", ROWS))
    assert (result.added, result.skipped) == (6, 4)
    assert "提出人" in result.ignored_note
    counts = opinion_counts(db, cid)
    assert (counts.raw - base.raw, counts.items - base.items) == (6, 6)
    texts = {v.text: v for v in list_opinions(db, cid) if v.id in result.opinion_ids}
    assert texts["很少听到局长讲基层的事"].channel_label == "意见箱"
    again = import_opinions(db, opinion_file(tmp_path / "意见.xlsx", ROWS))
    assert again.added == 0
    assert sum("重复导入" in i.reason for i in again.issues) == 6
    db.close()
    stored = b"".join(p.read_bytes() for p in location.data_dir.rglob("*") if p.is_file())
    assert "项目资金拨付太慢".encode() in stored
    assert GIVER.encode() not in stored and PHONE.encode() not in stored


def test_strict_refuses_and_changes_nothing(demo: Database, tmp_path: Path) -> None:
    cid = campaign_id(demo)
    before, audit = opinion_counts(demo, cid), audit_count(demo)
    with pytest.raises(ImportRefused) as info:
        import_opinions(demo, opinion_file(tmp_path / "意见.xlsx", ROWS), strict=True)
    assert len(info.value.issues) == 3 and "第 10 行" in str(info.value)
    assert opinion_counts(demo, cid) == before and audit_count(demo) == audit
    clean = [r for r in ROWS if r[0] in (1, 2, 5)]
    assert import_opinions(demo, opinion_file(tmp_path / "好.xlsx", clean), strict=True).added == 2


def test_a_file_without_channels_needs_a_default(demo: Database, tmp_path: Path) -> None:
    path = opinion_file(
        tmp_path / "座谈会.xlsx",
        [["班子", "会太多"], ["陈喆", "不下村"], ["班子", "会太多"]],
        header=["意见对象", "意见"],
    )
    with pytest.raises(InputRefused, match="没有“渠道”列"):
        preview_opinions(demo, path)
    result = import_opinions(demo, path, default_channel="座谈会")
    assert result.added == 3 and len(result.notes) == 1
    assert {view(demo, i).channel for i in result.opinion_ids} == {"forum"}


def test_a_name_column_without_a_target_column_is_ignored_with_advice(
    demo: Database, tmp_path: Path
) -> None:
    path = tmp_path / "意见.csv"
    path.write_bytes("姓名,渠道,意见内容\r\n罗文斌,问卷,报账慢\r\n".encode("gbk"))
    preview = preview_opinions(demo, path)
    assert preview.identifying_columns == ["姓名"]
    assert "请把列名改为“对象”" in preview.ignored_note
    (row,) = preview.rows
    assert row.target_kind == "none" and row.text == "报账慢"


def test_ambiguous_names_and_posts(demo: Database, tmp_path: Path) -> None:
    from mingjing.services.roster import add_member

    add_member(demo, "陈喆", "科员", "办公室")
    rows = [
        ["问卷", "陈喆", "x一"],
        ["问卷", "陈喆（科员）", "x二"],
        ["问卷", "党组成员", "x三"],
        ["问卷", "县农业农村局领导班子", "x四"],
    ]
    preview = preview_opinions(
        demo, opinion_file(tmp_path / "a.xlsx", rows, header=["渠道", "对象", "意见内容"])
    )
    issues = {i.row: i.reason for i in preview.issues}
    assert "名单中有 2 位“陈喆”" in issues[4]
    assert "担任“党组成员”的有 4 位" in issues[6]
    targets = {r.row: r.target_label for r in preview.rows}
    assert targets == {5: "陈喆（科员）", 7: "县农业农村局领导班子"}


def test_a_date_without_a_year_is_in_the_campaigns_year(demo: Database, tmp_path: Path) -> None:
    with demo.read() as s:
        campaign = current_campaign(s)
        assert campaign is not None and campaign.start_date is not None
        year = campaign.start_date.year
    rows = [
        ["座谈会", "陈喆", "下乡只到镇上", "10月20日"],
        ["问卷", "领导班子", "会多", "1月5号"],  # before the start: the same year all the same
        ["意见箱", "", "食堂", "10/21"],
    ]
    header = ["渠道", "对象", "意见内容", "日期"]
    path = opinion_file(tmp_path / "意见.xlsx", rows, header=header)
    preview = preview_opinions(demo, path)
    assert preview.issues == [] and preview.notes == []
    assert [r.received_on for r in preview.rows] == [
        dt.date(year, 10, 20),
        dt.date(year, 1, 5),
        dt.date(year, 10, 21),
    ]
    result = import_opinions(demo, path, strict=True)
    dates = {view(demo, i).text: view(demo, i).received_on for i in result.opinion_ids}
    assert dates["下乡只到镇上"] == dt.date(year, 10, 20)


def test_an_unreadable_date_keeps_the_opinion_unless_strict(demo: Database, tmp_path: Path) -> None:
    rows = [
        ["座谈会", "陈喆", "下乡只到镇上", "上周三"],
        ["问卷", "领导班子", "会多", "2月30日"],
        ["网上", "领导班子", "文件多", "下周"],  # refused for its channel: the date is said too
    ]
    header = ["渠道", "对象", "意见内容", "日期"]
    path = opinion_file(tmp_path / "意见.xlsx", rows, header=header)
    preview = preview_opinions(demo, path)
    assert [(r.row, r.text, r.received_on) for r in preview.rows] == [
        (4, "下乡只到镇上", None),
        (5, "会多", None),
    ]
    assert [str(n) for n in preview.notes] == [
        "第 4 行 “下乡只到镇上”：日期“上周三”看不懂，按日期不详导入（导入后可修改补上）",
        "第 5 行 “会多”：日期“2月30日”看不懂，按日期不详导入（导入后可修改补上）",
    ]
    (issue,) = preview.issues
    assert issue.row == 6 and "渠道“网上”" in issue.reason and "日期“下周”看不懂" in issue.reason

    with pytest.raises(ImportRefused) as info:
        import_opinions(demo, path, strict=True)
    assert [i.row for i in info.value.issues] == [4, 5, 6]
    assert "第 4 行 “下乡只到镇上”：日期“上周三”看不懂（可写" in str(info.value)

    result = import_opinions(demo, path)
    assert (result.added, result.skipped) == (2, 1)
    assert {view(demo, i).received_on for i in result.opinion_ids} == {None}
