"""领导审阅: the leader's page — the campaign at a glance, statements, 销号, the reply.

A leader opens the review file the office sent (``.mjreview``), reads the
campaign's progress and every statement as it would print, comments (上级点),
raises a problem for a member, returns a statement for rework, approves or
refuses 销号, and writes the reply file for the office. What the leader
writes is kept (and signed) at once; nothing goes anywhere until the reply
is exported.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mingjing.config import DataLocation
from mingjing.domain.review import ActionView
from mingjing.exchange.package import SUFFIXES
from mingjing.services.errors import DomainError, EnvironmentFault
from mingjing.services.leader_review import (
    Dashboard,
    Review,
    current_review,
    dashboard,
    export_reply,
    my_actions,
    open_review,
    record_action,
    withdraw_action,
)
from mingjing.ui.desk.base import RowsTableModel
from mingjing.ui.tasks import run_in_background

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex
TEAM = "team"

_BAR_COLOURS = ("#2563eb", "#0f766e", "#b45309", "#7c3aed")


class BarChart(QWidget):
    """Counts as horizontal bars with their labels and numbers: how much, never who."""

    def __init__(self, title: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.colour = QColor(colour)
        self.values: list[tuple[str, int]] = []
        self.setMinimumWidth(280)

    def set_values(self, values: Sequence[tuple[str, int]]) -> None:
        self.values = list(values)
        self.updateGeometry()
        self.update()

    def _row(self) -> int:
        return self.fontMetrics().height() + 10

    def sizeHint(self) -> QSize:
        return QSize(360, self._row() * (len(self.values) + 1) + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(280, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        row = self._row()
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(0, 0, self.width(), row), Qt.AlignmentFlag.AlignVCenter, self.title)
        painter.setFont(self.font())
        if not self.values:
            painter.drawText(QRectF(0, row, self.width(), row), Qt.AlignmentFlag.AlignVCenter, "无")
            return
        label_width = min(
            max(metrics.horizontalAdvance(label) for label, _ in self.values) + 12,
            int(self.width() * 0.45),
        )
        count_width = metrics.horizontalAdvance("0000") + 8
        span = max(self.width() - label_width - count_width, 20)
        top = max(n for _, n in self.values) or 1
        for i, (label, count) in enumerate(self.values):
            y = row * (i + 1)
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, label_width - 12)
            painter.drawText(
                QRectF(0, y, label_width - 8, row),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                shown,
            )
            length = span * count / top
            painter.fillRect(QRectF(label_width, y + 5, max(length, 2), row - 10), self.colour)
            painter.drawText(
                QRectF(label_width + length + 6, y, count_width, row),
                Qt.AlignmentFlag.AlignVCenter,
                str(count),
            )


class Figure(QFrame):
    """One number with what it counts."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.number = QLabel(self)
        self.number.setObjectName("figureNumber")
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.number.setFont(font)
        self.caption = QLabel(caption, self)
        layout.addWidget(self.number)
        layout.addWidget(self.caption)

    def set(self, text: str, alert: bool = False) -> None:
        self.number.setText(text)
        self.number.setStyleSheet("color: #b91c1c;" if alert else "")


