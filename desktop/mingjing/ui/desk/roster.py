"""干部名单: the unit's roster — kept by hand or imported from the office's spreadsheet.

An import is read first and shown (who will be added, which rows will not and
why) before anything is written; the preview dialog here serves the
征求意见 import too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mingjing.services.errors import InputRefused
from mingjing.services.roster import (
    MemberView,
    RosterPreview,
    RosterResult,
    add_member,
    forget_member_keys,
    import_roster,
    list_members,
    preview_roster,
    remove_member,
    restore_member,
    update_member,
)
from mingjing.services.sheets import RowIssue
from mingjing.ui.desk.base import DeskTab, RowsTableModel
from mingjing.ui.tasks import run_in_background

AnyIndex = QModelIndex | QPersistentModelIndex

GREY = "color: #6b7280;"
SHEET_FILTER = "表格文件 (*.xlsx *.xlsm *.csv);;Excel 工作簿 (*.xlsx *.xlsm);;CSV 文件 (*.csv)"


def grey_label(text: str, parent: QWidget) -> QLabel:
    """Small grey explanatory text under a form or a list."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet(GREY)
    font = label.font()
    font.setPointSizeF(max(font.pointSizeF() - 1, 8.0))
    label.setFont(font)
    return label


def ask_sheet_file(parent: QWidget, title: str) -> str | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), parent.tr(SHEET_FILTER))
    return name or None


def refused_text(parent: QWidget, path: Path, exc: BaseException) -> str:
    """A refused file: which one, and the service's reason (it names the file too)."""
    return parent.tr("没有导入“{0}”，数据没有任何改动。\n\n{1}").format(path.name, exc)


# ------------------------------------------------------------ the preview


class SheetPreviewDialog(QDialog):
    """What an import will do: the rows to add, the rows left out and why, notes."""

    def __init__(
        self,
        *,
        title: str,
        summary: str,
        columns_note: str,
        rows_title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        issues: Sequence[RowIssue],
        notes: Sequence[RowIssue],
        label_title: str,
        accept_text: str,
        warning: str = "",
        wrap_column: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(960)
        layout = QVBoxLayout(self)
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        if columns_note:
            layout.addWidget(grey_label(columns_note, self))
        self.warning = QLabel(warning, self)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "color: #8a5a00; background: #fff7e0; border: 1px solid #f0d9a0;"
            " border-radius: 3px; padding: 6px;"
        )
        self.warning.setVisible(bool(warning))
        layout.addWidget(self.warning)

        self.rows_box = QGroupBox(rows_title, self)
        rows_layout = QVBoxLayout(self.rows_box)
        self.rows_table = self._table(self.rows_box, headers, rows, wrap_column=wrap_column)
        rows_layout.addWidget(self.rows_table)
        self.rows_box.setVisible(bool(rows))
        layout.addWidget(self.rows_box, 3)

        self.issues_box = QGroupBox(self.tr("不导入的行（{0}）").format(len(issues)), self)
        issues_layout = QVBoxLayout(self.issues_box)
        self.issues_table = self._issue_table(self.issues_box, issues, label_title)
        issues_layout.addWidget(self.issues_table)
        issues_layout.addWidget(
            grey_label(self.tr("这些行不会写入。可在表格中改正后再导入一次。"), self.issues_box)
        )
        self.issues_box.setVisible(bool(issues))
        layout.addWidget(self.issues_box, 2)

        self.notes_box = QGroupBox(self.tr("请留意（{0}）").format(len(notes)), self)
        notes_layout = QVBoxLayout(self.notes_box)
        self.notes_table = self._issue_table(self.notes_box, notes, label_title)
        notes_layout.addWidget(self.notes_table)
        self.notes_box.setVisible(bool(notes))
        layout.addWidget(self.notes_box, 1)

        buttons = QDialogButtonBox(self)
        self.accept_button = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_button.setEnabled(bool(rows))
        cancel = buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        cancel.setDefault(not rows)
        layout.addWidget(buttons)
        self.resize(960, 640)
        self._fitted = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            QTimer.singleShot(0, self._fit)

    def _fit(self) -> None:
        """As tall as the content needs (known once laid out at its width), up to the screen."""
        screen = self.screen()
        room = screen.availableGeometry().height() - 80 if screen is not None else 688
        self.resize(self.width(), max(360, min(self.sizeHint().height(), room)))

    def _table(
        self,
        parent: QWidget,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        wrap_column: int | None,
    ) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers), parent)
        table.setHorizontalHeaderLabels(list(headers))
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # As tall as the rows need (the dialog shrinks the tables when many).
        table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        table.verticalHeader().setMinimumSectionSize(table.fontMetrics().lineSpacing() + 8)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if wrap_column is not None:
            header.setSectionResizeMode(wrap_column, QHeaderView.ResizeMode.Stretch)
            table.setWordWrap(True)
            table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        else:
            table.setWordWrap(False)
        return table

    def _issue_table(
        self, parent: QWidget, issues: Sequence[RowIssue], label_title: str
    ) -> QTableWidget:
        rows = [(i.where, i.label, i.reason) for i in issues]
        headers = (self.tr("位置"), label_title, self.tr("原因"))
        return self._table(parent, headers, rows, wrap_column=2)

    @staticmethod
    def table_text(table: QTableWidget) -> list[list[str]]:
        """The cells as shown (for tests and for copying)."""
        out: list[list[str]] = []
        for r in range(table.rowCount()):
            row: list[str] = []
            for c in range(table.columnCount()):
                item = table.item(r, c)
                row.append(item.text() if item is not None else "")
            out.append(row)
        return out


