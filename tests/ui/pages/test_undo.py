"""The workspace's undo steps: a stretch of typing is one step, a pause starts another."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack

from mingjing.ui.pages import undo
from mingjing.ui.pages.undo import Change, ChangeCommand, field_change


def test_typing_merges_until_a_long_pause(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(undo.time, "monotonic", lambda: clock[0])
    ran: list[object] = []
    stored: list[str] = []
    stack = QUndoStack()

    def push(old: str, new: str) -> None:
        change = field_change(
            "填写", "item:x", old, new, lambda db, v: stored.append(v), lambda v: None
        )
        stack.push(ChangeCommand(change, lambda call: call(None)))

    push("", "二〇二五年")
    clock[0] += 1.0
    push("二〇二五年", "二〇二五年十月")
    assert stack.count() == 1  # one stretch of typing
    clock[0] += undo.STRETCH_SECONDS + 1
    push("二〇二五年十月", "二〇二五年十月推迟验收")
    assert stack.count() == 2  # after a long pause: a step of its own
    stack.undo()
    assert stored[-1] == "二〇二五年十月"
    stack.undo()
    assert stored[-1] == ""
    assert ran == []


def test_changes_reveal_where_they_are_only_on_undo_and_redo(qapp: object) -> None:
    shown: list[str] = []
    stack = QUndoStack()
    change = Change("删除", do=lambda db: None, undo=lambda db: None, where="problem:1")
    stack.push(ChangeCommand(change, lambda call: call(None), shown.append))
    assert shown == []  # the push: the user is already there
    stack.undo()
    stack.redo()
    assert shown == ["problem:1", "problem:1"]
