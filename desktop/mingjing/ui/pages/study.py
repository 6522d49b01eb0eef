"""学习和谈心谈话: what the member studied, when and how, and whom they talked
with before the meeting (form 谈心谈话) — both open the statement.

A table edited in place: the date with a calendar, the form from a list,
the topic, hours and a note as text. Each edit is one
:class:`~mingjing.ui.pages.undo.Change` (the call and its undo) for the
page's undo stack, run in order like every other edit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.enums import StudyForm
from mingjing.domain.text import cn_date
from mingjing.services import self_check as svc
from mingjing.services.self_check import SelfCheckView, StudyView
from mingjing.ui.pages.undo import Change, Record, creation, removal

AnyIndex = QModelIndex | QPersistentModelIndex
COLUMNS = ("日期", "形式", "学习内容／谈话对象", "学时（小时）", "学习体会／谈话要点")


FIELDS = ("studied_on", "form", "topic", "hours", "note")


class StudyTableModel(QAbstractTableModel):
    """Signals:
    change_requested(Change): one edit and its undo.
    """

    change_requested = Signal(object)
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[StudyView, ...] = ()
        self.forms: dict[str, str] = {}

    def set_view(self, view: SelfCheckView) -> None:
        self.beginResetModel()
        self.rows = view.study
        self.forms = dict(view.study_forms)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(COLUMNS[section]) if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if col == 2 and not r.topic.strip():
            if role == Qt.ItemDataRole.DisplayRole:  # shown, never stored
                if r.form == StudyForm.TALK.value:
                    return self.tr("（请填写谈话对象，如：与李某某同志）")
                return self.tr("（请填写学习内容）")
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor("#8a8a8a")
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                cn_date(r.studied_on),
                self.forms.get(r.form, r.form),
                r.topic,
                "" if r.hours is None else f"{r.hours:g}",
                r.note,
            )[col]
        if role == Qt.ItemDataRole.EditRole:
            return (
                r.studied_on,
                r.form,
                r.topic,
                "" if r.hours is None else f"{r.hours:g}",
                r.note,
            )[col]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsEditable if index.isValid() else flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row = self.rows[index.row()]
        col = index.column()
        new: Any
        if (col == 0 and isinstance(value, dt.date)) or (
            col == 1 and isinstance(value, str) and value in self.forms
        ):
            new = value
        elif col in (2, 4):
            new = str(value)
        elif col == 3:
            try:
                new = float(str(value)) if str(value).strip() else None
            except ValueError:
                self.refused.emit(
                    self.tr("学时请填数字，如 2 或 2.5；“{0}”没有保存。").format(value)
                )
                return False
        else:
            return False
        field = FIELDS[col]
        old = getattr(row, field)
        if old == new:
            return True
        rid = row.id
        self.change_requested.emit(
            Change(
                self.tr("修改学习记录"),
                do=lambda db: svc.update_study_record(db, rid, **{field: new}),
                undo=lambda db: svc.update_study_record(db, rid, **{field: old}),
                where="study",
            )
        )
        return True


class _Delegate(QStyledItemDelegate):
    """A calendar for the date, a list for the form; text for the rest."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        if index.column() == 0:
            editor = QDateEdit(parent)
            editor.setCalendarPopup(True)
            editor.setDisplayFormat("yyyy年M月d日")
            return editor
        if index.column() == 1:
            combo = QComboBox(parent)
            model = index.model()
            assert isinstance(model, StudyTableModel)
            for code, label in model.forms.items():
                combo.addItem(label, code)
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QDateEdit):
            when = value if isinstance(value, dt.date) else dt.date.today()
            editor.setDate(QDate(when.year, when.month, when.day))
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value), 0))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QDateEdit):
            d = editor.date()
            model.setData(index, dt.date(d.year(), d.month(), d.day()))
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        else:
            super().setModelData(editor, model, index)


class StudyPanel(QWidget):
    """Signals:
    change_requested(Change): one edit and its undo, for the page's stack.
    """

    change_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: SelfCheckView | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "会前的学习和谈心谈话都记在这里：谈心谈话选“谈心谈话”形式，写明谈话对象。"
                "对照检查材料的开头据此写出学习内容和谈心谈话人次。"
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = StudyTableModel(self)
        self.model.change_requested.connect(self.change_requested)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(_Delegate(self.table))
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.note = QLabel(self)
        self.note.setStyleSheet("color: #a8322d;")
        self.note.hide()
        self.model.refused.connect(self._refused)
        layout.addWidget(self.note)
        self._added: Record | None = None
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("新增记录"), self)
        self.add_button.clicked.connect(self._add)
        self.delete_button = QPushButton(self.tr("删除"), self)
        self.delete_button.clicked.connect(self._delete)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def set_editable(self, editable: bool) -> None:
        """Handed in: the table stays readable, just not editable."""
        self.table.setEditTriggers(
            QTableView.EditTrigger.DoubleClicked
            | QTableView.EditTrigger.EditKeyPressed
            | QTableView.EditTrigger.AnyKeyPressed
            if editable
            else QTableView.EditTrigger.NoEditTriggers
        )
        self.add_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)

    def set_view(self, view: SelfCheckView) -> None:
        """Show the records; the cell the user was in stays current (a save after
        each cell must not throw them out of the table)."""
        self.view = view
        current = self.table.currentIndex()
        keep_id = self.model.rows[current.row()].id if current.isValid() else None
        keep_column = max(current.column(), 0)
        had_focus = self.table.hasFocus()
        self.model.set_view(view)
        # Room for 2025年10月12日 and 中心组学习 even when the table is empty.
        metrics = self.table.fontMetrics()
        for column, sample in ((0, "2025年10月12日"), (1, "中心组学习"), (3, "学时（小时）")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 28)
        added = self._added.id if self._added is not None else None
        if added is not None:
            self._added = None
            keep_id, keep_column, had_focus = added, 2, True  # the new record's 学习内容
        row = next((n for n, r in enumerate(self.model.rows) if r.id == keep_id), None)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, keep_column))
            if had_focus:
                self.table.setFocus()

    def _refused(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()
        QTimer.singleShot(8000, self.note.hide)

    def _add(self) -> None:
        if self.view is not None:
            check_id = self.view.id
            today = dt.date.today()
            record = Record()
            self._added = record
            self.change_requested.emit(
                creation(
                    self.tr("新增学习记录"),
                    record,
                    lambda db: svc.add_study_record(db, check_id, topic="", studied_on=today),
                    svc.delete_study_record,
                    svc.restore_study_record,
                    where="study",
                )
            )

    @classmethod
    def ask_delete(cls, parent: QWidget, what: str) -> bool:
        answer = QMessageBox.question(
            parent, parent.tr("删除"), parent.tr("确定删除学习记录“{0}”吗？").format(what)
        )
        return answer == QMessageBox.StandardButton.Yes

    def _delete(self) -> None:
        row = self.table.currentIndex().row()
        if 0 <= row < len(self.model.rows) and self.ask_delete(self, self.model.rows[row].topic):
            rid = self.model.rows[row].id
            self.change_requested.emit(
                removal(
                    self.tr("删除学习记录"),
                    rid,
                    svc.delete_study_record,
                    svc.restore_study_record,
                    where="study",
                )
            )