DEFAULT_SHEET_NAMES = {"sheet", "sheet1", "工作表1", "工作表"}


def file_and_sheet(parent: QWidget, path: Path, sheet_name: str) -> str:
    """“名单.xlsx”, with the worksheet when it has a name of its own."""
    if sheet_name and sheet_name.replace(" ", "").lower() not in DEFAULT_SHEET_NAMES:
        return parent.tr("“{0}”的“{1}”工作表").format(path.name, sheet_name)
    return parent.tr("“{0}”").format(path.name)


def leader_text(parent: QWidget, is_leader: bool, is_party_secretary: bool) -> str:
    """The 班子成员 column: 是, 是（党组书记）, or blank."""
    if is_party_secretary:
        return parent.tr("是（党组书记）")
    return parent.tr("是") if is_leader else ""


def roster_preview_dialog(preview: RosterPreview, parent: QWidget) -> SheetPreviewDialog:
    tr = parent.tr
    where = file_and_sheet(parent, preview.path, preview.sheet_name)
    if preview.rows:
        summary = tr("从{0}读到 {1} 人，将加入{2}的干部名单。").format(
            where, len(preview.rows), preview.unit_name
        )
    else:
        summary = tr("{0}中没有可以加入名单的人。").format(where)
    if preview.issues:
        summary += tr("另有 {0} 行不导入，原因见下面。").format(len(preview.issues))
    read = "、".join(preview.columns.values())
    columns_note = tr("读取的列：{0}。").format(read)
    if preview.ignored_columns:
        columns_note += tr("未读取的列：{0}。").format("、".join(preview.ignored_columns))
    headers = (tr("行"), tr("姓名"), tr("职务"), tr("部门"), tr("班子成员"))
    rows = [
        (
            str(r.row),
            r.name,
            r.position,
            r.department,
            leader_text(parent, r.is_leader, r.is_party_secretary),
        )
        for r in preview.rows
    ]
    return SheetPreviewDialog(
        title=tr("导入干部名单"),
        summary=summary,
        columns_note=columns_note,
        rows_title=tr("将加入名单的 {0} 人").format(len(rows)),
        headers=headers,
        rows=rows,
        issues=preview.issues,
        notes=preview.notes,
        label_title=tr("姓名"),
        accept_text=tr("导入可读的 {0} 人").format(len(preview.rows)),
        parent=parent,
    )


# ------------------------------------------------------------ the roster


@dataclass(frozen=True)
class MemberForm:
    name: str
    position: str
    department: str
    is_leader: bool
    is_party_secretary: bool = False


