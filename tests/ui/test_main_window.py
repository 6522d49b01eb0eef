from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mingjing.fonts import FontRegistry
from mingjing.services.summary import summarize
from mingjing.services.workspace import Workspace
from mingjing.ui.app import build_window
from mingjing.ui.main_window import MainWindow

# Words that may stay in Latin letters in the Chinese UI: names of formats and standards.
ALLOWED_LATIN = {
    "mjreview",  # the file ending named on the 领导审阅 page
    "U",  # U盘
    "GB",
    "T",
    "PDF",
    "DOCX",
    "WPS",
    "Excel",
    "Word",
    "SHA",
    "mingjing",
    "demo",
    "sqlite3",
    "tmp",
    "Python",
    "Qt",
    "for",
    "mjcampaign",
}


def visible_texts(root: QWidget) -> list[str]:
    texts = [w.text() for w in root.findChildren(QLabel)]
    texts += [w.title() for w in root.findChildren(QGroupBox)]
    texts += [w.text() for w in root.findChildren(QAbstractButton)]
    for tabs in root.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        columns = len(getattr(model, "HEADERS", ()))  # our table models declare them
        for column in range(columns):
            header = model.headerData(column, Qt.Orientation.Horizontal)
            if isinstance(header, str):
                texts.append(header)
    for edit in root.findChildren(QLineEdit):
        texts.append(edit.placeholderText())
    return texts


def card_rows(page: QWidget) -> dict[str, dict[str, str]]:
    """Each card's rows as {card title: {label: value}}, read from the widgets."""
    from PySide6.QtWidgets import QFormLayout

    cards: dict[str, dict[str, str]] = {}
    for box in page.findChildren(QGroupBox):
        form = box.layout()
        assert isinstance(form, QFormLayout)
        rows: dict[str, str] = {}
        for i in range(form.rowCount()):
            label = form.itemAt(i, QFormLayout.ItemRole.LabelRole).widget()
            value = form.itemAt(i, QFormLayout.ItemRole.FieldRole).widget()
            assert isinstance(label, QLabel) and isinstance(value, QLabel)
            rows[label.text().replace("其中：", "").strip("　")] = value.text()
        cards[box.title()] = rows
    return cards


def test_overview_shows_the_summary_counts(window: MainWindow, demo_workspace: Workspace) -> None:
    summary = summarize(demo_workspace.db)
    page = window.overview
    assert summary.campaign is not None
    assert summary.campaign.title in page.title.text()
    cards = card_rows(page)
    assert cards["整改台账"]["整改事项"] == f"{summary.rectifications} 项"
    assert cards["整改台账"]["已逾期"] == f"{summary.overdue} 项"
    assert cards["整改台账"]["已完成待销号"] == (
        f"{summary.rectifications_by_state['已完成待销号']} 项"
    )
    assert cards["查摆问题"]["问题总数"] == f"{summary.problems} 个"
    assert cards["查摆问题"]["上级点"] == f"{summary.problems_by_source['上级点']} 个"
    assert (
        cards["人员与个人自查"]["已交自查表（含已通过）"]
        == f"{summary.handed_in} / {summary.members} 人"
    )
    assert (
        cards["问题按方面分布"]["群众观念不牢"] == f"{summary.problems_by_area['群众观念不牢']} 个"
    )
    assert summary.campaign.title in window.campaign_label.text()
    assert str(demo_workspace.location.sqlite_path) in window.location_label.text()


def test_navigation_reaches_every_work_area(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: window.nav.item(3).text() != "整改台账", timeout=10_000)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    # 整改台账 shows how many rows are overdue or due in 3 days.
    assert re.fullmatch(r"整改台账（逾期 \d+）", titles[3]), titles[3]
    titles[3] = "整改台账"
    assert titles == ["工作概况", "个人自查", "汇总与会诊", "整改台账", "会议材料", "领导审阅"]
    for row, key in enumerate(window.page_keys()):
        window.show_page(key)
        assert window.pages.currentIndex() == row
    # The office's own 领导审阅 page says where the office's side of it is.
    window.show_page("review")
    qtbot.waitUntil(lambda: "汇总与会诊" in window.review.empty.text(), timeout=10_000)


def test_no_english_left_in_the_ui(window: MainWindow) -> None:
    texts = [t for t in visible_texts(window) if t != window.location_label.text()]
    for menu_action in window.menuBar().actions():
        texts.append(menu_action.text())
        menu = menu_action.menu()
        if menu is not None:
            texts += [a.text() for a in menu.actions() if not a.isSeparator()]
    for text in texts:
        plain = re.sub(r"<[^>]+>", "", text)
        plain = re.sub(r"\(&\w\)|&", "", plain)
        words = set(re.findall(r"[A-Za-z]+", plain)) - ALLOWED_LATIN
        assert not words, f"English left in the UI: {text!r}"


def test_empty_database_says_what_to_do(
    qtbot: QtBot, workspace: Workspace, app_fonts: FontRegistry
) -> None:
    win = build_window(workspace.location, app_fonts, workspace)
    qtbot.add_widget(win)
    with qtbot.wait_signal(win.first_page_shown, timeout=30_000):
        win.show()
        win.refresh()
    assert "还没有专项行动" in win.overview.subtitle.text()
    assert win.overview.findChildren(QGroupBox) == []


