"""The checklist worked with the keyboard alone: Tab, Space, Ctrl+Enter, Ctrl+J, Ctrl+Z.

Chinese text reaches a field from the input method as committed text, so the
example is inserted as such; every other step is a key press.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from mingjing.config import resolve_location
from mingjing.services.campaigns import join_campaign
from mingjing.services.self_check import load_own_self_check
from mingjing.services.workspace import Workspace
from mingjing.ui.pages.self_check import SelfCheckPage

CTRL = Qt.KeyboardModifier.ControlModifier


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
    widget.activateWindow()
    with qtbot.wait_signal(widget.loaded, timeout=10_000):
        widget.set_database(laptop.db)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5_000)
    return widget


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
    # Ctrl+Z takes back the last checklist intention (the typing), Ctrl+Y brings it back.
    with qtbot.wait_signal(page.saved, timeout=5_000):
        qtbot.keyClick(example, Qt.Key.Key_Z, CTRL)
    assert example.toPlainText() == ""
    with qtbot.wait_signal(page.saved, timeout=5_000):
        qtbot.keyClick(example, Qt.Key.Key_Y, CTRL)
    assert example.toPlainText().startswith("2025年10月")
    # Ctrl+J goes to the next item without an answer, in this area or the next.
    before = page.area_list.currentIndex().row()
    qtbot.keyClick(example, Qt.Key.Key_J, CTRL)
    qtbot.waitUntil(lambda: focused() is not None and not first.isAncestorOf(focused()))
    target = focused()
    assert isinstance(target, QRadioButton)
    assert target.parent() is page._editors["spirit-enthusiasm"]  # the next one without a level
    assert page.area_list.currentIndex().row() == before
