"""Dialogs of the ledger: a row, 销号, a reason, an Excel preview, a 交办单, an escalation."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.deadlines import DeadlineUnreadable, read_deadline
from mingjing.domain.enums import DeadlineKind, EscalationLevel
from mingjing.services.ledger import LedgerChoices, LedgerRow, RowInput, Suggestion
from mingjing.services.ledger_sheets import LedgerPreview
from mingjing.services.problem_lists import ProblemRow

ERROR_STYLE = "color: #b91c1c;"


def qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(value: dt.date, parent: QWidget) -> QDateEdit:
    edit = QDateEdit(qdate(value), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _text_box(text: str, lines: int, parent: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit(text, parent)
    box.setTabChangesFocus(True)
    box.setMaximumHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def _buttons(dialog: QDialog, ok: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, dialog)
    box.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    box.rejected.connect(dialog.reject)
    return box


def _person_combo(
    options: tuple[tuple[str, str], ...], current_id: str | None, name: str, parent: QWidget
) -> QComboBox:
    """Roster names to choose from; any other name can be typed (kept as a name)."""
    combo = QComboBox(parent)
    combo.setEditable(True)
    combo.addItem("", None)
    for value, label in options:
        if not value.startswith("name:"):
            combo.addItem(label, value)
    if current_id:
        combo.setCurrentIndex(max(combo.findData(current_id), 0))
    else:
        combo.setEditText(name)
    return combo


def _person_value(combo: QComboBox) -> tuple[str | None, str]:
    """(member id, "") for a roster name, (None, name) for anyone else."""
    text = combo.currentText().strip()
    found = combo.findText(text)
    if text and found > 0:
        return str(combo.itemData(found)), ""
    return None, text


class RowDialog(QDialog):
    """新增整改事项: the row as the ledger prints it."""

    def __init__(self, options: LedgerChoices, today: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("新增整改事项"))
        self.setMinimumWidth(600)
        self.today = today
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.problem = _text_box("", 3, self)
        self.measure = _text_box("", 4, self)
        self.target = QLineEdit(self)
        self.area = QComboBox(self)
        self.area.setEditable(True)
        self.area.addItem("")
        self.area.addItems(list(options.areas))
        self.source = QComboBox(self)
        self.source.setEditable(True)
        self.source.addItems(["", "自己找", "群众提", "上级点", "互相帮", "集体议"])
        self.leader = _person_combo(options.leaders, None, "", self)
        self.owner = _person_combo(options.members, None, "", self)
        self.department = QComboBox(self)
        self.department.setEditable(True)
        self.department.addItem("")
        self.department.addItems(list(options.departments))
        self.cooperating = QLineEdit(self)
        self.cooperating.setPlaceholderText(self.tr("多个部门用顿号隔开"))
        self.deadline = QLineEdit(self)
        self.deadline.setPlaceholderText(self.tr("如 2026-03-31、12月底、立行立改、长期坚持"))
        self.deadline_read = QLabel(self)
        self.deadline.textChanged.connect(self._deadline_changed)
        self.remarks = QLineEdit(self)
        form.addRow(self.tr("具体问题(&P)："), self.problem)
        form.addRow(self.tr("问题方面："), self.area)
        form.addRow(self.tr("问题来源："), self.source)
        form.addRow(self.tr("整改措施(&M)："), self.measure)
        form.addRow(self.tr("整改目标："), self.target)
        form.addRow(self.tr("责任领导："), self.leader)
        form.addRow(self.tr("责任部门（牵头）："), self.department)
        form.addRow(self.tr("配合部门："), self.cooperating)
        form.addRow(self.tr("责任人："), self.owner)
        form.addRow(self.tr("完成时限(&D)："), self.deadline)
        form.addRow("", self.deadline_read)
        form.addRow(self.tr("备注："), self.remarks)
        layout.addLayout(form)
        self.problem_label = QLabel(self)
        self.problem_label.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.problem_label)
        buttons = _buttons(self, self.tr("保存"))
        buttons.accepted.connect(self._accept)
        layout.addWidget(buttons)

    def _deadline_changed(self, text: str) -> None:
        try:
            read = read_deadline(text, self.today)
        except DeadlineUnreadable as exc:
            self.deadline_read.setStyleSheet(ERROR_STYLE)
            self.deadline_read.setText(str(exc))
            return
        self.deadline_read.setStyleSheet("")
        self.deadline_read.setText(self.tr("记为：{0}").format(read.text) if text.strip() else "")

    def _accept(self) -> None:
        if not self.problem.toPlainText().strip():
            self.problem_label.setText(self.tr("请填写具体问题。"))
            self.problem.setFocus()
            return
        if not self.measure.toPlainText().strip():
            self.problem_label.setText(self.tr("请填写整改措施。"))
            self.measure.setFocus()
            return
        try:
            read_deadline(self.deadline.text(), self.today)
        except DeadlineUnreadable as exc:
            self.problem_label.setText(str(exc))
            self.deadline.setFocus()
            return
        self.accept()

    def value(self) -> RowInput:
        deadline = read_deadline(self.deadline.text(), self.today)
        leader_id, leader_name = _person_value(self.leader)
        owner_id, owner_name = _person_value(self.owner)
        return RowInput(
            problem_text=self.problem.toPlainText().strip(),
            measure=self.measure.toPlainText().strip(),
            area_label=self.area.currentText().strip(),
            source_label=self.source.currentText().strip(),
            target=self.target.text().strip(),
            responsible_leader_id=leader_id,
            leader_name=leader_name,
            responsible_department=self.department.currentText().strip(),
            cooperating_departments=self.cooperating.text().strip(),
            owner_id=owner_id,
            owner_name=owner_name,
            deadline_kind=deadline.kind,
            deadline=deadline.date,
            remarks=self.remarks.text().strip(),
        )


class SignOffDialog(QDialog):
    """销号: which leader signs off, and what was verified."""

    def __init__(
        self,
        row: LedgerRow,
        signers: tuple[tuple[str, str], ...],
        evidence: int,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("销号"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        about = QLabel(
            self.tr("第 {0} 项：{1}").format(row.serial, row.problem[:60]),
            self,
        )
        about.setWordWrap(True)
        layout.addWidget(about)
        form = QFormLayout()
        self.owner_id = row.owner_id
        self.signer = QComboBox(self)
        for value, label in signers:
            self.signer.addItem(label, value)
        # Not the one who did the work: the first leader (主要负责人 first) who is not.
        others = [n for n, (value, _) in enumerate(signers) if value != row.owner_id]
        if others:
            self.signer.setCurrentIndex(others[0])
        self.note = _text_box(
            self.tr("经核查，整改措施已落实到位，同意销号。") if evidence else "", 4, self
        )
        self.note.setPlaceholderText(
            self.tr("写明核查了什么（材料、现场、群众反映），是否同意销号")
        )
        form.addRow(self.tr("销号领导："), self.signer)
        form.addRow(self.tr("销号意见："), self.note)
        layout.addLayout(form)
        if evidence:
            hint = self.tr("已有佐证材料 {0} 份。").format(evidence)
        else:
            hint = self.tr("这项整改还没有佐证材料。确需销号的，请在意见中写明核查情况。")
        self.hint = QLabel(hint, self)
        self.hint.setWordWrap(True)
        if not evidence:
            self.hint.setStyleSheet("color: #9a3412;")
        layout.addWidget(self.hint)
        self.same_person = QLabel(
            self.tr("销号领导与责任人为同一人，宜由其他班子成员核查销号。"), self
        )
        self.same_person.setStyleSheet("color: #9a3412;")
        self.same_person.setWordWrap(True)
        layout.addWidget(self.same_person)
        self.signer.currentIndexChanged.connect(self._signer_changed)
        self._signer_changed()
        if not signers:
            self.hint.setText(
                self.tr("名单中没有班子成员，无法销号。请先在干部名单中标明班子成员。")
            )
            self.hint.setStyleSheet(ERROR_STYLE)
        buttons = _buttons(self, self.tr("销号"))
        buttons.accepted.connect(self._accept)
        layout.addWidget(buttons)

    def _signer_changed(self) -> None:
        self.same_person.setVisible(
            self.owner_id is not None and self.signer.currentData() == self.owner_id
        )

    def _accept(self) -> None:
        if self.signer.count() and self.note.toPlainText().strip():
            self.accept()

    def value(self) -> tuple[str, str]:
        return str(self.signer.currentData()), self.note.toPlainText().strip()


class ReasonDialog(QDialog):
    """A reason the row's people must read: 退回 or 重新打开."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        label = QLabel(prompt, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = _text_box("", 4, self)
        layout.addWidget(self.text)
        buttons = _buttons(self, title)
        buttons.accepted.connect(lambda: self.accept() if self.value() else None)
        layout.addWidget(buttons)

    def value(self) -> str:
        return self.text.toPlainText().strip()


