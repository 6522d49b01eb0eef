"""个人问题清单: the member's problems, their root causes and measures.

The list on the left can be reordered by dragging (or 上移/下移 from the
keyboard); the form on the right edits the selected problem: its text,
channel, severity and area, its examples, and any number of root causes
(类别 and 剖析) and measures (措施, 目标, 时限). An empty cause or measure
is always there to type into; it becomes a record with its first words.

Every field saves itself after a short pause, in order, off the GUI thread.
Each edit is a :class:`~mingjing.ui.pages.undo.Change` on the page's undo
stack: a stretch of typing in one field, a choice, an entry added or
removed, a problem moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mingjing.services import self_check as svc
from mingjing.services.self_check import CauseView, MeasureView, ProblemView, SelfCheckView
from mingjing.ui.pages.undo import (
    Change,
    Record,
    UndoLine,
    UndoText,
    creation,
    field_change,
    removal,
    set_text_quietly,
)

AnyIndex = QModelIndex | QPersistentModelIndex
PAUSE_MS = 600
NO_DATE = QDate(2000, 1, 1)
"""The earliest date of a deadline field stands for "no date yet"."""


class ProblemListModel(QAbstractListModel):
    """The problems in their order; dragging a row asks the page to move it.

    Signals:
        move_requested(problem_id, old_index, new_index)
    """

    move_requested = Signal(str, int, int)
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._problems: tuple[ProblemView, ...] = ()

    def set_problems(self, problems: tuple[ProblemView, ...]) -> None:
        self.beginResetModel()
        self._problems = problems
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        p = self._problems[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row() + 1}. {p.text or self.tr('（未填写）')}（{p.source}）"
        if role == Qt.ItemDataRole.ToolTipRole:
            return p.examples or p.text
        if role == self.ID_ROLE:
            return p.id
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def moveRows(
        self,
        source_parent: AnyIndex,
        source_row: int,
        count: int,
        destination_parent: AnyIndex,
        destination_child: int,
    ) -> bool:
        if count != 1 or source_parent.isValid() or destination_parent.isValid():
            return False
        if not 0 <= source_row < len(self._problems):
            return False
        if destination_child in (source_row, source_row + 1):
            return False
        new_index = destination_child if destination_child < source_row else destination_child - 1
        if not self.beginMoveRows(
            QModelIndex(), source_row, source_row, QModelIndex(), destination_child
        ):
            return False
        items = list(self._problems)
        moved = items.pop(source_row)
        items.insert(new_index, moved)
        self._problems = tuple(items)
        self.endMoveRows()
        self.move_requested.emit(moved.id, source_row, new_index)
        return True


def _paused(parent: QWidget, action: Callable[[], None]) -> QTimer:
    """A timer that fires once the user stops typing for a moment."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(PAUSE_MS)
    timer.timeout.connect(action)
    return timer


def _choose(combo: QComboBox, code: object) -> None:
    """Show a stored choice without it counting as a new one."""
    index = combo.findData(code) if code is not None else -1
    combo.blockSignals(True)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


def _text_height(widget: UndoText, lines: int) -> None:
    widget.setFixedHeight(widget.fontMetrics().lineSpacing() * lines + 14)


class DeadlineEdit(QDateEdit):
    """A deadline that may be 未定 (the earliest date, shown as such). From 未定
    the arrow keys start at today, not at 2000年1月2日."""

    def stepBy(self, steps: int) -> None:
        if self.date() == NO_DATE:
            self.setDate(QDate.currentDate())
            return
        super().stepBy(steps)

    def stepEnabled(self) -> QDateEdit.StepEnabledFlag:
        if self.date() == NO_DATE:
            return QDateEdit.StepEnabledFlag.StepUpEnabled
        return super().stepEnabled()


