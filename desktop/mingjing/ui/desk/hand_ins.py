"""收取自查: take in hand-in files, see who has handed in, read and review each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.enums import SelfCheckState
from mingjing.domain.review import ActionView
from mingjing.domain.text import cn_date
from mingjing.exchange.package import SUFFIXES
from mingjing.services.identity import load_identity
from mingjing.services.review import HandIns, HandInStatus, hand_ins, review
from mingjing.services.review_packages import comments_on
from mingjing.services.self_check import SelfCheckView, read_self_check
from mingjing.services.submissions import ImportReport, Outcome, import_submissions
from mingjing.ui.desk.base import DeskTab, RowsTableModel
from mingjing.ui.desk.statement import statement_html
from mingjing.ui.tasks import run_with_progress

AnyIndex = QModelIndex | QPersistentModelIndex

_STATE_COLOURS = {
    "未提交": "#9a3412",
    SelfCheckState.SUBMITTED.label: "#1d4ed8",
    SelfCheckState.RETURNED.label: "#b45309",
    SelfCheckState.ACCEPTED.label: "#15803d",
}


class HandInModel(RowsTableModel):
    HEADERS = ("姓名", "职务", "部门", "状态", "提交次数", "提交时间", "问题数", "审核意见")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[HandInStatus] = []

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                row.name + ("（班子成员）" if row.is_leader else ""),
                row.position,
                row.department,
                row.state_label,
                str(row.revision) if row.revision else "",
                cn_date(row.submitted_at.date()) if row.submitted_at else "",
                str(row.problems) if row.handed_in else "",
                row.review_comment,
            )
            return values[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            colour = _STATE_COLOURS.get(row.state_label)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and column == 7 and row.review_comment:
            return row.review_comment
        return None


class ImportResultDialog(QDialog):
    """One line per file; refused files in red with their reason."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("收取结果"))
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        summary = QLabel(report.summary, self)
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.lines = QListWidget(self)
        names = [line.file.name for line in report.lines]
        for line in report.lines:
            text = line.text
            if names.count(line.file.name) > 1:  # the same name from two folders
                text = f"{line.file.parent.name}/{text}"
            item = QListWidgetItem(text, self.lines)
            item.setToolTip(str(line.file))
            if line.outcome is Outcome.REFUSED:
                item.setForeground(QBrush(QColor("#b91c1c")))
        layout.addWidget(self.lines, 1)
        if report.count(Outcome.REFUSED):
            note = QLabel(
                self.tr("被拒绝的文件没有导入任何内容。请按原因处理后，让本人重新提交或再次收取。"),
                self,
            )
            note.setWordWrap(True)
            layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ReviewDialog(QDialog):
    """Read a hand-in as it will print; accept it or return it with a comment."""

    def __init__(
        self,
        view: SelfCheckView,
        status: HandInStatus,
        parent: QWidget | None = None,
        draft: str = "",
        comments: Sequence[ActionView] = (),
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.decision: str | None = None
        self.setWindowTitle(self.tr("审核自查材料　{0}").format(view.member_name))
        self.resize(900, 680)
        layout = QVBoxLayout(self)
        state = self.tr("第 {0} 次提交，当前状态：{1}").format(status.revision, status.state_label)
        layout.addWidget(QLabel(state, self))
        gaps = []
        if view.answered < view.total:
            gaps.append(self.tr("对号入座还有 {0} 项未填").format(view.total - view.answered))
        if not view.problems:
            gaps.append(self.tr("没有查摆问题"))
        self.gaps = QLabel(self)
        self.gaps.setWordWrap(True)
        self.gaps.setStyleSheet("color: #b91c1c;")
        if gaps:
            self.gaps.setText(
                self.tr("注意：{0}。这样的材料一般应退回补充。").format("，".join(gaps))
            )
        self.gaps.setVisible(bool(gaps))
        layout.addWidget(self.gaps)
        self.browser = QTextBrowser(self)
        self.browser.setHtml(statement_html(view, comments))
        layout.addWidget(self.browser, 1)
        layout.addWidget(
            QLabel(self.tr("审核意见（退回返工时必填，会写入回复文件发给本人）："), self)
        )
        self.comment = QPlainTextEdit(self)
        self.comment.setPlainText(draft or status.review_comment)
        self.comment.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        layout.addWidget(self.comment)
        buttons = QDialogButtonBox(self)
        self.accept_button = buttons.addButton(
            self.tr("审核通过"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.return_button = buttons.addButton(
            self.tr("退回返工"), QDialogButtonBox.ButtonRole.ActionRole
        )
        close = buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        can_accept = status.state is SelfCheckState.SUBMITTED
        can_return = status.state in (SelfCheckState.SUBMITTED, SelfCheckState.ACCEPTED)
        self.accept_button.setEnabled(can_accept)
        self.return_button.setEnabled(can_return)
        # Accepting must be a deliberate click, never Enter by default.
        self.accept_button.setAutoDefault(False)
        self.return_button.setAutoDefault(False)
        close.setDefault(True)
        self.accept_button.clicked.connect(lambda: self._decide("accepted"))
        self.return_button.clicked.connect(lambda: self._decide("returned"))
        close.clicked.connect(self.reject)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    def _decide(self, decision: str) -> None:
        if decision == "returned" and not self.comment.toPlainText().strip():
            self.note.setText(self.tr("退回返工时请写明需要修改的地方。"))
            self.comment.setFocus()
            return
        self.decision = decision
        self.accept()


class HandInsTab(DeskTab):
    """Who has handed in; taking in files (buttons or drag and drop); reviewing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: HandIns | None = None
        self.reply_folder: str | None = None
        self.drafts: dict[str, str] = {}
        """Review comments written but not yet sent, by self-check id."""
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.counts = QLabel(self)
        self.counts.setWordWrap(True)
        bar.addWidget(self.counts, 1)
        self.import_files_button = self.button(
            self.tr("收取提交文件…"),
            self.choose_files,
            tip=self.tr("选择干部交来的 .mjsubmission 文件（可多选）；也可把文件或文件夹拖到这里"),
        )
        self.import_folder_button = self.button(
            self.tr("收取整个文件夹…"),
            self.choose_folder,
            tip=self.tr("收取文件夹（含子文件夹）中的全部提交文件，如整个 U 盘"),
        )
        self.review_button = self.button(self.tr("阅读审核…"), self.review_selected)
        self.remind_button = self.button(
            self.tr("复制未交名单"),
            self.copy_missing,
            tip=self.tr("把还没有提交的人员名单复制到剪贴板，便于通知提醒"),
        )
        for button in (
            self.import_files_button,
            self.import_folder_button,
            self.review_button,
            self.remind_button,
        ):
            bar.addWidget(button)
        layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.model = HandInModel(self)
        self.table = QTableView(splitter)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _: self.review_selected())
        missing_box = QWidget(splitter)
        missing_layout = QVBoxLayout(missing_box)
        missing_layout.setContentsMargins(0, 0, 0, 0)
        self.missing_title = QLabel(self.tr("未提交"), missing_box)
        self.missing = QListWidget(missing_box)
        missing_layout.addWidget(self.missing_title)
        missing_layout.addWidget(self.missing, 1)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        self.setAcceptDrops(True)
        self.last_report: ImportReport | None = None

    # ------------------------------------------------------------ loading

    def reload(self) -> None:
        if self.context is None:
            return
        db, cid = self.context.db, self.context.campaign_id
        self.run(lambda: hand_ins(db, cid), self._show)

    def _show(self, data: object) -> None:
        assert isinstance(data, HandIns)
        self.data = data
        self.model.set_rows(data.members)
        total = len(data.members)
        handed = sum(1 for m in data.members if m.handed_in)
        self.counts.setText(
            self.tr(
                "应交 {0} 人，已交 {1} 人：待审核 {2}，已通过 {3}，退回返工 {4}；未交 {5} 人。"
            ).format(
                total,
                handed,
                data.count(SelfCheckState.SUBMITTED),
                data.count(SelfCheckState.ACCEPTED),
                data.count(SelfCheckState.RETURNED),
                len(data.missing),
            )
        )
        self.missing_title.setText(self.tr("未提交（{0} 人）").format(len(data.missing)))
        self.missing.clear()
        for m in data.missing:
            QListWidgetItem(f"{m.name}　{m.department}", self.missing)
        self.remind_button.setEnabled(bool(data.missing))
        self.loaded.emit()

    # ------------------------------------------------------------ importing

    @classmethod
    def ask_files(cls, parent: QWidget) -> list[str]:
        names, _ = QFileDialog.getOpenFileNames(
            parent,
            parent.tr("收取提交文件"),
            str(Path.home()),
            parent.tr("自查提交文件 (*{0})").format(SUFFIXES["submission"]),
        )
        return list(names)

    @classmethod
    def ask_folder(cls, parent: QWidget) -> str | None:
        folder = QFileDialog.getExistingDirectory(
            parent, parent.tr("收取文件夹中的提交文件"), str(Path.home())
        )
        return folder or None

    @classmethod
    def show_report(cls, parent: QWidget, report: ImportReport) -> None:
        ImportResultDialog(report, parent).exec()

    def choose_files(self) -> None:
        names = self.ask_files(self)
        if names:
            self.import_paths([Path(n) for n in names])

    def choose_folder(self) -> None:
        folder = self.ask_folder(self)
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> None:
        if self.context is None:
            return
        db, data_dir = self.context.db, self.context.location.data_dir

        def work(progress: Any, cancelled: Any) -> ImportReport:
            return import_submissions(
                db,
                paths,
                identity=load_identity(data_dir),
                progress=progress,
                cancelled=cancelled,
            )

        def done(report: object) -> None:
            assert isinstance(report, ImportReport)
            self.last_report = report
            self.reload()
            if any(line.outcome is not Outcome.REFUSED for line in report.lines):
                self.changed.emit()
            if not report.lines and not report.cancelled:
                self.tell_warning(
                    self,
                    self.tr("所选位置中没有自查提交文件（{0}）。").format(SUFFIXES["submission"]),
                )
                return
            self.show_report(self, report)

        run_with_progress(
            work,
            parent=self,
            title=self.tr("收取自查材料"),
            label=self.tr("正在逐个检查并导入提交文件……"),
            on_success=done,
            on_failure=self.report,
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # ------------------------------------------------------------ reminding

    def copy_missing(self) -> None:
        if self.data is None or not self.data.missing:
            return
        names = "、".join(m.name for m in self.data.missing)
        text = self.tr("以下同志尚未提交自查材料，请抓紧完成：{0}。").format(names)
        QGuiApplication.clipboard().setText(text)
        self.tell_info(self, self.tr("已复制到剪贴板：\n\n{0}").format(text))

    # ------------------------------------------------------------ reviewing

    def selected(self) -> HandInStatus | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[rows[0].row()]

    @classmethod
    def ask_review(
        cls,
        parent: QWidget,
        view: SelfCheckView,
        status: HandInStatus,
        draft: str = "",
        comments: Sequence[ActionView] = (),
    ) -> tuple[str, str] | None:
        dialog = ReviewDialog(view, status, parent, draft, comments)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.decision is None:
            return None
        return dialog.decision, dialog.comment.toPlainText().strip()

    @classmethod
    def ask_reply_folder(cls, parent: QWidget, start: str | None) -> str | None:
        folder = QFileDialog.getExistingDirectory(
            parent, parent.tr("审核回复文件保存到（可选 U 盘）"), start or str(Path.home())
        )
        return folder or None

    def review_selected(self) -> None:
        status = self.selected()
        if self.context is None or status is None:
            return
        if not status.handed_in or status.self_check_id is None:
            self.tell_info(self, self.tr("{0} 还没有提交自查材料。").format(status.name))
            return
        db, check_id = self.context.db, status.self_check_id

        def work() -> tuple[SelfCheckView, list[ActionView]]:
            view = read_self_check(db, check_id)
            return view, comments_on(db, [check_id, *(p.id for p in view.problems)])

        self.run(work, lambda got: self._review(got, status))

    def _review(self, got: object, status: HandInStatus) -> None:
        assert isinstance(got, tuple)
        view, comments = got
        assert isinstance(view, SelfCheckView)
        answer = self.ask_review(self, view, status, self.drafts.get(view.id, ""), comments)
        if answer is None or self.context is None:
            return
        decision, comment = answer
        folder = self.ask_reply_folder(self, self.reply_folder)
        if folder is None:
            # Nothing is decided without the reply file; the comment is kept.
            if comment:
                self.drafts[view.id] = comment
            self.tell_info(
                self,
                self.tr(
                    "没有选择回复文件的保存位置，审核结果没有保存。"
                    "所写的意见已保留，再次打开“阅读审核”时仍在。"
                ),
            )
            return
        self.reply_folder = folder
        db, check_id = self.context.db, view.id
        data_dir = self.context.location.data_dir
        reviewer = self._reviewer_name()

        def work() -> Path:
            return review(
                db,
                check_id,
                decision,
                comment,
                Path(folder),
                reviewer=reviewer,
                identity=load_identity(data_dir),
            )

        def done(path: object) -> None:
            self.drafts.pop(view.id, None)
            self.reload()
            self.changed.emit()
            what = self.tr("审核通过") if decision == "accepted" else self.tr("退回返工")
            self.tell_info(
                self,
                self.tr("已{0}，回复文件为：\n{1}\n\n请把它交给{2}，在其电脑上打开。").format(
                    what, path, view.member_name
                ),
            )

        self.run(work, done, write=True)

    def _reviewer_name(self) -> str:
        from mingjing.services.profile import load_profile

        assert self.context is not None
        return load_profile(self.context.location.data_dir).display_name or self.tr("办公室")