class MemberDialog(QDialog):
    """添加人员 / 修改: 姓名, 职务, 部门, 班子成员, 党组书记."""

    def __init__(
        self,
        member: MemberView | None,
        departments: Sequence[str],
        parent: QWidget | None = None,
        secretary: str = "",
    ) -> None:
        """``secretary``: who else is 党组书记 now ("" if no one), to say who gives way."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改人员信息") if member else self.tr("添加人员"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(member.name if member else "", self)
        self.name.setMaxLength(20)
        self.position = QLineEdit(member.position if member else "", self)
        self.position.setPlaceholderText(self.tr("如：办公室主任、党组成员、副局长"))
        self.department = QComboBox(self)
        self.department.setEditable(True)
        self.department.addItems(list(departments))
        self.department.setCurrentText(member.department if member else "")
        line = self.department.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("如：办公室"))
        self.is_leader = QCheckBox(self.tr("是领导班子成员(&L)"), self)
        self.is_leader.setChecked(member.is_leader if member else False)
        self.is_party_secretary = QCheckBox(self.tr("党组书记（第一责任人）(&S)"), self)
        self.is_party_secretary.setChecked(member.is_party_secretary if member else False)
        # 党组书记 is a 班子成员: the two boxes keep each other right.
        self.is_party_secretary.toggled.connect(
            lambda on: self.is_leader.setChecked(True) if on else None
        )
        self.is_leader.toggled.connect(
            lambda on: None if on else self.is_party_secretary.setChecked(False)
        )
        form.addRow(self.tr("姓名(&N)："), self.name)
        form.addRow(self.tr("职务(&P)："), self.position)
        form.addRow(self.tr("部门(&D)："), self.department)
        form.addRow(self.tr("班子成员："), self.is_leader)
        form.addRow("", self.is_party_secretary)
        layout.addLayout(form)
        if secretary:
            who = self.tr("党组书记只有一位，现为{0}，勾选后改为此人。").format(secretary)
        elif member is not None and member.is_party_secretary:
            who = ""
        else:
            who = self.tr("本单位还没有指定党组书记。")
        layout.addWidget(
            grey_label(
                self.tr(
                    "勾选“是领导班子成员”的，角色记为“领导”。{0}"
                    "同名的两个人，请写明各自的职务或部门。"
                ).format(who),
                self,
            )
        )
        self.note = QLabel(self)
        self.note.setStyleSheet("color: #b91c1c;")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("保存") if member else self.tr("添加"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def form(self) -> MemberForm:
        return MemberForm(
            name=self.name.text().strip(),
            position=self.position.text().strip(),
            department=self.department.currentText().strip(),
            is_leader=self.is_leader.isChecked(),
            is_party_secretary=self.is_party_secretary.isChecked(),
        )

    def _accept(self) -> None:
        if not self.form().name:
            self.note.setText(self.tr("请填写姓名。"))
            self.name.setFocus()
            return
        self.accept()


class RosterModel(RowsTableModel):
    HEADERS = ("姓名", "职务", "部门", "班子成员", "角色", "电脑密钥指纹")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[MemberView] = []

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if row.is_party_secretary:
                leader = self.tr("是（党组书记）")
            else:
                leader = self.tr("是") if row.is_leader else ""
            key = row.key_fingerprint or self.tr("（首次提交时登记）")
            values = (row.name, row.position, row.department, leader, row.role_label, key)
            return values[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 5 and not row.key_fingerprint:
            return QColor("#8a8a8a")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class RosterTab(DeskTab):
    """干部名单: the members who fill a self-check, by hand or from a spreadsheet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.members: tuple[MemberView, ...] = ()
        self._select_next: str | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.counts = QLabel(self)
        bar.addWidget(self.counts, 1)
        self.add_button = self.button(self.tr("添加人员…"), self.add)
        self.edit_button = self.button(self.tr("修改…"), self.edit_selected)
        self.remove_button = self.button(
            self.tr("删除"),
            self.remove_selected,
            tip=self.tr("移出干部名单。本人的自查材料、问题和针对他的意见都保留"),
        )
        self.import_button = self.button(
            self.tr("从表格导入…"),
            self.import_sheet,
            tip=self.tr(
                "从 Excel 或 CSV 名单导入：表格中要有“姓名”列，"
                "可有“职务”“部门”“是否班子成员”“是否党组书记”列。导入前先列出结果供核对"
            ),
        )
        self.key_button = self.button(
            self.tr("重新登记密钥…"),
            self.forget_key,
            tip=self.tr(
                "本人换了电脑或重装了明镜时用：下一次导入其提交文件时登记新电脑的密钥。"
                "请先电话核对对方新的密钥指纹"
            ),
        )
        self.undo_button = QPushButton(self)
        self.undo_button.hide()
        self.undo_button.setToolTip(self.tr("把刚移出的人员放回名单"))
        self.undo_button.clicked.connect(self.undo_remove)
        self._removed: tuple[str, str] | None = None
        for button in (
            self.undo_button,
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.key_button,
            self.import_button,
        ):
            bar.addWidget(button)
        layout.addLayout(bar)
        self.hint = QLabel(
            self.tr(
                "名单还是空的。先导入干部名单，再导出专项行动文件分发给干部。"
                "点“从表格导入…”选择本单位的名单表格，或点“添加人员…”逐个添加。"
            ),
            self,
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #8a5a00;")
        self.hint.hide()
        layout.addWidget(self.hint)

        self.model = RosterModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("班子成员") + 24)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        self._selection_changed()

    # ------------------------------------------------------------ loading

    def reload(self) -> None:
        if self.context is None:
            return
        db = self.context.db
        self.run(lambda: list_members(db), self._show)

    def _show(self, members: object) -> None:
        assert isinstance(members, list)
        chosen = self.selected()
        wanted = self._select_next or (chosen.id if chosen else None)
        self._select_next = None
        self.members = tuple(members)
        self.model.set_rows(self.members)
        leaders = sum(1 for m in self.members if m.is_leader)
        counts = ""
        if self.members:
            counts = self.tr("名单共 {0} 人，其中班子成员 {1} 人").format(
                len(self.members), leaders
            )
            secretary = self.party_secretary()
            if secretary is not None:
                counts += self.tr("；党组书记（第一责任人）：{0}。").format(secretary.name)
            else:
                counts += self.tr("；还没有指定党组书记（第一责任人），请选中其人后点“修改…”勾选。")
        self.counts.setText(counts)
        self.hint.setVisible(not self.members)
        if wanted is not None:
            self.select(wanted)
        self._selection_changed()
        self.loaded.emit()

    def select(self, member_id: str) -> None:
        for row, m in enumerate(self.members):
            if m.id == member_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return

    def selected(self) -> MemberView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.model.rows):
            return None
        return self.model.rows[rows[0].row()]

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)
        member = self.selected()
        self.key_button.setEnabled(member is not None and bool(member.key_fingerprint))

    def _written(self, message: str = "") -> None:
        self.reload()
        self.changed.emit()
        if message:
            self.tell_info(self, message)

    # ------------------------------------------------------------ by hand

    def departments(self) -> list[str]:
        return list(dict.fromkeys(m.department for m in self.members if m.department))

    def party_secretary(self) -> MemberView | None:
        return next((m for m in self.members if m.is_party_secretary), None)

    def secretary_other_than(self, member: MemberView | None) -> str:
        """The 党组书记's 姓名（职务）, unless it is ``member`` or there is none ("")."""
        secretary = self.party_secretary()
        if secretary is None or (member is not None and secretary.id == member.id):
            return ""
        return secretary.label

    @classmethod
    def ask_member(
        cls,
        parent: QWidget,
        member: MemberView | None,
        departments: Sequence[str],
        secretary: str = "",
    ) -> MemberForm | None:
        dialog = MemberDialog(member, departments, parent, secretary)
        return dialog.form() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def add(self) -> None:
        if self.context is None:
            return
        form = self.ask_member(self, None, self.departments(), self.secretary_other_than(None))
        if form is None:
            return
        db = self.context.db

        def done(member_id: object) -> None:
            assert isinstance(member_id, str)
            self._select_next = member_id
            self._written()

        self.run(
            lambda: add_member(
                db,
                form.name,
                form.position,
                form.department,
                form.is_leader,
                form.is_party_secretary,
            ),
            done,
            write=True,
        )

    def edit_selected(self) -> None:
        member = self.selected()
        if self.context is None or member is None:
            return
        form = self.ask_member(self, member, self.departments(), self.secretary_other_than(member))
        if form is None:
            return
        db, member_id = self.context.db, member.id

        def work() -> None:
            update_member(
                db,
                member_id,
                name=form.name,
                position=form.position,
                department=form.department,
                is_leader=form.is_leader,
                is_party_secretary=form.is_party_secretary,
            )

        self.run(work, lambda _: self._written(), write=True)

    def remove_selected(self) -> None:
        member = self.selected()
        if self.context is None or member is None:
            return
        question = self.tr(
            "把 {0} 移出干部名单？\n\n"
            "移出后不再要求其填写自查表；已交的自查材料、查摆的问题和针对他（她）的意见都会保留。"
        ).format(member.label)
        if not self.ask_yes(self, question, self.tr("移出名单")):
            return
        db, member_id = self.context.db, member.id

        def removed(_: object) -> None:
            self._written()
            self._removed = (member_id, member.label)
            self.undo_button.setText(self.tr("撤销移出 {0}").format(member.name))
            self.undo_button.show()

        self.run(lambda: remove_member(db, member_id), removed, write=True)

    def forget_key(self) -> None:
        """重新登记密钥: the member's next hand-in pins its computer's key."""
        member = self.selected()
        if self.context is None or member is None or not member.key_fingerprint:
            return
        question = self.tr(
            "为 {0} 重新登记电脑密钥？\n\n现在登记的指纹：{1}\n\n"
            "只在本人换了电脑或重装了明镜时这样做，并先打电话核对新电脑的指纹"
            "（在其电脑的“关于明镜”中可以看到）。下一次导入其提交文件时，将登记那份文件的密钥。"
        ).format(member.label, member.key_fingerprint)
        if not self.ask_yes(self, question, self.tr("重新登记")):
            return
        db, member_id = self.context.db, member.id
        self.run(lambda: forget_member_keys(db, member_id), lambda _: self._written(), write=True)

    def undo_remove(self) -> None:
        """Put the member just removed back on the roster."""
        if self.context is None or self._removed is None:
            return
        db, (member_id, _) = self.context.db, self._removed
        self._removed = None
        self.undo_button.hide()
        self.run(lambda: restore_member(db, member_id), lambda _: self._written(), write=True)

    # ------------------------------------------------------------ importing

    @classmethod
    def ask_import_file(cls, parent: QWidget) -> str | None:
        return ask_sheet_file(parent, parent.tr("选择干部名单表格"))

    @classmethod
    def ask_roster_import(cls, parent: QWidget, preview: RosterPreview) -> bool:
        dialog = roster_preview_dialog(preview, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted

    def import_sheet(self) -> None:
        name = self.ask_import_file(self)
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        """Read ``path``, show what it will do, and import it if the user agrees."""
        if self.context is None:
            return
        db = self.context.db

        def previewed(preview: object) -> None:
            assert isinstance(preview, RosterPreview)
            if not self.ask_roster_import(self, preview):
                return
            run_in_background(
                lambda: import_roster(db, path),
                parent=self,
                on_success=imported,
                on_failure=refused,
                in_order=True,
            )

        def imported(result: object) -> None:
            assert isinstance(result, RosterResult)
            text = self.tr("已把 {0} 人加入干部名单。").format(result.added)
            if result.skipped:
                text += self.tr("{0} 行没有导入（原因已在导入前列出）。").format(result.skipped)
            self._written(text)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, InputRefused):
                self.tell_warning(self, refused_text(self, path, exc))
            else:
                self.report(exc)

        run_in_background(
            lambda: preview_roster(db, path),
            parent=self,
            on_success=previewed,
            on_failure=refused,
            in_order=True,
        )