class _Entry(QFrame):
    """One cause or measure in the form. ``record`` holds its id once it exists.

    Signals:
        edited(entry, field): a field's new value is ready (typing paused, or a choice)
        remove_requested(entry)
    """

    edited = Signal(object, str)
    remove_requested = Signal(object)
    FIELDS: tuple[str, ...] = ()
    text: UndoText

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.record = Record()
        self.created = False  # a creating change was sent (its id may not be known yet)
        self.stored: dict[str, Any] = {}
        self._timers: dict[str, QTimer] = {}
        self.remove_button = QPushButton(self.tr("删除此条"), self)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))

    def _typed(self, field: str) -> QTimer:
        timer = _paused(self, lambda: self.edited.emit(self, field))
        self._timers[field] = timer
        return timer

    def value(self, field: str) -> Any:
        raise NotImplementedError

    def show_value(self, field: str, value: Any, force: bool = False) -> None:
        """Put a value in; a field being typed in keeps its text unless ``force``
        (an undo or redo must show what it did, focus or not)."""
        raise NotImplementedError

    def pending(self, field: str) -> bool:
        timer = self._timers.get(field)
        return timer is not None and timer.isActive()

    def show_record(self, values: dict[str, Any]) -> None:
        """Stored values, except in a field still waiting to be saved."""
        for field, value in values.items():
            if not self.pending(field):
                self.stored[field] = value
                self.show_value(field, value)

    def flush(self) -> None:
        for field, timer in self._timers.items():
            if timer.isActive():
                timer.stop()
                self.edited.emit(self, field)

    def set_editable(self, editable: bool) -> None:
        raise NotImplementedError


class CauseEntry(_Entry):
    """一条原因剖析: its category and the analysis."""

    FIELDS = ("category", "text")

    def __init__(self, categories: Iterable[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("原因类别"), self))
        self.category = QComboBox(self)
        self.category.addItem(self.tr("（请选择）"), "")
        for code, label in categories:
            self.category.addItem(label, code)
        self.category.currentIndexChanged.connect(lambda: self.edited.emit(self, "category"))
        row.addWidget(self.category)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        self.text = UndoText(self)
        self.text.setPlaceholderText(self.tr("原因剖析：从思想、党性、作风上找根源。"))
        _text_height(self.text, 3)
        self.text.textChanged.connect(self._typed("text").start)
        layout.addWidget(self.text)

    def value(self, field: str) -> Any:
        return self.category.currentData() or "" if field == "category" else self.text.toPlainText()

    def show_value(self, field: str, value: Any, force: bool = False) -> None:
        if field == "category":
            _choose(self.category, value)
        elif force or not self.text.hasFocus() or self.text.toPlainText() == "":
            set_text_quietly(self.text, value)

    def set_editable(self, editable: bool) -> None:
        self.text.setReadOnly(not editable)
        self.category.setEnabled(editable)
        self.remove_button.setVisible(editable)


def cause_values(cause: CauseView) -> dict[str, Any]:
    return {"category": cause.category, "text": cause.text}


