"""The leader's 领导审阅 page: open the review file, read, act, export the reply."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mingjing.config import DataLocation
from mingjing.exchange.signing import Identity
from mingjing.services import leader_review as lr
from mingjing.services.campaign_setup import current_campaign_id
from mingjing.services.review_packages import export_review
from mingjing.storage import Database
from mingjing.ui.pages.review import BarChart, ReviewPage, blocks_html


@pytest.fixture
def review_file(
    office: Database, office_identity: Identity, leader_laptop: object, tmp_path: Path
) -> Path:
    cid = current_campaign_id(office)
    assert cid is not None
    made = export_review(
        office,
        cid,
        "刘志堃",
        tmp_path / "out",
        identity=office_identity,
        made_by="杨慧琳",
        today=dt.date(2025, 11, 20),
    )
    return made.path


@pytest.fixture
def page(
    qtbot: QtBot,
    leader_laptop: tuple[DataLocation, Database],
    app_fonts: object,
    keep: list[object],
) -> ReviewPage:
    location, db = leader_laptop
    made = ReviewPage(location)
    keep.append(made)
    qtbot.add_widget(made)
    made.resize(1366, 720)
    made.show()
    made.set_database(db)
    qtbot.wait_until(lambda: made.empty.text() != "正在读取……", timeout=10_000)
    return made


def test_before_a_review_the_page_says_what_to_expect(page: ReviewPage) -> None:
    assert page.stack.currentWidget() is page.empty
    assert ".mjreview" in page.empty.text() and "只有本机能打开" in page.empty.text()
    assert not page.export_button.isEnabled()


def test_open_read_act_and_export(
    qtbot: QtBot,
    page: ReviewPage,
    review_file: Path,
    leader_laptop: tuple[DataLocation, Database],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _location, db = leader_laptop
    with qtbot.wait_signal(page.review_opened, timeout=10_000):
        page.open_file(review_file)
    review = page.review
    assert review is not None and page.stack.currentWidget() is page.tabs
    board = lr.dashboard(review)
    assert page.board.handed_in.number.text() == f"{board.handed_in}/{board.members} 人"
    assert page.board.by_area.values == list(board.by_area)
    assert "杨慧琳" in page.info.text()

    # Statements: the team's first, then each hand-in; the reader shows the printed text.
    assert page.people.count() == len(review.statements) + 1
    own = next(i for i, s in enumerate(review.statements) if s["name"] == "刘志堃") + 1
    page.people.setCurrentRow(own)
    assert "个人对照检查材料" in page.reader.toPlainText()
    assert not page.return_button.isEnabled() and not page.raise_button.isEnabled()  # her own
    other = next(i for i, s in enumerate(review.statements) if s["state"] == "submitted"
                 and s["name"] != "刘志堃") + 1  # fmt: skip
    page.people.setCurrentRow(other)
    assert page.return_button.isEnabled()
    asked: list[tuple[str, bool]] = []

    def answer(
        cls: object, parent: object, title: str, about: str, prompt: str, required: bool
    ) -> str:
        asked.append((title, required))
        return "请补充具体事例。"

    monkeypatch.setattr(ReviewPage, "ask_opinion", classmethod(answer))
    with qtbot.wait_signal(page.acted, timeout=10_000):
        page.return_button.click()

    # 销号: only rows awaiting it are listed first; a decision shows beside the state.
    page.tabs.setCurrentIndex(2)
    assert page.ledger_model.rowCount() == len(review.awaiting_sign_off())
    rows = page.ledger_model.rows
    own = next(i for i, r in enumerate(rows) if review.responsible_for(r))
    page.ledger_view.selectRow(own)  # 刘志堃's own row: someone else signs it off
    assert "（本人负责）" in page.ledger_model.index(own, 6).data()
    assert not page.approve_button.isEnabled() and page.approve_button.toolTip()
    signable = next(i for i, r in enumerate(rows) if not review.responsible_for(r))
    page.ledger_view.selectRow(signable)
    assert page.approve_button.isEnabled()
    with qtbot.wait_signal(page.acted, timeout=10_000):
        page.approve_button.click()
    assert asked == [("退回返工", True), ("同意销号", False)]
    assert "（您：同意销号）" in page.ledger_model.index(signable, 6).data()
    assert page._selected_row() == rows[signable]  # still selected after acting
    assert page.actions_model.rowCount() == 2
    assert "未导出 2 条" in page.info.text()

    told: list[str] = []
    monkeypatch.setattr(ReviewPage, "ask_folder", classmethod(lambda c, p: str(tmp_path / "u")))
    monkeypatch.setattr(ReviewPage, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    (tmp_path / "u").mkdir()
    page.export_button.click()
    qtbot.wait_until(lambda: bool(told), timeout=10_000)
    (reply,) = (tmp_path / "u").glob("*.mjreviewreply")
    assert str(reply) in told[0]
    assert {a.state for a in lr.my_actions(db, review)} == {"sent"}
    page.tabs.setCurrentIndex(4)
    page.actions_view.selectRow(0)
    assert not page.withdraw_button.isEnabled()  # sent: no taking back


def test_a_draft_can_be_withdrawn(
    qtbot: QtBot, page: ReviewPage, review_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with qtbot.wait_signal(page.review_opened, timeout=10_000):
        page.open_file(review_file)
    monkeypatch.setattr(
        ReviewPage, "ask_opinion", classmethod(lambda c, p, t, a, pr, r: "要再具体些。")
    )
    assert page.review is not None
    with_problems = next(i for i, s in enumerate(page.review.statements) if s["problems"])
    page.people.setCurrentRow(with_problems + 1)
    with qtbot.wait_signal(page.acted, timeout=10_000):
        page.comment_problem_button.click()
    page.actions_view.selectRow(0)
    assert page.withdraw_button.isEnabled()
    with qtbot.wait_signal(page.acted, timeout=10_000):
        page.withdraw_button.click()
    assert page.actions_model.rowCount() == 0


def test_a_foreign_file_is_refused_with_its_name(
    qtbot: QtBot, page: ReviewPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "坏的.mjreview"
    bad.write_bytes(b"not a zip")
    warned: list[str] = []
    monkeypatch.setattr(ReviewPage, "tell_warning", classmethod(lambda c, p, t: warned.append(t)))
    page.open_file(bad)
    qtbot.wait_until(lambda: bool(warned), timeout=10_000)
    assert str(bad) in warned[0]
    assert page.review is None


def test_member_text_is_shown_as_text() -> None:
    html = blocks_html([{"style": "para", "text": "<b>粗</b> & <img src=x>"}])
    assert "<b>" not in html and "&lt;b&gt;" in html and "&lt;img" in html


def test_bar_chart_paints_counts(qtbot: QtBot, app_fonts: object) -> None:
    chart = BarChart("问题按方面", "#2563eb")
    qtbot.add_widget(chart)
    chart.set_values([("工作落实不力", 11), ("精神状态不佳", 8)])
    chart.resize(400, chart.sizeHint().height())
    image = chart.grab().toImage()
    assert chart.sizeHint().height() >= 3 * chart.fontMetrics().height()
    # The longer bar is drawn in the bar colour near the right of the span.
    row = chart._row() + chart._row() // 2
    colours = {image.pixelColor(x, row).name() for x in range(image.width())}
    assert "#2563eb" in colours
