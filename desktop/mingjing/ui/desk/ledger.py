"""整改台账: the ledger table, its filters and groups, one row's record, and 到期提醒.

Left, the groups (by 责任领导 or 责任部门) with their counts; in the middle
the ledger, read a page at a time; right, the selected row: its state and
the steps it can take, its progress notes, evidence files and 建章立制.
Above, the reminders: overdue (red), due in 3 days (yellow), in 7 days, and
rows with no progress for 30 days — each a link that shows those rows.

Cells edited in place go through an undo stack (Ctrl+Z / Ctrl+Y); state
changes, notes and evidence are records of what happened and are not undone
— a wrong 销号 is corrected by 重新打开, with a reason, as on paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.deadlines import DeadlineUnreadable
from mingjing.domain.enums import ProblemStatus
from mingjing.domain.states import RECTIFICATION_EVENT_LABELS, RectificationEvent
from mingjing.services import ledger as service
from mingjing.services import ledger_sheets
from mingjing.services.errors import DomainError, InputRefused
from mingjing.services.history import HistoryLine, ledger_row_history
from mingjing.services.ledger import (
    Group,
    LedgerChoices,
    LedgerFilter,
    LedgerRow,
    Reminders,
    RowDetail,
)
from mingjing.services.ledger_sheets import LedgerImportResult, LedgerPreview
from mingjing.services.problem_lists import ProblemRow, list_problems
from mingjing.ui.desk.base import DeskTab
from mingjing.ui.desk.history import HistoryDialog
from mingjing.ui.desk.ledger_dialogs import (
    AssignDialog,
    ImportPreviewDialog,
    ProblemsDialog,
    ReasonDialog,
    RowDialog,
    SignOffDialog,
    date_edit,
    deadline_changes,
    pydate,
    qdate,
    stored_values,
)
from mingjing.ui.desk.ledger_model import COLUMN_OF, COLUMNS, LedgerDelegate, LedgerModel
from mingjing.ui.desk.roster import ask_sheet_file, refused_text
from mingjing.ui.tasks import run_in_background

DUE_FILTERS: tuple[tuple[str, str], ...] = (
    ("", "全部"),
    ("overdue", "已逾期"),
    ("due3", "3 天内到期"),
    ("due7", "7 天内到期"),
    ("stale", "30 天无进展"),
)
STATE_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("全部", ()),
    ("未完成", ("pending", "in_progress")),
    ("待整改", ("pending",)),
    ("整改中", ("in_progress",)),
    ("已完成待销号", ("awaiting_sign_off",)),
    ("已销号", ("signed_off",)),
)


class _CellEdit(QUndoCommand):
    """One cell changed in place; undo writes the old value back."""

    def __init__(
        self,
        text: str,
        apply: Callable[[dict[str, Any]], None],
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self.old, self.new = old, new
        self._done = True  # applied before it was pushed

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


def reminder_html(found: Reminders) -> str:
    """到期提醒 as links that filter the ledger."""
    parts = []
    for key, label, count, colour in (
        ("overdue", "已逾期", found.overdue, "#b91c1c"),
        ("due3", "3 天内到期", found.due_3, "#a16207"),
        ("due7", "4～7 天内到期", found.due_7, "#1d4ed8"),
        ("stale", "30 天无进展", found.stale, "#9a3412"),
    ):
        if count:
            parts.append(f"<a href='{key}' style='color:{colour}'>{label} {count} 项</a>")
    if not parts:
        return "到期提醒：没有临近到期或逾期的整改事项。"
    return "到期提醒：" + "　".join(parts)


class LedgerTab(DeskTab):
    reminders_changed = Signal(object)
    """The latest :class:`Reminders` (for the navigation badge and status bar)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options: LedgerChoices | None = None
        self.today = dt.date.today()
        self.undo_stack = QUndoStack(self)
        self._detail: RowDetail | None = None
        layout = QVBoxLayout(self)

        self.reminder = QLabel(self)
        self.reminder.setTextFormat(Qt.TextFormat.RichText)
        self.reminder.linkActivated.connect(self.show_due)
        layout.addWidget(self.reminder)

        self.state = QComboBox(self)
        for label, states in STATE_FILTERS:
            self.state.addItem(self.tr(label), states)
        self.due = QComboBox(self)
        for key, label in DUE_FILTERS:
            self.due.addItem(self.tr(label), key)
        self.area = QComboBox(self)
        self.leader = QComboBox(self)
        self.department = QComboBox(self)
        self.owner = QComboBox(self)
        for combo in (self.area, self.leader, self.department, self.owner):
            combo.setMinimumContentsLength(6)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        layout.addLayout(
            self.filter_row(
                (
                    (self.tr("状态："), self.state),
                    (self.tr("完成时限："), self.due),
                    (self.tr("问题方面："), self.area),
                    (self.tr("责任领导："), self.leader),
                    (self.tr("部门："), self.department),
                    (self.tr("责任人："), self.owner),
                ),
                self.tr("搜索问题、措施、部门、人名，多个词用空格隔开"),
            )
        )

        actions = QHBoxLayout()
        self.count = QLabel(self)
        actions.addWidget(self.count)
        self.colour_key = QLabel(
            self.tr(
                "<span style='background:#fee2e2'>　红底　</span> 已逾期　"
                "<span style='background:#fef3c7'>　黄底　</span> 3 天内到期　"
                "<span style='color:#6b7280'>灰字</span> 已销号"
            ),
            self,
        )
        actions.addWidget(self.colour_key, 1)
        self.add_button = self.button(self.tr("新增…"), self.add_row, self.tr("直接录入一项整改"))
        self.from_problems_button = self.button(
            self.tr("从问题清单列入…"), self.from_problems, self.tr("把查摆出的问题列入整改台账")
        )
        self.import_button = self.button(
            self.tr("导入 Excel…"), self.import_sheet, self.tr("导入已有的 Excel 台账，如上年度的")
        )
        self.export_button = self.button(
            self.tr("导出 Excel…"),
            self.export_sheet,
            self.tr("导出排好版、可直接打印的 Excel 台账（按当前筛选）"),
        )
        self.assign_button = self.button(
            self.tr("交办…"), self.assign_selected, self.tr("为所选事项填写交办单")
        )
        self.delete_button = self.button(self.tr("删除"), self.delete_selected)
        self.undo_button = self.button(self.tr("撤销"), self.undo_stack.undo)
        self.redo_button = self.button(self.tr("重做"), self.undo_stack.redo)
        for button in (
            self.add_button,
            self.from_problems_button,
            self.import_button,
            self.export_button,
            self.assign_button,
            self.delete_button,
            self.undo_button,
            self.redo_button,
        ):
            actions.addWidget(button)
        layout.addLayout(actions)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_stack.undoTextChanged.connect(
            lambda text: self.undo_button.setToolTip(self.tr("撤销：{0}").format(text))
        )
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        for sequence, slot in (
            (QKeySequence.StandardKey.Undo, self.undo_stack.undo),
            (QKeySequence.StandardKey.Redo, self.undo_stack.redo),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(sequence))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        groups = QWidget(splitter)
        groups_layout = QVBoxLayout(groups)
        groups_layout.setContentsMargins(0, 0, 0, 0)
        self.group_by = QComboBox(groups)
        self.group_by.addItem(self.tr("按责任领导"), "leader")
        self.group_by.addItem(self.tr("按责任部门"), "department")
        self.group_by.currentIndexChanged.connect(lambda _: self._load_groups())
        self.groups = QListWidget(groups)
        self.groups.setWordWrap(True)
        self.groups.setSpacing(2)
        self.groups.itemClicked.connect(self._group_chosen)
        groups_layout.addWidget(self.group_by)
        groups_layout.addWidget(self.groups, 1)

        self.model = LedgerModel(self)
        self.model.edit = self._edit_cell
        self.model.sort_requested = self._sort
        self.table = QTableView(splitter)
        self.table.setModel(self.model)
        self.table.setItemDelegate(LedgerDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        for column, (_, _, _, width, _) in enumerate(COLUMNS):
            header.resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

        self.side = self._build_side(splitter)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 5)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([150, 800, 320])
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # ------------------------------------------------------------ the side

    def _build_side(self, parent: QWidget) -> QScrollArea:
        scroll = QScrollArea(parent)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        side = QWidget(scroll)
        box = QVBoxLayout(side)
        box.setContentsMargins(6, 0, 0, 0)
        self.row_title = QLabel(self.tr("请在左侧选中一项，查看和记录整改情况。"), side)
        self.row_title.setWordWrap(True)
        self.row_title.setTextFormat(Qt.TextFormat.RichText)
        box.addWidget(self.row_title)
        steps = QHBoxLayout()
        self.step_buttons: dict[RectificationEvent, QPushButton] = {}
        for event in RectificationEvent:
            label = RECTIFICATION_EVENT_LABELS[event] + ("…" if event in _ASKS else "")
            button = QPushButton(self.tr(label), side)
            button.clicked.connect(lambda _=False, e=event: self.step(e))
            button.hide()
            steps.addWidget(button)
            self.step_buttons[event] = button
        steps.addStretch(1)
        self.history_button = QPushButton(self.tr("修改记录…"), side)
        self.history_button.setToolTip(self.tr("这项整改每一次修改的时间、操作人和内容"))
        self.history_button.clicked.connect(self.show_history)
        self.history_button.setEnabled(False)
        steps.addWidget(self.history_button)
        box.addLayout(steps)

        box.addWidget(QLabel(self.tr("<b>整改进展</b>"), side))
        self.notes = QListWidget(side)
        self.notes.setWordWrap(True)
        self.notes.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.notes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.notes.setMinimumHeight(90)
        box.addWidget(self.notes, 2)
        self.note_text = QPlainTextEdit(side)
        self.note_text.setPlaceholderText(self.tr("填写本次整改进展：已开展的工作及成效"))
        self.note_text.setTabChangesFocus(True)
        self.note_text.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        box.addWidget(self.note_text)
        note_row = QHBoxLayout()
        self.note_date = date_edit(self.today, side)
        self.note_button = QPushButton(self.tr("记录进展"), side)
        self.note_button.clicked.connect(self.add_note)
        note_row.addWidget(self.note_date)
        note_row.addWidget(self.note_button)
        note_row.addStretch(1)
        box.addLayout(note_row)

        box.addWidget(QLabel(self.tr("<b>佐证材料</b>"), side))
        self.evidence = QListWidget(side)
        self.evidence.setMinimumHeight(60)
        self.evidence.itemDoubleClicked.connect(lambda _: self.open_evidence())
        box.addWidget(self.evidence, 1)
        ev_row = QHBoxLayout()
        self.attach_button = QPushButton(self.tr("添加…"), side)
        self.attach_button.setToolTip(self.tr("扫描件、照片、PDF 等，复制到数据文件夹保存"))
        self.attach_button.clicked.connect(self.attach)
        self.open_button = QPushButton(self.tr("打开"), side)
        self.open_button.clicked.connect(self.open_evidence)
        ev_row.addWidget(self.attach_button)
        ev_row.addWidget(self.open_button)
        ev_row.addStretch(1)
        box.addLayout(ev_row)

        box.addWidget(QLabel(self.tr("<b>建章立制</b>"), side))
        self.outcome = QLineEdit(side)
        self.outcome.setPlaceholderText(self.tr("新建立的制度名称，如《项目推进周调度制度》"))
        box.addWidget(self.outcome)
        outcome_row = QHBoxLayout()
        self.outcome_date = date_edit(self.today, side)
        self.outcome_button = QPushButton(self.tr("保存"), side)
        self.outcome_button.clicked.connect(self.save_outcome)
        outcome_row.addWidget(QLabel(self.tr("印发日期："), side))
        outcome_row.addWidget(self.outcome_date)
        outcome_row.addWidget(self.outcome_button)
        outcome_row.addStretch(1)
        box.addLayout(outcome_row)
        self.slips = QLabel(side)
        self.slips.setWordWrap(True)
        box.addWidget(self.slips)
        scroll.setWidget(side)
        return scroll

    # ------------------------------------------------------------ loading

    def set_context(self, context: Any) -> None:
        self.options = None
        self.undo_stack.clear()
        if context is not None:
            self.model.db = context.db
            self.model.campaign_id = context.campaign_id
        super().set_context(context)

    def reload(self) -> None:
        if self.context is None:
            return
        db, cid, today = self.context.db, self.context.campaign_id, self.today
        self.model.where = self.current_filter()
        self.model.today = today
        model = self.model
        need_options = self.options is None

        def work() -> tuple[LedgerChoices | None, tuple[int, list[LedgerRow]], Reminders]:
            options = service.choices(db, cid) if need_options else None
            return options, model.query(), service.reminders(db, cid, today=today)

        self.run(work, self._show)
        self._load_groups()

    def _show(self, result: object) -> None:
        assert isinstance(result, tuple)
        options, (total, first), found = result
        if options is not None:
            self._fill_filters(options)
        selected = self._detail.row.id if self._detail else None
        self.model.show(total, first, today=self.today)
        self.count.setText(self.tr("共 {0} 项").format(total))
        self.reminder.setText(reminder_html(found))
        self.reminders_changed.emit(found)
        if selected:
            self._select(selected)
        self._update_buttons()
        self.loaded.emit()

    def _load_groups(self) -> None:
        if self.context is None:
            return
        db, cid, today = self.context.db, self.context.campaign_id, self.today
        by = str(self.group_by.currentData())

        def work() -> list[Group]:
            return service.group_counts(db, cid, by, today=today)

        run_in_background(work, parent=self, on_success=self._show_groups, on_failure=self.report)

    def _show_groups(self, groups: object) -> None:
        assert isinstance(groups, list)
        self.groups.clear()
        every = QListWidgetItem(self.tr("全部"), self.groups)
        every.setData(Qt.ItemDataRole.UserRole, None)
        for g in groups:
            late = self.tr("，逾期 {0}").format(g.overdue) if g.overdue else ""
            text = self.tr("{0}（{1} 项）\n未完成 {2}{3}").format(g.label, g.total, g.open, late)
            item = QListWidgetItem(text, self.groups)
            item.setData(Qt.ItemDataRole.UserRole, g.key)
            item.setToolTip(
                self.tr("{0}：共 {1} 项，未完成 {2}，待销号 {3}，已销号 {4}，逾期 {5}").format(
                    g.label, g.total, g.open, g.awaiting, g.signed_off, g.overdue
                )
            )

    def _fill_filters(self, options: LedgerChoices) -> None:
        self.options = options
        for combo, values in (
            (self.area, [(a, a) for a in options.areas]),
            (self.leader, list(options.leaders)),
            (self.department, [(d, d) for d in options.departments]),
            (self.owner, list(options.owners)),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("全部"), "")
            for value, label in values:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

    def current_filter(self) -> LedgerFilter:
        due = self.due.currentData()
        return LedgerFilter(
            states=tuple(self.state.currentData() or ()),
            area=str(self.area.currentData() or ""),
            leader=str(self.leader.currentData() or ""),
            owner=str(self.owner.currentData() or ""),
            department=str(self.department.currentData() or ""),
            overdue_only=due == "overdue",
            due_within={"due3": 3, "due7": 7}.get(str(due)),
            stale_only=due == "stale",
            text=self.search.text().strip(),
        )

    def show_due(self, key: str) -> None:
        """A reminder link: show those rows (and every state they can be in)."""
        self.state.blockSignals(True)
        self.state.setCurrentIndex(0)
        self.state.blockSignals(False)
        self.due.setCurrentIndex(max(self.due.findData(key), 0))

    def _group_chosen(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        combo = self.leader if self.group_by.currentData() == "leader" else self.department
        other = self.department if combo is self.leader else self.leader
        other.blockSignals(True)
        other.setCurrentIndex(0)
        other.blockSignals(False)
        index = combo.findData(key if key is not None else "")
        if index < 0:  # a group with no value (未定): show all, it is rare
            index = 0
        combo.setCurrentIndex(index)
        self.filters_changed()

    def _header_clicked(self, column: int) -> None:
        key = COLUMNS[column][1]
        if key is None:
            return
        descending = self.model.sort_key == key and not self.model.descending
        self._sort(key, descending)

    def _sort(self, key: str, descending: bool) -> None:
        self.model.sort_key, self.model.descending = key, descending
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(COLUMN_OF[key], order)
        self.reload()

    # ------------------------------------------------------------ selection

    def selected_rows(self) -> list[LedgerRow]:
        rows = []
        for index in self.table.selectionModel().selectedRows():
            row = self.model.row_at(index.row())
            if row is not None:
                rows.append(row)
        return rows

    def _select(self, row_id: str) -> None:
        for n in range(min(self.model.total, 2000)):
            row = self.model.row_at(n)
            if row is not None and row.id == row_id:
                self.table.selectRow(n)
                return
        self._show_detail(None)

    def _selection_changed(self) -> None:
        rows = self.selected_rows()
        self._update_buttons()
        if len(rows) != 1 or self.context is None:
            self._show_detail(None)
            return
        db, today, row_id = self.context.db, self.today, rows[0].id
        self.run(lambda: service.row_detail(db, row_id, today=today), self._show_detail)

    @classmethod
    def show_history_dialog(cls, parent: QWidget, title: str, lines: list[HistoryLine]) -> None:
        HistoryDialog(title, lines, parent).exec()

    def show_history(self) -> None:
        """修改记录 of the row shown: read off the GUI thread, then shown."""
        d = self._detail
        if self.context is None or d is None:
            return
        db, row = self.context.db, d.row
        title = self.tr("第 {0} 项：{1}").format(row.serial, row.problem)

        def shown(lines: object) -> None:
            assert isinstance(lines, list)
            self.show_history_dialog(self, title, lines)

        self.run(lambda: ledger_row_history(db, row.id), shown)

    def _show_detail(self, detail: object) -> None:
        self._detail = detail if isinstance(detail, RowDetail) else None
        for button in self.step_buttons.values():
            button.hide()
        self.notes.clear()
        self.evidence.clear()
        self.outcome.clear()
        self.slips.clear()
        d = self._detail
        editable = d is not None and d.row.state != "signed_off"
        widgets: tuple[QWidget, ...] = (self.note_text, self.note_button, self.note_date)
        for widget in widgets:
            widget.setEnabled(editable)
        widgets = (self.attach_button, self.outcome, self.outcome_button, self.outcome_date)
        for widget in widgets:
            widget.setEnabled(d is not None)
        self.open_button.setEnabled(False)
        self.history_button.setEnabled(d is not None)
        if d is None:
            self.row_title.setText(self.tr("请在左侧选中一项，查看和记录整改情况。"))
            return
        row = d.row
        lines = [
            f"<b>第 {row.serial} 项　{escape(row.state_label)}</b>",
            escape(row.problem),
        ]
        if row.state == "signed_off":
            lines.append(f"<span style='color:#166534'>{escape(row.sign_off)}</span>")
            if d.sign_off_note:
                lines.append(escape(self.tr("销号意见：{0}").format(d.sign_off_note)))
        if d.returned_reason and row.state != "signed_off":
            lines.append(
                "<span style='color:#9a3412'>"
                + escape(self.tr("退回理由：{0}").format(d.returned_reason))
                + "</span>"
            )
        if row.imported_from:
            lines.append(
                "<span style='color:#6b7280'>"
                + escape(self.tr("导入自 {0}").format(row.imported_from))
                + "</span>"
            )
        self.row_title.setText("<br>".join(lines))
        for value in d.events:
            self.step_buttons[RectificationEvent(value)].show()
        for note in reversed(d.notes):
            who = f"（{note.author}）" if note.author else ""
            self.notes.addItem(f"{note.noted_on.isoformat()}{who}：{note.text}")
        if not d.notes:
            self.notes.addItem(self.tr("还没有记录进展。"))
        for item in d.evidence:
            size = (
                f"{item.size / 1024:.0f} KB"
                if item.size < 1048576
                else f"{item.size / 1048576:.1f} MB"
            )
            entry = QListWidgetItem(f"{item.file_name}（{size}）{item.description}", self.evidence)
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            entry.setToolTip(f"SHA-256：{item.sha256}")
        self.open_button.setEnabled(bool(d.evidence))
        self.outcome.setText(d.institutional_outcome)
        if d.institutional_outcome_on:
            self.outcome_date.setDate(qdate(d.institutional_outcome_on))
        if d.assignments:
            self.slips.setText(self.tr("已交办：{0}").format("、".join(d.assignments)))

    def _update_buttons(self) -> None:
        rows = self.selected_rows()
        open_rows = [r for r in rows if r.state != "signed_off"]
        self.assign_button.setEnabled(bool(open_rows) and len(open_rows) == len(rows))
        self.delete_button.setEnabled(len(rows) == 1 and rows[0].state != "signed_off")
        self.export_button.setEnabled(self.model.total > 0)

    # ------------------------------------------------------------ writing

    def _written(self, _: object = None) -> None:
        self.options = None
        self.reload()
        self.changed.emit()

    def _edit_cell(self, row: LedgerRow, field: str, value: Any) -> bool:
        if self.context is None:
            return False
        text = str(value).strip()
        if field == "deadline":
            try:
                new = deadline_changes(text, self.today)
            except DeadlineUnreadable as exc:
                self.tell_warning(self, str(exc))
                return False
        else:
            new = {field: text}
        old = stored_values(row, list(new))
        db, row_id = self.context.db, row.id

        def apply(values: dict[str, Any]) -> None:
            try:
                service.update_row(db, row_id, values)
            except DomainError as exc:
                self.tell_warning(self, str(exc))
            self.model.refresh_rows()
            self._selection_changed()

        try:
            service.update_row(db, row_id, new)
        except DomainError as exc:
            self.tell_warning(self, str(exc))
            return False
        title = COLUMNS[[c[2] for c in COLUMNS].index(field)][0]
        self.undo_stack.push(
            _CellEdit(self.tr("修改第 {0} 项的{1}").format(row.serial, title), apply, old, new)
        )
        self.model.refresh_rows()
        self._selection_changed()
        self.changed.emit()
        return True

    @classmethod
    def ask_row(
        cls, parent: QWidget, options: LedgerChoices, today: dt.date
    ) -> service.RowInput | None:
        dialog = RowDialog(options, today, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def add_row(self) -> None:
        if self.context is None or self.options is None:
            return
        given = self.ask_row(self, self.options, self.today)
        if given is None:
            return
        db, cid = self.context.db, self.context.campaign_id
        self.run(lambda: service.add_row(db, cid, given), self._written, write=True)

    @classmethod
    def ask_problems(cls, parent: QWidget, problems: list[ProblemRow]) -> list[str]:
        dialog = ProblemsDialog(problems, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else []

    def from_problems(self) -> None:
        if self.context is None:
            return
        db, cid = self.context.db, self.context.campaign_id

        def listed(problems: object) -> None:
            assert isinstance(problems, list)
            waiting = [p for p in problems if p.status == ProblemStatus.RAISED.label]
            if not waiting:
                self.tell_info(self, self.tr("问题清单中的问题都已列入台账。"))
                return
            chosen = self.ask_problems(self, waiting)
            if not chosen:
                return

            def added(count: object) -> None:
                self._written()
                self.tell_info(self, self.tr("已列入台账 {0} 项。").format(count))

            self.run(lambda: service.rows_from_problems(db, cid, chosen), added, write=True)

        self.run(lambda: list_problems(db, cid), listed)

    @classmethod
    def ask_yes_delete(cls, parent: QWidget, row: LedgerRow) -> bool:
        return cls.ask_yes(
            parent,
            parent.tr("从台账中删除第 {0} 项“{1}”？它的进展和佐证材料随之不再显示。").format(
                row.serial, row.problem[:30]
            ),
            parent.tr("删除"),
        )

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if self.context is None or len(rows) != 1 or not self.ask_yes_delete(self, rows[0]):
            return
        db, row_id = self.context.db, rows[0].id
        self.run(lambda: service.delete_row(db, row_id), self._written, write=True)

    @classmethod
    def ask_sign_off(
        cls, parent: QWidget, row: LedgerRow, signers: tuple[tuple[str, str], ...], evidence: int
    ) -> tuple[str, str] | None:
        dialog = SignOffDialog(row, signers, evidence, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def ask_reason(cls, parent: QWidget, title: str, prompt: str) -> str | None:
        dialog = ReasonDialog(title, prompt, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def step(self, event: RectificationEvent) -> None:
        d = self._detail
        if self.context is None or d is None or self.options is None:
            return
        db, row_id = self.context.db, d.row.id
        work: Callable[[], object]
        if event is RectificationEvent.START:
            work = lambda: service.start(db, row_id)  # noqa: E731
        elif event is RectificationEvent.COMPLETE:
            work = lambda: service.report_complete(db, row_id)  # noqa: E731
        elif event is RectificationEvent.SIGN_OFF:
            answer = self.ask_sign_off(self, d.row, self.options.signers, len(d.evidence))
            if answer is None:
                return
            signer, note = answer
            work = lambda: service.sign_off(db, row_id, signer, note)  # noqa: E731
        else:
            title = self.tr("退回") if event is RectificationEvent.RETURN else self.tr("重新打开")
            prompt = (
                self.tr("退回后这项整改回到“整改中”。请写明还差什么：")
                if event is RectificationEvent.RETURN
                else self.tr("重新打开已销号的整改事项，请写明复查发现的问题：")
            )
            reason = self.ask_reason(self, title, prompt)
            if not reason:
                return
            if event is RectificationEvent.RETURN:
                work = lambda: service.return_for_rework(db, row_id, reason)  # noqa: E731
            else:
                work = lambda: service.reopen(db, row_id, reason)  # noqa: E731
        self.run(work, self._written, write=True)

    def add_note(self) -> None:
        d = self._detail
        text = self.note_text.toPlainText().strip()
        if self.context is None or d is None or not text:
            return
        db, row_id, on = self.context.db, d.row.id, pydate(self.note_date.date())

        def done(_: object) -> None:
            self.note_text.clear()
            self._written()

        self.run(lambda: service.add_progress_note(db, row_id, text, on), done, write=True)

    @classmethod
    def ask_evidence_files(cls, parent: QWidget) -> list[str]:
        names, _ = QFileDialog.getOpenFileNames(
            parent,
            parent.tr("选择佐证材料"),
            str(Path.home()),
            parent.tr(
                "佐证材料 (*.pdf *.ofd *.jpg *.jpeg *.png *.tif *.tiff *.doc *.docx *.xls *.xlsx)"
                ";;所有文件 (*)"
            ),
        )
        return names

    def attach(self) -> None:
        d = self._detail
        if self.context is None or d is None:
            return
        names = self.ask_evidence_files(self)
        if not names:
            return
        db, store, row_id = self.context.db, self.context.location.evidence_dir, d.row.id

        def work() -> int:
            for name in names:
                service.attach_evidence(db, store, row_id, Path(name))
            return len(names)

        self.run(work, self._written, write=True)

    def open_evidence(self) -> None:
        item = self.evidence.currentItem() or self.evidence.item(0)
        if self.context is None or item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        db, store = self.context.db, self.context.location.evidence_dir
        evidence_id = str(item.data(Qt.ItemDataRole.UserRole))

        def opened(path: object) -> None:
            assert isinstance(path, Path)
            self.open_path(path)

        self.run(lambda: service.evidence_file(db, store, evidence_id), opened)

    @classmethod
    def open_path(cls, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def save_outcome(self) -> None:
        d = self._detail
        if self.context is None or d is None:
            return
        db, row_id = self.context.db, d.row.id
        title, on = self.outcome.text(), pydate(self.outcome_date.date())
        self.run(
            lambda: service.set_institutional_outcome(db, row_id, title, on),
            self._written,
            write=True,
        )

    # ------------------------------------------------------------ Excel

    @classmethod
    def ask_import_file(cls, parent: QWidget) -> str | None:
        return ask_sheet_file(parent, parent.tr("选择要导入的整改台账"))

    @classmethod
    def ask_ledger_import(cls, parent: QWidget, preview: LedgerPreview) -> bool:
        return ImportPreviewDialog(preview, parent).exec() == QDialog.DialogCode.Accepted

    def import_sheet(self) -> None:
        name = self.ask_import_file(self)
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        if self.context is None:
            return
        db, today = self.context.db, self.today

        def previewed(preview: object) -> None:
            assert isinstance(preview, LedgerPreview)
            if not self.ask_ledger_import(self, preview):
                return
            run_in_background(
                lambda: ledger_sheets.import_ledger(db, path, today=today),
                parent=self,
                on_success=imported,
                on_failure=refused,
                in_order=True,
            )

        def imported(result: object) -> None:
            assert isinstance(result, LedgerImportResult)
            self._written()
            text = self.tr("已导入 {0} 项整改。").format(result.added)
            if result.updated:
                text += self.tr("为台账中已有的 {0} 项补记了新的进展。").format(result.updated)
            if result.skipped:
                text += self.tr("{0} 行没有导入（原因已在导入前列出）。").format(result.skipped)
            self.tell_info(self, text)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, InputRefused):
                self.tell_warning(self, refused_text(self, path, exc))
            else:
                self.report(exc)

        run_in_background(
            lambda: ledger_sheets.preview_ledger(db, path, today=today),
            parent=self,
            on_success=previewed,
            on_failure=refused,
        )

    @classmethod
    def ask_export_file(cls, parent: QWidget, suggested: str) -> str | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, parent.tr("导出整改台账"), suggested, parent.tr("Excel 工作簿 (*.xlsx)")
        )
        return name or None

    def export_sheet(self) -> None:
        if self.context is None:
            return
        suggested = str(Path.home() / f"整改台账-{self.today.isoformat()}.xlsx")
        name = self.ask_export_file(self, suggested)
        if not name:
            return
        db, cid, today, where = (
            self.context.db,
            self.context.campaign_id,
            self.today,
            self.current_filter(),
        )

        def done(path: object) -> None:
            self.tell_info(self, self.tr("已导出整改台账：{0}").format(path))

        self.run(
            lambda: ledger_sheets.export_ledger(db, cid, Path(name), today=today, where=where),
            done,
            write=True,
        )

    # ------------------------------------------------------------ 交办

    @classmethod
    def ask_assignment(
        cls, parent: QWidget, rows: list[LedgerRow], options: LedgerChoices, today: dt.date
    ) -> dict[str, Any] | None:
        dialog = AssignDialog(rows, options, today, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    assigned = Signal(object)
    """An :class:`~mingjing.services.ledger.AssignmentView` just issued."""

    def assign_selected(self) -> None:
        rows = self.selected_rows()
        if self.context is None or self.options is None or not rows:
            return
        given = self.ask_assignment(self, rows, self.options, self.today)
        if given is None:
            return
        db, cid, ids = self.context.db, self.context.campaign_id, [r.id for r in rows]

        def done(view: object) -> None:
            self._written()
            self.assigned.emit(view)

        self.run(lambda: service.issue_assignment(db, cid, ids, **given), done, write=True)


_ASKS = {RectificationEvent.SIGN_OFF, RectificationEvent.RETURN, RectificationEvent.REOPEN}
