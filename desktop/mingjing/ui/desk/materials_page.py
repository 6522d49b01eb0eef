"""会议材料 page: make the materials, keep the meetings' records, see what went out.

It works on the campaign the office's desk has open (:class:`DeskContext`);
a cadre's laptop has no materials to make, and the page says so.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from mingjing.fonts import FontRegistry
from mingjing.ui.desk.base import DeskContext, DeskTab
from mingjing.ui.desk.materials import MaterialsTab
from mingjing.ui.desk.meetings import MeetingsTab
from mingjing.ui.desk.snapshots import SnapshotsTab


class MaterialsPage(QWidget):
    """Signals:
    changed: a tab changed data others show.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, fonts: FontRegistry | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel(self.tr("<h2>会议材料</h2>"), self))
        self.stack = QStackedWidget(self)
        self.empty = QLabel(self.stack)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.empty)
        self.tabs = QTabWidget(self.stack)
        self.materials = MaterialsTab(self.tabs, fonts)
        self.meetings = MeetingsTab(self.tabs)
        self.snapshots = SnapshotsTab(self.tabs)
        self._tabs: list[DeskTab] = [self.materials, self.meetings, self.snapshots]
        self.tabs.addTab(self.materials, self.tr("生成材料"))
        self.tabs.addTab(self.meetings, self.tr("会议记录"))
        self.tabs.addTab(self.snapshots, self.tr("留存记录"))
        self.materials.kept.connect(self.snapshots.reload)
        self.meetings.saved.connect(self.materials.reload)
        self.meetings.changed.connect(self.changed)
        self.stack.addWidget(self.tabs)
        outer.addWidget(self.stack, 1)
        self.set_context(None, self.tr("正在读取……"))

    def set_context(self, context: DeskContext | None, why: str = "") -> None:
        if context is None:
            self.empty.setText(
                why
                or self.tr(
                    "会议材料由办公室在办公室的电脑上生成。"
                    "本机还没有专项行动，或者是干部个人使用的电脑。"
                )
            )
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.tabs)
        for tab in self._tabs:
            tab.set_context(context)
