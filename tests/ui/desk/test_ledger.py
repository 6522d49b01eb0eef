"""整改台账 page: pages on demand, filters and sorting, edits with undo, the row's
record (states, 销号, notes, evidence), Excel in and out, 交办单 and escalation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mingjing.domain.enums import DeadlineKind, RectificationState
from mingjing.domain.models import Member, Rectification
from mingjing.domain.states import RectificationEvent
from mingjing.services import ledger
from mingjing.services.workspace import Workspace
from mingjing.ui.desk.assignments import AssignmentsTab, EscalationsTab
from mingjing.ui.desk.ledger import LedgerTab
from mingjing.ui.desk.ledger_model import COLUMN_OF, COLUMNS, KEEP_PAGES, PAGE

TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def tab(qtbot: QtBot, demo_workspace: Workspace, open_tab: Any) -> LedgerTab:
    widget: LedgerTab = open_tab(demo_workspace, LedgerTab, "整改台账")
    widget.today = TODAY  # the demo's dates are around this day
    with qtbot.wait_signal(widget.loaded):
        widget.reload()
    return widget


def member_id(ws: Workspace, name: str) -> str:
    with ws.db.read() as s:
        return str(s.scalar(select(Member.id).where(Member.name == name)))


def column(key: str) -> int:
    return next(n for n, c in enumerate(COLUMNS) if c[2] == key)


def select_row(qtbot: QtBot, tab: LedgerTab, n: int) -> ledger.LedgerRow:
    row = tab.model.row_at(n)
    assert row is not None
    tab.table.selectRow(n)
    qtbot.waitUntil(lambda: tab._detail is not None and tab._detail.row.id == row.id)
    return row


def first_in(tab: LedgerTab, state: str) -> int:
    return next(
        n
        for n in range(tab.model.total)
        if (r := tab.model.row_at(n)) is not None and r.state == state
    )


def test_filters_search_sort_and_reminder_links(
    qtbot: QtBot, tab: LedgerTab, qtmodeltester: Any
) -> None:
    qtmodeltester.check(tab.model)
    total = tab.model.rowCount()
    assert total >= 10 and tab.count.text() == f"共 {total} 项"
    assert "已逾期" in tab.reminder.text() and tab.groups.count() > 2
    with qtbot.wait_signal(tab.loaded):
        tab.state.setCurrentIndex(tab.state.findText("已销号"))
    rows = [tab.model.row_at(n) for n in range(tab.model.rowCount())]
    assert rows and all(r is not None and r.state == "signed_off" for r in rows)
    with qtbot.wait_signal(tab.loaded):
        tab.show_due("overdue")  # the 已逾期 link
    assert tab.state.currentIndex() == 0
    assert all(tab.model.row_at(n).overdue for n in range(tab.model.rowCount()))  # type: ignore[union-attr]
    with qtbot.wait_signal(tab.loaded):
        tab.due.setCurrentIndex(0)
    word = tab.model.row_at(3).problem[2:6]  # type: ignore[union-attr]
    with qtbot.wait_signal(tab.loaded, timeout=3_000):
        tab.search.setText(word)
    assert 0 < tab.model.rowCount() < total
    with qtbot.wait_signal(tab.loaded):
        tab.search.clear()
    # A click on 完成时限 sorts by it, a second click the other way.
    with qtbot.wait_signal(tab.loaded):
        tab.table.horizontalHeader().sectionClicked.emit(COLUMN_OF["deadline"])
    assert tab.model.sort_key == "deadline" and not tab.model.descending
    first = tab.model.row_at(0)
    assert first is not None and first.deadline_kind == DeadlineKind.IMMEDIATE.value
    with qtbot.wait_signal(tab.loaded):
        tab.table.horizontalHeader().sectionClicked.emit(COLUMN_OF["deadline"])
    assert tab.model.descending
    # Groups: choosing a leader filters by that leader.
    item = tab.groups.item(1)
    with qtbot.wait_signal(tab.loaded):
        tab.groups.itemClicked.emit(item)
    leader = tab.leader.currentData()
    assert leader and all(
        tab.model.row_at(n).leader_id == leader
        for n in range(tab.model.rowCount())  # type: ignore[union-attr]
    )


def test_a_large_ledger_is_read_a_page_at_a_time(
    qtbot: QtBot, tab: LedgerTab, demo_workspace: Workspace
) -> None:
    assert tab.context is not None
    cid = tab.context.campaign_id
    with demo_workspace.db.transaction() as s:
        import uuid

        s.add_all(
            Rectification(
                campaign_id=uuid.UUID(cid),
                serial=1000 + n,
                problem_text=f"批量问题 {n}",
                measure="批量措施",
                state=RectificationState.PENDING,
            )
            for n in range(PAGE * (KEEP_PAGES + 3))
        )
    with qtbot.wait_signal(tab.loaded):
        tab.reload()
    total = tab.model.rowCount()
    assert total > PAGE * (KEEP_PAGES + 3)
    assert tab.model.pages_held == 1  # opened with the first page only
    seen = {tab.model.row_at(n).id for n in range(total)}  # type: ignore[union-attr]
    assert len(seen) == total  # every row once, in pages
    assert tab.model.pages_held <= KEEP_PAGES


def test_editing_in_place_can_be_undone(
    qtbot: QtBot, tab: LedgerTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = first_in(tab, "in_progress")
    row = tab.model.row_at(n)
    assert row is not None
    cell = tab.model.index(n, column("measure"))
    assert tab.model.flags(cell) & Qt.ItemFlag.ItemIsEditable
    assert tab.model.setData(cell, "改写后的整改措施")
    assert tab.model.row_at(n).measure == "改写后的整改措施"  # type: ignore[union-attr]
    assert tab.undo_button.isEnabled()
    tab.undo_button.click()
    assert tab.model.row_at(n).measure == row.measure  # type: ignore[union-attr]
    tab.redo_button.click()
    assert tab.model.row_at(n).measure == "改写后的整改措施"  # type: ignore[union-attr]
    # 完成时限 typed as offices write it; an unreadable one changes nothing.
    when = tab.model.index(n, column("deadline"))
    assert tab.model.setData(when, "立行立改")
    assert tab.model.row_at(n).deadline_kind == "immediate"  # type: ignore[union-attr]
    warned: list[str] = []
    monkeypatch.setattr(LedgerTab, "tell_warning", classmethod(lambda c, p, t: warned.append(t)))
    assert not tab.model.setData(when, "尽快")
    assert warned and "尽快" in warned[0]
    # A signed-off row keeps its content; only 备注 can be edited.
    signed = first_in(tab, "signed_off")
    content, remarks = (
        tab.model.index(signed, column("measure")),
        tab.model.index(signed, column("remarks")),
    )
    assert not tab.model.can_edit(signed, column("measure"))
    assert tab.model.can_edit(signed, column("remarks"))
    delegate = tab.table.itemDelegate()
    assert delegate.createEditor(tab.table.viewport(), QStyleOptionViewItem(), content) is None
    editor = delegate.createEditor(tab.table.viewport(), QStyleOptionViewItem(), remarks)
    assert editor is not None
    editor.deleteLater()
    assert not tab.model.setData(content, "改不了")
    assert not tab.model.setData(QModelIndex(), "x")


def test_steps_and_who_may_sign_off(
    qtbot: QtBot, tab: LedgerTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = select_row(qtbot, tab, first_in(tab, "pending"))
    start = tab.step_buttons[RectificationEvent.START]
    assert start.isVisibleTo(tab) and not tab.step_buttons[RectificationEvent.SIGN_OFF].isVisibleTo(
        tab
    )
    with qtbot.wait_signal(tab.loaded):
        start.click()
    qtbot.waitUntil(lambda: tab._detail is not None and tab._detail.row.state == "in_progress")
    with qtbot.wait_signal(tab.loaded):
        tab.step_buttons[RectificationEvent.COMPLETE].click()
    qtbot.waitUntil(
        lambda: tab._detail is not None and tab._detail.row.state == "awaiting_sign_off"
    )
    warned: list[str] = []
    monkeypatch.setattr(LedgerTab, "tell_warning", classmethod(lambda c, p, t: warned.append(t)))
    staff = member_id(demo_workspace, "陈喆")
    monkeypatch.setattr(LedgerTab, "ask_sign_off", classmethod(lambda c, *a: (staff, "同意")))
    tab.step_buttons[RectificationEvent.SIGN_OFF].click()
    qtbot.waitUntil(lambda: bool(warned))
    assert "不是领导班子成员" in warned[0]
    leader = member_id(demo_workspace, "孙珺")
    monkeypatch.setattr(
        LedgerTab, "ask_sign_off", classmethod(lambda c, *a: (leader, "核查属实，同意销号。"))
    )
    with qtbot.wait_signal(tab.loaded):
        tab.step_buttons[RectificationEvent.SIGN_OFF].click()
    stored = ledger.row_view(demo_workspace.db, row.id, today=TODAY)
    assert stored.state == "signed_off" and "孙珺" in stored.sign_off
    qtbot.waitUntil(lambda: tab._detail is not None and tab._detail.row.state == "signed_off")
    assert "孙珺" in tab.row_title.text() and not tab.note_button.isEnabled()
    monkeypatch.setattr(LedgerTab, "ask_reason", classmethod(lambda c, *a: "复查发现反弹"))
    with qtbot.wait_signal(tab.loaded):
        tab.step_buttons[RectificationEvent.REOPEN].click()
    assert ledger.row_view(demo_workspace.db, row.id, today=TODAY).state == "in_progress"


def test_notes_and_evidence(
    qtbot: QtBot,
    tab: LedgerTab,
    demo_workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = select_row(qtbot, tab, first_in(tab, "pending"))
    tab.note_text.setPlainText("已召开专题会议研究部署。")
    with qtbot.wait_signal(tab.loaded):
        tab.note_button.click()
    qtbot.waitUntil(lambda: tab._detail is not None and bool(tab._detail.notes))
    assert "已召开专题会议研究部署。" in tab.notes.item(0).text()
    assert tab._detail is not None and tab._detail.row.state == "in_progress"  # work began
    scan = tmp_path / "整改佐证.pdf"
    scan.write_bytes(b"%PDF-1.4 fictional")
    monkeypatch.setattr(LedgerTab, "ask_evidence_files", classmethod(lambda c, p: [str(scan)]))
    with qtbot.wait_signal(tab.loaded):
        tab.attach_button.click()
    qtbot.waitUntil(lambda: tab.evidence.count() == 1)
    assert tab.open_button.isEnabled()
    opened: list[Path] = []
    monkeypatch.setattr(LedgerTab, "open_path", classmethod(lambda c, p: opened.append(p)))
    tab.open_evidence()
    qtbot.waitUntil(lambda: bool(opened))
    assert opened[0].read_bytes() == scan.read_bytes()
    assert opened[0].is_relative_to(demo_workspace.location.evidence_dir)
    tab.outcome.setText("《专题会议制度》")
    with qtbot.wait_signal(tab.loaded):
        tab.outcome_button.click()
    detail = ledger.row_detail(demo_workspace.db, row.id, today=TODAY)
    assert detail.institutional_outcome == "《专题会议制度》"


def test_add_a_row_and_bring_in_problems(
    qtbot: QtBot, tab: LedgerTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = tab.model.rowCount()
    given = ledger.RowInput(
        problem_text="公文运转慢", measure="实行公文限时办结", leader_name="某领导"
    )
    monkeypatch.setattr(LedgerTab, "ask_row", classmethod(lambda c, *a: given))
    with qtbot.wait_signal(tab.loaded):
        tab.add_button.click()
    assert tab.model.rowCount() == total + 1
    offered: list[int] = []

    def pick(cls: object, parent: object, problems: list[Any]) -> list[str]:
        offered.append(len(problems))
        return [p.id for p in problems[:2]]

    told: list[str] = []
    monkeypatch.setattr(LedgerTab, "ask_problems", classmethod(pick))
    monkeypatch.setattr(LedgerTab, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    tab.from_problems_button.click()
    qtbot.waitUntil(lambda: bool(told))
    assert offered[0] > 2 and told[0] == "已列入台账 2 项。"
    qtbot.waitUntil(lambda: tab.model.rowCount() == total + 3)


def test_excel_out_and_in_through_the_window(
    qtbot: QtBot, tab: LedgerTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "导出台账.xlsx"
    told: list[str] = []
    monkeypatch.setattr(LedgerTab, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    monkeypatch.setattr(LedgerTab, "ask_export_file", classmethod(lambda c, p, s: str(out)))
    tab.export_button.click()
    qtbot.waitUntil(lambda: bool(told))
    assert out.exists() and str(out) in told[-1]
    sheet = tmp_path / "旧台账.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["2024年整改台账"])
    ws.append(["序号", "存在问题", "整改措施", "完成时限"])
    ws.append([1, "值班制度执行不严", "完善值班制度", "12月底"])
    ws.append([2, "缺措施的一行", "", "2025-12-31"])
    book.save(sheet)
    previews: list[Any] = []
    monkeypatch.setattr(
        LedgerTab, "ask_ledger_import", classmethod(lambda c, p, v: previews.append(v) or True)
    )
    total = tab.model.rowCount()
    told.clear()
    tab.import_file(sheet)
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    preview = previews[0]
    assert len(preview.rows) == 1 and len(preview.issues) == 1 and preview.header_row == 2
    assert told[0].startswith("已导入 1 项整改")
    qtbot.waitUntil(lambda: tab.model.rowCount() == total + 1)
    warned: list[str] = []
    monkeypatch.setattr(LedgerTab, "tell_warning", classmethod(lambda c, p, t: warned.append(t)))
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"not a workbook")
    tab.import_file(bad)
    qtbot.waitUntil(lambda: bool(warned))
    assert "坏文件.xlsx" in warned[0] and "没有任何改动" in warned[0]


def test_assignment_slips_and_escalation(
    qtbot: QtBot,
    tab: LedgerTab,
    demo_workspace: Workspace,
    open_tab: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n = first_in(tab, "in_progress")
    tab.table.selectRow(n)
    assert tab.assign_button.isEnabled()
    given = {
        "to_member_id": None,
        "to_department": "办公室",
        "issued_by_id": None,
        "issued_on": TODAY,
        "due": TODAY + dt.timedelta(days=10),
        "note": "按时报送。",
    }
    monkeypatch.setattr(LedgerTab, "ask_assignment", classmethod(lambda c, *a: given))
    issued: list[Any] = []
    tab.assigned.connect(issued.append)
    tab.assign_button.click()
    qtbot.waitUntil(lambda: bool(issued))
    slips: AssignmentsTab = open_tab(demo_workspace, AssignmentsTab, "交办单")
    numbers = [a.number for a in slips.model.rows]
    assert issued[0].number in numbers
    slips.table.selectRow(numbers.index(issued[0].number))
    assert issued[0].number in slips.slip.toPlainText() and "签收人" in slips.slip.toPlainText()
    with qtbot.wait_signal(slips.loaded):
        slips.receipt_button.click()
    assert all(a.received_on for a in slips.model.rows if a.number == issued[0].number)
    pdf = tmp_path / "交办单.pdf"
    monkeypatch.setattr(AssignmentsTab, "ask_pdf_file", classmethod(lambda c, p, s: str(pdf)))
    monkeypatch.setattr(AssignmentsTab, "tell_info", classmethod(lambda c, p, t: None))
    slips.table.selectRow(0)
    slips.pdf_button.click()  # laid out like the other materials, off the GUI thread
    qtbot.waitUntil(pdf.exists, timeout=30_000)
    assert pdf.read_bytes().startswith(b"%PDF")
    import pypdf

    text = "".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages)
    chosen = slips.current()
    assert chosen is not None
    assert "整改事项交办单" in text and chosen.number in text.replace(" ", "")
    printed = tmp_path / "打印.pdf"

    def printer(cls: object, parent: object) -> Any:
        from PySide6.QtPrintSupport import QPrinter

        made = QPrinter()
        made.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        made.setOutputFileName(str(printed))
        return made

    monkeypatch.setattr(AssignmentsTab, "ask_printer", classmethod(printer))
    slips.print_button.click()
    qtbot.waitUntil(lambda: printed.exists() and printed.stat().st_size > 1000, timeout=30_000)
    from mingjing.ui.tasks import wait_for_tasks

    wait_for_tasks()
    assert printed.read_bytes().startswith(b"%PDF")

    steps: EscalationsTab = open_tab(demo_workspace, EscalationsTab, "提醒、函询、诫勉")
    assert steps.suggestions.rowCount() >= 1 and steps.steps.rowCount() >= 1
    before = steps.steps.rowCount()
    steps.suggest_table.selectRow(0)
    suggestion = steps.suggestions.rows[0]

    def answer(cls: object, parent: object, options: object, chosen: Any) -> dict[str, Any]:
        from mingjing.domain.enums import EscalationLevel

        assert chosen is suggestion
        return {
            "member_id": chosen.member_id,
            "level": EscalationLevel(chosen.level),
            "on": TODAY,
            "by_id": None,
            "reason": "逾期未整改",
        }

    monkeypatch.setattr(EscalationsTab, "ask_escalation", classmethod(answer))
    with qtbot.wait_signal(steps.loaded):
        steps.record_button.click()
    assert steps.steps.rowCount() == before + 1


def test_a_rows_history_is_shown_from_the_side_panel(
    qtbot: QtBot, tab: LedgerTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mingjing.ui.desk.history import HistoryDialog

    assert not tab.history_button.isEnabled()  # nothing selected yet
    n = first_in(tab, "in_progress")
    cell = tab.model.index(n, column("measure"))
    assert tab.model.setData(cell, "改写后的整改措施")
    row = select_row(qtbot, tab, n)
    assert tab.history_button.isEnabled()
    shown: list[tuple[str, list[object]]] = []
    monkeypatch.setattr(
        LedgerTab,
        "show_history_dialog",
        classmethod(lambda c, p, t, lines: shown.append((t, lines))),
    )
    tab.history_button.click()
    qtbot.waitUntil(lambda: bool(shown))
    title, lines = shown[0]
    assert title.startswith(f"第 {row.serial} 项")
    dialog = HistoryDialog(title, lines)  # type: ignore[arg-type]
    qtbot.add_widget(dialog)
    texts = [dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())]
    assert dialog.table.item(0, 2).text() == "新建"
    assert any("整改措施：" in t and "→ 改写后的整改措施" in t for t in texts)
    dialog.copy()
    from PySide6.QtGui import QGuiApplication

    assert "改写后的整改措施" in QGuiApplication.clipboard().text()
