"""个人问题清单: the member's problems, their root causes and measures.

The list on the left can be reordered by dragging (or 上移/下移 from the
keyboard); the form on the right edits the selected problem. Like the
checklist, every field saves itself after a short pause, in order, off the
GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

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
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mingjing.services import self_check as svc
from mingjing.services.self_check import ProblemView, SelfCheckView

AnyIndex = QModelIndex | QPersistentModelIndex
PAUSE_MS = 600


class ProblemListModel(QAbstractListModel):
    """The problems in their order; dragging a row asks the page to move it.

    Signals:
        move_requested(problem_id, new_index)
    """

    move_requested = Signal(str, int)
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
            return f"{index.row() + 1}. {p.text}（{p.source}）"
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
        self.move_requested.emit(moved.id, new_index)
        return True


class _Paused(QTimer):
    """Fires once the user stops typing for a moment."""

    def __init__(self, parent: QWidget, action: Callable[[], None]) -> None:
        super().__init__(parent)
        self.setSingleShot(True)
        self.setInterval(PAUSE_MS)
        self.timeout.connect(action)


class ProblemsPanel(QWidget):
    """Signals:
    edit_requested(callable): a service call for the page to run in order, then reload.
    """

    edit_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: SelfCheckView | None = None
        self.current: ProblemView | None = None
        self._loading = False
        outer = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)

        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.model = ProblemListModel(self)
        self.model.move_requested.connect(
            lambda pid, idx: self.edit_requested.emit(lambda db: svc.move_problem(db, pid, idx))
        )
        self.list = QListView(left)
        self.list.setModel(self.model)
        self.list.setDragDropMode(QListView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSpacing(3)
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

        form_box = QWidget(splitter)
        form = QFormLayout(form_box)
        self.text = QLineEdit(form_box)
        self.text.setPlaceholderText(self.tr("用一句话概括问题"))
        self.source = QComboBox(form_box)
        self.severity = QComboBox(form_box)
        self.area = QComboBox(form_box)
        self.examples = QPlainTextEdit(form_box)
        self.examples.setPlaceholderText(
            self.tr("具体事例：写明时间、地点和具体事情，做到见人见事。")
        )
        self.cause_category = QComboBox(form_box)
        self.cause = QPlainTextEdit(form_box)
        self.cause.setPlaceholderText(self.tr("原因剖析：从思想、党性、作风上找根源。"))
        self.measure = QPlainTextEdit(form_box)
        self.measure.setPlaceholderText(self.tr("整改措施：怎么改、改到什么程度。"))
        self.target = QLineEdit(form_box)
        self.target.setPlaceholderText(self.tr("如：年底前项目资金拨付率达到100%"))
        self.deadline_kind = QComboBox(form_box)
        self.deadline = QDateEdit(form_box)
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy年M月d日")
        # The earliest date stands for "no date yet", shown as such.
        self.deadline.setMinimumDate(QDate(2000, 1, 1))
        self.deadline.setSpecialValueText(self.tr("（未定）"))
        for widget in (self.examples, self.cause, self.measure):
            widget.setTabChangesFocus(True)
        form.addRow(self.tr("问题"), self.text)
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
        form.addRow(self.tr("原因类别"), self.cause_category)
        form.addRow(self.tr("原因剖析"), self.cause)
        form.addRow(self.tr("整改措施"), self.measure)
        form.addRow(self.tr("整改目标"), self.target)
        when = QHBoxLayout()
        when.addWidget(self.deadline_kind)
        when.addWidget(self.deadline, 1)
        form.addRow(self.tr("完成时限"), when)
        self.form_box = form_box
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 700])
        outer.addWidget(splitter, 1)

        outer.addWidget(
            QLabel(self.tr("综合原因剖析（从理想信念、宗旨意识、党性修养等方面深挖根源）"), self)
        )
        self.analysis = QPlainTextEdit(self)
        self.analysis.setTabChangesFocus(True)
        self.analysis.setFixedHeight(self.analysis.fontMetrics().lineSpacing() * 4 + 16)
        outer.addWidget(self.analysis)

        self._timers = {
            "text": _Paused(self, self._save_text),
            "examples": _Paused(self, self._save_examples),
            "cause": _Paused(self, self._save_cause),
            "measure": _Paused(self, self._save_measure),
            "analysis": _Paused(self, self._save_analysis),
        }
        self.text.textEdited.connect(self._timers["text"].start)
        self.examples.textChanged.connect(lambda: self._typed("examples"))
        self.cause.textChanged.connect(lambda: self._typed("cause"))
        self.measure.textChanged.connect(lambda: self._typed("measure"))
        self.target.textEdited.connect(lambda: self._typed("measure"))
        self.deadline.dateChanged.connect(lambda: self._typed("measure"))
        self.deadline_kind.currentIndexChanged.connect(self._kind_changed)
        self.analysis.textChanged.connect(lambda: self._typed("analysis"))
        self.cause_category.currentIndexChanged.connect(lambda: self._typed("cause"))
        self.source.currentIndexChanged.connect(self._save_choice)
        self.severity.currentIndexChanged.connect(self._save_choice)
        self.area.currentIndexChanged.connect(self._save_choice)
        self._show_problem(None)

    # ------------------------------------------------------------ showing

    def set_view(self, view: SelfCheckView) -> None:
        first = self.view is None
        self.view = view
        self._loading = True
        try:
            if first:
                for code, label in (
                    ("by_date", self.tr("限期整改")),
                    ("immediate", self.tr("立行立改")),
                    ("ongoing", self.tr("长期坚持")),
                ):
                    self.deadline_kind.addItem(label, code)
                self.area.addItem(self.tr("（未归类）"), None)
                for a in view.areas:
                    self.area.addItem(a.title, a.key)
                for combo, pairs in (
                    (self.source, view.sources),
                    (self.severity, view.severities),
                    (self.cause_category, view.cause_categories),
                ):
                    for code, label in pairs:
                        combo.addItem(label, code)
            current_id = self.current.id if self.current else None
            self.model.set_problems(view.problems)
            if not self.analysis.hasFocus():
                _set_text(self.analysis, view.overall_analysis)
            row = next((i for i, p in enumerate(view.problems) if p.id == current_id), 0)
            if view.problems:
                self.list.setCurrentIndex(self.model.index(row))
                self._show_problem(view.problems[row])
            else:
                self._show_problem(None)
        finally:
            self._loading = False

    def _selected(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._loading or self.view is None:
            return
        self.flush()
        pid = current.data(ProblemListModel.ID_ROLE)
        self._show_problem(next((p for p in self.view.problems if p.id == pid), None))

    def _show_problem(self, problem: ProblemView | None) -> None:
        loading, self._loading = self._loading, True
        try:
            self.current = problem
            self.form_box.setEnabled(problem is not None)
            for b in (self.up_button, self.down_button, self.delete_button):
                b.setEnabled(problem is not None)
            if problem is None:
                for w in (self.examples, self.cause, self.measure):
                    _set_text(w, "")
                self.text.clear()
                self.target.clear()
                return
            if not self.text.hasFocus():
                self.text.setText(problem.text)
            _choose(self.source, problem.source_code)
            _choose(self.severity, problem.severity_code)
            _choose(self.area, problem.area_key)
            _set_text(self.examples, problem.examples)
            cause = problem.causes[0] if problem.causes else None
            if cause is None:
                self.cause_category.setCurrentIndex(-1)  # nothing chosen yet
            else:
                _choose(self.cause_category, cause.category)
            _set_text(self.cause, cause.text if cause else "")
            measure = problem.measures[0] if problem.measures else None
            _set_text(self.measure, measure.text if measure else "")
            if not self.target.hasFocus():
                self.target.setText(measure.target if measure else "")
            _choose(self.deadline_kind, measure.deadline_kind if measure else "by_date")
            if measure is not None and measure.deadline is not None:
                d = measure.deadline
                self.deadline.setDate(QDate(d.year, d.month, d.day))
            else:
                self.deadline.setDate(self.deadline.minimumDate())
            self.deadline.setEnabled(self.deadline_kind.currentData() == "by_date")
        finally:
            self._loading = loading

    # ------------------------------------------------------------ editing

    def _typed(self, field: str) -> None:
        if not self._loading:
            self._timers[field].start()

    def _request(self, call: Callable[[Any], object]) -> None:
        self.edit_requested.emit(call)

    def _save_text(self) -> None:
        if self.current is not None and self.text.text().strip():
            pid, text = self.current.id, self.text.text()
            self._request(lambda db: svc.update_problem(db, pid, text=text))

    def _save_examples(self) -> None:
        if self.current is not None:
            pid, text = self.current.id, self.examples.toPlainText()
            self._request(lambda db: svc.update_problem(db, pid, examples=text))

    def _save_choice(self) -> None:
        if self._loading or self.current is None:
            return
        pid = self.current.id
        source, severity = self.source.currentData(), self.severity.currentData()
        area = self.area.currentData()
        self._request(
            lambda db: svc.update_problem(db, pid, source=source, severity=severity, area=area)
        )

    def _save_cause(self) -> None:
        if self.current is None:
            return
        pid, text = self.current.id, self.cause.toPlainText()
        category = self.cause_category.currentData() or ""
        if self.current.causes:
            cid = self.current.causes[0].id
            self._request(lambda db: svc.update_root_cause(db, cid, category=category, text=text))
        elif text.strip():
            self._request(lambda db: svc.add_root_cause(db, pid, category, text))

    def _save_measure(self) -> None:
        if self.current is None:
            return
        pid, text, target = self.current.id, self.measure.toPlainText(), self.target.text()
        kind = self.deadline_kind.currentData() or "by_date"
        d = self.deadline.date()
        deadline = (
            None
            if kind != "by_date" or d == self.deadline.minimumDate()
            else dt.date(d.year(), d.month(), d.day())
        )
        if self.current.measures:
            mid = self.current.measures[0].id
            self._request(
                lambda db: svc.update_measure(
                    db, mid, text=text, target=target, deadline_kind=kind, deadline=deadline
                )
            )
        elif text.strip():
            self._request(
                lambda db: svc.add_measure(
                    db, pid, text, target=target, deadline_kind=kind, deadline=deadline
                )
            )

    def _kind_changed(self) -> None:
        self.deadline.setEnabled(self.deadline_kind.currentData() == "by_date")
        self._typed("measure")

    def _save_analysis(self) -> None:
        if self.view is not None:
            check_id, text = self.view.id, self.analysis.toPlainText()
            self._request(lambda db: svc.set_overall_analysis(db, check_id, text))

    def _add(self) -> None:
        if self.view is not None:
            check_id = self.view.id
            self._request(lambda db: svc.add_problem(db, check_id, ""))

    @classmethod
    def ask_delete(cls, parent: QWidget, what: str) -> bool:
        answer = QMessageBox.question(
            parent, parent.tr("删除"), parent.tr("确定删除“{0}”吗？").format(what or "此问题")
        )
        return answer == QMessageBox.StandardButton.Yes

    def _delete(self) -> None:
        if self.current is not None and self.ask_delete(self, self.current.text):
            pid = self.current.id
            self.current = None
            self._request(lambda db: svc.delete_problem(db, pid))

    def _move(self, step: int) -> None:
        row = self.list.currentIndex().row()
        target = row + step
        if self.current is None or not 0 <= target < self.model.rowCount():
            return
        destination = target + 1 if step > 0 else target
        self.model.moveRows(QModelIndex(), row, 1, QModelIndex(), destination)

    def set_editable(self, editable: bool) -> None:
        """Handed in: problems can still be selected and read, not changed."""
        self.text.setReadOnly(not editable)
        self.target.setReadOnly(not editable)
        for box in (self.examples, self.cause, self.measure, self.analysis):
            box.setReadOnly(not editable)
        controls: tuple[QWidget, ...] = (
            self.source,
            self.severity,
            self.area,
            self.cause_category,
            self.deadline_kind,
            self.deadline,
            self.add_button,
            self.up_button,
            self.down_button,
            self.delete_button,
        )
        for control in controls:
            control.setEnabled(editable)
        self.list.setDragEnabled(editable)

    def flush(self) -> None:
        """Save whatever is waiting for its pause."""
        for timer in self._timers.values():
            if timer.isActive():
                timer.stop()
                timer.timeout.emit()


def _set_text(widget: QPlainTextEdit, text: str) -> None:
    """Show stored text, but never under the cursor of someone typing there."""
    if widget.hasFocus():
        return
    if widget.toPlainText() != text:
        widget.blockSignals(True)
        widget.setPlainText(text)
        widget.blockSignals(False)


def _choose(combo: QComboBox, code: str | None) -> None:
    index = combo.findData(code) if code is not None else -1
    combo.setCurrentIndex(max(index, 0))
