"""干部名单 tab: the list, add/edit/remove by hand, and a spreadsheet through its preview."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from mingjing.services.roster import MemberView, RosterPreview, list_members, remove_member
from mingjing.services.workspace import Workspace
from mingjing.ui.desk.roster import (
    MemberDialog,
    MemberForm,
    RosterTab,
    SheetPreviewDialog,
    roster_preview_dialog,
)


@pytest.fixture
def tab(demo_workspace: Workspace, open_tab: Any) -> RosterTab:
    made: RosterTab = open_tab(demo_workspace, RosterTab, "干部名单")
    return made


def names(tab: RosterTab) -> list[str]:
    return [m.name for m in tab.model.rows]


def row_of(tab: RosterTab, name: str) -> int:
    return names(tab).index(name)


def answer(monkeypatch: pytest.MonkeyPatch, name: str, value: Any) -> list[tuple[Any, ...]]:
    """Answer the tab's dialog ``name`` with ``value``; returns what it was asked."""
    asked: list[tuple[Any, ...]] = []

    def reply(cls: object, parent: object, *args: Any) -> Any:
        asked.append(args)
        return value(*args) if callable(value) else value

    monkeypatch.setattr(RosterTab, name, classmethod(reply))
    return asked


def roster_file(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """A roster as offices keep it: a title, a blank row, the header on row 3."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["岚川县农业农村局干部名单（2025年11月）"])
    sheet.append([])
    sheet.append(["序号", "姓名", "职务", "所在部门", "是否班子成员"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def test_the_list_and_its_model(tab: RosterTab, qtmodeltester: object) -> None:
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]
    assert tab.model.rowCount() == 12
    assert tab.counts.text() == "名单共 12 人，其中班子成员 5 人；党组书记（第一责任人）：刘志堃。"
    assert tab.hint.isHidden()
    leader = tab.model.rows[0]
    assert leader.is_leader and leader.is_party_secretary
    assert tab.model.index(0, 3).data() == "是（党组书记）"
    assert tab.model.index(row_of(tab, "孙珺"), 3).data() == "是"
    staff = row_of(tab, "陈喆")
    assert tab.model.index(staff, 3).data() == ""
    assert tab.model.index(staff, 4).data() == "工作人员"
    assert not tab.edit_button.isEnabled() and not tab.remove_button.isEnabled()
    tab.table.selectRow(staff)
    assert tab.edit_button.isEnabled() and tab.remove_button.isEnabled()


def test_an_empty_roster_says_what_to_do_first(demo_workspace: Workspace, open_tab: Any) -> None:
    for member in list_members(demo_workspace.db):
        remove_member(demo_workspace.db, member.id)
    tab = open_tab(demo_workspace, RosterTab, "干部名单")
    assert tab.model.rowCount() == 0
    assert tab.hint.isVisible()
    assert "先导入干部名单，再导出专项行动文件分发给干部" in tab.hint.text()


def test_import_shows_the_preview_then_adds_only_the_good_rows(
    qtbot: QtBot,
    tab: RosterTab,
    demo_workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = roster_file(
        tmp_path / "名单.xlsx",
        [
            (1, "王小明", "科员", "办公室", "否"),
            (2, "陈喆", "农田建设管理股股长", "农田建设管理股", "否"),  # already there
            (3, None, "科员", "办公室", "否"),  # no name
            (4, "李红梅", "党组成员、副局长", "局领导", "是"),
        ],
    )
    answer(monkeypatch, "ask_import_file", str(path))
    shown: list[SheetPreviewDialog] = []

    def look(preview: RosterPreview) -> bool:
        # The dialog the user would see, built but never opened.
        shown.append(roster_preview_dialog(preview, tab))
        return True

    previews = answer(monkeypatch, "ask_roster_import", look)
    told = answer(monkeypatch, "tell_info", None)
    with qtbot.wait_signal(tab.changed, timeout=10_000):
        tab.import_sheet()
    qtbot.wait_until(lambda: bool(told), timeout=10_000)

    (preview,) = (p[0] for p in previews)
    assert [r.name for r in preview.rows] == ["王小明", "李红梅"]
    assert {i.row for i in preview.issues} == {5, 6}
    (dialog,) = shown
    assert dialog.accept_button.text() == "导入可读的 2 人"
    assert dialog.accept_button.isEnabled()
    rows = SheetPreviewDialog.table_text(dialog.rows_table)
    assert [r[:2] for r in rows] == [["4", "王小明"], ["7", "李红梅"]]
    issues = SheetPreviewDialog.table_text(dialog.issues_table)
    assert [r[0] for r in issues] == ["第 5 行", "第 6 行"]
    assert "陈喆" in issues[0][2] and issues[1][1:] == ["（办公室，科员）", "姓名为空"]
    assert not dialog.issues_box.isHidden()

    qtbot.wait_until(lambda: tab.model.rowCount() == 14, timeout=10_000)
    assert names(tab).count("王小明") == 1 and names(tab).count("陈喆") == 1
    stored = {m.name: m for m in list_members(demo_workspace.db)}
    assert len(stored) == 14 and stored["李红梅"].is_leader and not stored["王小明"].is_leader
    assert told[0][0].startswith("已把 2 人加入干部名单。2 行没有导入")


def test_cancelling_the_preview_writes_nothing(
    qtbot: QtBot,
    tab: RosterTab,
    demo_workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = roster_file(tmp_path / "名单.xlsx", [(1, "王小明", "科员", "办公室", "否")])
    previews = answer(monkeypatch, "ask_roster_import", False)
    tab.import_file(path)
    qtbot.wait_until(lambda: bool(previews), timeout=10_000)
    assert len(list_members(demo_workspace.db)) == 12


def test_a_refused_file_names_the_file_and_the_reason(
    qtbot: QtBot, tab: RosterTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "旧名单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    previews = answer(monkeypatch, "ask_roster_import", True)
    warned = answer(monkeypatch, "tell_warning", None)
    tab.import_file(old)
    qtbot.wait_until(lambda: bool(warned), timeout=10_000)
    text = warned[0][0]
    assert text.startswith("没有导入“旧名单.xls”") and "另存为" in text
    assert not previews


def test_add_edit_and_remove_a_member(
    qtbot: QtBot, tab: RosterTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer(monkeypatch, "ask_member", MemberForm("王小明", "科员", "办公室", False))
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.add()
    assert asked[0][0] is None and "办公室" in asked[0][1]
    assert asked[0][2] == "刘志堃（党组书记、局长）"  # the dialog says who gives way
    assert "王小明" in names(tab)
    assert tab.selected() is not None and tab.selected().name == "王小明"  # type: ignore[union-attr]

    answer(monkeypatch, "ask_member", MemberForm("王小明", "副主任", "办公室", True))
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.edit_selected()
    edited = {m.name: m for m in list_members(demo_workspace.db)}["王小明"]
    assert (edited.position, edited.is_leader, edited.role) == ("副主任", True, "leader")

    tab.table.selectRow(row_of(tab, "王小明"))
    questions = answer(monkeypatch, "ask_yes", False)
    tab.remove_selected()
    assert "王小明（副主任）" in questions[0][0]
    assert "王小明" in names(tab)
    answer(monkeypatch, "ask_yes", True)
    with qtbot.wait_signal(tab.changed, timeout=10_000):
        tab.remove_selected()
    qtbot.wait_until(lambda: "王小明" not in names(tab), timeout=10_000)
    assert "王小明" not in [m.name for m in list_members(demo_workspace.db)]
    assert not tab.undo_button.isHidden() and "王小明" in tab.undo_button.text()
    with qtbot.wait_signal(tab.changed, timeout=10_000):
        tab.undo_button.click()
    qtbot.wait_until(lambda: "王小明" in names(tab), timeout=10_000)
    assert "王小明" in [m.name for m in list_members(demo_workspace.db)]
    assert tab.undo_button.isHidden()


def test_a_duplicate_added_by_hand_is_refused_with_the_reason(
    qtbot: QtBot, tab: RosterTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(monkeypatch, "ask_member", MemberForm("陈喆", "农田建设管理股股长", "", False))
    warned = answer(monkeypatch, "tell_warning", None)
    tab.add()
    qtbot.wait_until(lambda: bool(warned), timeout=10_000)
    assert "名单中已有陈喆" in warned[0][0]
    assert len(list_members(demo_workspace.db)) == 12


def test_the_member_form_needs_a_name(tab: RosterTab) -> None:
    member: MemberView = tab.model.rows[row_of(tab, "陈喆")]
    dialog = MemberDialog(member, tab.departments(), tab)
    assert dialog.form() == MemberForm("陈喆", "农田建设管理股股长", "农田建设管理股", False)
    dialog.name.clear()
    dialog._accept()
    assert dialog.note.text() == "请填写姓名。"
    assert dialog.result() != MemberDialog.DialogCode.Accepted


def test_the_party_secretary_is_set_in_the_member_form(
    qtbot: QtBot, tab: RosterTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    sun: MemberView = tab.model.rows[row_of(tab, "孙珺")]
    dialog = MemberDialog(sun, tab.departments(), tab, tab.secretary_other_than(sun))
    assert dialog.is_party_secretary.text() == "党组书记（第一责任人）(&S)"
    assert not dialog.is_party_secretary.isChecked()
    hints = " ".join(w.text() for w in dialog.findChildren(QLabel))
    assert "现为刘志堃（党组书记、局长），勾选后改为此人" in hints
    dialog.is_leader.setChecked(False)
    dialog.is_party_secretary.setChecked(True)  # 党组书记 is a 班子成员
    assert dialog.is_leader.isChecked() and dialog.form().is_party_secretary
    dialog.is_leader.setChecked(False)
    assert not dialog.is_party_secretary.isChecked()
    liu = tab.model.rows[row_of(tab, "刘志堃")]
    assert MemberDialog(liu, [], tab).is_party_secretary.isChecked()
    assert tab.secretary_other_than(liu) == ""

    tab.table.selectRow(row_of(tab, "孙珺"))
    asked = answer(
        monkeypatch, "ask_member", MemberForm("孙珺", "党组书记、局长", "局领导", True, True)
    )
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.edit_selected()
    assert asked[0][2] == "刘志堃（党组书记、局长）"
    stored = {m.name: m for m in list_members(demo_workspace.db)}
    assert stored["孙珺"].is_party_secretary and not stored["刘志堃"].is_party_secretary
    assert tab.model.index(row_of(tab, "孙珺"), 3).data() == "是（党组书记）"
    assert tab.model.index(row_of(tab, "刘志堃"), 3).data() == "是"
    assert tab.counts.text().endswith("党组书记（第一责任人）：孙珺。")

    answer(monkeypatch, "ask_member", MemberForm("孙珺", "党组书记、局长", "局领导", True, False))
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.edit_selected()
    assert "还没有指定党组书记（第一责任人）" in tab.counts.text()


def latin_words(root: QWidget) -> set[str]:
    texts = [w.text() for w in root.findChildren(QLabel)]
    texts += [w.text() for w in root.findChildren(QAbstractButton)]
    texts += [w.toolTip() for w in root.findChildren(QWidget)]
    plain = re.sub(r"\(&\w\)|&", "", " ".join(texts))
    return set(re.findall(r"[A-Za-z]+", plain)) - {"Excel", "CSV", "Ctrl", "WPS"}


def test_no_english_in_the_tab(tab: RosterTab) -> None:
    assert not latin_words(tab)
    assert not latin_words(MemberDialog(tab.model.rows[0], tab.departments(), tab))
