"""Running work off the GUI thread (after Anki's ``CollectionOp``).

A task is a plain callable that never touches widgets; its result or its
exception comes back to the GUI thread through a queued signal. Tasks run on
the application's thread pool, which :func:`wait_for_tasks` drains before
the program exits so no thread outlives the window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives in the GUI thread; the worker emits, the GUI thread receives."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # handed to the GUI thread, which decides
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


_writer: QThreadPool | None = None


def _writes() -> QThreadPool:
    """One thread for edits: they reach the database in the order they were made."""
    global _writer
    if _writer is None:
        _writer = QThreadPool()
        _writer.setMaxThreadCount(1)
    return _writer


def run_in_background(
    fn: Callable[[], Any],
    *,
    parent: QObject,
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    in_order: bool = False,
) -> None:
    """Run ``fn`` on a thread pool; call back on the GUI thread.

    ``parent`` owns the relay, so a callback never reaches a deleted widget.
    With ``in_order`` the task queues behind earlier ordered ones (autosave:
    a later keystroke must not be overwritten by an earlier one).
    """
    relay = _Relay(parent)
    relay.succeeded.connect(on_success)
    relay.failed.connect(on_failure)
    relay.succeeded.connect(relay.deleteLater)
    relay.failed.connect(relay.deleteLater)
    pool = _writes() if in_order else QThreadPool.globalInstance()
    pool.start(_Runnable(fn, relay))


def wait_for_tasks(timeout_ms: int = 30_000) -> bool:
    done = _writes().waitForDone(timeout_ms)
    return QThreadPool.globalInstance().waitForDone(timeout_ms) and done


class _ProgressRelay(_Relay):
    progressed = Signal(int, int, str)


class _CancelFlag:
    """Set from the GUI thread, read by the worker: a plain flag needs no lock."""

    def __init__(self) -> None:
        self.set = False

    def __call__(self) -> bool:
        return self.set


def run_with_progress(
    fn: Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any],
    *,
    parent: QWidget,
    title: str,
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    label: str = "",
) -> QProgressDialog:
    """Run ``fn(progress, cancelled)`` off the GUI thread behind a progress dialog.

    ``progress(done, total, what)`` moves the bar; the dialog's 取消 makes
    ``cancelled()`` true, and ``fn`` stops at its next safe point and returns
    what it has done so far. The dialog closes when ``fn`` returns.
    """
    dialog = QProgressDialog(label or title, parent.tr("取消"), 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    flag = _CancelFlag()

    def cancel() -> None:
        flag.set = True
        dialog.setLabelText(parent.tr("正在取消，当前文件处理完就停……"))

    dialog.canceled.connect(cancel)
    relay = _ProgressRelay(parent)

    def moved(done: int, total: int, what: str) -> None:
        if flag.set:
            return
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        if what:
            dialog.setLabelText(f"{label or title}\n{what}（{done + 1}/{total}）")

    def finished() -> None:
        dialog.canceled.disconnect(cancel)
        dialog.close()
        dialog.deleteLater()

    relay.progressed.connect(moved)
    relay.succeeded.connect(finished)
    relay.failed.connect(finished)
    relay.succeeded.connect(on_success)
    relay.failed.connect(on_failure)
    relay.succeeded.connect(relay.deleteLater)
    relay.failed.connect(relay.deleteLater)

    def work() -> Any:
        return fn(relay.progressed.emit, flag)

    QThreadPool.globalInstance().start(_Runnable(work, relay))
    return dialog
