"""The staff checklist page, driven through its real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from mingjing.config import DataLocation, resolve_location
from mingjing.exchange.signing import Identity
from mingjing.services.campaigns import join_campaign
from mingjing.services.self_check import load_own_self_check
from mingjing.services.workspace import Workspace
from mingjing.ui.pages.self_check import SelfCheckPage

EXAMPLE = "2025年10月在双河镇验收高标准农田项目时，我推迟了3天才到现场。"


@pytest.fixture
def laptop(tmp_path: Path, campaign_file: Path) -> Iterator[Workspace]:
    location = resolve_location(tmp_path / "laptop")
    ws = Workspace.open(location)
    join_campaign(ws.db, location, campaign_file, "陈喆")
    yield ws
    ws.close()


@pytest.fixture
def page(qtbot: QtBot, laptop: Workspace, app_fonts: object) -> SelfCheckPage:
    widget = SelfCheckPage(laptop.location)
    qtbot.add_widget(widget)
    widget.resize(1200, 700)
    widget.show()
    with qtbot.wait_signal(widget.loaded, timeout=10_000):
        widget.set_database(laptop.db)
    return widget


def settle(qtbot: QtBot) -> None:
    """Let every queued save finish and its result reach the page."""
    from mingjing.ui.tasks import wait_for_tasks

    assert wait_for_tasks(10_000)
    qtbot.wait(50)


def stored(ws: Workspace, key: str) -> tuple[str | None, str, str | None]:
    view = load_own_self_check(ws.db, ws.location)
    item = next(i for a in view.areas for i in a.items if i.key == key)
    return item.level, item.example, item.problem_id


def test_area_model(qtmodeltester: object, page: SelfCheckPage) -> None:
    qtmodeltester.check(page.areas)  # type: ignore[attr-defined]
    assert page.areas.rowCount() == 7
    assert page.areas.index(0).data() == "1. 精神状态不佳　0/3"
    assert "已填 0 / 25 项" in page.progress.text()


def test_level_example_undo_and_raise(qtbot: QtBot, page: SelfCheckPage, laptop: Workspace) -> None:
    editor = page._editors["spirit-enthusiasm"]
    with qtbot.wait_signal(page.saved, timeout=5000):
        editor.level_buttons["notable"].click()
    assert stored(laptop, "spirit-enthusiasm")[0] == "notable"

    editor.example.setFocus()
    with qtbot.wait_signal(page.saved, timeout=3000):  # autosave well within a second of pausing
        # Chinese arrives from the input method as committed text, not key by key
        # (QTest.keyClicks only types ASCII).
        editor.example.insertPlainText(EXAMPLE)
    assert stored(laptop, "spirit-enthusiasm")[1] == EXAMPLE

    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_stack.undo()  # the typing
    assert stored(laptop, "spirit-enthusiasm")[1] == ""
    assert editor.example.toPlainText() == ""
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_stack.redo()
    assert stored(laptop, "spirit-enthusiasm")[1] == EXAMPLE

    with qtbot.wait_signal(page.saved, timeout=5000):
        qtbot.keyClick(editor.example, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert stored(laptop, "spirit-enthusiasm")[2] is not None
    assert page._editors["spirit-enthusiasm"].raise_button.text() == "已列为问题"
    assert "还没有剖析原因" in page.hints.text()
    assert page.areas.index(0).data() == "1. 精神状态不佳　1/3"


def test_next_unanswered_jumps_across_areas(qtbot: QtBot, page: SelfCheckPage) -> None:
    for key in ("spirit-ambition", "spirit-enthusiasm", "spirit-listless"):
        with qtbot.wait_signal(page.saved, timeout=5000):
            page._editors[key].level_buttons["none"].click()
    page.go_to_next_unanswered()
    assert page.area_list.currentIndex().row() == 1
    assert "standard-duty" in page._editors


def test_typing_is_saved_when_the_page_closes(
    qtbot: QtBot, page: SelfCheckPage, laptop: Workspace
) -> None:
    editor = page._editors["spirit-ambition"]
    editor.example.setPlainText("刚刚写下的一句话")  # no pause yet
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.flush()
    assert stored(laptop, "spirit-ambition")[1] == "刚刚写下的一句话"


def test_not_joined_offers_the_campaign_file(
    qtbot: QtBot,
    tmp_path: Path,
    campaign_file: Path,
    app_fonts: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    location: DataLocation = resolve_location(tmp_path / "fresh")
    ws = Workspace.open(location)
    widget = SelfCheckPage(location)
    qtbot.add_widget(widget)
    widget.show()
    with qtbot.wait_signal(widget.loaded, timeout=10_000):
        widget.set_database(ws.db)
    assert "还没有加入专项行动" in widget.status.text()
    assert widget.join_button.isVisible()
    assert widget.empty_state.isVisible() and not widget.tabs.isVisible()
    assert not widget.hand_in_button.isVisible()
    monkeypatch.setattr(
        SelfCheckPage, "ask_package", classmethod(lambda cls, p: str(campaign_file))
    )
    offered: list[list[str]] = []

    def choose(cls: object, parent: object, labels: list[str]) -> str:
        offered.append(labels)
        return "孙珺（党组成员、副局长）"

    monkeypatch.setattr(SelfCheckPage, "ask_member", classmethod(choose))
    with qtbot.wait_signal(widget.loaded, timeout=10_000):
        widget.join_button.click()
    assert len(offered[0]) == 12
    assert "孙珺" in widget.heading.text()
    assert not widget.join_button.isVisible()
    assert widget.tabs.isVisible() and not widget.empty_state.isVisible()
    ws.close()


def test_hand_in_writes_the_file_and_shows_the_state(
    qtbot: QtBot,
    page: SelfCheckPage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    office_identity: Identity,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    outbox = tmp_path / "u盘"
    outbox.mkdir()
    monkeypatch.setattr(SelfCheckPage, "ask_hand_in_folder", classmethod(lambda c, p: str(outbox)))
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(
        SelfCheckPage,
        "ask_hand_in_anyway",
        classmethod(lambda c, p, unanswered, hints: asked.append((unanswered, hints)) or False),
    )
    page.hand_in_button.click()  # 25 items unanswered: asked, declined, nothing written
    assert asked == [(25, 0)] and not list(outbox.iterdir())
    monkeypatch.setattr(SelfCheckPage, "ask_hand_in_anyway", classmethod(lambda c, p, u, h: True))
    page._editors["spirit-ambition"].example.setPlainText("还没停顿就提交的字")
    with qtbot.wait_signal(page.handed_in, timeout=10_000) as blocker:
        page.hand_in_button.click()
    made = Path(blocker.args[0])
    assert made.name == "陈喆-自查材料-第1次.mjsubmission"
    assert "已提交（第 1 次）" in page.status.text()
    assert page.reopen_button.isVisible()
    handed = page._editors["spirit-ambition"]
    assert handed.example.isReadOnly()  # still readable, not changeable
    assert not handed.level_buttons["none"].isEnabled()
    page.tabs.setCurrentIndex(1)
    assert page.problems_panel.list.isEnabled()  # problems can still be opened and read
    from mingjing.exchange.package import read_package

    answers = {a["item"]: a for a in read_package(made, identity=office_identity).data["answers"]}
    assert answers["spirit-ambition"]["example"] == "还没停顿就提交的字"


def test_problem_list_edits_reach_the_database(
    qtbot: QtBot, page: SelfCheckPage, laptop: Workspace, qtmodeltester: object
) -> None:
    panel = page.problems_panel
    page.tabs.setCurrentIndex(1)
    for _ in range(2):
        with qtbot.wait_signal(page.saved, timeout=5000):
            panel.add_button.click()
    assert panel.model.rowCount() == 2
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]

    first_id = panel.current.id if panel.current else ""  # a new problem is shown at once
    assert first_id == panel.model.index(1).data(panel.model.ID_ROLE)
    panel.text.setFocus()
    panel.text.selectAll()
    qtbot.keyClicks(panel.text, "x")  # typed, so textEdited fires; then Chinese from the IME
    panel.text.insert("对群众反映的水渠维修问题回应不及时")
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.flush()
    panel.examples.setFocus()
    panel.examples.insertPlainText(
        "2025年9月石门村群众三次来电反映水渠漏水，我拖了两周才派人查看。"
    )
    panel.causes.entries[0].text.insertPlainText("宗旨意识淡薄，没有把群众的急事当成自己的事。")
    panel.measures.entries[0].text.insertPlainText(
        "11月底前修复石门村水渠，建立群众来电限时回复制度。"
    )
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.flush()

    def saved_problem() -> object:
        view = load_own_self_check(laptop.db, laptop.location)
        return next(p for p in view.problems if p.id == first_id)

    # Three edits were queued in order; the last one (the measure) lands last.
    qtbot.waitUntil(lambda: bool(saved_problem().measures), timeout=5000)  # type: ignore[attr-defined]
    problem = saved_problem()
    settle(qtbot)
    assert problem.text.endswith("对群众反映的水渠维修问题回应不及时")  # type: ignore[attr-defined]
    assert problem.examples.startswith("2025年9月石门村")  # type: ignore[attr-defined]
    assert problem.causes[0].text.startswith("宗旨意识淡薄")  # type: ignore[attr-defined]
    assert "石门村水渠" in problem.measures[0].text  # type: ignore[attr-defined]

    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.area.setCurrentIndex(panel.area.findData("people"))
    settle(qtbot)
    assert saved_problem().area_key == "people"  # type: ignore[attr-defined]

    panel.list.setCurrentIndex(panel.model.index(0))
    top = panel.current.id if panel.current else ""
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.down_button.click()
    settle(qtbot)
    view = load_own_self_check(laptop.db, laptop.location)
    assert view.problems[1].id == top

    other = next(row for row, p in enumerate(view.problems) if p.id != first_id)
    panel.list.setCurrentIndex(panel.model.index(other))
    from mingjing.ui.pages.problems import ProblemsPanel

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ProblemsPanel, "ask_delete", classmethod(lambda c, p, w: False))
        panel.delete_button.click()  # declined: nothing happens
        settle(qtbot)
        assert panel.model.rowCount() == 2
        mp.setattr(ProblemsPanel, "ask_delete", classmethod(lambda c, p, w: True))
        with qtbot.wait_signal(page.saved, timeout=5000):
            panel.delete_button.click()
    assert [p.id for p in load_own_self_check(laptop.db, laptop.location).problems] == [first_id]


def test_a_returned_reply_opened_by_dropping_it_on_the_page(
    qtbot: QtBot,
    page: SelfCheckPage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    office_identity: Identity,
) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent
    from PySide6.QtWidgets import QMessageBox

    from mingjing.exchange.package import read_package
    from mingjing.services.replies import write_reply

    outbox = tmp_path / "u盘"
    outbox.mkdir()
    monkeypatch.setattr(SelfCheckPage, "ask_hand_in_folder", classmethod(lambda c, p: str(outbox)))
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    monkeypatch.setattr(SelfCheckPage, "ask_hand_in_anyway", classmethod(lambda c, p, u, h: True))
    with qtbot.wait_signal(page.handed_in, timeout=10_000) as blocker:
        page.hand_in_button.click()
    submission = read_package(Path(blocker.args[0]), identity=office_identity)
    reply = write_reply(
        outbox,
        campaign_id=submission.manifest.campaign_id,
        template_id=submission.manifest.template_id,
        template_version=submission.manifest.template_version,
        self_check_id=submission.data["self_check"]["id"],
        member_id=submission.manifest.member_id,
        member_name="陈喆",
        submission_revision=1,
        decision="returned",
        comment="请补充具体事例。",
        reviewer="杨慧琳",
        identity=office_identity,
    )
    assert page.reply_button.isVisible()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(reply))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.wait_signal(page.reply_opened, timeout=10_000):
        page.dropEvent(drop)
    assert "退回返工：请补充具体事例。" in page.status.text()
    assert not page._editors["spirit-ambition"].example.isReadOnly()  # rework can start at once


def test_study_records_are_edited_in_place(
    qtbot: QtBot, page: SelfCheckPage, laptop: Workspace, qtmodeltester: object
) -> None:
    import datetime as _dt

    panel = page.study_panel
    page.tabs.setCurrentIndex(2)
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.add_button.click()
    settle(qtbot)
    model = panel.model
    assert model.rowCount() == 1
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    with qtbot.wait_signal(page.saved, timeout=5000):
        model.setData(model.index(0, 2), "专题学习《中国共产党纪律处分条例》")
    settle(qtbot)
    with qtbot.wait_signal(page.saved, timeout=5000):
        model.setData(model.index(0, 1), "seminar")
    settle(qtbot)
    with qtbot.wait_signal(page.saved, timeout=5000):
        model.setData(model.index(0, 0), _dt.date(2025, 10, 9))
    settle(qtbot)
    assert not model.setData(model.index(0, 3), "两个半小时")  # not a number: refused
    with qtbot.wait_signal(page.saved, timeout=5000):
        model.setData(model.index(0, 3), "2.5")
    settle(qtbot)
    (record,) = load_own_self_check(laptop.db, laptop.location).study
    assert (record.topic, record.form, record.studied_on, record.hours) == (
        "专题学习《中国共产党纪律处分条例》",
        "seminar",
        _dt.date(2025, 10, 9),
        2.5,
    )
    assert model.index(0, 0).data() == "2025年10月9日"
    assert model.index(0, 1).data() == "专题研讨"
    panel.table.setCurrentIndex(model.index(0, 0))
    from mingjing.ui.pages.study import StudyPanel

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(StudyPanel, "ask_delete", classmethod(lambda c, p, w: True))
        with qtbot.wait_signal(page.saved, timeout=5000):
            panel.delete_button.click()
    settle(qtbot)
    assert load_own_self_check(laptop.db, laptop.location).study == ()


def test_hints_lead_to_what_they_are_about(qtbot: QtBot, page: SelfCheckPage) -> None:
    with qtbot.wait_signal(page.saved, timeout=5000):
        page._editors["spirit-listless"].level_buttons["slight"].click()  # no example yet
    settle(qtbot)
    assert 'href="item:1.3"' in page.hints.text()
    page.area_list.setCurrentIndex(page.areas.index(4))
    page.go_to_hint("item:1.3")
    assert page.area_list.currentIndex().row() == 0
    assert page._editors["spirit-listless"].example.hasFocus() or not page.isActiveWindow()

    with qtbot.wait_signal(page.saved, timeout=5000):
        page._editors["spirit-listless"].raise_button.click()
    settle(qtbot)
    assert 'href="problem:0"' in page.hints.text()
    page.go_to_hint("problem:0")
    assert page.tabs.currentIndex() == 1
    assert page.problems_panel.list.currentIndex().row() == 0


CTRL = Qt.KeyboardModifier.ControlModifier


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def tab_until(qtbot: QtBot, start: QWidget, wanted: type, limit: int = 40) -> QWidget:
    """Press Tab from ``start`` until a widget of ``wanted`` type has the focus."""
    start.setFocus()
    qtbot.waitUntil(lambda: focused() is start, timeout=2_000)
    for _ in range(limit):
        widget = focused()
        if isinstance(widget, wanted):
            return widget
        qtbot.keyClick(widget or start, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached a {wanted.__name__}; stopped at {focused()!r}")


def test_the_checklist_with_the_keyboard_alone(
    qtbot: QtBot, page: SelfCheckPage, laptop: Workspace
) -> None:
    """Chinese text reaches a field from the input method as committed text, so
    the example is inserted as such; every other step is a key press."""
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window(), timeout=5_000)
    first = page._editors["spirit-ambition"]
    # Tab from the area list reaches the first item's level buttons.
    radio = tab_until(qtbot, page.area_list, QRadioButton)
    assert radio.parent() is first
    # Arrow keys move among the levels; Space chooses one, which is saved.
    qtbot.keyClick(radio, Qt.Key.Key_Right)
    chosen = focused()
    assert isinstance(chosen, QRadioButton) and chosen is not radio
    with qtbot.wait_signal(page.saved, timeout=5_000):
        qtbot.keyClick(chosen, Qt.Key.Key_Space)
    level = next(code for code, b in first.level_buttons.items() if b is chosen)
    view = load_own_self_check(laptop.db, laptop.location)
    item = next(i for a in view.areas for i in a.items if i.key == "spirit-ambition")
    assert item.level == level
    # Tab on to the example field; the text comes from the input method.
    example = tab_until(qtbot, chosen, QPlainTextEdit)
    assert example is first.example
    with qtbot.wait_signal(page.saved, timeout=5_000):
        example.insertPlainText("2025年10月申报项目时，我拖到截止前一天才报送材料。")
    # Ctrl+Enter raises the item as a problem.
    with qtbot.wait_signal(page.saved, timeout=5_000):
        qtbot.keyClick(example, Qt.Key.Key_Return, CTRL)
    assert first.raise_button.text() == "已列为问题"
    # Ctrl+Z takes back one intention at a time: the raise, then the typing;
    # Ctrl+Y brings them back in order.
    with qtbot.wait_signal(page.saved, timeout=5_000):
        qtbot.keyClick(example, Qt.Key.Key_Z, CTRL)
    assert first.raise_button.text() == "列为问题"
    assert example.toPlainText().startswith("2025年10月")
    with qtbot.wait_signal(page.saved, timeout=5_000):
        qtbot.keyClick(example, Qt.Key.Key_Z, CTRL)
    assert example.toPlainText() == ""
    with qtbot.wait_signal(page.saved, timeout=5_000):
        qtbot.keyClick(example, Qt.Key.Key_Y, CTRL)
    assert example.toPlainText().startswith("2025年10月")
    with qtbot.wait_signal(page.saved, timeout=5_000):
        qtbot.keyClick(example, Qt.Key.Key_Y, CTRL)
    assert first.raise_button.text() == "已列为问题"
    settle(qtbot)
    assert len(load_own_self_check(laptop.db, laptop.location).problems) == 1
    # Ctrl+J goes to the next item without an answer, in this area or the next.
    before = page.area_list.currentIndex().row()
    qtbot.keyClick(example, Qt.Key.Key_J, CTRL)
    qtbot.waitUntil(lambda: focused() is not None and not first.isAncestorOf(focused()))
    target = focused()
    assert isinstance(target, QRadioButton)
    assert target.parent() is page._editors["spirit-enthusiasm"]  # the next one without a level
    assert page.area_list.currentIndex().row() == before


def test_several_causes_and_measures_and_undo_across_the_problem_form(
    qtbot: QtBot, page: SelfCheckPage, laptop: Workspace
) -> None:
    """Each intention in the problem tab is one step of the page's undo: an entry
    added, a stretch of typing, a choice, a deletion (which comes back whole)."""
    panel = page.problems_panel
    page.tabs.setCurrentIndex(1)
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.add_button.click()
    settle(qtbot)
    assert panel.text.hasFocus() or not page.isActiveWindow()
    panel.text.insert("对群众反映的水渠维修问题回应不及时")
    # The blank cause is stored with its first words; 增加一条原因 adds another.
    panel.causes.entries[0].text.insertPlainText("宗旨意识淡薄，把群众的急事当成小事。")
    panel.flush()
    settle(qtbot)
    second = panel.causes.add_blank()
    second.category.setCurrentIndex(second.category.findData("commitment"))
    second.text.insertPlainText("作风不实，满足于电话里过问，不到现场。")
    panel.measures.entries[0].text.insertPlainText("11月底前修复石门村水渠。")
    panel.measures.entries[0].deadline_kind.setCurrentIndex(1)  # 立行立改
    panel.flush()
    settle(qtbot)
    extra = panel.measures.add_blank()
    extra.text.insertPlainText("建立群众来电三日内回复制度。")
    panel.flush()
    settle(qtbot)

    def problem() -> object:
        (p,) = load_own_self_check(laptop.db, laptop.location).problems
        return p

    p = problem()
    assert p.text == "对群众反映的水渠维修问题回应不及时"  # type: ignore[attr-defined]
    assert [c.text for c in p.causes] == [  # type: ignore[attr-defined]
        "宗旨意识淡薄，把群众的急事当成小事。",
        "作风不实，满足于电话里过问，不到现场。",
    ]
    assert p.causes[1].category == "commitment"  # type: ignore[attr-defined]
    assert [(m.text, m.deadline_kind) for m in p.measures] == [  # type: ignore[attr-defined]
        ("11月底前修复石门村水渠。", "immediate"),
        ("建立群众来电三日内回复制度。", "by_date"),
    ]
    assert len(panel.causes.entries) == 2 and len(panel.measures.entries) == 2

    # Ctrl+Z in a text field undoes the last intention: the second measure goes.
    target = panel.measures.entries[0].text
    with qtbot.wait_signal(page.saved, timeout=5000):
        qtbot.keyClick(target, Qt.Key.Key_Z, CTRL)
    settle(qtbot)
    assert [m.text for m in problem().measures] == ["11月底前修复石门村水渠。"]  # type: ignore[attr-defined]
    assert len(panel.measures.entries) == 1
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=True)
    settle(qtbot)
    assert len(problem().measures) == 2  # type: ignore[attr-defined]

    # A choice is a step; so is removing a cause.
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.severity.setCurrentIndex(panel.severity.findData("serious"))
    settle(qtbot)
    assert problem().severity_code == "serious"  # type: ignore[attr-defined]
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.causes.entries[0].remove_button.click()
    settle(qtbot)
    assert len(problem().causes) == 1 and len(panel.causes.entries) == 1  # type: ignore[attr-defined]
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)
    settle(qtbot)
    assert len(problem().causes) == 2  # type: ignore[attr-defined]
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)
    settle(qtbot)
    assert problem().severity_code == "general"  # type: ignore[attr-defined]
    assert panel.severity.currentData() == "general"

    # Deleting the problem is undone whole: its causes and measures come back.
    from mingjing.ui.pages.problems import ProblemsPanel

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ProblemsPanel, "ask_delete", classmethod(lambda c, p, w: True))
        with qtbot.wait_signal(page.saved, timeout=5000):
            panel.delete_button.click()
    settle(qtbot)
    assert load_own_self_check(laptop.db, laptop.location).problems == ()
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)
    settle(qtbot)
    p = problem()
    assert len(p.causes) == 2 and len(p.measures) == 2  # type: ignore[attr-defined]
    assert panel.model.rowCount() == 1 and len(panel.causes.entries) == 2

    # Typing still waiting for its pause is a step of its own, undone first.
    panel.examples.setFocus()
    panel.examples.insertPlainText("2025年9月石门村群众三次来电。")
    with qtbot.wait_signal(page.saved, timeout=5000):
        qtbot.keyClick(panel.examples, Qt.Key.Key_Z, CTRL)
    settle(qtbot)
    assert problem().examples == "" and panel.examples.toPlainText() == ""  # type: ignore[attr-defined]
    assert page.undo_stack.canRedo()


def test_study_records_undo_and_redo(qtbot: QtBot, page: SelfCheckPage, laptop: Workspace) -> None:
    panel = page.study_panel
    page.tabs.setCurrentIndex(2)
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.add_button.click()
    settle(qtbot)
    (added,) = load_own_self_check(laptop.db, laptop.location).study
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.model.setData(panel.model.index(0, 2), "专题学习《中国共产党纪律处分条例》")
    settle(qtbot)
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)
    settle(qtbot)
    assert panel.model.index(0, 2).data() == "（请填写学习内容）"
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)
    settle(qtbot)
    assert load_own_self_check(laptop.db, laptop.location).study == ()
    for _ in range(2):
        with qtbot.wait_signal(page.saved, timeout=5000):
            page.undo_step(redo=True)
        settle(qtbot)
    (back,) = load_own_self_check(laptop.db, laptop.location).study
    assert back.id == added.id and back.topic == "专题学习《中国共产党纪律处分条例》"


def test_a_refused_edit_is_said_above_what_is_stored(
    qtbot: QtBot, page: SelfCheckPage, laptop: Workspace
) -> None:
    from mingjing.services import self_check as svc
    from mingjing.ui.pages.undo import Change

    def refuse(db: object) -> None:
        svc.update_problem(db, "00000000-0000-0000-0000-000000000000", text="x")  # type: ignore[arg-type]

    with qtbot.wait_signal(page.loaded, timeout=5000):
        page._push(Change("改一个不存在的问题", do=refuse, undo=refuse))
    assert page.status.text().startswith("找不到这个问题")
    assert "填写中" in page.status.text()
    assert load_own_self_check(laptop.db, laptop.location).problems == ()


def test_words_in_a_new_cause_are_saved_when_the_page_closes(
    qtbot: QtBot, page: SelfCheckPage, laptop: Workspace
) -> None:
    panel = page.problems_panel
    page.tabs.setCurrentIndex(1)
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.add_button.click()
    settle(qtbot)
    panel.causes.entries[0].text.insertPlainText("对群众诉求不敏感。")  # no pause yet
    panel.measures.add_blank().text.insertPlainText("建立来电限时回复制度。")
    page.flush()  # what closing the window does
    settle(qtbot)
    (problem,) = load_own_self_check(laptop.db, laptop.location).problems
    assert [c.text for c in problem.causes] == ["对群众诉求不敏感。"]
    assert [m.text for m in problem.measures] == ["建立来电限时回复制度。"]


def test_undo_shows_what_it_changes_where_it_changes_it(
    qtbot: QtBot, page: SelfCheckPage, laptop: Workspace
) -> None:
    """Found by a trial as a new user: an undo in a focused cause box left the
    new words on screen; an undo from another tab changed an item out of sight;
    Ctrl+J from another tab focused a hidden item."""
    import datetime as _dt

    editor = page._editors["spirit-ambition"]
    editor.example.insertPlainText(EXAMPLE)
    page.flush()
    settle(qtbot)
    panel = page.problems_panel
    page.tabs.setCurrentIndex(1)
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.add_button.click()
    settle(qtbot)
    panel.text.insert("对群众反映的水渠维修问题回应不及时")
    cause = panel.causes.entries[0]
    cause.text.insertPlainText("宗旨意识淡薄。")
    page.flush()
    settle(qtbot)
    cause = panel.causes.entries[0]
    cause.text.setFocus()
    cause.text.moveCursor(cause.text.textCursor().MoveOperation.End)
    cause.text.insertPlainText("还有畏难情绪。")
    page.flush()
    settle(qtbot)
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)  # the added words, while the box has the focus
    settle(qtbot)
    (problem,) = load_own_self_check(laptop.db, laptop.location).problems
    assert problem.causes[0].text == "宗旨意识淡薄。"
    assert panel.causes.entries[0].text.toPlainText() == "宗旨意识淡薄。"

    # A measure set to 立行立改 has no date; undo brings both back.
    measure = panel.measures.entries[0]
    measure.text.insertPlainText("立即派人修复水渠。")
    page.flush()
    settle(qtbot)
    measure = panel.measures.entries[0]
    measure.deadline.setDate(measure.deadline.date().fromString("2025-12-31", "yyyy-MM-dd"))
    page.flush()
    settle(qtbot)
    measure = panel.measures.entries[0]
    with qtbot.wait_signal(page.saved, timeout=5000):
        measure.deadline_kind.setCurrentIndex(measure.deadline_kind.findData("immediate"))
    settle(qtbot)
    (problem,) = load_own_self_check(laptop.db, laptop.location).problems
    assert (problem.measures[0].deadline_kind, problem.measures[0].deadline) == ("immediate", None)
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)
    settle(qtbot)
    (problem,) = load_own_self_check(laptop.db, laptop.location).problems
    assert problem.measures[0].deadline == _dt.date(2025, 12, 31)

    # Undo from the study tab reaches a problem: the problem tab is shown first.
    page.tabs.setCurrentIndex(2)
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)  # the date
    assert page.tabs.currentIndex() == 1

    # Undoing the checklist example from here goes to the checklist.
    while page.undo_stack.index() > 1:
        with qtbot.wait_signal(page.saved, timeout=5000):
            page.undo_step(redo=False)
        settle(qtbot)
    page.tabs.setCurrentIndex(2)
    with qtbot.wait_signal(page.saved, timeout=5000):
        page.undo_step(redo=False)
    assert page.tabs.currentIndex() == 0
    assert editor.example.toPlainText() == ""

    # Ctrl+J from another tab shows the checklist before focusing an item.
    page.tabs.setCurrentIndex(2)
    page.go_to_next_unanswered()
    assert page.tabs.currentIndex() == 0


def test_what_is_not_saved_is_said(qtbot: QtBot, page: SelfCheckPage, laptop: Workspace) -> None:
    panel = page.problems_panel
    page.tabs.setCurrentIndex(1)
    with qtbot.wait_signal(page.saved, timeout=5000):
        panel.add_button.click()
    settle(qtbot)
    panel.text.insert("拖延")
    panel.flush()
    settle(qtbot)
    panel.text.clear()
    panel.flush()
    assert panel.text_note.isVisibleTo(panel)
    (problem,) = load_own_self_check(laptop.db, laptop.location).problems
    assert problem.text == "拖延"
    study = page.study_panel
    page.tabs.setCurrentIndex(2)
    with qtbot.wait_signal(page.saved, timeout=5000):
        study.add_button.click()
    settle(qtbot)
    (record,) = load_own_self_check(laptop.db, laptop.location).study
    assert record.topic == ""  # the prompt is shown, not stored
    assert study.table.currentIndex().column() == 2  # ready for what was studied
    assert not study.model.setData(study.model.index(0, 3), "两个半")
    assert "学时请填数字" in study.note.text()


def test_an_undecided_deadline_steps_from_today(qtbot: QtBot, app_fonts: object) -> None:
    """Found by a trial: ↑ on a 未定 deadline saved 2000年1月2日."""
    from PySide6.QtCore import QDate

    from mingjing.ui.pages.problems import NO_DATE, DeadlineEdit

    edit = DeadlineEdit()
    qtbot.add_widget(edit)
    edit.setMinimumDate(NO_DATE)
    edit.setDate(NO_DATE)
    edit.stepBy(1)
    assert edit.date() == QDate.currentDate()
    edit.stepBy(1)  # then on from today, in whichever part (day, month, year) is current
    assert edit.date() > QDate.currentDate()


def test_personal_matters_are_asked_of_leaders_only(
    qtbot: QtBot, page: SelfCheckPage, tmp_path: Path, campaign_file: Path, app_fonts: object
) -> None:
    panel = page.problems_panel
    assert panel.matters.isHidden() and panel.matters_label.isHidden()  # 陈喆 is a 股长

    location = resolve_location(tmp_path / "leader")
    ws = Workspace.open(location)
    try:
        join_campaign(ws.db, location, campaign_file, "孙珺")
        leader = SelfCheckPage(location)
        qtbot.add_widget(leader)
        leader.resize(1366, 768)
        leader.show()
        with qtbot.wait_signal(leader.loaded, timeout=10_000):
            leader.set_database(ws.db)
        leader.tabs.setCurrentIndex(1)
        matters = leader.problems_panel.matters
        assert matters.isVisible()
        matters.setFocus()
        matters.insertPlainText("无")  # (QTest.keyClicks aborts on a CJK character)
        with qtbot.wait_signal(leader.saved, timeout=5000):
            leader.problems_panel.flush()
        settle(qtbot)
        assert load_own_self_check(ws.db, location).personal_matters == "无"
        with qtbot.wait_signal(leader.saved, timeout=5000):
            leader.undo_step(redo=False)
        settle(qtbot)
        assert load_own_self_check(ws.db, location).personal_matters == ""
        assert matters.toPlainText() == ""

        # A talk asks for whom, not for what was studied.
        leader.tabs.setCurrentIndex(2)
        study = leader.study_panel
        with qtbot.wait_signal(leader.saved, timeout=5000):
            study.add_button.click()
        settle(qtbot)
        forms = [study.model.index(0, 1).data()]
        with qtbot.wait_signal(leader.saved, timeout=5000):
            study.model.setData(study.model.index(0, 1), "talk")
        settle(qtbot)
        assert forms == ["个人自学"] and study.model.index(0, 1).data() == "谈心谈话"
        assert study.model.index(0, 2).data() == "（请填写谈话对象，如：与李某某同志）"
        leader.close()
    finally:
        ws.close()
