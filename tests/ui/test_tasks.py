"""Background work: answers reach the GUI thread, never a deleted widget; progress can cancel."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from mingjing.ui.tasks import run_in_background, run_with_progress, wait_for_tasks


def test_an_answer_for_a_deleted_widget_is_dropped(qtbot: QtBot) -> None:
    widget = QWidget()
    release = threading.Event()
    answers: list[object] = []
    run_in_background(
        lambda: release.wait(5) and 42,
        parent=widget,
        on_success=answers.append,
        on_failure=answers.append,
    )
    widget.deleteLater()
    qtbot.wait(20)  # the widget is gone before the work ends
    release.set()
    assert wait_for_tasks(5_000)
    qtbot.wait(20)
    assert answers == []


def test_failures_come_back_as_exceptions(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.add_widget(widget)
    failures: list[BaseException] = []

    def boom() -> None:
        raise ValueError("坏了")

    run_in_background(boom, parent=widget, on_success=print, on_failure=failures.append)
    qtbot.wait_until(lambda: bool(failures), timeout=5_000)
    assert isinstance(failures[0], ValueError)


def test_progress_dialog_cancels_between_steps(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.add_widget(parent)
    parent.show()
    started = threading.Event()
    results: list[Any] = []

    def work(progress: Any, cancelled: Any) -> int:
        done = 0
        for step in range(200):
            if cancelled():
                break
            progress(step, 200, f"第 {step} 个")
            started.set()
            threading.Event().wait(0.01)
            done += 1
        return done

    dialog = run_with_progress(
        work, parent=parent, title="测试", on_success=results.append, on_failure=results.append
    )
    assert started.wait(5)
    dialog.cancel_button.click()
    qtbot.wait_until(lambda: bool(results), timeout=5_000)
    assert 0 < results[0] < 200


def test_many_answers_from_workers_leave_reference_counts_alone(qtbot: QtBot) -> None:
    """PySide6 6.12.0 dropped a reference to True with every signal a worker thread
    emitted; a few hundred autosaves later the interpreter aborted (bool_dealloc).
    pyproject.toml excludes that release; this catches it, or its like, coming back."""
    import sys

    widget = QWidget()
    qtbot.add_widget(widget)
    done: list[Any] = []
    before = sys.getrefcount(True), sys.getrefcount(False)

    def work(progress: Any, cancelled: Any) -> int:
        for step in range(300):
            progress(step, 300, "")
            cancelled()
        return 300

    run_with_progress(
        work, parent=widget, title="测试", on_success=done.append, on_failure=done.append
    )
    qtbot.wait_until(lambda: bool(done), timeout=10_000)
    for _ in range(50):
        run_in_background(lambda: 1, parent=widget, on_success=done.append, on_failure=done.append)
    qtbot.wait_until(lambda: len(done) == 51, timeout=10_000)
    after = sys.getrefcount(True), sys.getrefcount(False)
    # Other code may hold or drop a few; a leak per signal loses hundreds.
    assert after[0] > before[0] - 50 and after[1] > before[1] - 50, (before, after)


def test_a_task_stopped_by_the_lock_is_not_reported(qtbot: QtBot) -> None:
    """Work that reaches a locked database ends quietly (the lock screen says why)."""
    from mingjing.services.errors import DatabaseLocked

    owner = QWidget()
    failures: list[BaseException] = []

    def locked() -> None:
        raise DatabaseLocked("已锁定")

    def broken() -> None:
        raise ValueError("a bug")

    run_in_background(locked, parent=owner, on_success=print, on_failure=failures.append)
    run_in_background(broken, parent=owner, on_success=print, on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5_000)
    assert wait_for_tasks(5_000)
    qtbot.wait(50)
    assert [type(f) for f in failures] == [ValueError]