class MeasureEntry(_Entry):
    """一条整改措施: what will be done, the target and the deadline."""

    FIELDS = ("text", "target", "deadline_kind", "deadline")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.text = UndoText(self)
        self.text.setPlaceholderText(self.tr("整改措施：怎么改、改到什么程度。"))
        _text_height(self.text, 3)
        self.text.textChanged.connect(self._typed("text").start)
        layout.addWidget(self.text)
        form = QFormLayout()
        self.target = UndoLine(self)
        self.target.setPlaceholderText(self.tr("如：年底前项目资金拨付率达到100%"))
        self.target.textChanged.connect(self._typed("target").start)
        form.addRow(self.tr("整改目标"), self.target)
        when = QHBoxLayout()
        self.deadline_kind = QComboBox(self)
        for code, label in (
            ("by_date", self.tr("限期整改")),
            ("immediate", self.tr("立行立改")),
            ("ongoing", self.tr("长期坚持")),
        ):
            self.deadline_kind.addItem(label, code)
        self.deadline_kind.currentIndexChanged.connect(self._kind_changed)
        self.deadline = DeadlineEdit(self)
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy年M月d日")
        self.deadline.setMinimumDate(NO_DATE)
        self.deadline.setSpecialValueText(self.tr("（未定）"))
        self.deadline.setDate(NO_DATE)
        self.deadline.dateChanged.connect(self._typed("deadline").start)
        when.addWidget(self.deadline_kind)
        when.addWidget(self.deadline)
        when.addStretch(1)
        when.addWidget(self.remove_button)
        form.addRow(self.tr("完成时限"), when)
        layout.addLayout(form)

    def _kind_changed(self) -> None:
        self.deadline.setEnabled(self.deadline_kind.currentData() == "by_date")
        self.edited.emit(self, "deadline_kind")

    def value(self, field: str) -> Any:
        if field == "text":
            return self.text.toPlainText()
        if field == "target":
            return self.target.text()
        if field == "deadline_kind":
            return self.deadline_kind.currentData() or "by_date"
        d = self.deadline.date()
        return None if d == NO_DATE else dt.date(d.year(), d.month(), d.day())

    def show_value(self, field: str, value: Any, force: bool = False) -> None:
        if field in ("text", "target"):
            widget = self.text if field == "text" else self.target
            if force or not widget.hasFocus() or not value:
                set_text_quietly(widget, value)
        elif field == "deadline_kind":
            _choose(self.deadline_kind, value)
            self.deadline.setEnabled(value == "by_date" and not self.text.isReadOnly())
        else:
            self.deadline.blockSignals(True)
            self.deadline.setDate(
                NO_DATE if value is None else QDate(value.year, value.month, value.day)
            )
            if value is None:  # the calendar opens at this month, not at the year 2000
                today = QDate.currentDate()
                self.deadline.calendarWidget().setCurrentPage(today.year(), today.month())
            self.deadline.blockSignals(False)

    def set_editable(self, editable: bool) -> None:
        self.text.setReadOnly(not editable)
        self.target.setReadOnly(not editable)
        self.deadline_kind.setEnabled(editable)
        self.deadline.setEnabled(editable and self.deadline_kind.currentData() == "by_date")
        self.remove_button.setVisible(editable)


def measure_values(measure: MeasureView) -> dict[str, Any]:
    return {
        "text": measure.text,
        "target": measure.target,
        "deadline_kind": measure.deadline_kind,
        "deadline": measure.deadline,
    }


E = TypeVar("E", bound=_Entry)


