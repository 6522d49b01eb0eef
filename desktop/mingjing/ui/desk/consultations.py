"""集体会诊: record how the leadership diagnosed common problems, and open ledger rows.

Left, the consultations held (newest first); right, the record of the one
selected. Changes are kept until the secretary presses 保存; choosing another
record (or starting a new one) with unsaved changes asks first — 保存 / 不保存
/ 取消, as office software does — so nothing typed is lost by a stray click.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.text import cn_date
from mingjing.services.consultations import (
    ConsultationInput,
    ConsultationView,
    MeasureInput,
    create_ledger_rows,
    delete_consultation,
    list_consultations,
    save_consultation,
)
from mingjing.services.problem_lists import ProblemRow, list_problems
from mingjing.services.roster import MemberView, list_members
from mingjing.ui.desk.base import DeskContext, DeskTab, RowsTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole
NO_DATE = QDate(2000, 1, 1)
"""The earliest date a deadline editor offers; it stands for 未定."""
UNSAVED_COLOUR = "#9a3412"


def _qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


@dataclass
class MeasureRow:
    """A row of the measures table as edited (``id`` is None until saved)."""

    text: str = ""
    owner_id: str | None = None
    deadline: dt.date | None = None
    id: str | None = None
    in_ledger: bool = False


@dataclass(frozen=True)
class _Loaded:
    consultations: list[ConsultationView]
    members: list[MemberView]
    problems: list[ProblemRow]


class MeasureModel(RowsTableModel):
    """议定的整改措施: measure, owner, deadline; whether it is in the ledger (read-only)."""

    HEADERS = ("措施", "责任人", "完成时限", "已纳入台账")
    TEXT, OWNER, DEADLINE, IN_LEDGER = range(4)

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[MeasureRow] = []
        self.owners: list[tuple[str, str]] = []
        """(member id, label) in the order the owner list offers them."""
        self._names: dict[str, str] = {}

    def set_owners(self, owners: list[tuple[str, str, str]]) -> None:
        """(id, label for the list, name for the table)."""
        self.owners = [(mid, label) for mid, label, _ in owners]
        self._names = {mid: name for mid, _, name in owners}
        if self.rows:
            self.dataChanged.emit(
                self.index(0, self.OWNER), self.index(len(self.rows) - 1, self.OWNER)
            )

    def add_row(self) -> int:
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(MeasureRow())
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()
        self.edited.emit()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.tr(self.HEADERS[section])
            if role == Qt.ItemDataRole.ToolTipRole and section in (self.OWNER, self.DEADLINE):
                return self.tr("双击选择；按 Delete 键清空")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.TEXT:
                return row.text
            if column == self.OWNER:
                return self._names.get(row.owner_id, "") if row.owner_id else ""
            if column == self.DEADLINE:
                return cn_date(row.deadline)
            return self.tr("是") if row.in_ledger else ""
        if role == Qt.ItemDataRole.EditRole:
            return (row.text, row.owner_id, row.deadline, row.in_ledger)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TEXT and row.text:
                return row.text
            if column == self.IN_LEDGER and row.in_ledger:
                return self.tr("已纳入整改台账。这里再修改，不会改动台账中的整改事项。")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.IN_LEDGER:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.IN_LEDGER:
            return QBrush(QColor("#15803d"))
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() != self.IN_LEDGER:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row = self.rows[index.row()]
        column = index.column()
        if column == self.TEXT:
            row.text = str(value or "")
        elif column == self.OWNER:
            if value and str(value) not in self._names:
                return False
            row.owner_id = str(value) if value else None
        elif column == self.DEADLINE:
            if value is not None and not isinstance(value, dt.date):
                return False
            row.deadline = value
        else:
            return False
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True


class MeasureDelegate(QStyledItemDelegate):
    """A list of members for 责任人, a calendar for 完成时限 (the first date is 未定)."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        model = index.model()
        if index.column() == MeasureModel.OWNER and isinstance(model, MeasureModel):
            combo = QComboBox(parent)
            combo.addItem(self.tr("（未定）"), None)
            for mid, label in model.owners:
                combo.addItem(label, mid)
            return combo
        if index.column() == MeasureModel.DEADLINE:
            edit = QDateEdit(parent)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy年M月d日")
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText(self.tr("（未定）"))
            return edit
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value), 0))
        elif isinstance(editor, QDateEdit):
            # An empty deadline opens on today (for the calendar), but stays empty
            # unless a date is actually chosen.
            editor.setDate(_qdate(value if isinstance(value, dt.date) else dt.date.today()))
            editor.setProperty("was_empty", not isinstance(value, dt.date))
            editor.setProperty("touched", False)
            editor.dateChanged.connect(lambda _: editor.setProperty("touched", True))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        elif isinstance(editor, QDateEdit):
            if editor.date() == NO_DATE:
                model.setData(index, None)
            elif not (editor.property("was_empty") and not editor.property("touched")):
                model.setData(index, _pydate(editor.date()))
        else:
            super().setModelData(editor, model, index)


