"""征求意见 tab: the list and counts, recording, merging, turning into a problem, importing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from mingjing.services.campaign_setup import current_campaign_id
from mingjing.services.opinions import OpinionPreview, OpinionView, add_opinion, list_opinions
from mingjing.services.problem_lists import ProblemFilter, list_problems
from mingjing.services.roster import list_members
from mingjing.services.workspace import Workspace
from mingjing.ui.desk.opinions import (
    OpinionDialog,
    OpinionForm,
    OpinionsTab,
    opinion_preview_dialog,
)
from mingjing.ui.desk.roster import SheetPreviewDialog
from mingjing.ui.tasks import wait_for_tasks


@pytest.fixture
def tab(demo_workspace: Workspace, open_tab: Any) -> OpinionsTab:
    tab: OpinionsTab = open_tab(demo_workspace, OpinionsTab, "征求意见")
    return tab


@pytest.fixture
def cid(demo_workspace: Workspace) -> str:
    campaign_id = current_campaign_id(demo_workspace.db)
    assert campaign_id is not None
    return campaign_id


def member_id(workspace: Workspace, name: str) -> str:
    return next(m.id for m in list_members(workspace.db) if m.name == name)


def answer(monkeypatch: pytest.MonkeyPatch, name: str, value: Any) -> list[tuple[Any, ...]]:
    """Answer the tab's dialog ``name`` with ``value``; returns what it was asked."""
    asked: list[tuple[Any, ...]] = []

    def reply(cls: object, parent: object, *args: Any) -> Any:
        asked.append(args)
        return value(*args) if callable(value) else value

    monkeypatch.setattr(OpinionsTab, name, classmethod(reply))
    return asked


def stored(workspace: Workspace, cid: str, text: str) -> OpinionView:
    return next(o for o in list_opinions(workspace.db, cid) if o.text == text)


def reload(qtbot: QtBot, tab: OpinionsTab) -> None:
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.reload()


def test_the_list_counts_and_the_merged_toggle(tab: OpinionsTab, qtmodeltester: object) -> None:
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]
    assert tab.model.rowCount() == 29
    text = tab.counts.text()
    assert text.startswith("征求意见 29 条，梳理为 20 条；其中座谈会 7 条、问卷调查 10 条")
    assert "已转为问题 4 条" in text
    # A merged opinion is listed, grey and indented, right under the one it went into.
    rows = tab.model.rows
    child = next(i for i, r in enumerate(rows) if r.is_merged)
    head = rows[child - 1] if not rows[child - 1].is_merged else None
    assert head is None or head.id == rows[child].merged_into_id
    assert tab.model.index(child, 3).data().startswith("└ ")
    assert tab.model.index(child, 5).data() == "已并入"
    kept = next(i for i, r in enumerate(rows) if r.merged_count)
    assert tab.model.index(kept, 5).data() == f"{rows[kept].count} 条"

    tab.show_merged.setChecked(False)
    assert tab.model.rowCount() == 20
    assert not any(r.is_merged for r in tab.model.rows)
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]
    tab.show_merged.setChecked(True)
    assert tab.model.rowCount() == 29


