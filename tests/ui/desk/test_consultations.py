"""集体会诊: the demo's record shows; a new one is entered through the widgets, saved,
turned into ledger rows once; unsaved changes are asked about before switching."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QListWidget
from pytestqt.qtbot import QtBot

from mingjing.services.consultations import list_consultations
from mingjing.services.problem_lists import ProblemFilter, list_problems
from mingjing.services.roster import list_members
from mingjing.services.workspace import Workspace
from mingjing.ui.desk.consultations import ID_ROLE, ConsultationsTab, MeasureModel
from mingjing.ui.desk.page import DeskPage


@pytest.fixture
def desk(qtbot: QtBot, demo_workspace: Workspace, app_fonts: object) -> DeskPage:
    """The office's page holding only this tab."""
    page = DeskPage(demo_workspace.location)
    made = ConsultationsTab(page)
    page.add_tab(made, "集体会诊")
    qtbot.add_widget(page)
    page.resize(1366, 768)
    page.show()
    with qtbot.wait_signal(made.loaded, timeout=10_000):
        page.set_database(demo_workspace.db)
    return page


@pytest.fixture
def tab(desk: DeskPage) -> ConsultationsTab:
    made = desk.tab(ConsultationsTab)
    assert isinstance(made, ConsultationsTab)
    return made


def campaign_id(tab: ConsultationsTab) -> str:
    assert tab.context is not None
    return tab.context.campaign_id


def rows_of(widget: QListWidget) -> list[tuple[str, str, bool]]:
    """(id, text, ticked) of every item that stands for something."""
    out = []
    for row in range(widget.count()):
        item = widget.item(row)
        if item.data(ID_ROLE):
            ticked = item.checkState() == Qt.CheckState.Checked
            out.append((str(item.data(ID_ROLE)), item.text(), ticked))
    return out


