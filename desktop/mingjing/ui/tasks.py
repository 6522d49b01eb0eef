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

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

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
