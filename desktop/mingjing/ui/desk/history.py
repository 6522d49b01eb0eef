"""修改记录: what was done to a record, when and by whom, from the audit trail."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.text import cn_date
from mingjing.services.history import HistoryLine, text_of

COLUMNS = ("时间", "操作人", "操作", "内容")


class HistoryDialog(QDialog):
    """The history of one record, oldest first; it can be copied as text."""

    def __init__(self, title: str, lines: Sequence[HistoryLine], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改记录"))
        self.resize(900, 560)
        self.lines = list(lines)
        layout = QVBoxLayout(self)
        head = QLabel(title, self)
        head.setWordWrap(True)
        layout.addWidget(head)
        note = QLabel(
            self.tr(
                "以下记录取自审计日志，每次修改（在本窗口、命令行或导入文件时）都有记载，"
                "不能更改；“文件 → 检查数据”可核验记录未被改动。"
            ),
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        self.table = QTableWidget(len(self.lines), len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        for row, line in enumerate(self.lines):
            when = f"{cn_date(line.at.date())} {line.at:%H:%M}"
            values = (when, line.actor, line.action, "\n".join(line.what) or "—")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        if not self.lines:
            layout.addWidget(QLabel(self.tr("（没有记录）"), self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton(self.tr("复制全部"), self)
        copy.clicked.connect(self.copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(text_of(self.lines))
