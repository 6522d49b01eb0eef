"""工作概况: the campaign at a glance — counts and progress, never rankings."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.text import cn_date
from mingjing.services.overview import OwnProgress, Summary

log = logging.getLogger(__name__)


class OverviewPage(QWidget):
    """Shows a :class:`Summary`; the window loads it off the GUI thread.

    Signals:
        populated: the page shows real data (or the empty-database message).
        join_requested: the user wants to join with a campaign file (first run).
        demo_requested: the user wants the fictional demo unit (first run).
        create_requested: the office wants to set up a campaign (first run).
    """

    populated = Signal()
    join_requested = Signal()
    demo_requested = Signal()
    create_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewPage")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        self._body = QWidget(scroll)
        scroll.setWidget(self._body)
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(24, 20, 24, 20)
        self._layout.setSpacing(16)

        self.title = QLabel(self._body)
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)
        self.subtitle = QLabel(self._body)
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.subtitle)
        self._grid = QGridLayout()
        self._grid.setSpacing(16)
        self.first_run = QWidget(self._body)
        row = QHBoxLayout(self.first_run)
        row.setContentsMargins(0, 0, 0, 0)
        self.join_button = QPushButton(self.tr("用专项行动文件加入…"), self.first_run)
        self.join_button.clicked.connect(self.join_requested)
        self.create_button = QPushButton(self.tr("建立专项行动（办公室）…"), self.first_run)
        self.create_button.clicked.connect(self.create_requested)
        self.demo_button = QPushButton(self.tr("生成示例单位（虚构）"), self.first_run)
        self.demo_button.clicked.connect(self.demo_requested)
        row.addWidget(self.join_button)
        row.addWidget(self.create_button)
        row.addWidget(self.demo_button)
        row.addStretch(1)
        self.first_run.hide()
        self._layout.addWidget(self.first_run)
        self._layout.addLayout(self._grid)
        self._layout.addStretch(1)
        self.summary: Summary | None = None
        self.show_loading()

    def show_loading(self) -> None:
        self.title.setText(self.tr("工作概况"))
        self.subtitle.setText(self.tr("正在读取数据……"))

    def show_error(self, message: str) -> None:
        self.title.setText(self.tr("工作概况"))
        self.subtitle.setText(message)
        self.populated.emit()

    def set_summary(self, summary: Summary) -> None:
        self.summary = summary
        self._clear_cards()
        self.first_run.setVisible(summary.campaign is None)
        if summary.campaign is None:
            self.title.setText(self.tr("工作概况"))
            self.subtitle.setText(
                self.tr(
                    "本机还没有专项行动。\n"
                    "干部：请用办公室发来的专项行动文件加入，然后在“个人自查”中填写。\n"
                    "办公室：请建立专项行动，导入干部名单后导出专项行动文件分发给干部；"
                    "也可以先生成一个虚构的示例单位，熟悉程序。"
                )
            )
            self.populated.emit()
            return
        c = summary.campaign
        self.title.setText(f"{c.unit_name}　{c.title}")
        period = (
            self.tr("{0}至{1}").format(cn_date(c.start_date), cn_date(c.end_date))
            if c.start_date and c.end_date
            else self.tr("时间未定")
        )
        parts = [p for p in (c.doc_number, period, self.tr("当前阶段：{0}").format(c.phase)) if p]
        self.subtitle.setText("　｜　".join(parts))
        if summary.own is not None:
            self._show_own(summary.own)
            self.populated.emit()
            return

        checks = dict(summary.self_checks)
        self._add_card(
            0,
            0,
            self.tr("人员与个人自查"),
            [
                (
                    self.tr("参加人员"),
                    self.tr("{0} 人（班子成员 {1} 人）").format(summary.members, summary.leaders),
                ),
                *self._breakdown([(k, self.tr("{0} 人").format(n)) for k, n in checks.items()]),
                (
                    self.tr("已交自查表（含已通过）"),
                    self.tr("{0} / {1} 人").format(summary.handed_in, summary.members),
                ),
            ],
        )
        self._add_card(
            0,
            1,
            self.tr("查摆问题"),
            [
                (self.tr("问题总数"), self.tr("{0} 个").format(summary.problems)),
                *self._breakdown(
                    [
                        (k, self.tr("{0} 个").format(v))
                        for k, v in summary.problems_by_source.items()
                    ]
                ),
                (self.tr("班子问题"), self.tr("{0} 个").format(summary.team_problems)),
                (self.tr("共性问题"), self.tr("{0} 个").format(summary.common_problems)),
            ],
        )
        self._add_card(
            1,
            0,
            self.tr("整改台账"),
            [
                (self.tr("整改事项"), self.tr("{0} 项").format(summary.rectifications)),
                *self._breakdown(
                    [
                        (k, self.tr("{0} 项").format(v))
                        for k, v in summary.rectifications_by_state.items()
                    ]
                ),
                (self.tr("已逾期"), self.tr("{0} 项").format(summary.overdue)),
            ],
        )
        self._add_card(
            1,
            1,
            self.tr("征求意见、会诊与会议"),
            [
                (
                    self.tr("征求意见"),
                    self.tr("{0} 条，梳理为 {1} 条").format(
                        summary.opinions, summary.opinions_after_merge
                    ),
                ),
                (self.tr("集体会诊"), self.tr("{0} 次").format(summary.consultations)),
                *[(k, self.tr("{0} 次").format(v)) for k, v in summary.meetings.items()],
            ],
        )
        self._add_card(
            2,
            0,
            self.tr("问题按方面分布"),
            [(k, self.tr("{0} 个").format(v)) for k, v in summary.problems_by_area.items()],
            span=2,
        )
        self.populated.emit()

    def _breakdown(self, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Sub-rows of the line above, the way statistical tables write 其中."""
        lead = self.tr("其中：")
        pad = "　" * len(lead)
        return [((lead if i == 0 else pad) + label, value) for i, (label, value) in enumerate(rows)]

    def _clear_cards(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _show_own(self, own: OwnProgress) -> None:
        """A staff laptop: this person's own self-check, not the unit's counts."""
        who = f"{own.name}（{own.position}）" if own.position else own.name
        handed = (
            self.tr("第 {0} 次，{1}").format(own.revision, cn_date(own.submitted_on))
            if own.revision and own.submitted_on
            else self.tr("还没有提交")
        )
        lines = [
            (self.tr("状态"), own.state),
            (self.tr("对号入座"), self.tr("已填 {0} / {1} 项").format(own.answered, own.total)),
            (self.tr("查摆问题"), self.tr("{0} 个").format(own.problems)),
            (self.tr("原因剖析"), self.tr("{0} 条").format(own.causes)),
            (self.tr("整改措施"), self.tr("{0} 条").format(own.measures)),
            (self.tr("提交给办公室"), handed),
        ]
        if own.review_comment:
            lines.append((self.tr("办公室意见"), own.review_comment))
        self._add_card(0, 0, self.tr("本人自查　{0}").format(who), lines)
        note = QLabel(
            self.tr(
                "本机是干部个人使用的电脑，只有本人的自查材料；"
                "全单位的汇总情况在办公室。请到“个人自查”中填写和提交。"
            ),
            self._body,
        )
        note.setWordWrap(True)
        self._grid.addWidget(note, 1, 0, 1, 2)

    def _add_card(
        self, row: int, col: int, title: str, lines: list[tuple[str, str]], span: int = 1
    ) -> None:
        box = QGroupBox(title, self._body)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setHorizontalSpacing(24)
        for label, value in lines:
            value_label = QLabel(value, box)
            value_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            form.addRow(QLabel(label, box), value_label)
        self._grid.addWidget(box, row, col, 1, span)
