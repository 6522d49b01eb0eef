"""汇总与会诊: the office's page — one campaign, its tabs, and setting it up."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mingjing.config import DataLocation
from mingjing.domain.text import cn_date
from mingjing.services.campaign_setup import (
    CampaignSetup,
    create_campaign,
    current_campaign_id,
    default_setup,
    load_setup,
    update_campaign,
)
from mingjing.ui.desk.base import DeskContext, DeskTab
from mingjing.ui.desk.campaign_dialog import CampaignDialog

log = logging.getLogger(__name__)


class DeskPage(DeskTab):
    """The office's desk. ``changed`` tells the window to refresh the overview."""

    campaign_created = Signal()

    def __init__(self, location: DataLocation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self.db: Any = None
        self.setup_data: CampaignSetup | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        head = QHBoxLayout()
        self.heading = QLabel(self.tr("汇总与会诊"), self)
        self.heading.setObjectName("pageTitle")
        head.addWidget(self.heading)
        head.addStretch(1)
        self.edit_button = QPushButton(self.tr("修改专项行动…"), self)
        self.edit_button.clicked.connect(self.edit_campaign)
        self.export_button = QPushButton(self.tr("导出专项行动文件…"), self)
        self.export_button.setToolTip(
            self.tr("生成 .mjcampaign 文件，分发给干部，在各自电脑上加入并填写自查表")
        )
        self.export_button.clicked.connect(self.export_campaign)
        head.addWidget(self.edit_button)
        head.addWidget(self.export_button)
        outer.addLayout(head)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        outer.addWidget(self.info)

        self.stack = QStackedWidget(self)
        empty = QWidget(self.stack)
        empty_layout = QVBoxLayout(empty)
        self.no_campaign_text = self.tr(
            "本机还没有专项行动。办公室请先建立专项行动（单位、名称、文号、起止日期和自查表），"
            "再导入干部名单，然后导出专项行动文件分发给干部。"
        )
        self.empty_text = QLabel(empty)
        self.empty_text.setWordWrap(True)
        self.create_button = QPushButton(self.tr("建立专项行动…"), empty)
        self.create_button.clicked.connect(self.create_campaign)
        row = QHBoxLayout()
        row.addWidget(self.create_button)
        row.addStretch(1)
        empty_layout.addWidget(self.empty_text)
        empty_layout.addLayout(row)
        empty_layout.addStretch(1)
        self.stack.addWidget(empty)
        self.tabs = QTabWidget(self.stack)
        self.stack.addWidget(self.tabs)
        outer.addWidget(self.stack, 1)
        self._tabs: list[DeskTab] = []
        self._show_empty(self.tr("正在读取……"))
        self.create_button.hide()

    def add_tab(self, tab: DeskTab, title: str) -> None:
        self._tabs.append(tab)
        self.tabs.addTab(tab, title)
        tab.changed.connect(self._tab_changed)

    def tab(self, kind: type[DeskTab]) -> DeskTab:
        return next(t for t in self._tabs if isinstance(t, kind))

    def _tab_changed(self) -> None:
        sender = self.sender()
        for tab in self._tabs:
            if tab is not sender:
                tab.reload()
        self.changed.emit()

    # ------------------------------------------------------------ loading

    def set_database(self, db: Any) -> None:
        self.db = db
        self.reload()

    def reload(self) -> None:
        if self.db is None:
            return
        db = self.db

        location = self.location

        def work() -> tuple[str | None, CampaignSetup | None, str]:
            from mingjing.services.profile import load_profile
            from mingjing.services.roles import SECRETARY, role_of

            profile = load_profile(location.data_dir)
            role = role_of(profile.joined, profile.role)
            cid = current_campaign_id(db)
            return cid, load_setup(db, cid) if cid else None, "" if role == SECRETARY else role

        self.run(work, self._loaded)

    def _loaded(self, result: object) -> None:
        assert isinstance(result, tuple)
        cid: str | None = result[0]
        setup: CampaignSetup | None = result[1]
        self.setup_data = setup
        if result[2]:  # a cadre's or a leader's own laptop: the gathering is at the office
            leader = result[2] == "leader"
            self._show_empty(
                self.tr(
                    "本机是{0}个人使用的电脑，只有本人的自查材料。"
                    "汇总、审核、征求意见和集体会诊由办公室在办公室的电脑上进行。"
                    "请在“个人自查”中填写，完成后提交给办公室。{1}"
                ).format(
                    self.tr("领导") if leader else self.tr("干部"),
                    self.tr("办公室发来的审阅文件请在“领导审阅”中打开。") if leader else "",
                )
            )
            self.create_button.hide()
            self.context = None
            for tab in self._tabs:
                tab.set_context(None)
            self.loaded.emit()
            return
        if cid is None:
            self._show_empty(self.no_campaign_text)
            self.create_button.show()
            self.context = None
            for tab in self._tabs:
                tab.set_context(None)
            self.loaded.emit()
            return
        assert setup is not None
        self.heading.setText(self.tr("汇总与会诊　{0}").format(setup.unit_name))
        when = ""
        if setup.start_date and setup.end_date:
            when = self.tr("　{0}至{1}").format(cn_date(setup.start_date), cn_date(setup.end_date))
        number = f"（{setup.doc_number}）" if setup.doc_number else ""
        self.info.setText(f"{setup.title}{number}{when}")
        self.stack.setCurrentWidget(self.tabs)
        self.edit_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self.context = DeskContext(self.db, self.location, cid)
        for tab in self._tabs:
            tab.set_context(self.context)
        self.loaded.emit()

    def _show_empty(self, text: str) -> None:
        self.empty_text.setText(text)
        self.info.clear()
        self.stack.setCurrentIndex(0)
        self.edit_button.setEnabled(False)
        self.export_button.setEnabled(False)

    # ------------------------------------------------------------ actions

    @classmethod
    def ask_setup(
        cls, parent: QWidget, setup: CampaignSetup, editing: bool
    ) -> CampaignSetup | None:
        dialog = CampaignDialog(setup, editing=editing, parent=parent)
        return dialog.setup() if dialog.exec() == CampaignDialog.DialogCode.Accepted else None

    def create_campaign(self) -> None:
        if self.db is None:
            return
        setup = self.ask_setup(self, default_setup(dt.date.today()), False)
        if setup is None:
            return
        db, location = self.db, self.location

        def done(_: object) -> None:
            self.reload()
            self.changed.emit()
            self.campaign_created.emit()

        self.run(lambda: create_campaign(db, location, setup), done, write=True)

    def edit_campaign(self) -> None:
        if self.context is None or self.setup_data is None:
            return
        setup = self.ask_setup(self, self.setup_data, True)
        if setup is None:
            return
        db, cid = self.context.db, self.context.campaign_id

        def done(_: object) -> None:
            self.reload()
            self.changed.emit()

        self.run(lambda: update_campaign(db, cid, setup), done, write=True)

    @classmethod
    def ask_export_folder(cls, parent: QWidget) -> str | None:
        folder = QFileDialog.getExistingDirectory(
            parent, parent.tr("专项行动文件保存到（可选 U 盘）"), str(Path.home())
        )
        return folder or None

    def export_campaign(self) -> None:
        if self.context is None:
            return
        folder = self.ask_export_folder(self)
        if folder is None:
            return
        db, data_dir = self.context.db, self.context.location.data_dir

        def work() -> Path:
            from mingjing.services.campaigns import export_campaign
            from mingjing.services.identity import load_identity

            return export_campaign(db, Path(folder), load_identity(data_dir))

        def done(path: object) -> None:
            self.tell_info(
                self,
                self.tr(
                    "已导出专项行动文件：\n{0}\n\n请分发给干部，在各自电脑上打开并选择本人。"
                ).format(path),
            )

        self.run(work, done, write=True)