class MeasureTable(QTableView):
    """The measures table; Delete clears an owner or a deadline; rows fit their text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fit = QTimer(self)
        self._fit.setSingleShot(True)
        self._fit.setInterval(0)
        self._fit.timeout.connect(self.resizeRowsToContents)

    def fit_rows(self) -> None:
        """Make each row as tall as its wrapped text, once the widths have settled."""
        self._fit.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_rows()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        if (
            event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and index.isValid()
            and index.column() in (MeasureModel.OWNER, MeasureModel.DEADLINE)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            self.model().setData(index, None)
            return
        super().keyPressEvent(event)


def _wrapping_list(parent: QWidget) -> QListWidget:
    """A list whose long lines wrap to the width instead of running off the side."""
    widget = QListWidget(parent)
    widget.setWordWrap(True)
    widget.setResizeMode(QListWidget.ResizeMode.Adjust)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    return widget


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("fieldHeading")
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class ConsultationsTab(DeskTab):
    """集体会诊: the records, an editor, and opening ledger rows from the agreed measures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: _Loaded | None = None
        self.current_id: str | None = None
        """The record shown; None for a new one not yet saved."""
        self.dirty = False
        self._loading = False
        self._saving = False
        self._after_load: Callable[[], None] | None = None

        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)

        # ------------------------------------------------ the records
        side = QWidget(splitter)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.list_title = QLabel(self.tr("会诊记录"), side)
        self.records = _wrapping_list(side)
        self.records.setSpacing(2)
        self.records.currentItemChanged.connect(self._picked)
        side_buttons = QHBoxLayout()
        self.new_button = QPushButton(self.tr("新建会诊记录"), side)
        self.new_button.clicked.connect(self.new_record)
        self.delete_button = QPushButton(self.tr("删除"), side)
        self.delete_button.clicked.connect(self.delete_record)
        side_buttons.addWidget(self.new_button, 1)
        side_buttons.addWidget(self.delete_button)
        side_layout.addWidget(self.list_title)
        side_layout.addWidget(self.records, 1)
        side_layout.addLayout(side_buttons)

        # ------------------------------------------------ the editor
        editor = QWidget(splitter)
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(editor)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        form = QWidget(scroll)
        self.form = form
        grid = QGridLayout(form)
        grid.setContentsMargins(0, 0, 4, 0)
        grid.setHorizontalSpacing(16)

        self.topic = QLineEdit(form)
        self.topic.setPlaceholderText(self.tr("如：针对“工作落实不力”等共性问题集体会诊"))
        topic_row = QHBoxLayout()
        topic_row.setSpacing(8)
        topic_row.addWidget(_heading(self.tr("主题"), form))
        topic_row.addWidget(self.topic, 1)
        grid.addLayout(topic_row, 0, 0, 1, 2)

        left = QGridLayout()
        left.setVerticalSpacing(6)
        left.setHorizontalSpacing(8)
        self.held_on = QDateEdit(form)
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("yyyy年M月d日")
        self.place = QLineEdit(form)
        self.place.setPlaceholderText(self.tr("如：党组会议室"))
        self.host = QComboBox(form)
        self.host.setMinimumContentsLength(8)
        left.addWidget(_heading(self.tr("时间"), form), 0, 0)
        left.addWidget(self.held_on, 0, 1)
        left.addWidget(_heading(self.tr("地点"), form), 1, 0)
        left.addWidget(self.place, 1, 1)
        left.addWidget(_heading(self.tr("主持人"), form), 2, 0)
        left.addWidget(self.host, 2, 1)
        people = QHBoxLayout()
        people.addWidget(_heading(self.tr("参加人员"), form))
        people.addStretch(1)
        self.all_leaders_button = QPushButton(self.tr("全选班子成员"), form)
        self.all_leaders_button.clicked.connect(self.tick_all_leaders)
        people.addWidget(self.all_leaders_button)
        left.addLayout(people, 3, 0, 1, 2)
        self.participants = _wrapping_list(form)
        self.participants.setMinimumHeight(120)
        left.addWidget(self.participants, 4, 0, 1, 2)
        left.addWidget(_heading(self.tr("其他参加人员"), form), 5, 0, 1, 2)
        self.other = QLineEdit(form)
        self.other.setPlaceholderText(self.tr("如：各股室负责人"))
        left.addWidget(self.other, 6, 0, 1, 2)
        left.setRowStretch(4, 1)
        left.setColumnStretch(1, 1)
        grid.addLayout(left, 1, 0)

        right = QVBoxLayout()
        right.setSpacing(6)
        problems_head = QHBoxLayout()
        problems_head.addWidget(_heading(self.tr("会诊的问题"), form))
        self.problem_count = QLabel(form)
        problems_head.addWidget(self.problem_count)
        problems_head.addStretch(1)
        self.show_all = QCheckBox(self.tr("显示全部问题"), form)
        self.show_all.setToolTip(self.tr("默认只列出共性问题；已勾选的问题总会列出"))
        self.show_all.toggled.connect(lambda _: self._refill_problems())
        problems_head.addWidget(self.show_all)
        right.addLayout(problems_head)
        self.problems = _wrapping_list(form)
        self.problems.setMinimumHeight(90)
        right.addWidget(self.problems, 3)
        right.addWidget(_heading(self.tr("症结（诊断意见）"), form))
        self.diagnosis = QPlainTextEdit(form)
        self.diagnosis.setTabChangesFocus(True)
        self.diagnosis.setPlaceholderText(
            self.tr("经集体分析，这些问题的症结在于……（从思想认识、工作机制、作风上找根源）")
        )
        self.diagnosis.setMinimumHeight(self.diagnosis.fontMetrics().lineSpacing() * 3 + 14)
        right.addWidget(self.diagnosis, 2)
        measures_head = QHBoxLayout()
        measures_head.addWidget(_heading(self.tr("议定的整改措施"), form))
        measures_head.addStretch(1)
        self.add_measure_button = QPushButton(self.tr("添加措施"), form)
        self.add_measure_button.clicked.connect(self.add_measure)
        self.remove_measure_button = QPushButton(self.tr("删除措施"), form)
        self.remove_measure_button.clicked.connect(self.remove_measure)
        measures_head.addWidget(self.add_measure_button)
        measures_head.addWidget(self.remove_measure_button)
        right.addLayout(measures_head)
        self.measures = MeasureModel(self)
        self.measure_table = MeasureTable(form)
        self.measure_table.setModel(self.measures)
        self.measure_table.setItemDelegate(MeasureDelegate(self.measure_table))
        self.measure_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.measure_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.measure_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.measure_table.setWordWrap(True)
        self.measure_table.setMinimumHeight(110)
        # Tall enough for the list of members that opens in a row.
        self.measure_table.verticalHeader().setMinimumSectionSize(self.host.sizeHint().height())
        header = self.measure_table.horizontalHeader()
        header.setSectionResizeMode(MeasureModel.TEXT, QHeaderView.ResizeMode.Stretch)
        for column in (MeasureModel.OWNER, MeasureModel.DEADLINE, MeasureModel.IN_LEDGER):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        metrics = self.measure_table.fontMetrics()
        header.resizeSection(MeasureModel.OWNER, metrics.horizontalAdvance("欧阳某某") + 24)
        header.resizeSection(
            MeasureModel.DEADLINE, metrics.horizontalAdvance("2025年12月31日") + 24
        )
        header.resizeSection(MeasureModel.IN_LEDGER, metrics.horizontalAdvance("已纳入台账") + 24)
        header.sectionResized.connect(lambda *_: self.measure_table.fit_rows())
        self.measures.modelReset.connect(self.measure_table.fit_rows)
        self.measures.rowsInserted.connect(lambda *_: self.measure_table.fit_rows())
        self.measures.dataChanged.connect(lambda *_: self.measure_table.fit_rows())
        right.addWidget(self.measure_table, 3)
        grid.addLayout(right, 1, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 5)
        grid.setRowStretch(1, 1)
        scroll.setWidget(form)
        editor_layout.addWidget(scroll, 1)

        bar = QHBoxLayout()
        self.state = QLabel(editor)
        bar.addWidget(self.state, 1)
        self.ledger_button = QPushButton(self.tr("生成整改台账"), editor)
        self.ledger_button.setToolTip(
            self.tr("把议定的整改措施逐项纳入整改台账；已在台账中的措施不会重复添加")
        )
        self.ledger_button.clicked.connect(self.generate_ledger)
        self.save_button = QPushButton(self.tr("保存"), editor)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save())
        bar.addWidget(self.ledger_button)
        bar.addWidget(self.save_button)
        editor_layout.addLayout(bar)

        splitter.addWidget(side)
        splitter.addWidget(editor)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([230, 900])
        layout.addWidget(splitter, 1)
        self.editor = editor

        self.held_on.dateChanged.connect(self._edited)
        self.place.textChanged.connect(self._edited)
        self.topic.textChanged.connect(self._edited)
        self.host.currentIndexChanged.connect(self._edited)
        self.participants.itemChanged.connect(self._edited)
        self.other.textChanged.connect(self._edited)
        self.problems.itemChanged.connect(self._problem_ticked)
        self.diagnosis.textChanged.connect(self._edited)
        self.measures.edited.connect(self._edited)
        self._set_enabled(False)

    # ------------------------------------------------------------ loading

    def set_context(self, context: DeskContext | None) -> None:
        if (
            context is None
            or self.context is None
            or (context.campaign_id != self.context.campaign_id)
        ):
            self.current_id = None
            self.dirty = False
        if context is None:
            self.data = None
            self._loading = True
            self.records.clear()
            self._loading = False
            self._set_enabled(False)
        super().set_context(context)

    def reload(self) -> None:
        if self.context is None:
            return
        db, cid = self.context.db, self.context.campaign_id

        def work() -> _Loaded:
            return _Loaded(list_consultations(db, cid), list_members(db), list_problems(db, cid))

        self.run(work, self._loaded)

    def _loaded(self, result: object) -> None:
        assert isinstance(result, _Loaded)
        editing = self.measure_table.state() == QAbstractItemView.State.EditingState
        draft = self.collect() if self.dirty or editing else None
        # Leaders first, each group in the roster's order.
        members = sorted(result.members, key=lambda m: not m.is_leader)
        self.data = replace(result, members=members)
        self.measures.set_owners([(m.id, m.label, m.name) for m in members])
        self._fill_records()
        self._set_enabled(not self._saving)
        if draft is not None:
            # Someone changed the roster or the problems elsewhere: keep what is typed,
            # and leave the measures table (perhaps with a cell being edited) alone.
            self._fill(draft, None)
            self._mark_records()
        else:
            ids = [c.id for c in result.consultations]
            if self.current_id in ids:
                self._show(self.current_id)
            elif ids:
                self._show(ids[0])
            else:
                self._show(None)
        then, self._after_load = self._after_load, None
        if then is not None:
            then()
        self.loaded.emit()

    def _fill_records(self) -> None:
        assert self.data is not None
        self._loading = True
        try:
            self.records.clear()
            for c in self.data.consultations:
                when = cn_date(c.held_on, self.tr("（未填日期）"))
                item = QListWidgetItem(f"{when}\n{c.topic}", self.records)
                item.setData(ID_ROLE, c.id)
                item.setToolTip(c.topic)
            count = len(self.data.consultations)
            self.list_title.setText(
                self.tr("会诊记录（{0} 次）").format(count) if count else self.tr("会诊记录")
            )
        finally:
            self._loading = False

    def _mark_records(self) -> None:
        """Select the record shown in the list (none for a new one)."""
        self._loading = True
        try:
            self.records.setCurrentRow(-1)
            for row in range(self.records.count()):
                item = self.records.item(row)
                if item.data(ID_ROLE) == self.current_id:
                    self.records.setCurrentItem(item)
                    break
        finally:
            self._loading = False

    def _view(self, consultation_id: str | None) -> ConsultationView | None:
        if self.data is None or consultation_id is None:
            return None
        return next((c for c in self.data.consultations if c.id == consultation_id), None)

    def _show(self, consultation_id: str | None) -> None:
        """Show a stored record, or a blank new one (``None``), as saved."""
        assert self.data is not None
        view = self._view(consultation_id)
        self.current_id = view.id if view else None
        if view is None:
            leaders = [m for m in self.data.members if m.is_leader]
            self._fill(
                ConsultationInput(
                    held_on=dt.date.today(),
                    place="",
                    topic="",
                    host_id=leaders[0].id if leaders else None,
                    participant_ids=tuple(m.id for m in leaders),
                    other_participants="",
                    problem_ids=(),
                    diagnosis="",
                ),
                [],
            )
        else:
            self._fill(
                view.as_input(),
                [
                    MeasureRow(m.text, m.owner_id, m.deadline, m.id, m.in_ledger)
                    for m in view.measures
                ],
            )
        self.dirty = False
        self._mark_records()
        self._update_state()

    def _fill(self, data: ConsultationInput, measures: list[MeasureRow] | None) -> None:
        """Show ``data``; ``measures`` None keeps the table as it is."""
        assert self.data is not None
        self._loading = True
        try:
            self.held_on.setDate(_qdate(data.held_on or dt.date.today()))
            self.place.setText(data.place)
            self.topic.setText(data.topic)
            self.host.clear()
            self.host.addItem(self.tr("（未定）"), None)
            for m in self.data.members:
                self.host.addItem(m.label, m.id)
            self.host.setCurrentIndex(max(self.host.findData(data.host_id), 0))
            self.participants.clear()
            chosen = set(data.participant_ids)
            for m in self.data.members:
                item = QListWidgetItem(m.label, self.participants)
                item.setData(ID_ROLE, m.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if m.id in chosen else Qt.CheckState.Unchecked
                )
            self.other.setText(data.other_participants)
            self._fill_problems(data.problem_ids)
            self.diagnosis.setPlainText(data.diagnosis)
            if measures is not None:
                self.measures.set_rows(measures)
        finally:
            self._loading = False
        self._update_state()

    def _fill_problems(self, chosen_ids: tuple[str, ...]) -> None:
        assert self.data is not None
        chosen = set(chosen_ids)
        show_all = self.show_all.isChecked()
        was_loading, self._loading = self._loading, True
        try:
            self.problems.clear()
            shown = 0
            for p in self.data.problems:
                if not (show_all or p.is_common or p.id in chosen):
                    continue
                mark = self.tr("〔共性〕") if show_all and p.is_common else ""
                owner = self.tr("领导班子") if p.is_team else p.owner
                item = QListWidgetItem(f"{mark}{owner}：{p.text}", self.problems)
                item.setData(ID_ROLE, p.id)
                item.setToolTip(p.examples or p.text)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if p.id in chosen else Qt.CheckState.Unchecked
                )
                shown += 1
            if not shown:
                text = (
                    self.tr("本专项行动还没有查摆出问题。")
                    if show_all
                    else self.tr(
                        "还没有标记共性问题。可先在“问题清单”中标记，或勾选“显示全部问题”。"
                    )
                )
                item = QListWidgetItem(text, self.problems)
                item.setFlags(Qt.ItemFlag.NoItemFlags)
        finally:
            self._loading = was_loading
        self._count_problems()

    def _refill_problems(self) -> None:
        if self.data is not None:
            self._fill_problems(self._ticked(self.problems))

    def _count_problems(self) -> None:
        ticked = len(self._ticked(self.problems))
        self.problem_count.setText(self.tr("（已选 {0} 个）").format(ticked) if ticked else "")

    @staticmethod
    def _ticked(widget: QListWidget) -> tuple[str, ...]:
        ids = []
        for row in range(widget.count()):
            item = widget.item(row)
            if item.checkState() == Qt.CheckState.Checked and item.data(ID_ROLE):
                ids.append(str(item.data(ID_ROLE)))
        return tuple(ids)

    # ------------------------------------------------------------ editing

    def collect(self) -> ConsultationInput:
        """The record as the editor shows it."""
        return ConsultationInput(
            held_on=_pydate(self.held_on.date()),
            place=self.place.text(),
            topic=self.topic.text(),
            host_id=self.host.currentData(),
            participant_ids=self._ticked(self.participants),
            other_participants=self.other.text(),
            problem_ids=self._ticked(self.problems),
            diagnosis=self.diagnosis.toPlainText(),
            measures=tuple(
                MeasureInput(r.text, r.owner_id, r.deadline, r.id) for r in self.measures.rows
            ),
        )

    def _edited(self, *_: object) -> None:
        if self._loading:
            return
        self.dirty = True
        self._update_state()

    def _problem_ticked(self, _: object) -> None:
        if not self._loading:
            self._count_problems()
        self._edited()

    def _update_state(self) -> None:
        if self.data is None:
            self.state.clear()
        elif self.current_id is None:
            self.state.setText(self.tr("新的会诊记录，尚未保存"))
        elif self.dirty:
            self.state.setText(self.tr("有改动，尚未保存"))
        else:
            self.state.setText(self.tr("已保存"))
        unsaved = self.current_id is None or self.dirty
        self.state.setStyleSheet(f"color: {UNSAVED_COLOUR};" if unsaved else "")

    def _set_enabled(self, enabled: bool) -> None:
        self.form.setEnabled(enabled)
        for button in (
            self.save_button,
            self.ledger_button,
            self.new_button,
            self.delete_button,
        ):
            button.setEnabled(enabled)
        self.records.setEnabled(enabled)

    def tick_all_leaders(self) -> None:
        if self.data is None:
            return
        leaders = {m.id for m in self.data.members if m.is_leader}
        for row in range(self.participants.count()):
            item = self.participants.item(row)
            if item.data(ID_ROLE) in leaders:
                item.setCheckState(Qt.CheckState.Checked)

    def add_measure(self) -> None:
        row = self.measures.add_row()
        index = self.measures.index(row, MeasureModel.TEXT)
        self.measure_table.setCurrentIndex(index)
        self.measure_table.edit(index)

    def remove_measure(self) -> None:
        index = self.measure_table.currentIndex()
        if not index.isValid():
            self.tell_info(self, self.tr("请先点选要删除的措施。"))
            return
        row = self.measures.rows[index.row()]
        if row.in_ledger and not self.ask_yes(
            self,
            self.tr(
                "这项措施已纳入整改台账。从会诊记录中删去后，台账中的整改事项仍然保留，"
                "如需删除请到整改台账中处理。\n\n确定从会诊记录中删去吗？"
            ),
            self.tr("删去"),
        ):
            return
        self.measures.remove_row(index.row())

    # ------------------------------------------------------------ dialogs

    # ------------------------------------------------------------ choosing

    @classmethod
    def ask_unsaved(cls, parent: QWidget, text: str) -> str | None:
        """``"save"``, ``"discard"``, or None to stay."""
        box = QMessageBox(QMessageBox.Icon.Question, parent.tr("明镜"), text, parent=parent)
        save = box.addButton(parent.tr("保存"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(parent.tr("不保存"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(parent.tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        if clicked is save:
            return "save"
        if clicked is discard:
            return "discard"
        return None

    def leave(self, then: Callable[[], None]) -> None:
        """Do ``then`` once unsaved changes are saved or let go, as the secretary answers.

        Nothing happens if the secretary cancels. The window may call this before closing.
        """
        if not self.dirty:
            then()
            return
        topic = self.topic.text().strip()
        text = (
            self.tr("会诊记录“{0}”有改动还没有保存。要保存吗？").format(topic)
            if topic
            else self.tr("这条会诊记录有改动还没有保存。要保存吗？")
        )
        answer = self.ask_unsaved(self, text)
        if answer == "save":
            self.save(then=then)
        elif answer == "discard":
            self.dirty = False
            then()

    def _picked(self, current: QListWidgetItem | None, _: QListWidgetItem | None) -> None:
        if self._loading or current is None:
            return
        target = str(current.data(ID_ROLE))
        if target == self.current_id:
            return
        self._mark_records()  # stays on the shown record until the question is answered
        self.leave(lambda: self._show(target))

    def select(self, consultation_id: str) -> None:
        """Show that record, as if clicked in the list."""
        for row in range(self.records.count()):
            item = self.records.item(row)
            if item.data(ID_ROLE) == consultation_id:
                self.records.setCurrentItem(item)
                return

    def new_record(self) -> None:
        if self.data is None:
            return
        self.leave(self._new)

    def _new(self) -> None:
        self._show(None)
        self.topic.setFocus()

    # ------------------------------------------------------------ writing

    def save(self, then: Callable[[], None] | None = None) -> None:
        if self.context is None or self.data is None or self._saving:
            return
        data = self.collect()
        if not data.topic.strip():
            self.tell_warning(self, self.tr("请填写会诊的主题（针对哪些共性问题）。"))
            self.topic.setFocus()
            return
        db, cid, existing = self.context.db, self.context.campaign_id, self.current_id
        self._saving = True
        self._set_enabled(False)

        def done(new_id: object) -> None:
            self._saving = False
            self.current_id = str(new_id)
            self.dirty = False
            self._after_load = then
            self.reload()
            self.changed.emit()

        self.run(lambda: save_consultation(db, cid, data, existing), done, write=True)

    def report(self, exc: BaseException) -> None:
        if self._saving:
            self._saving = False
            self._set_enabled(True)
            self._update_state()
        super().report(exc)

    def delete_record(self) -> None:
        if self.context is None or self.data is None:
            return
        if self.current_id is None:
            if self.dirty and not self.ask_yes(
                self, self.tr("放弃这条尚未保存的会诊记录吗？"), self.tr("放弃")
            ):
                return
            self.dirty = False
            ids = [c.id for c in self.data.consultations]
            self._show(ids[0] if ids else None)
            return
        topic = self.topic.text().strip() or self.tr("（无主题）")
        if not self.ask_yes(
            self,
            self.tr("删除会诊记录“{0}”吗？\n\n已纳入整改台账的措施仍保留在台账中。").format(topic),
            self.tr("删除"),
        ):
            return
        db, gone = self.context.db, self.current_id

        def done(_: object) -> None:
            self.current_id = None
            self.dirty = False
            self.reload()
            self.changed.emit()

        self.run(lambda: delete_consultation(db, gone), done, write=True)

    def generate_ledger(self) -> None:
        if self.context is None or self.data is None:
            return
        if not any(r.text.strip() for r in self.measures.rows):
            self.tell_info(self, self.tr("请先在“议定的整改措施”中填写措施，再生成整改台账。"))
            return
        pending = [r for r in self.measures.rows if r.text.strip() and not r.in_ledger]
        unclear = sum(1 for r in pending if r.owner_id is None or r.deadline is None)
        warning = (
            self.tr(
                "\n\n其中 {0} 项还没有责任人或完成时限，台账中将显示为“未定”，请尽快补上。"
            ).format(unclear)
            if unclear
            else ""
        )
        if not self.ask_yes(
            self,
            self.tr(
                "把本次会诊议定的整改措施纳入整改台账吗？\n\n"
                "每项措施生成一条整改事项；已在台账中的措施不会重复添加。"
            )
            + warning,
            self.tr("纳入整改台账"),
        ):
            return
        if self.dirty or self.current_id is None:
            self.save(then=self._generate)
        else:
            self._generate()

    def _generate(self) -> None:
        if self.context is None or self.current_id is None:
            return
        db, consultation_id = self.context.db, self.current_id

        def done(added: object) -> None:
            self.reload()
            self.changed.emit()
            self.tell_info(
                self,
                self.tr("已纳入整改台账 {0} 项；已在台账中的措施不会重复添加。").format(added),
            )

        self.run(lambda: create_ledger_rows(db, consultation_id), done, write=True)