class DashboardView(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        figures = QGridLayout()
        self.handed_in = Figure(self.tr("已提交自查"), body)
        self.problems = Figure(self.tr("查摆问题"), body)
        self.ledger = Figure(self.tr("整改事项"), body)
        self.awaiting = Figure(self.tr("已完成待销号"), body)
        self.overdue = Figure(self.tr("已逾期"), body)
        self.due_soon = Figure(self.tr("7日内到期"), body)
        for i, figure in enumerate(
            (self.handed_in, self.problems, self.ledger, self.awaiting, self.overdue, self.due_soon)
        ):
            figures.addWidget(figure, i // 3, i % 3)
        layout.addLayout(figures)
        charts = QGridLayout()
        self.by_area = BarChart(self.tr("问题按方面"), _BAR_COLOURS[0], body)
        self.by_source = BarChart(self.tr("问题按来源"), _BAR_COLOURS[1], body)
        self.by_state = BarChart(self.tr("整改进度"), _BAR_COLOURS[2], body)
        self.hand_ins = BarChart(self.tr("自查提交情况"), _BAR_COLOURS[3], body)
        charts.addWidget(self.by_area, 0, 0)
        charts.addWidget(self.by_source, 0, 1)
        charts.addWidget(self.by_state, 1, 0)
        charts.addWidget(self.hand_ins, 1, 1)
        layout.addLayout(charts)
        note = QLabel(
            self.tr("这里只统计数量和进度，不对个人排名。"),
            body,
        )
        note.setStyleSheet("color: palette(mid);")
        layout.addWidget(note)
        layout.addStretch(1)
        self.setWidget(body)

    def show_board(self, board: Dashboard) -> None:
        self.handed_in.set(f"{board.handed_in}/{board.members} 人")
        self.problems.set(f"{board.problems} 个")
        self.ledger.set(f"{board.ledger} 项")
        self.awaiting.set(f"{board.awaiting_sign_off} 项")
        self.overdue.set(f"{board.overdue} 项", alert=board.overdue > 0)
        self.due_soon.set(f"{board.due_soon} 项")
        self.by_area.set_values(board.by_area)
        self.by_source.set_values(board.by_source)
        self.by_state.set_values(board.by_state)
        self.hand_ins.set_values(board.hand_in_states)


def blocks_html(blocks: Sequence[dict[str, Any]]) -> str:
    """A statement's printed blocks for a QTextBrowser (text is escaped: it is the member's)."""
    parts: list[str] = []
    for block in blocks:
        style = block.get("style")
        text = escape(str(block.get("text", "")))
        if style == "title":
            parts.append(f"<h2 align='center'>{text}</h2>")
        elif style == "subtitle":
            parts.append(f"<p align='center'>{text}</p>")
        elif style == "heading1":
            parts.append(f"<h3>{text}</h3>")
        elif style in ("heading2", "heading3"):
            parts.append(f"<h4>{text}</h4>")
        elif style == "para":
            align = "center" if block.get("align") == "center" else "justify"
            indent = "\u3000\u3000" if block.get("indent", True) and align != "center" else ""
            parts.append(f"<p align='{align}'>{indent}{text}</p>")
        elif style == "signature":
            parts.append(f"<p align='right'>{text.replace(chr(10), '<br>')}</p>")
        elif style == "table":
            header = "".join(f"<th>{escape(str(h))}</th>" for h in block.get("header", []))
            rows = "".join(
                "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>"
                for r in block.get("rows", [])
            )
            parts.append(
                f"<table border='1' cellspacing='0' cellpadding='4'><tr>{header}</tr>{rows}</table>"
            )
    return "".join(parts)


class LedgerModel(RowsTableModel):
    HEADERS = ("序号", "具体问题", "整改措施", "责任领导", "责任人", "完成时限", "状态", "整改进展")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.decided: dict[str, str] = {}
        self.own: set[str] = set()
        """Rows the leader is responsible for: someone else signs them off."""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            state = row["state_label"]
            if row["id"] in self.own:
                state += "（本人负责）"
            if row["id"] in self.decided:
                state += f"（您：{self.decided[row['id']]}）"
            values = (
                str(row["serial"]),
                row["problem"],
                row["measure"],
                row["leader"],
                row["owner"],
                row["deadline_text"],
                state,
                row["progress"],
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 2, 7):
            return (row["problem"], row["measure"], row["progress"])[(1, 2, 7).index(column)]
        if role == Qt.ItemDataRole.ForegroundRole and column == 5 and row["urgency"] == "overdue":
            return QBrush(QColor("#b91c1c"))
        return None


class ActionsModel(RowsTableModel):
    HEADERS = ("时间", "意见类别", "针对", "内容", "状态")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ActionView] = []

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            when = a.acted_at.astimezone()
            values = (
                f"{when.month}月{when.day}日 {when:%H:%M}",
                a.kind_label,
                a.target_label,
                a.text,
                a.state_label,
            )
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (2, 3):
            return a.target_label if index.column() == 2 else a.text
        return None


class OpinionDialog(QDialog):
    """What the leader writes for one act; ``required`` refuses an empty text."""

    def __init__(
        self, title: str, about: str, prompt: str, required: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.required = required
        layout = QVBoxLayout(self)
        target = QLabel(about, self)
        target.setWordWrap(True)
        target.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(target)
        label = QLabel(prompt, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(110)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(self)
        buttons.addButton(title, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if self.required and not self.value():
            self.text.setFocus()
            return
        self.accept()

    def value(self) -> str:
        return self.text.toPlainText().strip()


class ReviewPage(QWidget):
    """Signals:
    review_opened: a review file was opened (or the kept one read at start).
    """

    review_opened = Signal()
    acted = Signal()

    def __init__(self, location: DataLocation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self.db: Any = None
        self.review: Review | None = None
        self.my_acts: list[ActionView] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        head = QHBoxLayout()
        title = QLabel(self.tr("领导审阅"), self)
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.open_button = QPushButton(self.tr("打开审阅文件…"), self)
        self.open_button.setToolTip(self.tr("打开办公室发来的审阅文件（.mjreview）"))
        self.open_button.clicked.connect(self.choose_review)
        self.export_button = QPushButton(self.tr("导出审阅意见…"), self)
        self.export_button.setToolTip(
            self.tr("把写下的点评、退回和销号意见存成一个文件（加密给办公室），交回办公室")
        )
        self.export_button.clicked.connect(self.export)
        head.addWidget(self.open_button)
        head.addWidget(self.export_button)
        outer.addLayout(head)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        outer.addWidget(self.info)

        self.stack = QStackedWidget(self)
        self.empty = QLabel(self.stack)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack.addWidget(self.empty)
        self.tabs = QTabWidget(self.stack)
        self.stack.addWidget(self.tabs)
        outer.addWidget(self.stack, 1)

        self.board = DashboardView(self.tabs)
        self.tabs.addTab(self.board, self.tr("概况"))
        self.tabs.addTab(self._statements_tab(), self.tr("对照检查材料"))
        self.tabs.addTab(self._ledger_tab(), self.tr("整改销号"))
        self.materials_stack = QStackedWidget(self.tabs)
        self.no_materials = QLabel(
            self.tr("这份审阅文件没有附会议材料汇编。需要时请办公室导出时附上。"),
            self.materials_stack,
        )
        self.no_materials.setWordWrap(True)
        self.no_materials.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.materials_stack.addWidget(self.no_materials)
        self.preview: Any = None
        self._materials_shown = ""
        self.tabs.addTab(self.materials_stack, self.tr("会议材料"))
        self.tabs.currentChanged.connect(self._tab_shown)
        self.tabs.addTab(self._actions_tab(), self.tr("我的意见"))
        self._show_empty(self.tr("正在读取……"))
        self.open_button.setEnabled(False)

    # ------------------------------------------------------------------ tabs

    def _statements_tab(self) -> QWidget:
        tab = QSplitter(Qt.Orientation.Horizontal, self)
        self.people = QListWidget(tab)
        self.people.currentRowChanged.connect(self._show_statement)
        right = QWidget(tab)
        layout = QVBoxLayout(right)
        layout.setContentsMargins(0, 0, 0, 0)
        self.reader = QTextBrowser(right)
        self.reader.setOpenLinks(False)
        # A reading view: larger type and looser lines than the lists around it.
        font = self.reader.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.reader.setFont(font)
        self.reader.document().setDefaultStyleSheet(
            "p { line-height: 160%; margin-bottom: 6px; } h3, h4 { margin-top: 14px; }"
        )
        self.reader.document().setDocumentMargin(18)
        layout.addWidget(self.reader, 1)
        problem_row = QHBoxLayout()
        problem_row.addWidget(QLabel(self.tr("针对问题："), right))
        self.problem_choice = QComboBox(right)
        self.problem_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.problem_choice.setMinimumContentsLength(20)
        problem_row.addWidget(self.problem_choice, 1)
        self.comment_problem_button = QPushButton(self.tr("点评此问题…"), right)
        self.comment_problem_button.clicked.connect(self.comment_problem)
        problem_row.addWidget(self.comment_problem_button)
        layout.addLayout(problem_row)
        buttons = QHBoxLayout()
        self.comment_statement_button = QPushButton(self.tr("点评材料…"), right)
        self.comment_statement_button.clicked.connect(lambda: self.act_on_statement("comment"))
        self.raise_button = QPushButton(self.tr("指出问题（上级点）…"), right)
        self.raise_button.setToolTip(
            self.tr("指出本人没有查摆到的问题，办公室导入后列入其问题，来源为“上级点”")
        )
        self.raise_button.clicked.connect(lambda: self.act_on_statement("raise"))
        self.return_button = QPushButton(self.tr("退回返工…"), right)
        self.return_button.clicked.connect(lambda: self.act_on_statement("return"))
        buttons.addWidget(self.comment_statement_button)
        buttons.addWidget(self.raise_button)
        buttons.addWidget(self.return_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        tab.addWidget(self.people)
        tab.addWidget(right)
        tab.setStretchFactor(1, 1)
        tab.setSizes([200, 800])
        return tab

    def _ledger_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel(self.tr("显示："), tab))
        self.ledger_filter = QComboBox(tab)
        self.ledger_filter.addItem(self.tr("已完成待销号"), "awaiting")
        self.ledger_filter.addItem(self.tr("已逾期"), "overdue")
        self.ledger_filter.addItem(self.tr("全部整改事项"), "all")
        self.ledger_filter.currentIndexChanged.connect(self._fill_ledger)
        filter_row.addWidget(self.ledger_filter)
        filter_row.addStretch(1)
        layout.addLayout(filter_row)
        self.ledger_model = LedgerModel(tab)
        self.ledger_view = QTableView(tab)
        self.ledger_view.setModel(self.ledger_model)
        self.ledger_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ledger_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.ledger_view.setWordWrap(True)
        self.ledger_view.verticalHeader().hide()
        header = self.ledger_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((44, 230, 230, 70, 70, 100, 170)):
            self.ledger_view.setColumnWidth(column, width)
        self.ledger_view.selectionModel().selectionChanged.connect(self._ledger_selected)
        layout.addWidget(self.ledger_view, 1)
        buttons = QHBoxLayout()
        self.approve_button = QPushButton(self.tr("同意销号…"), tab)
        self.approve_button.clicked.connect(lambda: self.act_on_row("approve"))
        self.reject_button = QPushButton(self.tr("不同意销号…"), tab)
        self.reject_button.clicked.connect(lambda: self.act_on_row("reject"))
        self.comment_row_button = QPushButton(self.tr("点评…"), tab)
        self.comment_row_button.clicked.connect(lambda: self.act_on_row("comment"))
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.comment_row_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._ledger_selected()
        return tab

    def _actions_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        self.actions_model = ActionsModel(tab)
        self.actions_view = QTableView(tab)
        self.actions_view.setModel(self.actions_model)
        self.actions_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.actions_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.actions_view.verticalHeader().hide()
        self.actions_view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((110, 130, 320, 320, 80)):
            self.actions_view.setColumnWidth(column, width)
        self.actions_view.selectionModel().selectionChanged.connect(self._action_selected)
        layout.addWidget(self.actions_view, 1)
        row = QHBoxLayout()
        self.withdraw_button = QPushButton(self.tr("删除（未导出的）"), tab)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.withdraw_button.setEnabled(False)
        row.addWidget(self.withdraw_button)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    # ------------------------------------------------------------- loading

    def set_database(self, db: Any) -> None:
        self.db = db
        self.reload()

    def reload(self) -> None:
        """Read the kept review (and this leader's acts) again, off the GUI thread."""
        if self.db is None:
            return
        location, db = self.location, self.db

        def work() -> tuple[Review | None, list[ActionView], str]:
            from mingjing.services.profile import load_profile

            profile = load_profile(location.data_dir)
            review = current_review(location)
            acts = my_actions(db, review) if review is not None else []
            return review, acts, profile.role if profile.joined else ""

        run_in_background(work, parent=self, on_success=self._loaded, on_failure=self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError | EnvironmentFault):
            self._show_empty(
                self.tr(
                    "本机保存的审阅文件不能使用：{0}\n请让办公室重新导出审阅文件后再打开。"
                ).format(exc)
            )
            return
        log.error("reading the review failed", exc_info=exc)
        self._show_empty(self.tr("读取审阅文件时发生程序内部错误。"))

    def _loaded(self, result: object) -> None:
        assert isinstance(result, tuple)
        review, acts, role = result
        self.open_button.setEnabled(role == "leader")
        if role != "leader":
            self.open_button.setToolTip(self.tr("领导在本人的电脑上打开办公室发来的审阅文件"))
        if review is None:
            if role not in ("leader", "staff"):
                text = self.tr(
                    "办公室：给领导的审阅文件在“汇总与会诊 → 领导审阅”中导出，"
                    "领导交回的审阅意见也在那里导入。\n\n"
                    "领导：请先在“个人自查”中用办公室发来的专项行动文件加入，"
                    "再打开办公室发来的审阅文件。"
                )
            elif role == "staff":
                text = self.tr(
                    "领导审阅由单位领导在自己的电脑上进行：查看工作进度和各项材料，"
                    "点评把关（上级点）、退回返工、审批销号。本机是干部个人使用的电脑，无需操作。"
                )
            else:
                text = self.tr(
                    "还没有打开审阅文件。\n\n"
                    "办公室会把审阅文件（以 .mjreview 结尾）发给您。它是加密给您这台电脑的，"
                    "只有本机能打开。打开后可以查看工作进度和每个人的对照检查材料，"
                    "点评把关（上级点）、退回返工、审批销号，最后导出审阅意见交回办公室。"
                )
            self.export_button.setEnabled(False)
            self._show_empty(text)
            return
        self.show_review(review, acts)

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.info.clear()
        self.stack.setCurrentWidget(self.empty)

    def show_review(self, review: Review, acts: list[ActionView]) -> None:
        first = self.review is None or self.review.review_id != review.review_id
        self.review = review
        self.stack.setCurrentWidget(self.tabs)
        self.board.show_board(dashboard(review))
        if first:
            self._fill_people()
            if self.tabs.currentWidget() is self.materials_stack:
                self._fill_materials()
        self._show_actions(acts)
        self._fill_ledger()
        if first:
            self.review_opened.emit()

    def _fill_people(self) -> None:
        review = self.review
        assert review is not None
        self.people.blockSignals(True)
        self.people.clear()
        team = QListWidgetItem(self.tr("领导班子"), self.people)
        team.setData(Qt.ItemDataRole.UserRole, TEAM)
        for s in review.statements:
            item = QListWidgetItem(f"{s['name']}（{s['state_label']}）", self.people)
            item.setData(Qt.ItemDataRole.UserRole, s["self_check_id"])
            item.setToolTip(s["position"])
        self.people.blockSignals(False)
        self.people.setCurrentRow(0)
        self._show_statement(0)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.materials_stack:
            self._fill_materials()

    def _fill_materials(self) -> None:
        """The 会议材料汇编, laid out when its tab is first shown (its width is known then)."""
        review = self.review
        if review is None or self._materials_shown == review.review_id:
            return
        self._materials_shown = review.review_id
        if not review.has_materials:
            self.materials_stack.setCurrentWidget(self.no_materials)
            return
        from mingjing.reports.preview import page_count
        from mingjing.ui.desk.preview import PdfPreview

        if self.preview is None:
            self.preview = PdfPreview(self.materials_stack)
            self.materials_stack.addWidget(self.preview)
        data = review.materials_pdf()
        self.materials_stack.setCurrentWidget(self.preview)
        self.preview.set_document(data, page_count(data))
        # Laid out once the tab has its size: 适合宽度 then fits the real width.
        QTimer.singleShot(0, lambda: self.preview.show_page(self.preview.index))

    def _show_actions(self, acts: list[ActionView]) -> None:
        self.my_acts = acts
        self.actions_model.set_rows(acts)
        self.ledger_model.decided = {
            a.target_id: a.kind_label for a in acts if a.kind in ("approve", "reject")
        }
        self._action_selected()
        review = self.review
        assert review is not None
        drafts = sum(1 for a in acts if a.state == "draft")
        made = review.made_on
        said = self.tr(
            "{0}　{1}　办公室{2}于{3}年{4}月{5}日导出　已写意见 {6} 条，其中未导出 {7} 条"
        ).format(
            review.unit,
            review.campaign_title,
            f"（{review.made_by}）" if review.made_by else "",
            made.year,
            made.month,
            made.day,
            len(acts),
            drafts,
        )
        self.info.setText(said)
        self.export_button.setEnabled(bool(acts))
        self.tabs.setTabText(
            4, self.tr("我的意见（{0}）").format(len(acts)) if acts else "我的意见"
        )

    # ----------------------------------------------------------- statements

    def _current_statement(self) -> dict[str, Any] | None:
        item = self.people.currentItem()
        if item is None or self.review is None:
            return None
        key = item.data(Qt.ItemDataRole.UserRole)
        return None if key == TEAM else self.review.statement(key)

    def _show_statement(self, row: int) -> None:
        review = self.review
        if review is None or row < 0:
            return
        statement = self._current_statement()
        if statement is None:
            html = blocks_html(review.team_blocks)
            problems = list(review.team_problems)
        else:
            html = blocks_html(statement["blocks"])
            problems = list(statement["problems"])
        self.reader.setHtml(html)
        self.problem_choice.clear()
        for p in problems:
            self.problem_choice.addItem(p["text"], p["id"])
            self.problem_choice.setItemData(
                self.problem_choice.count() - 1, p["text"], Qt.ItemDataRole.ToolTipRole
            )
        self.comment_problem_button.setEnabled(bool(problems))
        team = statement is None
        mine = statement is not None and statement["member_id"] == review.leader_id
        self.comment_statement_button.setEnabled(True)
        self.raise_button.setEnabled(not mine)
        self.return_button.setEnabled(
            statement is not None and not mine and statement["state"] in ("submitted", "accepted")
        )
        self.return_button.setToolTip(
            self.tr("领导班子对照检查材料由办公室汇总起草，修改意见请用“点评材料”。")
            if team
            else self.tr("这是您本人的材料，请在“个人自查”中修改。")
            if mine
            else ""
        )
        self.raise_button.setToolTip(
            self.tr("这是您本人的材料，请在“个人自查”中修改。") if mine else ""
        )

    def comment_problem(self) -> None:
        problem_id = self.problem_choice.currentData()
        if problem_id is None:
            return
        text = self.ask_opinion(
            self,
            self.tr("点评"),
            self.tr("问题：{0}").format(self.problem_choice.currentText()),
            self.tr("点评意见："),
            True,
        )
        if text:
            self._record("comment", "problem", problem_id, text)

    def act_on_statement(self, kind: str) -> None:
        review = self.review
        if review is None or self.people.currentItem() is None:
            return
        statement = self._current_statement()
        if statement is None:  # the leadership team's material
            team_titles = {
                "comment": (self.tr("点评"), self.tr("对领导班子对照检查材料的点评意见：")),
                "raise": (
                    self.tr("指出问题"),
                    self.tr("班子没有查摆到、应列入班子问题清单的（来源记为“上级点”）："),
                ),
            }
            if kind not in team_titles:
                return
            title, prompt = team_titles[kind]
            text = self.ask_opinion(self, title, self.tr("领导班子对照检查材料"), prompt, True)
            if text:
                self._record(kind, "team", review.campaign_id, text)
            return
        titles = {
            "comment": (self.tr("点评"), self.tr("对这份材料的点评意见：")),
            "raise": (
                self.tr("指出问题"),
                self.tr("{0}同志没有查摆到、应列为问题的（来源记为“上级点”）：").format(
                    statement["name"]
                ),
            ),
            "return": (
                self.tr("退回返工"),
                self.tr(
                    "退回后，办公室会把意见转给{0}同志，修改后重新提交。请写明需要修改的地方："
                ).format(statement["name"]),
            ),
        }
        title, prompt = titles[kind]
        about = self.tr("{0}（{1}）的对照检查材料").format(statement["name"], statement["position"])
        text = self.ask_opinion(self, title, about, prompt, True)
        if text:
            self._record(kind, "self_check", statement["self_check_id"], text)

    # --------------------------------------------------------------- ledger

    def _fill_ledger(self) -> None:
        review = self.review
        if review is None:
            return
        wanted = self.ledger_filter.currentData()
        rows = list(review.ledger)
        if wanted == "awaiting":
            rows = review.awaiting_sign_off()
        elif wanted == "overdue":
            rows = [r for r in rows if r["urgency"] == "overdue"]
        chosen = self._selected_row()
        self.ledger_model.own = {r["id"] for r in review.ledger if review.responsible_for(r)}
        self.ledger_model.set_rows(rows)
        self.ledger_view.resizeRowsToContents()
        if chosen is not None:  # the same row stays selected after acting on it
            ids = [r["id"] for r in rows]
            if chosen["id"] in ids:
                self.ledger_view.selectRow(ids.index(chosen["id"]))
        self._ledger_selected()

    def _selected_row(self) -> dict[str, Any] | None:
        rows = self.ledger_view.selectionModel().selectedRows()
        return self.ledger_model.rows[rows[0].row()] if rows else None

    def _ledger_selected(self) -> None:
        row = self._selected_row()
        own = row is not None and row["id"] in self.ledger_model.own
        awaiting = row is not None and row["state"] == "awaiting_sign_off" and not own
        self.approve_button.setEnabled(awaiting)
        self.reject_button.setEnabled(awaiting)
        tip = self.tr("这项整改由您负责，由其他领导或主要负责同志审批销号。") if own else ""
        self.approve_button.setToolTip(tip)
        self.reject_button.setToolTip(tip)
        self.comment_row_button.setEnabled(row is not None)

    def act_on_row(self, kind: str) -> None:
        row = self._selected_row()
        if row is None:
            return
        about = self.tr("序号 {0}：{1}\n整改措施：{2}\n整改进展：{3}").format(
            row["serial"], row["problem"], row["measure"], row["progress"] or "（无）"
        )
        titles = {
            "approve": (self.tr("同意销号"), self.tr("核查意见（可不写）："), False),
            "reject": (
                self.tr("不同意销号"),
                self.tr("这项整改会退回“整改中”。请写明还差什么："),
                True,
            ),
            "comment": (self.tr("点评"), self.tr("点评意见："), True),
        }
        title, prompt, required = titles[kind]
        text = self.ask_opinion(self, title, about, prompt, required)
        if text is None:
            return
        self._record(kind, "rectification", row["id"], text)

    # --------------------------------------------------------------- acting

    def _record(self, kind: str, target_kind: str, target_id: str, text: str) -> None:
        review, db, location = self.review, self.db, self.location
        if review is None or db is None:
            return

        def work() -> list[ActionView]:
            record_action(db, location, review, kind, target_kind, target_id, text)
            return my_actions(db, review)

        run_in_background(
            work, parent=self, on_success=self._acted, on_failure=self._failed, in_order=True
        )

    def _acted(self, acts: object) -> None:
        assert isinstance(acts, list)
        self._show_actions(acts)
        self._fill_ledger()
        self.acted.emit()

    def _action_selected(self) -> None:
        rows = self.actions_view.selectionModel().selectedRows()
        chosen = self.actions_model.rows[rows[0].row()] if rows else None
        self.withdraw_button.setEnabled(chosen is not None and chosen.state == "draft")

    def withdraw(self) -> None:
        rows = self.actions_view.selectionModel().selectedRows()
        review, db = self.review, self.db
        if not rows or review is None or db is None:
            return
        chosen = self.actions_model.rows[rows[0].row()]

        def work() -> list[ActionView]:
            withdraw_action(db, chosen.id)
            return my_actions(db, review)

        run_in_background(
            work, parent=self, on_success=self._acted, on_failure=self._failed, in_order=True
        )

    def choose_review(self) -> None:
        path = self.ask_review_file(self)
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> None:
        """Open a review file (also from a double-click on it)."""
        location, db = self.location, self.db
        if db is None:
            return

        def work() -> tuple[Review, list[ActionView]]:
            review = open_review(location, path)
            return review, my_actions(db, review)

        def done(result: object) -> None:
            assert isinstance(result, tuple)
            self.review = None  # a new file: lists filled afresh
            self.show_review(*result)

        run_in_background(work, parent=self, on_success=done, on_failure=self._failed)

    def export(self) -> None:
        review, db, location = self.review, self.db, self.location
        if review is None or db is None:
            return
        drafts = sum(1 for a in self.my_acts if a.state == "draft")
        if not self.my_acts:
            self.tell_info(self, self.tr("还没有写任何意见，无需导出。"))
            return
        folder = self.ask_folder(self)
        if not folder:
            return

        def work() -> tuple[Path, list[ActionView]]:
            path = export_reply(db, location, review, Path(folder))
            return path, my_actions(db, review)

        def done(result: object) -> None:
            assert isinstance(result, tuple)
            path, acts = result
            self._show_actions(acts)
            self.tell_info(
                self,
                self.tr(
                    "已导出审阅意见 {0} 条（其中新写的 {1} 条）：\n{2}\n\n"
                    "文件已加密，只有办公室的电脑能打开。请交回办公室。"
                ).format(len(acts), drafts, path),
            )

        run_in_background(work, parent=self, on_success=done, on_failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError | EnvironmentFault):
            self.tell_warning(self, str(exc))
            return
        log.error("review page action failed", exc_info=exc)
        self.tell_warning(self, self.tr("发生程序内部错误，操作没有完成。"))

    # Dialogs are class methods so that tests can answer them.

    @classmethod
    def ask_opinion(
        cls, parent: QWidget, title: str, about: str, prompt: str, required: bool
    ) -> str | None:
        dialog = OpinionDialog(title, about, prompt, required, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def ask_review_file(cls, parent: QWidget) -> str:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            parent.tr("打开审阅文件"),
            str(Path.home()),
            parent.tr("领导审阅文件 (*{0})").format(SUFFIXES["review"]),
        )
        return name

    @classmethod
    def ask_folder(cls, parent: QWidget) -> str:
        return QFileDialog.getExistingDirectory(
            parent, parent.tr("审阅意见存到哪个文件夹（如U盘）"), str(Path.home())
        )

    @classmethod
    def tell_info(cls, parent: QWidget, text: str) -> None:
        QMessageBox.information(parent, parent.tr("明镜"), text)

    @classmethod
    def tell_warning(cls, parent: QWidget, text: str) -> None:
        QMessageBox.warning(parent, parent.tr("明镜"), text)


__all__: Sequence[str] = ("BarChart", "ReviewPage", "blocks_html")