def test_record_an_opinion_anonymously(
    qtbot: QtBot,
    tab: OpinionsTab,
    demo_workspace: Workspace,
    cid: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert tab.data is not None
    dialog = OpinionDialog(tab.data.choices, None, tab)
    assert "不要填写提意见人的姓名" in dialog.anonymous.text()
    offered = [dialog.target.itemText(i) for i in range(dialog.target.count())]
    assert offered[0].endswith("领导班子") and "陈喆（农田建设管理股股长）" in offered
    areas = [dialog.area.itemText(i) for i in range(dialog.area.count())]
    assert areas[0] == "不分方面" and areas[1] == "1. 精神状态不佳"

    chen = member_id(demo_workspace, "陈喆")
    text = "高标准农田项目验收拖得太久，合作社跑了三趟。"
    form = OpinionForm("forum", chen, "people", dt.date(2026, 9, 3), text)
    answer(monkeypatch, "ask_opinion", form)
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.add()
    view = stored(demo_workspace, cid, text)
    assert (view.channel_label, view.target_member_id, view.area_title) == (
        "座谈会",
        chen,
        "群众观念不牢",
    )
    assert tab.counts.text().startswith("征求意见 30 条，梳理为 21 条")
    assert [v.id for v in tab.selected()] == [view.id]

    # Edit: only what changed is written (the target stays).
    answer(monkeypatch, "ask_opinion", OpinionForm("mailbox", chen, None, None, text))
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.edit_selected()
    view = stored(demo_workspace, cid, text)
    assert (view.channel_label, view.area_key, view.received_on) == ("意见箱", None, None)


def test_merge_two_then_convert_to_a_problem(
    qtbot: QtBot,
    tab: OpinionsTab,
    demo_workspace: Workspace,
    cid: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = demo_workspace.db
    chen = member_id(demo_workspace, "陈喆")
    first = add_opinion(db, cid, "forum", "验收拖得太久，合作社等着用地。", chen, area_key="people")
    second = add_opinion(db, cid, "survey", "项目验收一拖再拖。", chen, area_key="people")
    reload(qtbot, tab)

    tab.select_ids([second, first])  # the one selected first is kept
    assert tab.merge_button.isEnabled()
    questions = answer(monkeypatch, "ask_yes", True)
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.merge_selected()
    assert "项目验收一拖再拖" in questions[0][0]
    by_id = {o.id: o for o in list_opinions(db, cid)}
    assert by_id[first].merged_into_id == second and by_id[second].merged_count == 1
    assert tab.counts.text().startswith("征求意见 31 条，梳理为 21 条")

    tab.select_ids([first])  # the merged one: its group is converted
    told = answer(monkeypatch, "tell_info", None)
    with qtbot.wait_signal(tab.changed, timeout=10_000):
        tab.convert_selected()
    qtbot.wait_until(lambda: bool(told), timeout=10_000)
    assert told[0][0].startswith("已列入陈喆的问题清单（来源：群众提）：\n\n项目验收一拖再拖")
    # Where it is now and what comes next; no promise of editing causes there.
    assert "可在“问题清单”中查看、修改问题表述" in told[0][0]
    assert "整改台账" in told[0][0] and "原因" not in told[0][0]
    problems = list_problems(db, cid, ProblemFilter(owner=chen, source="masses"))
    (problem,) = [p for p in problems if p.text == "项目验收一拖再拖"]
    assert problem.source == "群众提" and problem.opinions == 2
    assert "验收拖得太久" in problem.examples
    qtbot.wait_until(
        lambda: any(r.id == second and r.problem_id for r in tab.model.rows), timeout=10_000
    )

    # Again: nothing new, and the user is told where it is.
    tab.select_ids([second])
    tab.convert_selected()
    assert "已转为问题，在陈喆的问题清单中（来源：群众提）" in told[-1][0]
    assert len(list_problems(db, cid, ProblemFilter(owner=chen, source="masses"))) == len(problems)

    # 取消合并 puts the merged one back on its own.
    tab.select_ids([second])
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.unmerge_selected()
    assert {o.id: o for o in list_opinions(db, cid)}[first].merged_into_id is None


def test_merging_opinions_about_different_people_is_refused(
    qtbot: QtBot,
    tab: OpinionsTab,
    demo_workspace: Workspace,
    cid: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = demo_workspace.db
    a = add_opinion(db, cid, "forum", "甲意见。", member_id(demo_workspace, "陈喆"))
    b = add_opinion(db, cid, "forum", "乙意见。", team=True)
    reload(qtbot, tab)
    tab.select_ids([a, b])
    answer(monkeypatch, "ask_yes", True)
    warned = answer(monkeypatch, "tell_warning", None)
    tab.merge_selected()
    qtbot.wait_until(lambda: bool(warned), timeout=10_000)
    assert "只能合并针对同一对象的意见" in warned[0][0]


def sheet(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["征求意见汇总表"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def test_import_ignores_the_giver_column(
    qtbot: QtBot,
    tab: OpinionsTab,
    demo_workspace: Workspace,
    cid: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = sheet(
        tmp_path / "意见汇总.xlsx",
        ["序号", "渠道", "提出人", "对象", "问题方面", "意见内容", "日期"],
        [
            (1, "座谈会", "张三", "陈喆", "5", "农田验收拖得太久。", "2026-09-03"),
            (2, "问卷", "李四", "领导班子", "工作落实不力", "开会多，落实少。", "2026年9月5日"),
            (3, "意见箱", "", "王某某", "", "服务态度有待改进。", ""),
        ],
    )
    answer(monkeypatch, "ask_import_file", str(path))
    shown: list[SheetPreviewDialog] = []

    def look(preview: OpinionPreview) -> bool:
        shown.append(opinion_preview_dialog(preview, tab))
        return True

    previews = answer(monkeypatch, "ask_opinion_import", look)
    channels = answer(monkeypatch, "ask_channel", "forum")
    told = answer(monkeypatch, "tell_info", None)
    with qtbot.wait_signal(tab.changed, timeout=10_000):
        tab.import_sheet()
    qtbot.wait_until(lambda: bool(told), timeout=10_000)

    assert not channels  # the sheet has its 渠道 column
    preview: OpinionPreview = previews[0][0]
    assert preview.identifying_columns == ["提出人"]
    (dialog,) = shown
    assert "已忽略“提出人”列" in dialog.warning.text() and not dialog.warning.isHidden()
    assert dialog.accept_button.text() == "导入可读的 2 条"
    assert SheetPreviewDialog.table_text(dialog.issues_table)[0][0] == "第 5 行"
    assert all("张三" not in cell for row in dialog.table_text(dialog.rows_table) for cell in row)
    assert told[0][0].startswith("已导入 2 条意见。1 行没有导入")
    assert "已忽略“提出人”列" in told[0][0]

    qtbot.wait_until(lambda: tab.model.rowCount() == 31, timeout=10_000)
    views = list_opinions(demo_workspace.db, cid)
    assert stored(demo_workspace, cid, "农田验收拖得太久。").target_member_id == member_id(
        demo_workspace, "陈喆"
    )
    assert not any("张三" in repr(v) or "李四" in repr(v) for v in views)


def test_a_sheet_without_channels_asks_for_one(
    qtbot: QtBot,
    tab: OpinionsTab,
    demo_workspace: Workspace,
    cid: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = sheet(tmp_path / "座谈会意见.xlsx", ["对象", "意见内容"], [("领导班子", "调研少。")])
    channels = answer(monkeypatch, "ask_channel", "talk")
    answer(monkeypatch, "ask_opinion_import", True)
    told = answer(monkeypatch, "tell_info", None)
    tab.import_file(path)
    qtbot.wait_until(lambda: bool(told), timeout=10_000)
    assert channels == [(path.name,)]
    view = stored(demo_workspace, cid, "调研少。")
    assert (view.channel_label, view.target_kind) == ("个别谈话", "team")

    # Declining the question imports nothing.
    declined = answer(monkeypatch, "ask_channel", None)
    previews = answer(monkeypatch, "ask_opinion_import", True)
    tab.import_file(sheet(tmp_path / "再一次.xlsx", ["意见内容"], [("另一条。",)]))
    qtbot.wait_until(lambda: bool(declined), timeout=10_000)
    assert wait_for_tasks(10_000)
    assert not previews
    assert not any(o.text == "另一条。" for o in list_opinions(demo_workspace.db, cid))


def test_a_damaged_sheet_is_refused_by_name(
    qtbot: QtBot, tab: OpinionsTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "意见汇总.xlsx"
    bad.write_text("不是表格")
    warned = answer(monkeypatch, "tell_warning", None)
    tab.import_file(bad)
    qtbot.wait_until(lambda: bool(warned), timeout=10_000)
    assert warned[0][0].startswith("没有导入“意见汇总.xlsx”")


def latin_words(root: QWidget) -> set[str]:
    texts = [w.text() for w in root.findChildren(QLabel)]
    texts += [w.text() for w in root.findChildren(QAbstractButton)]
    texts += [w.toolTip() for w in root.findChildren(QWidget)]
    plain = re.sub(r"\(&\w\)|&", "", " ".join(texts))
    return set(re.findall(r"[A-Za-z]+", plain)) - {"Excel", "CSV", "Ctrl", "WPS"}


def test_no_english_in_the_tab(tab: OpinionsTab) -> None:
    assert not latin_words(tab)
    assert tab.data is not None
    assert not latin_words(OpinionDialog(tab.data.choices, tab.data.opinions[0], tab))


def test_an_opinion_without_a_date_shows_it_as_unknown(
    qtbot: QtBot, tab: OpinionsTab, demo_workspace: Workspace, cid: str
) -> None:
    add_opinion(demo_workspace.db, cid, "mailbox", "没写日期的一条意见。", team=True)
    reload(qtbot, tab)
    row = next(i for i, r in enumerate(tab.model.rows) if r.text == "没写日期的一条意见。")
    assert tab.model.index(row, 4).data() == "不详"
