"""The office's 领导审阅 tab: export a review for a leader, import the reply, settle conflicts."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from mingjing.config import DataLocation, resolve_location
from mingjing.services import leader_review as lr
from mingjing.services.ledger import update_row
from mingjing.storage import Database
from mingjing.ui.desk.leader_review import LeaderReviewTab


@pytest.fixture
def tab(
    office: Database,
    leader_laptop: object,
    tmp_path: Path,
    open_tab: Any,
) -> LeaderReviewTab:
    workspace = SimpleNamespace(location=resolve_location(tmp_path / "office"), db=office)
    made: LeaderReviewTab = open_tab(workspace, LeaderReviewTab, "领导审阅")
    return made


def test_export_then_import_then_settle(
    qtbot: QtBot,
    tab: LeaderReviewTab,
    office: Database,
    leader_laptop: tuple[DataLocation, Database],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The leader whose laptop's keys are known is chosen; the others say why not.
    assert tab.leader_choice.currentText().startswith("刘志堃")
    labels = [tab.leader_choice.itemText(i) for i in range(tab.leader_choice.count())]
    assert sum("未登记电脑密钥" in x for x in labels) == len(labels) - 1

    told: list[str] = []
    monkeypatch.setattr(LeaderReviewTab, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    monkeypatch.setattr(LeaderReviewTab, "ask_folder", classmethod(lambda c, p: str(tmp_path)))
    tab.with_materials.setChecked(False)
    tab.export_button.click()
    qtbot.wait_until(lambda: bool(told), timeout=30_000)
    (review_path,) = tmp_path.glob("*.mjreview")
    assert "只有刘志堃的电脑能打开" in told[0]

    location, laptop = leader_laptop
    review = lr.open_review(location, review_path)
    first, second = [r for r in review.awaiting_sign_off() if not review.responsible_for(r)][:2]
    lr.record_action(laptop, location, review, "approve", "rectification", first["id"], "同意。")
    lr.record_action(laptop, location, review, "approve", "rectification", second["id"], "同意。")
    update_row(office, second["id"], {"remarks": "审阅后补充了材料。"})
    reply = lr.export_reply(laptop, location, review, tmp_path / "stick")

    told.clear()
    with qtbot.wait_signal(tab.changed, timeout=10_000):
        tab.import_reply(reply)
    assert "新采用 1 条" in told[0] and "1 条涉及的内容在审阅后已有改动" in told[0]
    qtbot.wait_until(lambda: tab.model.rowCount() == 2, timeout=10_000)
    held = next(i for i, a in enumerate(tab.model.rows) if a.state == "conflict")
    assert tab.model.index(held, 5).data() == "待确认"
    tab.view.selectRow(held)
    assert tab.apply_button.isEnabled() and "现在：" in tab.detail.text()
    assert "审阅文件导出后的改动" in tab.detail.text()
    # 不采用 needs a reason: cancelling the question changes nothing.
    monkeypatch.setattr(LeaderReviewTab, "ask_skip_reason", classmethod(lambda c, p, a: None))
    tab.skip_button.click()
    assert tab.model.rows[held].state == "conflict"
    with qtbot.wait_signal(tab.changed, timeout=10_000):
        tab.apply_button.click()
    qtbot.wait_until(lambda: all(a.state == "applied" for a in tab.model.rows), timeout=10_000)


def test_a_leader_without_a_key_is_told_how_to_get_one(
    tab: LeaderReviewTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[str] = []
    monkeypatch.setattr(
        LeaderReviewTab, "tell_warning", classmethod(lambda c, p, t: warned.append(t))
    )
    asked: list[int] = []
    monkeypatch.setattr(
        LeaderReviewTab, "ask_folder", classmethod(lambda c, p: asked.append(1) or "")
    )
    tab.leader_choice.setCurrentIndex(
        next(i for i, c in enumerate(tab.leader_rows) if not c.key_known)
    )
    tab.export_button.click()
    assert warned and "提交一次自查材料" in warned[0] and asked == []