class ImportPreviewDialog(QDialog):
    """What an Excel ledger will bring in: the columns found, the rows, what was inferred."""

    def __init__(self, preview: LedgerPreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("导入整改台账"))
        self.resize(980, 640)
        layout = QVBoxLayout(self)
        where = f"“{preview.sheet_name}”工作表，" if preview.sheet_name else ""
        updated = (
            self.tr("台账中已有的 {0} 项将补记新的进展，").format(len(preview.updates))
            if preview.updates
            else ""
        )
        head = QLabel(
            self.tr("{0}：{1}第 {2} 行是表头。将导入 {3} 项，{4}{5} 行不导入。").format(
                preview.path.name,
                where,
                preview.header_row,
                len(preview.rows),
                updated,
                len(preview.issues),
            ),
            self,
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        mapping = "；".join(
            f"{ours} ← “{theirs}”" if ours != theirs else ours for ours, theirs in preview.mapping
        )
        ignored = (
            self.tr("　未导入的列：{0}").format("、".join(preview.ignored_columns))
            if preview.ignored_columns
            else ""
        )
        columns = QLabel(self.tr("读取的列：{0}{1}").format(mapping, ignored), self)
        columns.setWordWrap(True)
        layout.addWidget(columns)
        self.table = QTableWidget(len(preview.rows), 7, self)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("行"),
                self.tr("具体问题"),
                self.tr("整改措施"),
                self.tr("责任领导"),
                self.tr("完成时限"),
                self.tr("状态"),
                self.tr("进展"),
            ]
        )
        for n, row in enumerate(preview.rows):
            deadline = row.deadline
            if row.deadline_as_written and row.deadline_as_written != row.deadline:
                deadline = f"{row.deadline}（原写“{row.deadline_as_written}”）"
            values = (
                str(row.number),
                row.problem,
                row.measure,
                row.leader,
                deadline,
                row.state,
                self.tr("{0} 条").format(row.notes) if row.notes else "",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value.replace("\n", " "))
                item.setToolTip(value)
                self.table.setItem(n, column, item)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column, width in enumerate((40, 220, 220, 64, 250, 96)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 3)
        report = QTextBrowser(self)
        parts = []
        if preview.issues:
            parts.append("<p><b>不能导入的行：</b></p><ul>")
            parts += [f"<li style='color:#b91c1c'>{escape(str(i))}</li>" for i in preview.issues]
            parts.append("</ul>")
        if preview.notes:
            parts.append("<p><b>请核对以下处理方式：</b></p><ul>")
            parts += [f"<li>{escape(str(i))}</li>" for i in preview.notes]
            parts.append("</ul>")
        report.setHtml("".join(parts) or self.tr("所有行都能导入，没有需要核对的地方。"))
        layout.addWidget(report, 2)
        buttons = _buttons(self, self.tr("导入 {0} 项").format(len(preview.rows)))
        buttons.accepted.connect(self.accept)
        if not preview.rows and not preview.updates:
            for button in buttons.buttons():
                if buttons.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole:
                    button.setEnabled(False)
        layout.addWidget(buttons)


