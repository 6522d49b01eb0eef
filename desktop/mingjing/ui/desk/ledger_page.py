"""整改台账 page: the ledger, the 交办单 issued, and the steps taken with members.

It works on the campaign the office's desk has open (:class:`DeskContext`);
on a cadre's own laptop there is no ledger, and the page says where it is kept.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from mingjing.ui.desk.assignments import AssignmentsTab, EscalationsTab
from mingjing.ui.desk.base import DeskContext, DeskTab
from mingjing.ui.desk.ledger import LedgerTab


class LedgerPage(QWidget):
    """Signals:
    changed: a tab changed data others show (the overview, the desk).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        heading = QLabel(self.tr("<h2>整改台账</h2>"), self)
        outer.addWidget(heading)
        self.stack = QStackedWidget(self)
        self.empty = QLabel(self.stack)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.empty)
        self.tabs = QTabWidget(self.stack)
        self.ledger = LedgerTab(self.tabs)
        self.assignments = AssignmentsTab(self.tabs)
        self.escalations = EscalationsTab(self.tabs)
        self._tabs: list[DeskTab] = [self.ledger, self.assignments, self.escalations]
        self.tabs.addTab(self.ledger, self.tr("整改台账"))
        self.tabs.addTab(self.assignments, self.tr("交办单"))
        self.tabs.addTab(self.escalations, self.tr("提醒、函询、诫勉"))
        for tab in self._tabs:
            tab.changed.connect(self._tab_changed)
        self.ledger.assigned.connect(self.assignments.show_new)
        self.stack.addWidget(self.tabs)
        outer.addWidget(self.stack, 1)
        self.set_context(None, self.tr("正在读取……"))

    def set_context(self, context: DeskContext | None, why: str = "") -> None:
        if context is None:
            self.empty.setText(
                why
                or self.tr(
                    "整改台账由办公室在办公室的电脑上建立和维护。"
                    "本机还没有专项行动，或者是干部个人使用的电脑。"
                )
            )
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.tabs)
        for tab in self._tabs:
            tab.set_context(context)

    def reload(self) -> None:
        for tab in self._tabs:
            tab.reload()

    def _tab_changed(self) -> None:
        sender = self.sender()
        for tab in self._tabs:
            if tab is not sender:
                tab.reload()
        self.changed.emit()
