"""收取自查: files in (with a bad one), the remind list, reading and returning a hand-in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from mingjing.services.submissions import ImportReport, Outcome
from mingjing.ui.desk.hand_ins import HandInModel, HandInsTab
from mingjing.ui.desk.page import DeskPage


def row_of(model: HandInModel, name: str) -> int:
    return next(i for i, r in enumerate(model.rows) if r.name == name)


def test_counts_and_remind_list(
    desk: DeskPage, qtmodeltester: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = desk.tab(HandInsTab)
    assert isinstance(tab, HandInsTab)
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]
    assert tab.model.rowCount() == 12
    assert tab.counts.text().startswith("应交 12 人")
    assert tab.missing.count() >= 1
    told: list[str] = []
    monkeypatch.setattr(HandInsTab, "tell_info", classmethod(lambda cls, p, t: told.append(t)))
    tab.copy_missing()
    clip = QGuiApplication.clipboard().text()
    assert (
        clip.startswith("以下同志尚未提交自查材料")
        and tab.missing.item(0).text().split("　")[0] in clip
    )
    assert told


def test_take_in_files_then_return_one_for_rework(
    qtbot: QtBot,
    desk: DeskPage,
    hand_in_file: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tab = desk.tab(HandInsTab)
    assert isinstance(tab, HandInsTab)
    good = hand_in_file("陈喆")
    bad = good.parent / "损坏的.mjsubmission"
    bad.write_bytes(good.read_bytes()[:100])
    reports: list[ImportReport] = []
    monkeypatch.setattr(HandInsTab, "show_report", classmethod(lambda cls, p, r: reports.append(r)))
    with qtbot.wait_signal(tab.loaded, timeout=20_000):
        tab.import_paths([good.parent])
    qtbot.wait_until(lambda: bool(reports), timeout=5_000)
    (report,) = reports
    outcomes = {line.file.name: line.outcome for line in report.lines}
    assert outcomes == {good.name: Outcome.IMPORTED, bad.name: Outcome.REFUSED}
    row = tab.model.rows[row_of(tab.model, "陈喆")]
    assert row.state_label == "已提交待审核" and row.revision >= 1

    tab.table.selectRow(row_of(tab.model, "陈喆"))
    seen: list[str] = []

    def answer(
        cls: object,
        parent: object,
        view: object,
        status: object,
        draft: str = "",
        comments: object = (),
    ) -> tuple[str, str]:
        seen.append(view.member_name)  # type: ignore[attr-defined]
        return "returned", "请补充具体事例。"

    monkeypatch.setattr(HandInsTab, "ask_review", classmethod(answer))
    monkeypatch.setattr(
        HandInsTab, "ask_reply_folder", classmethod(lambda cls, p, s: str(tmp_path / "回复"))
    )
    told: list[str] = []
    monkeypatch.setattr(HandInsTab, "tell_info", classmethod(lambda cls, p, t: told.append(t)))
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.review_selected()
    qtbot.wait_until(lambda: bool(told), timeout=5_000)
    assert seen == ["陈喆"]
    assert (tmp_path / "回复" / f"陈喆-审核回复-第{row.revision}次.mjreply").exists()
    assert tab.model.rows[row_of(tab.model, "陈喆")].state_label == "退回返工"


def test_review_warns_of_gaps_and_keeps_a_comment_when_no_folder_is_chosen(
    qtbot: QtBot,
    desk: DeskPage,
    hand_in_file: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mingjing.services.self_check import read_self_check
    from mingjing.ui.desk.hand_ins import ReviewDialog

    tab = desk.tab(HandInsTab)
    assert isinstance(tab, HandInsTab)
    monkeypatch.setattr(HandInsTab, "show_report", classmethod(lambda cls, p, r: None))
    with qtbot.wait_signal(tab.loaded, timeout=20_000):
        tab.import_paths([hand_in_file("陈喆")])
    status = tab.model.rows[row_of(tab.model, "陈喆")]
    assert tab.context is not None and status.self_check_id is not None
    view = read_self_check(tab.context.db, status.self_check_id)
    dialog = ReviewDialog(view, status)
    qtbot.add_widget(dialog)
    assert "对号入座还有 24 项未填" in dialog.gaps.text()
    assert "没有查摆问题" in dialog.gaps.text()
    assert not dialog.accept_button.isDefault()

    drafts: list[str] = []

    def answer(
        cls: object, p: object, v: object, s: object, draft: str = "", comments: object = ()
    ) -> tuple[str, str]:
        drafts.append(draft)
        return "returned", "请逐项对号入座。"

    told: list[str] = []
    monkeypatch.setattr(HandInsTab, "ask_review", classmethod(answer))
    monkeypatch.setattr(HandInsTab, "ask_reply_folder", classmethod(lambda cls, p, s: None))
    monkeypatch.setattr(HandInsTab, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    tab.table.selectRow(row_of(tab.model, "陈喆"))
    tab.review_selected()
    qtbot.wait_until(lambda: bool(told), timeout=5_000)
    assert "审核结果没有保存" in told[0]
    assert tab.model.rows[row_of(tab.model, "陈喆")].state_label == "已提交待审核"
    tab.review_selected()
    qtbot.wait_until(lambda: len(drafts) == 2, timeout=5_000)
    assert drafts == ["", "请逐项对号入座。"]


def test_the_reading_view_shows_what_leaders_said() -> None:
    import datetime as dt

    from mingjing.domain.review import ActionView
    from mingjing.ui.desk.statement import comments_html

    said = ActionView(
        id="a", kind="comment", kind_label="领导点评", target_kind="problem", target_id="p2",
        target_label="", text="事例要写清<时间>。",
        acted_at=dt.datetime(2026, 11, 26, tzinfo=dt.UTC), author="刘志堃",
        state="applied", state_label="已记录",
    )  # fmt: skip
    html = comments_html([said], {"p1": 1, "p2": 2})
    assert "领导审阅意见" in html and "刘志堃" in html and "（针对问题 2）" in html
    assert "&lt;时间&gt;" in html and "<时间>" not in html
    assert comments_html([], {}) == ""