class ProblemsDialog(QDialog):
    """列入台账: choose problems (not yet in the ledger) to open rows for."""

    def __init__(self, problems: list[ProblemRow], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("从问题清单列入台账"))
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr(
                    "勾选要列入整改台账的问题（已列入的不再显示）。每个问题列为一项，"
                    "整改措施、完成时限取自本人填写的措施。"
                ),
                self,
            )
        )
        self.list = QListWidget(self)
        for p in problems:
            owner = self.tr("领导班子") if p.is_team else p.owner
            common = self.tr("【共性】") if p.is_common else ""
            item = QListWidgetItem(f"{owner}：{common}{p.text}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(p.text)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        for text, state in ((self.tr("全选"), True), (self.tr("全不选"), False)):
            button = QDialogButtonBox(self).addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
            button.setParent(self)
            button.clicked.connect(lambda _=False, s=state: self._check_all(s))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = _buttons(self, self.tr("列入台账"))
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def _check_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for n in range(self.list.count()):
            self.list.item(n).setCheckState(state)

    def chosen(self) -> list[str]:
        return [
            str(self.list.item(n).data(Qt.ItemDataRole.UserRole))
            for n in range(self.list.count())
            if self.list.item(n).checkState() == Qt.CheckState.Checked
        ]


class AssignDialog(QDialog):
    """交办单: to a member or a department, with a due date and requirements."""

    def __init__(
        self,
        rows: list[LedgerRow],
        options: LedgerChoices,
        today: dt.date,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("填写交办单"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        listed = QLabel(
            self.tr("交办事项（{0} 项）：{1}").format(
                len(rows), "；".join(f"第 {r.serial} 项" for r in rows[:12])
            )
            + ("……" if len(rows) > 12 else ""),
            self,
        )
        listed.setWordWrap(True)
        layout.addWidget(listed)
        form = QFormLayout()
        self.to_department = QRadioButton(self.tr("部门"), self)
        self.to_member = QRadioButton(self.tr("个人"), self)
        self.department = QComboBox(self)
        self.department.setEditable(True)
        self.department.addItems(list(options.departments))
        departments = {r.department for r in rows if r.department}
        if len(departments) == 1:
            self.department.setCurrentText(departments.pop())
        self.member = QComboBox(self)
        for value, label in options.members:
            self.member.addItem(label, value)
        self.to_department.setChecked(True)
        self.member.setEnabled(False)
        self.to_department.toggled.connect(self.department.setEnabled)
        self.to_member.toggled.connect(self.member.setEnabled)
        self.issuer = QComboBox(self)
        self.issuer.addItem("", None)
        for value, label in options.members:
            self.issuer.addItem(label, value)
        self.issued_on = date_edit(today, self)
        # Due by the earliest of the rows' own deadlines still ahead (a week at least).
        ahead = sorted(r.deadline for r in rows if r.deadline and r.deadline > today)
        self.due = date_edit(ahead[0] if ahead else today + dt.timedelta(days=7), self)
        self.note = _text_box(
            self.tr("请对照交办事项逐项整改，按时报送整改进展和佐证材料。"), 3, self
        )
        form.addRow(self.to_department, self.department)
        form.addRow(self.to_member, self.member)
        form.addRow(self.tr("交办人："), self.issuer)
        form.addRow(self.tr("交办日期："), self.issued_on)
        form.addRow(self.tr("办结时限："), self.due)
        form.addRow(self.tr("工作要求："), self.note)
        layout.addLayout(form)
        self.problem = QLabel(self)
        self.problem.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.problem)
        buttons = _buttons(self, self.tr("生成交办单"))
        buttons.accepted.connect(self._accept)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if self.to_department.isChecked() and not self.department.currentText().strip():
            self.problem.setText(self.tr("请填写承办部门。"))
            return
        if pydate(self.due.date()) < pydate(self.issued_on.date()):
            self.problem.setText(self.tr("办结时限不能早于交办日期。"))
            return
        self.accept()

    def value(self) -> dict[str, object]:
        by_member = self.to_member.isChecked()
        return {
            "to_member_id": str(self.member.currentData()) if by_member else None,
            "to_department": "" if by_member else self.department.currentText().strip(),
            "issued_by_id": self.issuer.currentData(),
            "issued_on": pydate(self.issued_on.date()),
            "due": pydate(self.due.date()),
            "note": self.note.toPlainText().strip(),
        }


class EscalationDialog(QDialog):
    """提醒 / 函询 / 诫勉 / 严肃处理 of a member: date, by whom, why."""

    def __init__(
        self,
        options: LedgerChoices,
        today: dt.date,
        suggestion: Suggestion | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("提醒、函询、诫勉"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.member = QComboBox(self)
        for value, label in options.members:
            self.member.addItem(label, value)
        self.level = QComboBox(self)
        for level in EscalationLevel:
            self.level.addItem(level.label, level.value)
        self.by = QComboBox(self)
        self.by.addItem("", None)
        for value, label in options.signers:
            self.by.addItem(label, value)
        self.on = date_edit(today, self)
        self.reason = _text_box("", 4, self)
        if suggestion is not None:
            self.member.setCurrentIndex(max(self.member.findData(suggestion.member_id), 0))
            self.level.setCurrentIndex(max(self.level.findData(suggestion.level), 0))
            rows = "、".join(str(n) for n in suggestion.overdue_rows)
            self.reason.setPlainText(
                self.tr("台账第 {0} 项逾期未完成整改。").format(rows)
                + (
                    self.tr("{0}后仍未整改到位。").format(suggestion.last_step)
                    if suggestion.last_step
                    else ""
                )
            )
        form.addRow(self.tr("对象："), self.member)
        form.addRow(self.tr("方式："), self.level)
        form.addRow(self.tr("日期："), self.on)
        form.addRow(self.tr("处理人："), self.by)
        form.addRow(self.tr("事由："), self.reason)
        layout.addLayout(form)
        buttons = _buttons(self, self.tr("记录"))
        buttons.accepted.connect(
            lambda: self.accept() if self.reason.toPlainText().strip() else None
        )
        layout.addWidget(buttons)

    def value(self) -> dict[str, object]:
        return {
            "member_id": str(self.member.currentData()),
            "level": EscalationLevel(str(self.level.currentData())),
            "on": pydate(self.on.date()),
            "by_id": self.by.currentData(),
            "reason": self.reason.toPlainText().strip(),
        }


def deadline_changes(text: str, today: dt.date) -> dict[str, object]:
    """The columns a 完成时限 typed into a cell sets; raises DeadlineUnreadable."""
    read = read_deadline(text, today)
    return {"deadline_kind": read.kind, "deadline": read.date}


def stored_values(row: LedgerRow, fields: list[str]) -> dict[str, object]:
    """A row's columns as :func:`mingjing.services.ledger.update_row` takes them (for undo)."""
    values: dict[str, object] = {
        "problem_text": row.problem,
        "measure": row.measure,
        "target": row.target,
        "responsible_department": row.department,
        "cooperating_departments": row.cooperating,
        "remarks": row.remarks,
        "deadline_kind": DeadlineKind(row.deadline_kind),
        "deadline": row.deadline,
    }
    return {f: values[f] for f in fields}