def tick(widget: QListWidget, ids: set[str]) -> None:
    for row in range(widget.count()):
        item = widget.item(row)
        if item.data(ID_ROLE) in ids:
            item.setCheckState(Qt.CheckState.Checked)


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def yes(cls: object, parent: object, text: str, button: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(ConsultationsTab, "ask_yes", classmethod(yes))
    return asked


def test_the_demo_consultation_is_listed_and_shown(
    tab: ConsultationsTab, demo_workspace: Workspace, qtmodeltester: object
) -> None:
    (stored,) = list_consultations(demo_workspace.db, campaign_id(tab))
    assert tab.records.count() == 1
    assert tab.records.currentRow() == 0
    assert stored.topic in tab.records.item(0).text()
    assert tab.list_title.text() == "会诊记录（1 次）"
    assert tab.current_id == stored.id and not tab.dirty
    assert tab.state.text() == "已保存"
    assert tab.topic.text() == stored.topic
    assert tab.place.text() == stored.place
    assert stored.held_on is not None
    assert tab.held_on.date() == QDate(
        stored.held_on.year, stored.held_on.month, stored.held_on.day
    )
    assert tab.host.currentData() == stored.host_id and stored.host in tab.host.currentText()
    people = rows_of(tab.participants)
    assert {pid for pid, _, ticked in people if ticked} == set(stored.participant_ids)
    members = list_members(demo_workspace.db)
    leaders = [m.id for m in members if m.is_leader]
    assert [pid for pid, _, _ in people][: len(leaders)] == leaders  # leaders first
    assert tab.other.text() == stored.other_participants
    shown = rows_of(tab.problems)
    assert {pid for pid, _, ticked in shown if ticked} == set(stored.problem_ids)
    assert tab.problem_count.text() == f"（已选 {len(stored.problem_ids)} 个）"
    assert tab.diagnosis.toPlainText() == stored.diagnosis
    model = tab.measures
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == len(stored.measures) > 0
    first = stored.measures[0]
    assert model.index(0, MeasureModel.TEXT).data() == first.text
    assert model.index(0, MeasureModel.OWNER).data() == first.owner
    assert model.index(0, MeasureModel.IN_LEDGER).data() == ("是" if first.in_ledger else "")


def test_only_common_problems_unless_all_are_asked_for(
    tab: ConsultationsTab, demo_workspace: Workspace
) -> None:
    cid = campaign_id(tab)
    common = list_problems(demo_workspace.db, cid, ProblemFilter(common_only=True))
    everything = list_problems(demo_workspace.db, cid)
    assert len(everything) > len(common) > 0
    tab.new_record()
    shown = rows_of(tab.problems)
    assert [pid for pid, _, _ in shown] == [p.id for p in common]
    first = "领导班子" if common[0].is_team else common[0].owner
    assert shown[0][1] == f"{first}：{common[0].text}"
    tab.show_all.setChecked(True)
    assert len(rows_of(tab.problems)) == len(everything)
    other = next(p for p in everything if not p.is_common)
    tick(tab.problems, {other.id})
    tab.show_all.setChecked(False)
    # A ticked problem stays in sight even when it is not a common one.
    assert [pid for pid, _, ticked in rows_of(tab.problems) if ticked] == [other.id]
    assert len(rows_of(tab.problems)) == len(common) + 1


def test_enter_a_consultation_save_it_and_open_ledger_rows_once(
    qtbot: QtBot,
    tab: ConsultationsTab,
    demo_workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: object,
) -> None:
    db, cid = demo_workspace.db, campaign_id(tab)
    members = list_members(db)
    leaders = [m for m in members if m.is_leader]
    staff = [m for m in members if not m.is_leader]
    common = list_problems(db, cid, ProblemFilter(common_only=True))
    changed: list[bool] = []
    tab.changed.connect(lambda: changed.append(True))

    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.current_id is None and tab.state.text() == "新的会诊记录，尚未保存"
    assert tab.records.currentRow() == -1
    # A new record starts with the leadership ticked and the first leader hosting.
    assert {pid for pid, _, t in rows_of(tab.participants) if t} == {m.id for m in leaders}
    assert tab.host.currentData() == leaders[0].id

    tab.held_on.setDate(QDate(2025, 11, 18))
    tab.topic.setText("针对服务群众不主动问题集体会诊")
    tab.place.setText("三楼会议室")
    tab.host.setCurrentIndex(tab.host.findData(leaders[1].id))
    for row in range(tab.participants.count()):
        tab.participants.item(row).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(tab.all_leaders_button, Qt.MouseButton.LeftButton)
    tick(tab.participants, {staff[0].id})
    tab.other.setText("各股室负责人")
    tick(tab.problems, {common[0].id, common[1].id})
    assert tab.problem_count.text() == "（已选 2 个）"
    tab.diagnosis.setPlainText("宗旨意识淡薄，服务流程不清。")
    assert tab.dirty and tab.state.text() == "新的会诊记录，尚未保存"

    model = tab.measures
    qtbot.mouseClick(tab.add_measure_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.add_measure_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 2
    model.setData(model.index(0, MeasureModel.TEXT), "建立首问负责制度")
    model.setData(model.index(1, MeasureModel.TEXT), "每季度开展一次群众满意度回访")
    # 责任人 through the table's own editor, as a double click would open it.
    table = tab.measure_table
    owner_cell = model.index(0, MeasureModel.OWNER)
    table.setCurrentIndex(owner_cell)
    table.edit(owner_cell)
    combo = table.indexWidget(owner_cell) or table.findChild(QComboBox)
    assert isinstance(combo, QComboBox) and combo.itemText(0) == "（未定）"
    combo.setCurrentIndex(combo.findData(leaders[1].id))
    table.itemDelegate().setModelData(combo, model, owner_cell)
    table.closePersistentEditor(owner_cell)
    model.setData(model.index(1, MeasureModel.OWNER), staff[0].id)
    model.setData(model.index(1, MeasureModel.DEADLINE), dt.date(2025, 12, 31))
    assert model.index(0, MeasureModel.OWNER).data() == leaders[1].name
    assert model.index(1, MeasureModel.DEADLINE).data() == "2025年12月31日"
    qtmodeltester.check(model)  # type: ignore[attr-defined]

    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert changed and not tab.dirty and tab.state.text() == "已保存"
    stored = list_consultations(db, cid)
    assert len(stored) == 2
    saved = next(c for c in stored if c.topic == "针对服务群众不主动问题集体会诊")
    assert tab.current_id == saved.id
    assert stored[0].id == saved.id and tab.records.currentRow() == 0  # newest first
    assert saved.held_on == dt.date(2025, 11, 18)
    assert saved.place == "三楼会议室"
    assert saved.host_id == leaders[1].id
    assert set(saved.participant_ids) == {m.id for m in leaders} | {staff[0].id}
    assert saved.other_participants == "各股室负责人"
    assert set(saved.problem_ids) == {common[0].id, common[1].id}
    assert saved.diagnosis == "宗旨意识淡薄，服务流程不清。"
    measures = [(m.text, m.owner_id, m.deadline, m.in_ledger) for m in saved.measures]
    assert measures == [
        ("建立首问负责制度", leaders[1].id, None, False),
        ("每季度开展一次群众满意度回访", staff[0].id, dt.date(2025, 12, 31), False),
    ]

    asked = answer_yes(monkeypatch)
    told: list[str] = []
    monkeypatch.setattr(ConsultationsTab, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        qtbot.mouseClick(tab.ledger_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: bool(told), timeout=5_000)
    assert asked and "纳入整改台账" in asked[0]
    assert "其中 1 项还没有责任人或完成时限" in asked[0]  # the first has no deadline
    assert told == ["已纳入整改台账 2 项；已在台账中的措施不会重复添加。"]
    assert [model.index(r, MeasureModel.IN_LEDGER).data() for r in range(2)] == ["是", "是"]
    assert all(m.in_ledger for m in list_consultations(db, cid)[0].measures)

    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        qtbot.mouseClick(tab.ledger_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: len(told) == 2, timeout=5_000)
    assert told[1] == "已纳入整改台账 0 项；已在台账中的措施不会重复添加。"


def test_ledger_rows_from_unsaved_changes_save_them_first(
    qtbot: QtBot, tab: ConsultationsTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, cid = demo_workspace.db, campaign_id(tab)
    before = len(list_consultations(db, cid)[0].measures)
    tab.add_measure()
    tab.measures.setData(tab.measures.index(before, MeasureModel.TEXT), "建立督办台账")
    answer_yes(monkeypatch)
    told: list[str] = []
    monkeypatch.setattr(ConsultationsTab, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    tab.generate_ledger()
    qtbot.wait_until(lambda: bool(told), timeout=10_000)
    (stored,) = list_consultations(db, cid)
    assert [m.text for m in stored.measures][-1] == "建立督办台账"
    assert stored.measures[-1].in_ledger
    assert told[0].startswith("已纳入整改台账 ")


def test_switching_with_unsaved_changes_asks_first(
    qtbot: QtBot, tab: ConsultationsTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, cid = demo_workspace.db, campaign_id(tab)
    demo_id = tab.current_id
    answers: list[str | None] = [None, "discard"]
    questions: list[str] = []

    def ask(cls: object, parent: object, text: str) -> str | None:
        questions.append(text)
        return answers.pop(0)

    monkeypatch.setattr(ConsultationsTab, "ask_unsaved", classmethod(ask))
    tab.new_record()
    assert not questions  # nothing typed yet: no question
    tab.topic.setText("班子成员担当意识不强问题会诊")
    tab.select(str(demo_id))
    # 取消: stays on the new record, with what was typed.
    assert questions == ["会诊记录“班子成员担当意识不强问题会诊”有改动还没有保存。要保存吗？"]
    assert tab.current_id is None and tab.topic.text() == "班子成员担当意识不强问题会诊"
    assert tab.records.currentRow() == -1
    # 不保存: shows the other record, nothing stored.
    tab.select(str(demo_id))
    assert tab.current_id == demo_id and not tab.dirty
    assert len(list_consultations(db, cid)) == 1

    # 保存: stored, then the new record is shown.
    answers.append("save")
    tab.diagnosis.setPlainText("已修改的诊断意见")
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.new_record()
    assert tab.current_id is None and tab.topic.text() == ""
    assert list_consultations(db, cid)[0].diagnosis == "已修改的诊断意见"


def test_a_change_elsewhere_keeps_what_is_typed(
    qtbot: QtBot, tab: ConsultationsTab, demo_workspace: Workspace
) -> None:
    tab.topic.setText("改过的主题")
    tab.add_measure()
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.reload()
    assert tab.dirty and tab.topic.text() == "改过的主题"
    assert (
        tab.measures.rowCount()
        == len(list_consultations(demo_workspace.db, campaign_id(tab))[0].measures) + 1
    )


def test_delete_a_consultation(
    qtbot: QtBot, tab: ConsultationsTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_yes(monkeypatch)
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].startswith("删除会诊记录“")
    assert list_consultations(demo_workspace.db, campaign_id(tab)) == []
    assert tab.records.count() == 0 and tab.list_title.text() == "会诊记录"
    assert tab.current_id is None and tab.topic.text() == ""


def test_empty_topic_is_refused_before_saving(
    tab: ConsultationsTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[str] = []
    monkeypatch.setattr(
        ConsultationsTab, "tell_warning", classmethod(lambda c, p, t: warned.append(t))
    )
    tab.new_record()
    tab.save()
    assert warned == ["请填写会诊的主题（针对哪些共性问题）。"]
    assert tab.save_button.isEnabled()


def test_deadline_editor_leaves_an_empty_deadline_empty(tab: ConsultationsTab) -> None:
    model, table = tab.measures, tab.measure_table
    row = model.add_row()
    cell = model.index(row, MeasureModel.DEADLINE)
    table.setCurrentIndex(cell)
    table.edit(cell)
    editor = table.findChild(QDateEdit)
    assert isinstance(editor, QDateEdit)
    table.itemDelegate().setModelData(editor, model, cell)
    assert model.rows[row].deadline is None
    editor.setDate(QDate(2026, 1, 15))
    table.itemDelegate().setModelData(editor, model, cell)
    assert model.rows[row].deadline == dt.date(2026, 1, 15)
    editor.setDate(editor.minimumDate())
    table.itemDelegate().setModelData(editor, model, cell)
    assert model.rows[row].deadline is None
