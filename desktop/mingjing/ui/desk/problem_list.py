"""问题清单: every member's and the team's problems, filtered, searched, marked common."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mingjing.services.problem_lists import (
    TEAM,
    Choices,
    CommonCandidate,
    ProblemFilter,
    ProblemInput,
    ProblemRow,
    add_problem,
    choices,
    common_candidates,
    delete_problem,
    list_problems,
    promote_to_team,
    set_common,
    update_problem,
)
from mingjing.ui.desk.base import DeskTab, RowsTableModel

AnyIndex = QModelIndex | QPersistentModelIndex


def _detail_html(row: ProblemRow) -> str:
    from html import escape

    head = f"{row.owner}　{row.item_number} {row.area}".strip()
    parts = [f"<p><b>{escape(row.text)}</b></p>"]
    if row.examples:
        parts += [f"<p>{escape(line)}</p>" for line in row.examples.splitlines() if line.strip()]
    meta = [head, f"来源：{row.source}", f"程度：{row.severity}", row.status]
    if row.from_hand_in:
        meta.append("本人提交")
    note = _note(row)
    if note:
        meta.append(note)
    parts.append(f"<p style='color:#555'>{escape('　'.join(m for m in meta if m))}</p>")
    return "".join(parts)


def _note(row: ProblemRow) -> str:
    notes = []
    if row.promoted_to:
        notes.append("已上升为班子问题")
    if row.promoted_from:
        notes.append("由个人问题上升")
    if row.opinions:
        notes.append(f"来自 {row.opinions} 条意见")
    if not row.is_team and not row.causes:
        notes.append("未剖析原因")
    if not row.is_team and not row.measures:
        notes.append("无整改措施")
    return "；".join(notes)


class ProblemTableModel(RowsTableModel):
    HEADERS = (
        "序号",
        "对象",
        "问题方面",
        "问题",
        "具体事例",
        "来源",
        "程度",
        "状态",
        "共性",
        "备注",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ProblemRow] = []

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            area = f"{row.item_number} {row.area}".strip() if row.item_number else row.area
            values = (
                str(index.row() + 1),
                self.tr("领导班子") if row.is_team else row.owner,
                area,
                row.text,
                row.examples.replace("\n", " "),
                row.source,
                row.severity,
                row.status,
                "✓" if row.is_common else "",
                _note(row),
            )
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return row.owner
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (3, 4):
            return f"{row.text}\n\n{row.examples}" if row.examples else row.text
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 8):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class ProblemDialog(QDialog):
    """新增／修改 a problem the office records: whose, wording, example, 方面, 来源, 程度."""

    def __init__(
        self, options: Choices, data: ProblemInput, *, editing: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改问题") if editing else self.tr("新增问题"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.owner = QComboBox(self)
        for code, label in options.owners:
            self.owner.addItem(label, code)
        self.owner.setCurrentIndex(max(self.owner.findData(data.owner), 0))
        self.owner.setEnabled(not editing)
        self.text = QPlainTextEdit(data.text, self)
        self.text.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.examples = QPlainTextEdit(data.examples, self)
        self.examples.setPlaceholderText(self.tr("具体事例：时间、地点、什么事（见人见事）"))
        self.area = QComboBox(self)
        self.area.addItem(self.tr("（不分方面）"), None)
        for code, label in options.areas:
            self.area.addItem(label, code)
        self.area.setCurrentIndex(max(self.area.findData(data.area_key), 0))
        self.source = QComboBox(self)
        for code, label in options.sources:
            self.source.addItem(label, code)
        self.source.setCurrentIndex(max(self.source.findData(data.source), 0))
        self.severity = QComboBox(self)
        for code, label in options.severities:
            self.severity.addItem(label, code)
        self.severity.setCurrentIndex(max(self.severity.findData(data.severity), 0))
        form.addRow(self.tr("对象："), self.owner)
        form.addRow(self.tr("问题(&P)："), self.text)
        form.addRow(self.tr("具体事例："), self.examples)
        form.addRow(self.tr("问题方面："), self.area)
        form.addRow(self.tr("来源："), self.source)
        form.addRow(self.tr("程度："), self.severity)
        layout.addLayout(form)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #b91c1c;")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def value(self) -> ProblemInput:
        return ProblemInput(
            owner=str(self.owner.currentData()),
            text=self.text.toPlainText().strip(),
            examples=self.examples.toPlainText().strip(),
            area_key=self.area.currentData(),
            severity=str(self.severity.currentData()),
            source=str(self.source.currentData()),
        )

    def _accept(self) -> None:
        if not self.text.toPlainText().strip():
            self.problem.setText(self.tr("请填写问题的表述。"))
            self.text.setFocus()
            return
        self.accept()


class ProblemListTab(DeskTab):
    """Filters above, the list in the middle, 共性问题 suggestions beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options: Choices | None = None
        layout = QVBoxLayout(self)
        self.area = QComboBox(self)
        self.source = QComboBox(self)
        self.severity = QComboBox(self)
        self.owner = QComboBox(self)
        self.owner.setMinimumContentsLength(8)
        self.common_only = QCheckBox(self.tr("只看共性问题"), self)
        layout.addLayout(
            self.filter_row(
                (
                    (self.tr("方面："), self.area),
                    (self.tr("来源："), self.source),
                    (self.tr("程度："), self.severity),
                    (self.tr("对象："), self.owner),
                ),
                self.tr("搜索问题和事例，多个词用空格隔开"),
                self.common_only,
            )
        )
        self.common_only.toggled.connect(self.filters_changed)

        actions = QHBoxLayout()
        self.count = QLabel(self)
        actions.addWidget(self.count, 1)
        self.mark_button = QPushButton(self.tr("标记为共性问题"), self)
        self.unmark_button = QPushButton(self.tr("取消共性标记"), self)
        self.promote_button = self.button(
            self.tr("上升为班子问题"),
            self.promote_selected,
            tip=self.tr("把所选个人问题列入领导班子问题清单（保留与原问题的关联）"),
        )
        self.add_button = QPushButton(self.tr("新增问题…"), self)
        self.add_button.setToolTip(
            self.tr("登记上级点出的、集体议定的问题等（本人查摆的问题由本人提交）")
        )
        self.edit_button = QPushButton(self.tr("修改…"), self)
        self.delete_button = QPushButton(self.tr("删除"), self)
        self.add_button.clicked.connect(self.add_problem)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        for button in (self.add_button, self.edit_button, self.delete_button):
            actions.addWidget(button)
        self.mark_button.clicked.connect(lambda: self._mark(True))
        self.unmark_button.clicked.connect(lambda: self._mark(False))
        for button in (self.mark_button, self.unmark_button, self.promote_button):
            actions.addWidget(button)
        layout.addLayout(actions)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.model = ProblemTableModel(self)
        left = QSplitter(Qt.Orientation.Vertical, splitter)
        self.table = QTableView(left)
        self.detail = QTextBrowser(left)
        self.detail.setPlaceholderText(self.tr("点选一个问题，这里显示它的全文和具体事例。"))
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 1)
        left.setSizes([480, 90])
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._size_columns()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(lambda _: self.edit_selected())

        side = QWidget(splitter)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.candidates_title = QLabel(self.tr("共性问题建议"), side)
        self.candidates_title.setToolTip(
            self.tr("多名干部都查摆出的同一具体表现，可考虑作为共性问题集体会诊")
        )
        self.candidates = QListWidget(side)
        self.candidates.setWordWrap(True)
        self.candidates.setSpacing(3)
        self.candidates.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.candidates.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.candidate_members = QLabel(side)
        self.candidate_members.setWordWrap(True)
        self.candidates.currentRowChanged.connect(self._candidate_chosen)
        self.mark_candidate_button = QPushButton(self.tr("将所选建议标记为共性问题"), side)
        self.mark_candidate_button.clicked.connect(self.mark_candidate)
        side_layout.addWidget(self.candidates_title)
        side_layout.addWidget(self.candidates, 1)
        side_layout.addWidget(self.candidate_members)
        side_layout.addWidget(self.mark_candidate_button)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([930, 230])
        layout.addWidget(splitter, 1)
        self._candidates: list[CommonCandidate] = []
        self._update_buttons()

    # ------------------------------------------------------------ loading

    def set_context(self, context: Any) -> None:
        self.options = None
        super().set_context(context)

    def reload(self) -> None:
        if self.context is None:
            return
        db, cid = self.context.db, self.context.campaign_id
        where = self.current_filter()
        need_options = self.options is None

        def work() -> tuple[Choices | None, list[ProblemRow], list[CommonCandidate]]:
            options = choices(db, cid) if need_options else None
            return options, list_problems(db, cid, where), common_candidates(db, cid)

        self.run(work, self._show)

    def _show(self, result: object) -> None:
        assert isinstance(result, tuple)
        options, rows, candidates = result
        if options is not None:
            self._fill_filters(options)
        self.model.set_rows(rows)
        self._size_columns()
        team = sum(1 for r in rows if r.is_team)
        common = sum(1 for r in rows if r.is_common)
        self.count.setText(
            self.tr("共 {0} 个问题（领导班子 {1} 个，个人 {2} 个；共性问题 {3} 个）").format(
                len(rows), team, len(rows) - team, common
            )
        )
        self._candidates = candidates
        self.candidates.clear()
        for c in candidates:
            marked = self.tr("，已标记 {0}").format(c.marked) if c.marked else ""
            item = QListWidgetItem(
                self.tr("{0} {1}（{2} 人{3}）").format(
                    c.item_number, c.item_text, len(c.members), marked
                ),
                self.candidates,
            )
            item.setToolTip("、".join(c.members))
        self.candidates_title.setText(self.tr("共性问题建议（{0}）").format(len(candidates)))
        self._update_buttons()
        self.loaded.emit()

    def _candidate_chosen(self, row: int) -> None:
        if 0 <= row < len(self._candidates):
            names = "、".join(self._candidates[row].members)
            self.candidate_members.setText(self.tr("查摆出此项的有：{0}").format(names))
        else:
            self.candidate_members.clear()
        self._update_buttons()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column, width in enumerate((36, 64, 108, 190, 160, 50, 44, 76, 36)):
            header.resizeSection(column, width)

    def _fill_filters(self, options: Choices) -> None:
        self.options = options
        everyone = self.tr("全部")
        for combo, values in (
            (self.area, options.areas),
            (self.source, options.sources),
            (self.severity, options.severities),
            (self.owner, options.owners),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, None)
            for code, label in values:
                combo.addItem(label, code)
            combo.blockSignals(False)

    def current_filter(self) -> ProblemFilter:
        return ProblemFilter(
            area_key=self.area.currentData(),
            source=self.source.currentData(),
            severity=self.severity.currentData(),
            owner=self.owner.currentData(),
            common_only=self.common_only.isChecked(),
            text=self.search.text().strip(),
        )

    # ------------------------------------------------------------ actions

    def selected_rows(self) -> list[ProblemRow]:
        return [self.model.rows[i.row()] for i in self.table.selectionModel().selectedRows()]

    def _selection_changed(self) -> None:
        rows = self.selected_rows()
        self.detail.setHtml(_detail_html(rows[0]) if len(rows) == 1 else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        rows = self.selected_rows()
        own = len(rows) == 1 and not rows[0].from_hand_in
        self.edit_button.setEnabled(len(rows) == 1)
        self.delete_button.setEnabled(own)
        self.add_button.setEnabled(self.options is not None)
        self.mark_button.setEnabled(any(not r.is_common for r in rows))
        self.unmark_button.setEnabled(any(r.is_common for r in rows))
        self.promote_button.setEnabled(any(not r.is_team and not r.promoted_to for r in rows))
        self.mark_candidate_button.setEnabled(
            0 <= self.candidates.currentRow() < len(self._candidates)
        )

    def _mark(self, common: bool) -> None:
        rows = self.selected_rows()
        if self.context is None or not rows:
            return
        db, ids = self.context.db, [r.id for r in rows]
        self.run(lambda: set_common(db, ids, common), self._written, write=True)

    def mark_candidate(self) -> None:
        row = self.candidates.currentRow()
        if self.context is None or not 0 <= row < len(self._candidates):
            return
        db, ids = self.context.db, list(self._candidates[row].problem_ids)
        self.run(lambda: set_common(db, ids, True), self._written, write=True)

    @classmethod
    def ask_problem(
        cls, parent: QWidget, options: Choices, data: ProblemInput, editing: bool
    ) -> ProblemInput | None:
        dialog = ProblemDialog(options, data, editing=editing, parent=parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def add_problem(self) -> None:
        if self.context is None or self.options is None:
            return
        owner = self.owner.currentData() or TEAM
        data = self.ask_problem(self, self.options, ProblemInput(owner=owner, text=""), False)
        if data is None:
            return
        db, cid = self.context.db, self.context.campaign_id
        self.run(lambda: add_problem(db, cid, data), self._written, write=True)

    def edit_selected(self) -> None:
        rows = self.selected_rows()
        if self.context is None or self.options is None or len(rows) != 1:
            return
        row = rows[0]
        if row.from_hand_in:
            self.tell_info(
                self,
                self.tr(
                    "这是{0}在自查材料中查摆的问题，应由本人修改后重新提交。"
                    "如需修改，请在“收取自查”中阅读审核并退回返工，写明修改意见。"
                ).format(row.owner),
            )
            return
        current = ProblemInput(
            owner=row.owner_id,
            text=row.text,
            examples=row.examples,
            area_key=row.area_key,
            severity=row.severity_code,
            source=row.source_code,
        )
        data = self.ask_problem(self, self.options, current, True)
        if data is None:
            return
        db = self.context.db
        self.run(lambda: update_problem(db, row.id, data), self._written, write=True)

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if self.context is None or len(rows) != 1 or rows[0].from_hand_in:
            return
        row = rows[0]
        if not self.ask_yes(
            self,
            self.tr("删除问题“{0}”？删除后仍保留在操作记录中。").format(row.text),
            self.tr("删除"),
        ):
            return
        db = self.context.db
        self.run(lambda: delete_problem(db, row.id), self._written, write=True)

    def promote_selected(self) -> None:
        rows = [r for r in self.selected_rows() if not r.is_team and not r.promoted_to]
        if self.context is None or not rows:
            return
        if not self.ask_yes(
            self,
            self.tr(
                "将所选 {0} 个问题列入领导班子问题清单？"
                "原问题仍保留在个人问题清单中，两者相互关联。"
            ).format(len(rows)),
            self.tr("列入班子问题清单"),
        ):
            return
        db, ids = self.context.db, [r.id for r in rows]

        def work() -> int:
            for pid in ids:
                promote_to_team(db, pid)
            return len(ids)

        def done(count: object) -> None:
            self._written(count)
            self.tell_info(self, self.tr("已将 {0} 个问题列入领导班子问题清单。").format(count))

        self.run(work, done, write=True)

    def _written(self, _: object) -> None:
        self.reload()
        self.changed.emit()
