"""整改台账 page: the ledger, the 交办单 issued, and the steps taken with members.

It works on the campaign the office's desk has open (:class:`DeskContext`);
on a cadre's own laptop there is no ledger, and the page says where it is kept.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mingjing.fonts import FontRegistry
from mingjing.ui.desk.assignments import AssignmentsTab, EscalationsTab
from mingjing.ui.desk.base import CampaignPage
from mingjing.ui.desk.ledger import LedgerTab


class LedgerPage(CampaignPage):
    def __init__(self, parent: QWidget | None = None, fonts: FontRegistry | None = None) -> None:
        super().__init__(
            self.tr("整改台账"),
            self.tr(
                "整改台账由办公室在办公室的电脑上建立和维护。"
                "本机还没有专项行动，或者是干部个人使用的电脑。"
            ),
            parent,
        )
        self.ledger = LedgerTab(self.tabs)
        self.assignments = AssignmentsTab(self.tabs, fonts)
        self.escalations = EscalationsTab(self.tabs)
        self.add_tab(self.ledger, self.tr("整改台账"))
        self.add_tab(self.assignments, self.tr("交办单"))
        self.add_tab(self.escalations, self.tr("提醒、函询、诫勉"))
        self.ledger.assigned.connect(self.assignments.show_new)
        self.set_context(None, self.tr("正在读取……"))
