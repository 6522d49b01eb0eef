"""UI fixtures: a demo workspace, the main window, and leak checks.

After every UI test no background task may still run and no top-level
window may be left open (napari-style): both catch the crashes that
otherwise appear only at exit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mingjing.config import DataLocation
from mingjing.fonts import FontRegistry
from mingjing.services.demo import create_demo
from mingjing.services.workspace import Workspace
from mingjing.ui import fonts as ui_fonts
from mingjing.ui.app import build_window
from mingjing.ui.main_window import MainWindow

TODAY = dt.date(2025, 11, 20)


@pytest.fixture(autouse=True)
def _no_leaks(qapp: QApplication) -> Iterator[None]:
    yield
    from mingjing.ui.tasks import wait_for_tasks

    assert wait_for_tasks(10_000), "a background task was still running after the test"
    qapp.processEvents()
    leaked = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for widget in leaked:
        widget.close()
    assert not leaked, f"test left top-level widgets open: {leaked}"


@pytest.fixture
def keep() -> Iterator[list[object]]:
    """Hold widgets made inside a test until after pytest-qt's last event processing.

    qtbot keeps only weak references; a window that only a test's local
    variable held is collected as the test returns, while queued events for
    it may still be pending.
    """
    held: list[object] = []
    yield held
    from mingjing.ui.tasks import wait_for_tasks

    wait_for_tasks(10_000)
    held.clear()


@pytest.fixture(scope="session")
def registry() -> FontRegistry:
    return FontRegistry.discover()


@pytest.fixture
def app_fonts(qapp: QApplication, registry: FontRegistry) -> FontRegistry:
    ui_fonts.install_application_fonts(qapp, registry)
    from mingjing.ui.app import install_qt_translations

    assert install_qt_translations(qapp), "Qt's Chinese translations are missing"
    return registry


@pytest.fixture
def workspace(location: DataLocation) -> Iterator[Workspace]:
    ws = Workspace.open(location)
    yield ws
    ws.close()


@pytest.fixture
def demo_workspace(workspace: Workspace) -> Workspace:
    create_demo(workspace.db, today=TODAY)
    return workspace


@pytest.fixture
def window(qtbot: QtBot, demo_workspace: Workspace, app_fonts: FontRegistry) -> MainWindow:
    win = build_window(demo_workspace.location, app_fonts, demo_workspace)
    qtbot.add_widget(win)
    with qtbot.wait_signal(win.first_page_shown, timeout=30_000):
        win.show()
        win.refresh()
    return win


@pytest.fixture(autouse=True)
def office_key_told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Joining tells the office key's fingerprint in a message box (modal: it would
    wait forever in a test); the tests see what was told here instead."""
    from mingjing.ui.pages.self_check import SelfCheckPage

    told: list[str] = []
    monkeypatch.setattr(
        SelfCheckPage, "tell_office_key", classmethod(lambda cls, parent, fp: told.append(fp))
    )
    return told
