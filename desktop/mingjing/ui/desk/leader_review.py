"""领导审阅 at the office: review files out to leaders, their opinions back in.

The secretary exports a review file for one 班子成员 (sealed to that
leader's laptop, optionally with the 会议材料汇编), and later imports the
leader's reply. Every opinion read is listed with what was done with it; one
about a row that changed after the leader read it waits here until the
secretary, shown what the leader saw and what it is now, applies or skips it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.review import ActionView
from mingjing.exchange.package import SUFFIXES
from mingjing.services.identity import load_identity
from mingjing.services.profile import load_profile, office_operator
from mingjing.services.review_packages import (
    LeaderChoice,
    ReplyRead,
    ReviewMade,
    export_review,
    import_review_reply,
    leader_actions,
    leaders,
    package_pdf,
    settle_conflict,
)
from mingjing.ui.desk.base import DeskTab, RowsTableModel
from mingjing.ui.tasks import run_with_progress

AnyIndex = QModelIndex | QPersistentModelIndex


class ActionsModel(RowsTableModel):
    HEADERS = ("时间", "领导", "意见类别", "针对", "意见", "结果")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ActionView] = []

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            when = a.acted_at.astimezone()
            values = (
                f"{when.month}月{when.day}日 {when:%H:%M}",
                a.author,
                a.kind_label,
                a.target_label,
                a.text,
                a.state_label,
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 5:
                return a.outcome
            if column in (3, 4):
                return a.target_label if column == 3 else a.text
        if role == Qt.ItemDataRole.ForegroundRole and column == 5 and a.state == "conflict":
            return QBrush(QColor("#b45309"))
        return None


class LeaderReviewTab(DeskTab):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "给班子成员导出审阅文件（加密给其本人的电脑，U盘丢失也无法打开），"
                "领导审阅后交回审阅意见文件，在这里导入：点评、指出的问题、退回返工和销号签批"
                "逐条记入，每条都带领导本人的签名。"
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("给："), self))
        self.leader_choice = QComboBox(self)
        self.leader_choice.setMinimumContentsLength(16)
        row.addWidget(self.leader_choice)
        self.with_materials = QCheckBox(self.tr("附会议材料汇编（PDF）"), self)
        self.with_materials.setChecked(True)
        row.addWidget(self.with_materials)
        self.export_button = self.button(self.tr("导出审阅文件…"), self.export)
        row.addWidget(self.export_button)
        row.addStretch(1)
        self.import_button = self.button(
            self.tr("导入审阅意见…"),
            self.choose_reply,
            self.tr("导入领导交回的审阅意见文件（以 {0} 结尾）").format(SUFFIXES["review_reply"]),
        )
        row.addWidget(self.import_button)
        layout.addLayout(row)
        self.model = ActionsModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((110, 70, 150, 300, 300)):
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        layout.addWidget(self.view, 1)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        buttons = QHBoxLayout()
        self.apply_button = self.button(self.tr("采用"), lambda: self.settle(True))
        self.skip_button = self.button(self.tr("不采用"), lambda: self.settle(False))
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.leader_rows: list[LeaderChoice] = []
        self._selected()

    # ------------------------------------------------------------ loading

    def reload(self) -> None:
        if self.context is None:
            return
        db, cid = self.context.db, self.context.campaign_id
        self.run(lambda: (leaders(db, cid), leader_actions(db, cid)), self._loaded)

    def _loaded(self, result: object) -> None:
        assert isinstance(result, tuple)
        choices, actions = result
        chosen = self.leader_choice.currentData()
        self.leader_rows = choices
        self.leader_choice.clear()
        for c in choices:
            label = f"{c.name}（{c.position}）" if c.position else c.name
            if not c.key_known:
                label += self.tr("——未登记电脑密钥")
            self.leader_choice.addItem(label, c.id)
        # The one chosen before; else the first whose laptop can open a review.
        found = self.leader_choice.findData(chosen) if chosen is not None else -1
        if found < 0:
            found = next((i for i, c in enumerate(choices) if c.key_known), 0)
        if choices:
            self.leader_choice.setCurrentIndex(found)
        self.export_button.setEnabled(bool(choices))
        self.model.set_rows(actions)
        waiting = sum(1 for a in actions if a.state == "conflict")
        self.detail.setText(
            self.tr("有 {0} 条意见涉及的内容在领导审阅后有改动，请选中后确认采用或不采用。").format(
                waiting
            )
            if waiting
            else ""
        )
        self._selected()
        self.loaded.emit()

    def _chosen(self) -> ActionView | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selected(self) -> None:
        chosen = self._chosen()
        conflict = chosen is not None and chosen.state == "conflict"
        self.apply_button.setEnabled(conflict)
        self.skip_button.setEnabled(conflict)
        if chosen is not None:
            lines = [
                self.tr("{0}的{1}：{2}").format(
                    chosen.author, chosen.kind_label, chosen.text or "（无）"
                ),
                self.tr("领导审阅时：{0}").format(chosen.target_label),
            ]
            if conflict:
                lines.append(self.tr("现在：{0}").format(chosen.current))
            lines.append(self.tr("结果：{0}").format(chosen.outcome))
            self.detail.setText("\n".join(lines))

    # ------------------------------------------------------------ acting

    def _replies_dir(self) -> Path:
        assert self.context is not None
        return self.context.location.data_dir / "审核回复"

    def export(self) -> None:
        if self.context is None:
            return
        index = self.leader_choice.currentIndex()
        if index < 0:
            return
        choice = self.leader_rows[index]
        if not choice.key_known:
            self.tell_warning(
                self,
                self.tr(
                    "还没有{0}电脑的密钥，审阅文件无法加密给他（她）。"
                    "请{0}先在自己的电脑上加入专项行动并提交一次自查材料，"
                    "办公室在“收取自查”中收取后即登记了密钥。"
                ).format(choice.name),
            )
            return
        folder = self.ask_folder(self)
        if not folder:
            return
        db, location, cid = self.context.db, self.context.location, self.context.campaign_id
        materials = self.with_materials.isChecked()

        def work(progress: Any, cancelled: Any) -> ReviewMade | None:
            today = dt.date.today()
            attached = None
            if materials:
                progress(0, 2, self.tr("排版会议材料汇编"))
                attached = package_pdf(db, cid, today)
                if cancelled():
                    return None
            progress(1, 2, self.tr("写入审阅文件"))
            return export_review(
                db,
                cid,
                choice.id,
                Path(folder),
                identity=load_identity(location.data_dir),
                made_by=office_operator(location.data_dir),
                today=today,
                materials=attached,
            )

        def done(made: object) -> None:
            if made is None:
                return
            assert isinstance(made, ReviewMade)
            self.tell_info(
                self,
                self.tr(
                    "已导出给{0}的审阅文件：\n{1}\n\n含对照检查材料 {2} 份、整改台账 {3} 项{4}。"
                    "文件已加密，只有{0}的电脑能打开。"
                ).format(
                    made.leader,
                    made.path,
                    made.statements,
                    made.ledger_rows,
                    self.tr("、会议材料汇编") if made.with_materials else "",
                ),
            )

        run_with_progress(
            work,
            parent=self,
            title=self.tr("导出审阅文件"),
            on_success=done,
            on_failure=self.report,
        )

    def choose_reply(self) -> None:
        path = self.ask_reply_file(self)
        if path:
            self.import_reply(Path(path))

    def import_reply(self, path: Path) -> None:
        """Read a leader's reply (also from a double-click on it)."""
        if self.context is None:
            return
        db, location = self.context.db, self.context.location
        replies = self._replies_dir()

        def work() -> ReplyRead:
            return import_review_reply(
                db,
                location,
                path,
                identity=load_identity(location.data_dir),
                replies_dir=replies,
                reviewer=load_profile(location.data_dir).display_name,
            )

        def done(read: object) -> None:
            assert isinstance(read, ReplyRead)
            text = read.summary
            if read.notes:
                text += "\n" + "\n".join(read.notes)
            if read.returned_files:
                text += "\n\n" + self.tr("退回返工的，已生成给本人的审核回复文件，请转交：\n")
                text += "\n".join(str(f) for f in read.returned_files)
            self.tell_info(self, text)
            self.reload()
            self.changed.emit()

        self.run(work, done, write=True)

    def settle(self, apply: bool) -> None:
        chosen = self._chosen()
        if self.context is None or chosen is None or chosen.state != "conflict":
            return
        reason = ""
        if not apply:
            reason = self.ask_skip_reason(self, chosen) or ""
            if not reason:
                return
        db, location = self.context.db, self.context.location
        replies = self._replies_dir()

        def work() -> ActionView:
            return settle_conflict(
                db,
                chosen.id,
                apply,
                identity=load_identity(location.data_dir),
                replies_dir=replies,
                reviewer=load_profile(location.data_dir).display_name,
                reason=reason,
            )

        def done(view: object) -> None:
            assert isinstance(view, ActionView)
            self.tell_info(self, view.outcome)
            self.reload()
            self.changed.emit()

        self.run(work, done, write=True)

    @classmethod
    def ask_skip_reason(cls, parent: QWidget, action: ActionView) -> str | None:
        from PySide6.QtWidgets import QDialog

        from mingjing.ui.desk.ledger_dialogs import ReasonDialog

        dialog = ReasonDialog(
            parent.tr("不采用"),
            parent.tr("不采用{0}的这条意见（{1}），请写明理由，会记入审阅记录：").format(
                action.author, action.kind_label
            ),
            parent,
        )
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def ask_folder(cls, parent: QWidget) -> str:
        return QFileDialog.getExistingDirectory(
            parent, parent.tr("审阅文件存到哪个文件夹（如U盘）"), str(Path.home())
        )

    @classmethod
    def ask_reply_file(cls, parent: QWidget) -> str:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            parent.tr("导入审阅意见"),
            str(Path.home()),
            parent.tr("领导审阅意见文件 (*{0})").format(SUFFIXES["review_reply"]),
        )
        return name
