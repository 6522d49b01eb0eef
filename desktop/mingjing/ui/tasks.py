"""Running work off the GUI thread (after Anki's ``CollectionOp``).

A task is a plain callable that never touches widgets; its result or its
exception comes back to the GUI thread through a queued signal. Tasks run on
the application's thread pool, which :func:`wait_for_tasks` drains before
the program exits so no thread outlives the window.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mingjing.services.errors import DatabaseLocked

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    owner: QObject
    on_success: Callable[[Any], None]
    on_failure: Callable[[BaseException], None]
    on_progress: Callable[[int, int, str], None] | None = None


class _Dispatcher(QObject):
    """One object, living in the GUI thread for the whole run, that workers signal.

    Workers emit with the task's number; the GUI thread looks the task up
    and calls back only if the widget that asked still exists — checked
    where widgets are deleted, so there is no race. Nothing is ever deleted
    under a worker (a relay per task, parented to the widget, could be).
    """

    finished = Signal(int, int, object)
    """(task number, 1 = succeeded / 0 = failed, result or exception).

    Not ``bool``: with PySide6 6.12 a ``bool`` argument of a signal emitted
    from a worker thread unbalances the reference count of ``True`` and the
    interpreter aborts at exit ("bool_dealloc"); seen here, fixed by ``int``.
    """
    progressed = Signal(int, int, int, str)

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[int, _Pending] = {}
        self.finished.connect(self._finished)
        self.progressed.connect(self._progressed)

    def _finished(self, token: int, ok: int, value: object) -> None:
        task = self.pending.pop(token, None)
        if task is None or not shiboken6.isValid(task.owner):
            return
        if ok:
            task.on_success(value)
        elif isinstance(value, DatabaseLocked):
            # Work that reached the database after it was locked (a timer, a
            # late refresh): the lock screen already says why; one message box
            # per such task would pile up behind it. Done again once unlocked.
            log.info("task %d stopped: the database is locked", token)
        else:
            task.on_failure(value)  # type: ignore[arg-type]

    def _progressed(self, token: int, done: int, total: int, what: str) -> None:
        task = self.pending.get(token)
        if task is not None and task.on_progress and shiboken6.isValid(task.owner):
            task.on_progress(done, total, what)


_dispatcher: _Dispatcher | None = None
_tokens = itertools.count(1)


def _register(task: _Pending) -> tuple[_Dispatcher, int]:
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = _Dispatcher()
    token = next(_tokens)
    _dispatcher.pending[token] = task
    return _dispatcher, token


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], dispatcher: _Dispatcher, token: int) -> None:
        super().__init__()
        self._fn = fn
        self._dispatcher = dispatcher
        self._token = token

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # handed to the GUI thread, which decides
            self._dispatcher.finished.emit(self._token, 0, exc)
        else:
            self._dispatcher.finished.emit(self._token, 1, result)


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

    The callbacks are skipped if ``parent`` has been deleted by then.
    With ``in_order`` the task queues behind earlier ordered ones (autosave:
    a later keystroke must not be overwritten by an earlier one).
    """
    dispatcher, token = _register(_Pending(parent, on_success, on_failure))
    pool = _writes() if in_order else QThreadPool.globalInstance()
    pool.start(_Runnable(fn, dispatcher, token))


def wait_for_tasks(timeout_ms: int = 30_000) -> bool:
    done = _writes().waitForDone(timeout_ms)
    return QThreadPool.globalInstance().waitForDone(timeout_ms) and done


class _CancelFlag:
    """Set from the GUI thread, read by the worker: a plain flag needs no lock."""

    def __init__(self) -> None:
        self.set = False

    def __call__(self) -> bool:
        return self.set


class ProgressDialog(QDialog):
    """A label, a bar and 取消 — shown only if the work takes more than a moment.

    Not ``QProgressDialog``: its ``setValue`` runs the event loop re-entrantly
    when modal, so a progress step could deliver the work's end (and delete
    the dialog) from inside itself.
    """

    cancel_requested = Signal()

    def __init__(self, title: str, label: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.label = QLabel(label, self)
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.cancelled = False
        self.cancel_button.clicked.connect(self.cancel)
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.timeout.connect(self.show)
        self._show_timer.start(300)

    def cancel(self) -> None:
        if self.cancelled:
            return
        self.cancelled = True
        self.cancel_requested.emit()
        self.cancel_button.setEnabled(False)
        self.label.setText(self.tr("正在取消，当前这一项处理完就停……"))

    def reject(self) -> None:  # Esc or the title bar's close: cancel, keep waiting
        self.cancel()

    def finish(self) -> None:
        self._show_timer.stop()
        self.hide()
        self.deleteLater()


def run_with_progress(
    fn: Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any],
    *,
    parent: QWidget,
    title: str,
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    label: str = "",
) -> ProgressDialog:
    """Run ``fn(progress, cancelled)`` off the GUI thread behind a progress dialog.

    ``progress(done, total, what)`` moves the bar; the dialog's 取消 makes
    ``cancelled()`` true, and ``fn`` stops at its next safe point and returns
    what it has done so far. The dialog closes when ``fn`` returns.
    """
    dialog = ProgressDialog(title, label or title, parent)
    flag = _CancelFlag()
    dialog.cancel_requested.connect(lambda: setattr(flag, "set", True))

    def moved(done: int, total: int, what: str) -> None:
        if flag.set or not shiboken6.isValid(dialog):
            return
        dialog.bar.setRange(0, max(total, 1))
        dialog.bar.setValue(min(done, max(total, 1)))
        if what:
            dialog.label.setText(f"{label or title}\n{what}（{done + 1}/{total}）")

    def finished() -> None:
        if shiboken6.isValid(dialog):
            dialog.finish()

    def succeeded(result: object) -> None:
        finished()
        on_success(result)

    def failed(exc: BaseException) -> None:
        finished()
        on_failure(exc)

    dispatcher, token = _register(_Pending(parent, succeeded, failed, moved))

    def progress(done: int, total: int, what: str) -> None:
        dispatcher.progressed.emit(token, done, total, what)

    def work() -> Any:
        return fn(progress, flag)

    QThreadPool.globalInstance().start(_Runnable(work, dispatcher, token))
    return dialog
