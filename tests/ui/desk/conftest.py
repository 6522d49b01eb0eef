"""The office's desk on the demo unit, and a cadre's hand-in file for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from mingjing.config import resolve_location
from mingjing.services import self_check as staff
from mingjing.services.campaigns import export_campaign, join_campaign
from mingjing.services.identity import load_identity
from mingjing.services.workspace import Workspace
from mingjing.ui.desk.hand_ins import HandInsTab
from mingjing.ui.desk.page import DeskPage


@pytest.fixture
def desk(qtbot: QtBot, demo_workspace: Workspace, app_fonts: object) -> DeskPage:
    page = DeskPage(demo_workspace.location)
    page.add_tab(HandInsTab(page), "收取自查")
    qtbot.add_widget(page)
    page.resize(1366, 768)
    page.show()
    with qtbot.wait_signal(page.tab(HandInsTab).loaded, timeout=10_000):
        page.set_database(demo_workspace.db)
    return page


@pytest.fixture
def hand_in_file(tmp_path: Path, demo_workspace: Workspace) -> Callable[[str], Path]:
    """``hand_in_file(name)``: that member joins on a laptop, answers one item, hands in."""
    package = export_campaign(
        demo_workspace.db, tmp_path, load_identity(demo_workspace.location.data_dir)
    )

    def make(name: str) -> Path:
        location = resolve_location(tmp_path / f"laptop-{name}")
        ws = Workspace.open(location)
        try:
            join_campaign(ws.db, location, package, name)
            view = staff.load_own_self_check(ws.db, location)
            staff.set_answer(
                ws.db, view.id, "spirit-ambition", level="slight", example="2025年10月……"
            )
            return staff.hand_in(ws.db, location, tmp_path / "u盘")
        finally:
            ws.close()

    return make


@pytest.fixture
def open_tab(qtbot: QtBot, keep: list[object], app_fonts: object) -> Callable[..., Any]:
    """``open_tab(workspace, TabClass, "标题")``: a desk page holding only that tab, loaded."""

    def make(workspace: Workspace, kind: type, title: str) -> Any:
        return _open_tab(qtbot, workspace, keep, kind, title)

    return make


def _open_tab(
    qtbot: QtBot, workspace: Workspace, keep: list[object], kind: type, title: str
) -> Any:
    """``keep`` holds the page: qtbot's reference is weak."""
    page = DeskPage(workspace.location)
    keep.append(page)
    tab = kind(page)
    page.add_tab(tab, title)
    qtbot.add_widget(page)
    page.resize(1366, 768)
    page.show()
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        page.set_database(workspace.db)
    return tab
