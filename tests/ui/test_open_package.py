"""A package file given at start (a double-click) lands where it is taken in by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mingjing.config import DataLocation
from mingjing.fonts import FontRegistry
from mingjing.services.workspace import Workspace
from mingjing.ui.app import build_window
from mingjing.ui.desk.hand_ins import HandInsTab
from mingjing.ui.main_window import MainWindow
from mingjing.ui.pages.self_check import SelfCheckPage


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the window told the user (its message boxes, answered)."""
    texts: list[str] = []
    monkeypatch.setattr(MainWindow, "tell_info", classmethod(lambda c, p, t: texts.append(t)))
    monkeypatch.setattr(MainWindow, "tell_warning", classmethod(lambda c, p, t: texts.append(t)))
    return texts


def _window(
    qtbot: QtBot, workspace: Workspace, fonts: FontRegistry, keep: list[object]
) -> MainWindow:
    win = build_window(workspace.location, fonts, workspace)
    qtbot.add_widget(win)
    keep.append(win)
    with qtbot.wait_signal(win.first_page_shown, timeout=30_000):
        win.show()
        win.refresh()
    return win


def _current(win: MainWindow) -> str:
    return win.page_keys()[win.nav.currentRow()]


def test_a_campaign_file_opened_before_the_database_joins_once_it_is_open(
    qtbot: QtBot,
    workspace: Workspace,
    app_fonts: FontRegistry,
    campaign_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    keep: list[object],
    told: list[str],
) -> None:
    monkeypatch.setattr(SelfCheckPage, "ask_member", classmethod(lambda c, p, labels: labels[7]))
    win = build_window(workspace.location, app_fonts)  # no database yet, as at start
    qtbot.add_widget(win)
    keep.append(win)
    win.show()
    win.open_package(campaign_file)
    with qtbot.wait_signal(win.self_check.joined, timeout=30_000):
        win.set_workspace(workspace)
    assert _current(win) == "self_check"
    qtbot.waitUntil(lambda: "陈喆" in win.self_check.heading.text(), timeout=10_000)
    assert told == []


def test_a_reply_goes_to_the_self_check_page(
    qtbot: QtBot,
    demo_workspace: Workspace,
    app_fonts: FontRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    keep: list[object],
) -> None:
    opened: list[str | None] = []
    monkeypatch.setattr(SelfCheckPage, "open_reply_file", lambda self, path: opened.append(path))
    win = _window(qtbot, demo_workspace, app_fonts, keep)
    reply = tmp_path / "陈喆的审核回复.MJREPLY"  # endings in capitals too (Windows)
    reply.write_bytes(b"PK")
    win.open_package(reply)
    assert opened == [str(reply)]
    assert _current(win) == "self_check"


def test_a_hand_in_is_taken_in_at_the_office(
    qtbot: QtBot,
    demo_workspace: Workspace,
    app_fonts: FontRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    keep: list[object],
    told: list[str],
) -> None:
    taken: list[list[Path]] = []
    monkeypatch.setattr(HandInsTab, "import_paths", lambda self, paths: taken.append(paths))
    win = _window(qtbot, demo_workspace, app_fonts, keep)
    hand_in = tmp_path / "陈喆-自查-第1次.mjsubmission"
    hand_in.write_bytes(b"PK")
    win.open_package(hand_in)
    qtbot.waitUntil(lambda: bool(taken), timeout=10_000)
    assert taken == [[hand_in]]
    assert _current(win) == "gathering"
    assert win.desk.tabs.currentWidget() is win.desk.tab(HandInsTab)
    assert told == []


def test_a_hand_in_on_a_computer_without_a_campaign_is_refused_plainly(
    qtbot: QtBot,
    workspace: Workspace,
    app_fonts: FontRegistry,
    tmp_path: Path,
    keep: list[object],
    told: list[str],
) -> None:
    win = _window(qtbot, workspace, app_fonts, keep)
    hand_in = tmp_path / "陈喆.mjsubmission"
    hand_in.write_bytes(b"PK")
    win.open_package(hand_in)
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert "本机没有办公室的专项行动" in told[0] and "陈喆.mjsubmission" in told[0]


def test_review_files_land_on_the_review_pages(
    qtbot: QtBot,
    demo_workspace: Workspace,
    app_fonts: FontRegistry,
    tmp_path: Path,
    keep: list[object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A leader's review file opens in 领导审阅; a leader's reply in 汇总与会诊 → 领导审阅.
    Both here are damaged: each page names the file in its warning."""
    from mingjing.ui.desk.base import DeskTab
    from mingjing.ui.desk.leader_review import LeaderReviewTab
    from mingjing.ui.pages.review import ReviewPage

    warned: list[str] = []
    monkeypatch.setattr(ReviewPage, "tell_warning", classmethod(lambda c, p, t: warned.append(t)))
    monkeypatch.setattr(DeskTab, "tell_warning", classmethod(lambda c, p, t: warned.append(t)))
    win = _window(qtbot, demo_workspace, app_fonts, keep)
    review = tmp_path / "审阅.mjreview"
    review.write_bytes(b"PK")
    win.open_package(review)
    assert _current(win) == "review"
    qtbot.wait_until(lambda: len(warned) == 1, timeout=10_000)
    assert str(review) in warned[0]
    reply = tmp_path / "意见.mjreviewreply"
    reply.write_bytes(b"PK")
    win.open_package(reply)
    assert _current(win) == "gathering"
    assert isinstance(win.desk.tabs.currentWidget(), LeaderReviewTab)
    qtbot.wait_until(lambda: len(warned) == 2, timeout=10_000)
    assert str(reply) in warned[1]


def test_a_missing_or_foreign_file_is_named(
    qtbot: QtBot,
    demo_workspace: Workspace,
    app_fonts: FontRegistry,
    tmp_path: Path,
    keep: list[object],
    told: list[str],
) -> None:
    win = _window(qtbot, demo_workspace, app_fonts, keep)
    win.open_package(tmp_path / "不在了.mjcampaign")
    win.open_package(tmp_path / "表格.xlsx")
    assert "找不到专项行动文件" in told[0] and "不在了.mjcampaign" in told[0]
    assert "不是明镜的文件" in told[1]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Calls of run_app from the command line, instead of a window."""
    calls: list[dict[str, object]] = []

    def fake(location: DataLocation, **kwargs: object) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("mingjing.ui.app.run_app", fake)
    return calls


def test_the_command_line_hands_the_file_to_the_window(
    tmp_path: Path, started: list[dict[str, object]]
) -> None:
    from mingjing.cli import main

    package = tmp_path / "青山县林业局.mjcampaign"
    assert main(["--data-dir", str(tmp_path / "d"), str(package)]) == 0
    assert main([str(package), "--data-dir", str(tmp_path / "d")]) == 0
    assert main(["--data-dir", str(tmp_path / "d")]) == 0
    assert [c["package"] for c in started] == [package, package, None]
