"""问题清单 tab: filters and search narrow the list; marking and promoting write through."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from mingjing.services.problem_lists import TEAM, ProblemFilter, list_problems
from mingjing.services.workspace import Workspace
from mingjing.ui.desk.problem_list import ProblemListTab


@pytest.fixture
def tab(demo_workspace: Workspace, open_tab: Any) -> ProblemListTab:
    widget: ProblemListTab = open_tab(demo_workspace, ProblemListTab, "问题清单")
    return widget


def choose(combo: object, label: str) -> None:
    index = combo.findText(label)  # type: ignore[attr-defined]
    assert index >= 0, label
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def test_filters_and_search(qtbot: QtBot, tab: ProblemListTab, qtmodeltester: object) -> None:
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]
    everything = tab.model.rowCount()
    assert everything > 20 and tab.count.text().startswith(f"共 {everything} 个问题")
    assert tab.candidates.count() >= 1
    with qtbot.wait_signal(tab.loaded):
        choose(tab.source, "群众提")
    assert 0 < tab.model.rowCount() < everything
    assert {r.source for r in tab.model.rows} == {"群众提"}
    with qtbot.wait_signal(tab.loaded):
        tab.source.setCurrentIndex(0)
    word = next(r.examples[3:7] for r in tab.model.rows if len(r.examples) > 10)
    with qtbot.wait_signal(tab.loaded, timeout=3_000):
        tab.search.setText(word)  # QTest.keyClicks aborts on CJK text
    assert 0 < tab.model.rowCount() < everything
    assert all(word in r.text or word in r.examples for r in tab.model.rows)


def test_mark_common_and_promote(
    qtbot: QtBot, tab: ProblemListTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tab.context is not None
    cid = tab.context.campaign_id
    first = next(i for i, r in enumerate(tab.model.rows) if not r.is_team and not r.is_common)
    chosen = tab.model.rows[first]
    tab.table.selectRow(first)
    assert tab.mark_button.isEnabled() and tab.promote_button.isEnabled()
    with qtbot.wait_signal(tab.loaded):
        tab.mark_button.click()
    stored = {r.id: r for r in list_problems(demo_workspace.db, cid)}
    assert stored[chosen.id].is_common

    told: list[str] = []
    monkeypatch.setattr(ProblemListTab, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    monkeypatch.setattr(ProblemListTab, "ask_yes", classmethod(lambda c, p, t, y: True))
    row = next(i for i, r in enumerate(tab.model.rows) if r.id == chosen.id)
    tab.table.selectRow(row)
    with qtbot.wait_signal(tab.loaded):
        tab.promote_button.click()
    qtbot.wait_until(lambda: bool(told))
    team = list_problems(demo_workspace.db, cid, ProblemFilter(owner=TEAM))
    assert any(r.promoted_from == chosen.id for r in team)
    assert "已将 1 个问题列入领导班子问题清单" in told[0]


def test_office_problems_are_added_edited_and_deleted_here(
    qtbot: QtBot, tab: ProblemListTab, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mingjing.services.problem_lists import ProblemInput

    assert tab.context is not None and tab.options is not None
    cid = tab.context.campaign_id
    monkeypatch.setattr(
        ProblemListTab,
        "ask_problem",
        classmethod(lambda c, p, o, d, e: ProblemInput(owner=TEAM, text="上级点：调研不深入。")),
    )
    with qtbot.wait_signal(tab.loaded):
        tab.add_button.click()
    row = next(i for i, r in enumerate(tab.model.rows) if r.text == "上级点：调研不深入。")
    assert tab.model.rows[row].source == "上级点" and tab.model.rows[row].is_team
    tab.table.selectRow(row)
    assert "上级点：调研不深入。" in tab.detail.toPlainText()
    assert tab.edit_button.isEnabled() and tab.delete_button.isEnabled()
    monkeypatch.setattr(
        ProblemListTab,
        "ask_problem",
        classmethod(lambda c, p, o, d, e: ProblemInput(**{**d.__dict__, "text": "改后的问题"})),
    )
    with qtbot.wait_signal(tab.loaded):
        tab.edit_button.click()
    assert any(r.text == "改后的问题" for r in list_problems(demo_workspace.db, cid))

    told: list[str] = []
    monkeypatch.setattr(ProblemListTab, "tell_info", classmethod(lambda c, p, t: told.append(t)))
    handed = next(i for i, r in enumerate(tab.model.rows) if r.from_hand_in)
    tab.table.selectRow(handed)
    assert not tab.delete_button.isEnabled()
    tab.edit_button.click()
    assert "应由本人修改后重新提交" in told[0]

    row = next(i for i, r in enumerate(tab.model.rows) if r.text == "改后的问题")
    tab.table.selectRow(row)
    monkeypatch.setattr(ProblemListTab, "ask_yes", classmethod(lambda c, p, t, y: True))
    with qtbot.wait_signal(tab.loaded):
        tab.delete_button.click()
    assert all(r.text != "改后的问题" for r in list_problems(demo_workspace.db, cid))