def test_geometry_and_page_are_remembered(
    qtbot: QtBot, demo_workspace: Workspace, app_fonts: FontRegistry
) -> None:
    first = build_window(demo_workspace.location, app_fonts, demo_workspace)
    qtbot.add_widget(first)
    first.show()
    # The offscreen screen is 800×800: stay within it so nothing is clamped.
    first.resize(first.minimumWidth(), 654)
    first.show_page("ledger")
    size = first.size()
    first.close()
    second = build_window(demo_workspace.location, app_fonts, demo_workspace)
    qtbot.add_widget(second)
    assert second.size() == size
    assert second.page_keys()[second.nav.currentRow()] == "ledger"


def test_about_lists_bundled_fonts_and_licences(qtbot: QtBot, app_fonts: FontRegistry) -> None:
    from PySide6.QtWidgets import QTextBrowser

    from mingjing.ui.about import AboutDialog

    dialog = AboutDialog(app_fonts)
    qtbot.add_widget(dialog)
    text = dialog.findChild(QTextBrowser).toPlainText()
    for face in app_fonts.bundled_faces():
        assert face.path.name in text
    assert "Arphic" in text or "ARPHIC" in text
    assert "SQLAlchemy" in text


def test_first_run_offers_joining_and_the_demo(
    qtbot: QtBot, workspace: Workspace, app_fonts: FontRegistry, keep: list[object]
) -> None:
    win = build_window(workspace.location, app_fonts, workspace)
    qtbot.add_widget(win)
    keep.append(win)
    with qtbot.wait_signal(win.first_page_shown, timeout=30_000):
        win.show()
        win.refresh()
    assert win.overview.first_run.isVisible()
    with qtbot.wait_signal(win.overview.populated, timeout=60_000):
        win.overview.demo_button.click()
    assert "岚川县农业农村局" in win.overview.title.text()
    assert not win.overview.first_run.isVisible()


def test_joining_from_the_overview(
    qtbot: QtBot,
    workspace: Workspace,
    app_fonts: FontRegistry,
    tmp_path: object,
    monkeypatch: object,
    keep: list[object],
    campaign_file: object,
    office_key_told: list[str],
) -> None:
    from pathlib import Path

    import pytest

    from mingjing.ui.pages.self_check import SelfCheckPage

    assert isinstance(tmp_path, Path) and isinstance(monkeypatch, pytest.MonkeyPatch)
    package = campaign_file
    monkeypatch.setattr(SelfCheckPage, "ask_package", classmethod(lambda c, p: str(package)))
    monkeypatch.setattr(SelfCheckPage, "ask_member", classmethod(lambda c, p, labels: labels[7]))
    win = build_window(workspace.location, app_fonts, workspace)
    qtbot.add_widget(win)
    keep.append(win)
    with qtbot.wait_signal(win.first_page_shown, timeout=30_000):
        win.show()
        win.refresh()
    with qtbot.wait_signal(win.self_check.joined, timeout=30_000):
        win.overview.join_button.click()
    assert win.page_keys()[win.nav.currentRow()] == "self_check"
    qtbot.waitUntil(lambda: "陈喆" in win.self_check.heading.text(), timeout=10_000)
    # The office key was registered, and its fingerprint told to be checked by phone.
    qtbot.waitUntil(lambda: bool(office_key_told))
    assert len(office_key_told[0]) == 39


def test_closing_with_an_unsaved_consultation_asks_first(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mingjing.ui.desk.consultations import ConsultationsTab

    tab = window.consultations
    qtbot.wait_until(lambda: tab.context is not None, timeout=10_000)
    tab.dirty = True
    answers: list[str | None] = [None, "discard"]
    asked: list[str] = []

    def answer(cls: object, parent: object, text: str) -> str | None:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(ConsultationsTab, "ask_unsaved", classmethod(answer))
    window.close()
    assert window.isVisible() and len(asked) == 1  # 取消: the window stays
    assert window.desk.tabs.currentWidget() is tab
    window.close()
    qtbot.wait_until(lambda: not window.isVisible(), timeout=5_000)
    assert len(asked) == 2


def test_a_staff_laptop_overview_is_about_its_user(
    qtbot: QtBot, tmp_path: object, campaign_file: object, app_fonts: FontRegistry
) -> None:
    from pathlib import Path

    from mingjing.config import resolve_location
    from mingjing.services.campaigns import join_campaign

    location = resolve_location(Path(str(tmp_path)) / "laptop")
    ws = Workspace.open(location)
    try:
        join_campaign(ws.db, location, Path(str(campaign_file)), "陈喆")
        win = build_window(location, app_fonts, ws)
        qtbot.add_widget(win)
        with qtbot.wait_signal(win.first_page_shown, timeout=30_000):
            win.show()
            win.refresh()
        titles = [box.title() for box in win.overview.findChildren(QGroupBox)]
        assert titles and titles[0].startswith("本人自查　陈喆")
        assert not any("整改台账" in t for t in titles)
        assert any("全单位的汇总情况在办公室" in t for t in visible_texts(win.overview))
        qtbot.wait_until(lambda: "办公室的电脑上进行" in win.desk.empty_text.text(), timeout=5_000)
        assert win.desk.context is None and not win.desk.create_button.isVisible()
        win.close()
    finally:
        from mingjing.ui.tasks import wait_for_tasks

        wait_for_tasks()
        ws.close()


def test_the_data_check_from_the_menu(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[tuple[bool, str]] = []
    monkeypatch.setattr(
        MainWindow, "tell_check", classmethod(lambda c, p, ok, t: said.append((ok, t)))
    )
    window.check_data()
    qtbot.waitUntil(lambda: bool(said), timeout=20_000)
    ok, text = said[0]
    assert ok and text.startswith("数据完好") and "审计" in text
