"""One undo stack for the whole 个人自查 workspace.

Panels describe each user intention as a :class:`Change`: the service call
that does it, the one that undoes it, and (for text) how to show either value
at once in a field the user may still be typing in. The page pushes it on its
stack as a :class:`ChangeCommand`, which runs the calls in order off the GUI
thread like every other edit.

Text fields hand Ctrl+Z / Ctrl+Y to the page (:class:`UndoText`,
:class:`UndoLine`): their own undo would step through keystrokes the stack
has never seen, and undo one field where the user meant the last thing done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PySide6.QtGui import QKeyEvent, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

Call = Callable[[Any], object]
"""A service call taking the database, run off the GUI thread."""


def _nothing() -> None:
    return None


STRETCH_SECONDS = 4.0
"""Typing in one field with pauses shorter than this is one step of undo."""


@dataclass(frozen=True)
class Change:
    """One intention: ``do`` and ``undo`` are service calls; ``shown_done`` and
    ``shown_undone`` put the matching value into the form at once (the reload
    that follows never overwrites a field that has the focus).

    Changes with the same non-empty ``merge_key`` that follow each other within
    :data:`STRETCH_SECONDS` merge into one step (a stretch of typing in one
    field); after a longer pause the next words are a step of their own.
    """

    text: str
    do: Call
    undo: Call
    merge_key: str = ""
    shown_done: Callable[[], None] = _nothing
    shown_undone: Callable[[], None] = _nothing
    where: str = ""
    """Where the change is seen (``item:KEY``, ``problem:ID``, ``study``,
    ``analysis``): undo and redo go there first, so nothing changes out of sight."""


def field_change(
    text: str,
    key: str,
    old: Any,
    new: Any,
    save: Callable[[Any, Any], object],
    show: Callable[[Any], None],
    where: str = "",
) -> Change:
    """A field set from ``old`` to ``new``: ``save(db, value)`` stores a value,
    ``show(value)`` puts it into the form (even a field that has the focus)."""
    return Change(
        text,
        do=lambda db: save(db, new),
        undo=lambda db: save(db, old),
        merge_key=key,
        shown_done=lambda: show(new),
        shown_undone=lambda: show(old),
        where=where,
    )


class Record:
    """The id of a record a change creates, known once the creating call ran.

    The calls of one page run in order on one worker, so a later call (an
    edit of the new record, or its undo) always finds the id set.
    """

    def __init__(self, record_id: str | None = None) -> None:
        self.id = record_id


def creation(
    text: str,
    record: Record,
    add: Callable[[Any], str],
    delete: Callable[[Any, str], object],
    restore: Callable[[Any, str], object],
    where: str = "",
) -> Change:
    """A change that creates a record: the first ``do`` adds it and keeps its
    id; undo deletes it (softly); redo restores that same record, so later
    steps on the stack still find it."""

    def do(db: Any) -> None:
        if record.id is None:
            record.id = add(db)
        else:
            restore(db, record.id)

    def undo(db: Any) -> None:
        if record.id is not None:
            delete(db, record.id)

    return Change(text, do=do, undo=undo, where=where)


def removal(
    text: str,
    record_id: str,
    delete: Callable[[Any, str], object],
    restore: Callable[[Any, str], object],
    where: str = "",
) -> Change:
    return Change(
        text,
        do=lambda db: delete(db, record_id),
        undo=lambda db: restore(db, record_id),
        where=where,
    )


class ChangeCommand(QUndoCommand):
    """A :class:`Change` on the stack; ``run`` queues a service call and the reload,
    ``reveal`` shows where the change is before an undo or a redo."""

    def __init__(
        self,
        change: Change,
        run: Callable[[Call], None],
        reveal: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(change.text)
        self.change = change
        self._run = run
        self._reveal = reveal
        self._pushed = False
        self._last = time.monotonic()

    def redo(self) -> None:
        if self._pushed and self._reveal is not None:
            self._reveal(self.change.where)
        self._pushed = True  # the first redo is the push: the user is already there
        self.change.shown_done()
        self._run(self.change.do)

    def undo(self) -> None:
        if self._reveal is not None:
            self._reveal(self.change.where)
        self.change.shown_undone()
        self._run(self.change.undo)

    def id(self) -> int:
        return 2 if self.change.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ChangeCommand):
            return False
        if other.change.merge_key != self.change.merge_key:
            return False
        now = time.monotonic()
        if now - self._last > STRETCH_SECONDS:
            return False  # a new stretch of typing: its own step
        self._last = now
        self.change = replace(self.change, do=other.change.do, shown_done=other.change.shown_done)
        return True


class UndoHost(Protocol):
    def undo_step(self, redo: bool) -> None: ...


def route_undo_key(widget: QWidget, event: QKeyEvent) -> bool:
    """Ctrl+Z / Ctrl+Y pressed in ``widget``: hand them to the nearest ancestor
    with an ``undo_step`` (the page). True if the key was one of them."""
    redo = event.matches(QKeySequence.StandardKey.Redo)
    if not redo and not event.matches(QKeySequence.StandardKey.Undo):
        return False
    parent = widget.parentWidget()
    while parent is not None:
        step = getattr(parent, "undo_step", None)
        if callable(step):
            step(redo)
            return True
        parent = parent.parentWidget()
    return True  # no page: the key does nothing, as the field's own undo is off


class UndoText(QPlainTextEdit):
    """A text field whose Ctrl+Z / Ctrl+Y are the workspace's.

    A text field claims those keys even with its undo off, so a page shortcut
    never fires while the user types; the claimed keys arrive here as key
    presses. (Overriding ``event`` to release them instead put a Python call
    on every event of every field: about a millisecond of a 15 ms area
    switch, measured with bench/area_switch.py.)
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUndoRedoEnabled(False)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if not route_undo_key(self, e):
            super().keyPressEvent(e)


class UndoLine(QLineEdit):
    """A one-line field whose Ctrl+Z / Ctrl+Y are the workspace's."""

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if not route_undo_key(self, e):
            super().keyPressEvent(e)


def set_text_quietly(widget: QPlainTextEdit | QLineEdit, text: str) -> None:
    """Put ``text`` into a field without it counting as typing."""
    current = widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()
    if current == text:
        return
    widget.blockSignals(True)
    if isinstance(widget, QPlainTextEdit):
        widget.setPlainText(text)
    else:
        widget.setText(text)
    widget.blockSignals(False)