class _EntryList(QWidget, Generic[E]):
    """The causes (or measures) of the shown problem, with always one to type into."""

    def __init__(self, make: Callable[[], E], add_label: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._make = make
        self.entries: list[E] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton(add_label, self)
        self.add_button.clicked.connect(self.add_blank)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        self._layout.addLayout(row)
        self.editable = True
        self.on_new: Callable[[E], None] = lambda entry: None

    def _new(self) -> E:
        entry = self._make()
        entry.set_editable(self.editable)
        self.on_new(entry)
        return entry

    def add_blank(self) -> E:
        """One more empty entry (it is stored once something is typed in it)."""
        entry = self._new()
        self.entries.append(entry)
        self._lay_out()
        entry.text.setFocus()
        return entry

    def clear(self) -> None:
        for entry in self.entries:
            entry.hide()
            entry.deleteLater()
        self.entries = []

    def sync(self, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Show these records (id, values) in order; keep unsaved blank entries."""
        by_id = {e.record.id: e for e in self.entries if e.record.id is not None}
        shown: list[E] = []
        for record_id, values in records:
            entry = by_id.pop(record_id, None)
            if entry is None:
                entry = self._new()
                entry.record = Record(record_id)
                entry.created = True
            entry.show_record(values)
            shown.append(entry)
        blanks = [e for e in self.entries if e.record.id is None]
        for gone in by_id.values():  # deleted (or an undone creation)
            focus = QApplication.focusWidget()
            if focus is not None and (gone is focus or gone.isAncestorOf(focus)):
                self.add_button.setFocus()  # not wherever Qt would send it (the navigation)
            gone.hide()
            gone.deleteLater()
        shown += [e for e in blanks if not e.created or e.record.id is None]
        if not shown:
            shown.append(self._new())
        self.entries = shown
        self._lay_out()

    def entry_for(self, record: Record) -> E | None:
        return next(
            (
                e
                for e in self.entries
                if e.record is record or (record.id is not None and e.record.id == record.id)
            ),
            None,
        )

    def _lay_out(self) -> None:
        for index, entry in enumerate(self.entries):
            if self._layout.indexOf(entry) != index:
                self._layout.removeWidget(entry)
                self._layout.insertWidget(index, entry)
            entry.show()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.add_button.setEnabled(editable)
        for entry in self.entries:
            entry.set_editable(editable)

    def flush(self) -> None:
        for entry in list(self.entries):
            entry.flush()


class ProblemsPanel(QWidget):
    """Signals:
    change_requested(Change): one intention, for the page's undo stack.
    """

    change_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: SelfCheckView | None = None
        self.current: ProblemView | None = None
        self._stored: dict[str, Any] = {}
        self._select: Record | None = None
        self._loading = False
        outer = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)

        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.model = ProblemListModel(self)
        self.model.move_requested.connect(self._moved)
        self.list = QListView(left)
        self.list.setModel(self.model)
        self.list.setDragDropMode(QListView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSpacing(3)
        self.list.setWordWrap(True)
        self.list.selectionModel().currentChanged.connect(self._selected)
        left_layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("新增问题"), left)
        self.add_button.clicked.connect(self._add)
        self.up_button = QPushButton(self.tr("上移"), left)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button = QPushButton(self.tr("下移"), left)
        self.down_button.clicked.connect(lambda: self._move(+1))
        self.delete_button = QPushButton(self.tr("删除"), left)
        self.delete_button.clicked.connect(self._delete)
        for b in (self.add_button, self.up_button, self.down_button, self.delete_button):
            buttons.addWidget(b)
        left_layout.addLayout(buttons)

        scroll = QScrollArea(splitter)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_box = QWidget(scroll)
        column = QVBoxLayout(form_box)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)  # entries keep their height; the space is left below
        self.text = UndoLine(form_box)
        self.text.setPlaceholderText(self.tr("用一句话概括问题"))
        self.source = QComboBox(form_box)
        self.severity = QComboBox(form_box)
        self.area = QComboBox(form_box)
        self.examples = UndoText(form_box)
        self.examples.setPlaceholderText(
            self.tr("具体事例：写明时间、地点和具体事情，做到见人见事。")
        )
        _text_height(self.examples, 4)
        self.text_note = QLabel(self.tr("问题不能为空：未保存，仍是原来的文字。"), form_box)
        self.text_note.setStyleSheet("color: #a8322d;")
        self.text_note.hide()
        title_row = QVBoxLayout()
        title_row.setSpacing(2)
        title_row.addWidget(self.text)
        title_row.addWidget(self.text_note)
        form.addRow(self.tr("问题"), title_row)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("来源"), form_box))
        row.addWidget(self.source)
        row.addWidget(QLabel(self.tr("严重程度"), form_box))
        row.addWidget(self.severity)
        row.addWidget(QLabel(self.tr("问题方面"), form_box))
        row.addWidget(self.area)
        row.addStretch(1)
        form.addRow(row)
        form.addRow(self.tr("具体事例"), self.examples)
        self._categories: tuple[tuple[str, str], ...] = ()
        self.causes: _EntryList[CauseEntry] = _EntryList(
            lambda: CauseEntry(self._categories, self.causes),
            self.tr("增加一条原因"),
            form_box,
        )
        self.causes.on_new = self._wire_cause
        form.addRow(self.tr("原因剖析"), self.causes)
        self.measures: _EntryList[MeasureEntry] = _EntryList(
            lambda: MeasureEntry(self.measures), self.tr("增加一条措施"), form_box
        )
        self.measures.on_new = self._wire_measure
        form.addRow(self.tr("整改措施"), self.measures)
        scroll.setWidget(form_box)
        self.form_box = form_box
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 700])
        outer.addWidget(splitter, 1)

        # The texts of the whole statement, side by side to leave the form its
        # height; only a 班子成员's statement (专题民主生活会) has the matters.
        texts = QGridLayout()
        texts.addWidget(
            QLabel(self.tr("综合原因剖析（从理想信念、宗旨意识、党性修养等方面深挖根源）"), self),
            0,
            0,
        )
        self.analysis = UndoText(self)
        _text_height(self.analysis, 4)
        texts.addWidget(self.analysis, 1, 0)
        self.matters_label = QLabel(self.tr("需要说明的个人有关事项（如没有，写“无”）"), self)
        texts.addWidget(self.matters_label, 0, 1)
        self.matters = UndoText(self)
        _text_height(self.matters, 4)
        texts.addWidget(self.matters, 1, 1)
        texts.setColumnStretch(0, 3)
        texts.setColumnStretch(1, 2)
        outer.addLayout(texts)

        self._timers = {
            "text": _paused(self, lambda: self._problem_field("text")),
            "examples": _paused(self, lambda: self._problem_field("examples")),
            "analysis": _paused(self, lambda: self._check_text("analysis")),
            "matters": _paused(self, lambda: self._check_text("matters")),
        }
        self.text.textChanged.connect(lambda: self._typed("text"))
        self.examples.textChanged.connect(lambda: self._typed("examples"))
        self.analysis.textChanged.connect(lambda: self._typed("analysis"))
        self.matters.textChanged.connect(lambda: self._typed("matters"))
        self._combos = {"source": self.source, "severity": self.severity, "area": self.area}
        for field, combo in self._combos.items():
            combo.currentIndexChanged.connect(lambda _i, f=field: self._choice(f))
        self._show_problem(None)

    # ------------------------------------------------------------ showing

    def set_view(self, view: SelfCheckView) -> None:
        first = self.view is None
        self.view = view
        self._loading = True
        try:
            if first:
                self.area.addItem(self.tr("（未选）"), None)
                for a in view.areas:
                    self.area.addItem(a.title, a.key)
                for combo, pairs in ((self.source, view.sources), (self.severity, view.severities)):
                    for code, label in pairs:
                        combo.addItem(label, code)
                self._categories = view.cause_categories
            if self._select is not None and self._select.id is not None:
                current_id: str | None = self._select.id
                self._select = None
                focus_text = True
            else:
                current_id = self.current.id if self.current else None
                focus_text = False
            self.model.set_problems(view.problems)
            for key, value in (
                ("analysis", view.overall_analysis),
                ("matters", view.personal_matters),
            ):
                if not self._timers[key].isActive():
                    self._stored[key] = value
                    widget = self.check_text_widget(key)
                    if not widget.hasFocus():
                        set_text_quietly(widget, value)
            self.matters_label.setVisible(view.is_leader)
            self.matters.setVisible(view.is_leader)
            row = next((i for i, p in enumerate(view.problems) if p.id == current_id), 0)
            if view.problems:
                self.list.setCurrentIndex(self.model.index(row))
                self._show_problem(view.problems[row])
            else:
                self._show_problem(None)
        finally:
            self._loading = False
        if focus_text:
            self.text.setFocus()

    def select(self, problem_id: str) -> None:
        """Show this problem (an undo is about to change it)."""
        for row in range(self.model.rowCount()):
            index = self.model.index(row)
            if index.data(ProblemListModel.ID_ROLE) == problem_id:
                if self.list.currentIndex().row() != row:
                    self.list.setCurrentIndex(index)
                return

    def _selected(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._loading or self.view is None:
            return
        self.flush()
        pid = current.data(ProblemListModel.ID_ROLE)
        self._show_problem(next((p for p in self.view.problems if p.id == pid), None))

    def _show_problem(self, problem: ProblemView | None) -> None:
        loading, self._loading = self._loading, True
        try:
            switched = (problem.id if problem else None) != (
                self.current.id if self.current else None
            )
            self.current = problem
            self.form_box.setEnabled(problem is not None)
            for b in (self.up_button, self.down_button, self.delete_button):
                b.setEnabled(problem is not None and self._editable)
            if switched:
                self.causes.clear()
                self.measures.clear()
            if problem is None:
                set_text_quietly(self.examples, "")
                set_text_quietly(self.text, "")
                self.causes.sync(())
                self.measures.sync(())
                return
            values = {
                "text": problem.text,
                "examples": problem.examples,
                "source": problem.source_code,
                "severity": problem.severity_code,
                "area": problem.area_key,
            }
            for field, value in values.items():
                timer = self._timers.get(field)
                if not switched and timer is not None and timer.isActive():
                    continue
                self._stored[field] = value
                self._show_field(problem.id, field, value, typing_ok=switched)
            self.causes.sync((c.id, cause_values(c)) for c in problem.causes)
            self.measures.sync((m.id, measure_values(m)) for m in problem.measures)
        finally:
            self._loading = loading

    def _show_field(self, pid: str, field: str, value: Any, typing_ok: bool = True) -> None:
        """Put a problem's value into its field if that problem is shown."""
        if self.current is None or self.current.id != pid:
            return
        self._stored[field] = value
        if field in ("source", "severity", "area"):
            _choose(self._combos[field], value)
            return
        widget = self.text if field == "text" else self.examples
        if typing_ok or not widget.hasFocus():
            set_text_quietly(widget, value)

    # ------------------------------------------------------------ editing

    _editable = True

    def _typed(self, field: str) -> None:
        if not self._loading:
            self._timers[field].start()

    def _request(self, change: Change) -> None:
        self.change_requested.emit(change)

    def _problem_field(self, field: str) -> None:
        if self.current is None:
            return
        new: Any = self.text.text() if field == "text" else self.examples.toPlainText()
        blank = field == "text" and not new.strip()
        self.text_note.setVisible(blank)
        if blank:
            return  # a problem cannot be blank; the old text stays until words are typed
        self._change_problem(field, new, {"text": "填写问题", "examples": "填写具体事例"}[field])

    def _choice(self, field: str) -> None:
        if self._loading or self.current is None:
            return
        combo = self._combos[field]
        label = {"source": "选择来源", "severity": "选择严重程度", "area": "选择问题方面"}[field]
        self._change_problem(field, combo.currentData(), label)

    def _change_problem(self, field: str, new: Any, label: str) -> None:
        assert self.current is not None
        pid = self.current.id
        old = self._stored.get(field)
        if old == new:
            return
        self._stored[field] = new

        def save(db: Any, value: Any) -> None:
            svc.update_problem(db, pid, **{field: value})

        self._request(
            field_change(
                self.tr(label),
                f"problem:{pid}:{field}",
                old,
                new,
                save,
                lambda value: self._show_field(pid, field, value),
                f"problem:{pid}",
            )
        )

    def check_text_widget(self, key: str) -> UndoText:
        return self.analysis if key == "analysis" else self.matters

    def _check_text(self, key: str) -> None:
        """综合原因剖析 or 个人有关事项: a text of the whole self-check."""
        if self.view is None:
            return
        widget = self.check_text_widget(key)
        check_id, new = self.view.id, widget.toPlainText()
        old = self._stored.get(key, "")
        if old == new:
            return
        self._stored[key] = new

        def show(value: Any) -> None:
            self._stored[key] = value
            set_text_quietly(widget, value)

        if key == "analysis":
            text = self.tr("填写综合原因剖析")
            setter = svc.set_overall_analysis
        else:
            text = self.tr("填写个人有关事项")
            setter = svc.set_personal_matters
        self._request(
            field_change(
                text,
                key,
                old,
                new,
                lambda db, value: setter(db, check_id, value),
                show,
                key,
            )
        )

    # causes and measures

    def _wire_cause(self, entry: CauseEntry) -> None:
        entry.edited.connect(self._cause_edited)
        entry.remove_requested.connect(self._remove_cause)

    def _wire_measure(self, entry: MeasureEntry) -> None:
        entry.edited.connect(self._measure_edited)
        entry.remove_requested.connect(self._remove_measure)

    def _cause_edited(self, entry: CauseEntry, field: str) -> None:
        if self._loading or self.current is None:
            return
        pid = self.current.id
        if not entry.created:
            category, text = entry.value("category"), entry.value("text")
            if not text.strip():
                return  # kept on screen; stored with its first words
            entry.created = True
            entry.stored.update(category=category, text=text)
            self._request(
                creation(
                    self.tr("增加原因剖析"),
                    entry.record,
                    lambda db: svc.add_root_cause(db, pid, category, text),
                    svc.delete_root_cause,
                    svc.restore_root_cause,
                    where=f"problem:{pid}",
                )
            )
            return
        record = entry.record

        def save(db: Any, value: Any) -> None:
            assert record.id is not None
            svc.update_root_cause(db, record.id, **{field: value})

        self._entry_change(
            self.causes, entry, field, save, "填写原因剖析" if field == "text" else "选择原因类别"
        )

    def _measure_edited(self, entry: MeasureEntry, field: str) -> None:
        if self._loading or self.current is None:
            return
        pid = self.current.id
        if not entry.created:
            values = {f: entry.value(f) for f in MeasureEntry.FIELDS}
            if not values["text"].strip():
                return
            entry.created = True
            entry.stored.update(values)
            self._request(
                creation(
                    self.tr("增加整改措施"),
                    entry.record,
                    lambda db: svc.add_measure(
                        db,
                        pid,
                        values["text"],
                        target=values["target"],
                        deadline_kind=values["deadline_kind"],
                        deadline=values["deadline"]
                        if values["deadline_kind"] == "by_date"
                        else None,
                    ),
                    svc.delete_measure,
                    svc.restore_measure,
                    where=f"problem:{pid}",
                )
            )
            return
        record = entry.record
        if field == "deadline_kind":
            self._deadline_kind_changed(entry)
            return

        def save(db: Any, value: Any) -> None:
            assert record.id is not None
            svc.update_measure(db, record.id, **{field: value})

        labels = {
            "text": "填写整改措施",
            "target": "填写整改目标",
            "deadline_kind": "选择时限类型",
            "deadline": "选择完成时限",
        }
        self._entry_change(self.measures, entry, field, save, labels[field])

    def _deadline_kind_changed(self, entry: MeasureEntry) -> None:
        """限期整改 → 立行立改 / 长期坚持 drops the date with it (one step): a
        measure to be kept up for good has no date to print."""
        record = entry.record
        old = (entry.stored.get("deadline_kind"), entry.stored.get("deadline"))
        kind = entry.value("deadline_kind")
        new = (kind, entry.value("deadline") if kind == "by_date" else None)
        if old == new:
            return
        entry.stored["deadline_kind"], entry.stored["deadline"] = new

        def save(db: Any, value: Any) -> None:
            assert record.id is not None
            svc.update_measure(db, record.id, deadline_kind=value[0], deadline=value[1])

        def show(value: Any) -> None:
            shown = self.measures.entry_for(record)
            if shown is not None:
                shown.stored["deadline_kind"], shown.stored["deadline"] = value
                shown.show_value("deadline_kind", value[0], force=True)
                shown.show_value("deadline", value[1], force=True)

        where = f"problem:{self.current.id}" if self.current else ""
        key = f"entry:{id(record)}:deadline_kind"
        self._request(field_change(self.tr("选择时限类型"), key, old, new, save, show, where))

    def _entry_change(
        self,
        entries: _EntryList[Any],
        entry: _Entry,
        field: str,
        save: Callable[[Any, Any], None],
        label: str,
    ) -> None:
        old, new = entry.stored.get(field), entry.value(field)
        if old == new:
            return
        entry.stored[field] = new
        record = entry.record

        def show(value: Any) -> None:
            shown = entries.entry_for(record)
            if shown is not None:
                shown.stored[field] = value
                shown.show_value(field, value, force=True)

        key = f"entry:{id(record)}:{field}"
        where = f"problem:{self.current.id}" if self.current else ""
        self._request(field_change(self.tr(label), key, old, new, save, show, where))

    def _remove_cause(self, entry: CauseEntry) -> None:
        self._remove_entry(
            self.causes,
            entry,
            self.tr("删除原因剖析"),
            svc.delete_root_cause,
            svc.restore_root_cause,
        )

    def _remove_measure(self, entry: MeasureEntry) -> None:
        self._remove_entry(
            self.measures, entry, self.tr("删除整改措施"), svc.delete_measure, svc.restore_measure
        )

    def _remove_entry(
        self,
        entries: _EntryList[Any],
        entry: _Entry,
        label: str,
        delete: Callable[[Any, str], None],
        restore: Callable[[Any, str], None],
    ) -> None:
        entry.flush()
        entries.add_button.setFocus()  # the button pressed is about to go
        if not entry.created:  # never stored: it just goes
            entries.entries.remove(entry)
            entry.hide()
            entry.deleteLater()
            if not entries.entries:
                entries.add_blank()
            return
        record = entry.record

        def do(db: Any) -> None:
            assert record.id is not None
            delete(db, record.id)

        def undo(db: Any) -> None:
            assert record.id is not None
            restore(db, record.id)

        where = f"problem:{self.current.id}" if self.current else ""
        self._request(Change(label, do=do, undo=undo, where=where))

    # problems

    def _add(self) -> None:
        if self.view is None:
            return
        self.flush()
        check_id = self.view.id
        record = Record()
        self._select = record
        self._request(
            creation(
                self.tr("新增问题"),
                record,
                lambda db: svc.add_problem(db, check_id, ""),
                svc.delete_problem,
                svc.restore_problem,
                where="problems",
            )
        )

    @classmethod
    def ask_delete(cls, parent: QWidget, what: str) -> bool:
        answer = QMessageBox.question(
            parent,
            parent.tr("删除"),
            parent.tr("确定删除“{0}”及其原因剖析和整改措施吗？（可以撤销）").format(
                what or parent.tr("此问题")
            ),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _delete(self) -> None:
        if self.current is not None and self.ask_delete(self, self.current.text):
            self.flush()
            pid = self.current.id
            self._request(
                removal(
                    self.tr("删除问题"),
                    pid,
                    svc.delete_problem,
                    svc.restore_problem,
                    where="problems",
                )
            )

    def _moved(self, pid: str, old: int, new: int) -> None:
        self._request(
            Change(
                self.tr("调整问题顺序"),
                do=lambda db: svc.move_problem(db, pid, new),
                undo=lambda db: svc.move_problem(db, pid, old),
                where="problems",
            )
        )

    def _move(self, step: int) -> None:
        row = self.list.currentIndex().row()
        target = row + step
        if self.current is None or not 0 <= target < self.model.rowCount():
            return
        destination = target + 1 if step > 0 else target
        self.model.moveRows(QModelIndex(), row, 1, QModelIndex(), destination)

    def set_editable(self, editable: bool) -> None:
        """Handed in: problems can still be selected and read, not changed."""
        self._editable = editable
        self.text.setReadOnly(not editable)
        self.examples.setReadOnly(not editable)
        self.analysis.setReadOnly(not editable)
        self.matters.setReadOnly(not editable)
        for control in (self.source, self.severity, self.area, self.add_button):
            control.setEnabled(editable)
        for b in (self.up_button, self.down_button, self.delete_button):
            b.setEnabled(editable and self.current is not None)
        self.causes.set_editable(editable)
        self.measures.set_editable(editable)
        self.list.setDragEnabled(editable)

    def flush(self) -> None:
        """Save whatever is waiting for its pause."""
        for timer in self._timers.values():
            if timer.isActive():
                timer.stop()
                timer.timeout.emit()
        self.causes.flush()
        self.measures.flush()
