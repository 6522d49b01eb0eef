"""会议材料 page: make the materials, keep the meetings' records, see what went out.

It works on the campaign the office's desk has open (:class:`DeskContext`);
a cadre's laptop has no materials to make, and the page says so.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mingjing.fonts import FontRegistry
from mingjing.ui.desk.base import CampaignPage
from mingjing.ui.desk.materials import MaterialsTab
from mingjing.ui.desk.meetings import MeetingsTab
from mingjing.ui.desk.snapshots import SnapshotsTab


class MaterialsPage(CampaignPage):
    def __init__(self, parent: QWidget | None = None, fonts: FontRegistry | None = None) -> None:
        super().__init__(
            self.tr("会议材料"),
            self.tr(
                "会议材料由办公室在办公室的电脑上生成。"
                "本机还没有专项行动，或者是干部个人使用的电脑。"
            ),
            parent,
        )
        self.materials = MaterialsTab(self.tabs, fonts)
        self.meetings = MeetingsTab(self.tabs)
        self.snapshots = SnapshotsTab(self.tabs)
        self.add_tab(self.materials, self.tr("生成材料"))
        self.add_tab(self.meetings, self.tr("会议记录"))
        self.add_tab(self.snapshots, self.tr("留存记录"))
        self.materials.kept.connect(self.snapshots.reload)
        self.set_context(None, self.tr("正在读取……"))
