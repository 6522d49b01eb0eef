"""交办单 and 提醒/函询/诫勉: the slips issued and the steps taken with members.

交办单: each slip with its rows, receipt, and a plain print (the laid-out one
is the materials' job). Escalation: the members whose rows stay overdue,
with the step the rules suggest next, and the record of steps taken.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mingjing.fonts import FontRegistry
from mingjing.services import ledger as service
from mingjing.services.ledger import AssignmentView, EscalationView, LedgerChoices, Suggestion
from mingjing.ui.desk.base import DeskTab, RowsTableModel
from mingjing.ui.desk.ledger_dialogs import EscalationDialog, date_edit, pydate
from mingjing.ui.desk.preview import print_pages
from mingjing.ui.tasks import run_with_progress

AnyIndex = QModelIndex | QPersistentModelIndex


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class AssignmentModel(RowsTableModel):
    HEADERS = ("编号", "承办", "交办日期", "办结时限", "事项", "签收")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AssignmentView] = []

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        a = self.rows[index.row()]
        received = _day(a.received_on) if a.received_on else self.tr("未签收")
        return (
            a.number,
            a.issued_to,
            _day(a.issued_on),
            _day(a.due_date),
            self.tr("{0} 项").format(len(a.rows)),
            received,
        )[index.column()]


def assignment_html(view: AssignmentView, unit: str) -> str:
    """A plain, printable 交办单 (one page; the GB/T 9704 one is the materials' job)."""
    from html import escape

    rows = "".join(
        "<tr>"
        f"<td align='center'>{n}</td><td align='center'>{r.serial}</td>"
        f"<td>{escape(r.problem)}</td><td>{escape(r.measure)}</td>"
        f"<td align='center'>{escape(r.owner or r.department)}</td>"
        f"<td align='center'>{escape(r.deadline_text)}</td>"
        "</tr>"
        for n, r in enumerate(view.rows, 1)
    )
    note = f"<p>工作要求：{escape(view.note)}</p>" if view.note else ""
    if view.received_on is not None:
        d = view.received_on
        receipt = f"签收人：________________　签收日期：{d.year}年{d.month}月{d.day}日"
    else:
        receipt = "签收人：________________　签收日期：______年____月____日"
    return (
        f"<h2 align='center'>{escape(unit)}整改事项交办单</h2>"
        f"<p align='right'>{escape(view.number)}</p>"
        f"<p>承办：{escape(view.issued_to)}</p>"
        f"<p>交办日期：{_day(view.issued_on)}　　办结时限：{_day(view.due_date)}</p>"
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
        "<tr><th>序</th><th>台账序号</th><th>具体问题</th><th>整改措施</th>"
        "<th>责任人</th><th>完成时限</th></tr>"
        f"{rows}</table>{note}"
        f"<p>交办人：{escape(view.issued_by or '________________')}</p>"
        f"<p>{receipt}</p>"
    )


class AssignmentsTab(DeskTab):
    """The 交办单 issued, one selected shown as it prints; 签收 and print."""

    def __init__(self, parent: QWidget | None = None, fonts: FontRegistry | None = None) -> None:
        super().__init__(parent)
        self.unit = ""
        self.fonts = fonts
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("在“整改台账”中选中事项，点“交办…”签发交办单。"), self))
        actions = QHBoxLayout()
        self.count = QLabel(self)
        actions.addWidget(self.count, 1)
        self.receipt_date = date_edit(dt.date.today(), self)
        self.receipt_button = self.button(self.tr("登记签收"), self.record_receipt)
        self.print_button = self.button(self.tr("打印…"), self.print_slip)
        self.pdf_button = self.button(self.tr("存为 PDF…"), self.save_pdf)
        self.copy_button = self.button(self.tr("复制文字"), self.copy_text)
        actions.addWidget(QLabel(self.tr("签收日期："), self))
        for widget in (
            self.receipt_date,
            self.receipt_button,
            self.print_button,
            self.pdf_button,
            self.copy_button,
        ):
            actions.addWidget(widget)
        layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.model = AssignmentModel(self)
        self.table = QTableView(splitter)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        self.slip = QTextBrowser(splitter)
        splitter.setSizes([200, 400])
        layout.addWidget(splitter, 1)
        self._selected()

    def reload(self) -> None:
        if self.context is None:
            return
        db, cid = self.context.db, self.context.campaign_id

        def work() -> tuple[list[AssignmentView], str]:
            from mingjing.services.campaign_setup import load_setup

            return service.list_assignments(db, cid, today=dt.date.today()), load_setup(
                db, cid
            ).unit_name

        self.run(work, self._show)

    def _show(self, result: object) -> None:
        assert isinstance(result, tuple)
        views, self.unit = result
        current = self.current()
        self.model.set_rows(views)
        waiting = sum(1 for v in views if v.received_on is None)
        self.count.setText(self.tr("共 {0} 份交办单，未签收 {1} 份").format(len(views), waiting))
        chosen = next((n for n, v in enumerate(views) if current and v.id == current.id), None)
        if chosen is None and views:
            chosen = len(views) - 1  # the latest slip, shown as it prints
        if chosen is not None:
            self.table.selectRow(chosen)
        self._selected()
        self.loaded.emit()

    def show_new(self, view: object) -> None:
        """A slip just issued in the ledger: reload and select it."""
        if isinstance(view, AssignmentView):
            self.reload()

    def current(self) -> AssignmentView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selected(self) -> None:
        view = self.current()
        for button in (self.receipt_button, self.print_button, self.pdf_button, self.copy_button):
            button.setEnabled(view is not None)
        self.receipt_button.setEnabled(view is not None and view.received_on is None)
        self.slip.setHtml(assignment_html(view, self.unit) if view else "")

    def record_receipt(self) -> None:
        view = self.current()
        if self.context is None or view is None:
            return
        db, on = self.context.db, pydate(self.receipt_date.date())

        def done(_: object) -> None:
            self.reload()
            self.changed.emit()

        self.run(lambda: service.record_receipt(db, view.id, on), done, write=True)

    def copy_text(self) -> None:
        view = self.current()
        if view is not None:
            QGuiApplication.clipboard().setText(service.assignment_text(view, self.unit))

    @classmethod
    def ask_pdf_file(cls, parent: QWidget, suggested: str) -> str | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, parent.tr("交办单存为 PDF"), suggested, parent.tr("PDF 文件 (*.pdf)")
        )
        return name or None

    @classmethod
    def ask_printer(cls, parent: QWidget) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)  # the slip has its own GB/T 9704 margins
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(parent.tr("打印交办单"))
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _laid_out(self, view: AssignmentView) -> Any:
        """The slip laid out like the other materials (GB/T 9704), as PDF bytes."""
        from mingjing.reports.pdf import render_pdf
        from mingjing.services.materials import assignment_document

        # The window's registry (faces found once at start); a tab on its own
        # in a test finds them here.
        fonts = self.fonts or FontRegistry.discover()
        return render_pdf(assignment_document(view, self.unit), fonts)

    def print_slip(self) -> None:
        view = self.current()
        if view is None:
            return
        printer = self.ask_printer(self)
        if printer is None:
            return

        def work(progress: Any, cancelled: Any) -> int:
            rendered = self._laid_out(view)
            return print_pages(rendered.data, printer, rendered.pages, progress, cancelled)

        run_with_progress(
            work,
            parent=self,
            title=self.tr("打印交办单"),
            on_success=lambda _sent: None,
            on_failure=self.report,
        )

    def save_pdf(self) -> None:
        view = self.current()
        if view is None:
            return
        name = self.ask_pdf_file(self, str(Path.home() / f"{view.number}.pdf"))
        if not name:
            return

        def work(progress: Any, cancelled: Any) -> str:
            from mingjing.services.campaigns import write_file_atomically

            write_file_atomically(Path(name), self._laid_out(view).data)
            return name

        run_with_progress(
            work,
            parent=self,
            title=self.tr("交办单存为 PDF"),
            on_success=lambda saved: self.tell_info(self, self.tr("已存为 {0}").format(saved)),
            on_failure=self.report,
        )


class EscalationModel(RowsTableModel):
    HEADERS = ("日期", "对象", "措施", "处理人", "事由", "台账序号")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[EscalationView] = []

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        e = self.rows[index.row()]
        return (
            e.on_date.isoformat(),
            e.member,
            e.level_label,
            e.by,
            e.reason,
            str(e.row_serial) if e.row_serial else "",
        )[index.column()]


class SuggestionModel(RowsTableModel):
    HEADERS = ("对象", "建议措施", "逾期事项（台账序号）", "已采取措施")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Suggestion] = []

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        s = self.rows[index.row()]
        return (
            s.member,
            s.advice,
            "、".join(str(n) for n in s.overdue_rows),
            s.last_step or self.tr("（尚未处理）"),
        )[index.column()]


class EscalationsTab(DeskTab):
    """Members not rectifying in earnest: what the rules suggest, and what was done."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options: LedgerChoices | None = None
        layout = QVBoxLayout(self)
        self.suggest_title = QLabel(self)
        self.suggest_title.setWordWrap(True)
        layout.addWidget(self.suggest_title)
        self.suggestions = SuggestionModel(self)
        self.suggest_table = QTableView(self)
        self.suggest_table.setModel(self.suggestions)
        self.suggest_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.suggest_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.suggest_table.verticalHeader().hide()
        self.suggest_table.horizontalHeader().setStretchLastSection(True)
        self.suggest_table.doubleClicked.connect(lambda _: self.record())
        layout.addWidget(self.suggest_table, 1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.record_button = self.button(
            self.tr("记录提醒、函询、诫勉…"), self.record, self.tr("按所选建议（或另选对象）记录")
        )
        actions.addWidget(self.record_button)
        layout.addLayout(actions)
        layout.addWidget(QLabel(self.tr("已采取的措施："), self))
        self.steps = EscalationModel(self)
        self.steps_table = QTableView(self)
        self.steps_table.setModel(self.steps)
        self.steps_table.verticalHeader().hide()
        self.steps_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.steps_table, 2)

    def set_context(self, context: Any) -> None:
        self.options = None
        super().set_context(context)

    def reload(self) -> None:
        if self.context is None:
            return
        db, cid, today = self.context.db, self.context.campaign_id, dt.date.today()

        def work() -> tuple[LedgerChoices, list[Suggestion], list[EscalationView]]:
            return (
                service.choices(db, cid),
                service.suggest_escalations(db, cid, today=today),
                service.list_escalations(db, cid),
            )

        self.run(work, self._show)

    def _show(self, result: object) -> None:
        assert isinstance(result, tuple)
        self.options, suggestions, steps = result
        self.suggestions.set_rows(suggestions)
        self.steps.set_rows(steps)
        for table in (self.suggest_table, self.steps_table):
            table.resizeColumnsToContents()
        if suggestions:
            self.suggest_title.setText(
                self.tr(
                    "以下 {0} 人有逾期未整改的事项（党组书记除外）。建议措施按 提醒 → 函询 → "
                    "诫勉 → 严肃处理 逐级提出：尚未处理的先提醒，上一步已过 {1} 天仍逾期的"
                    "提出下一步，未满 {1} 天的列为观察。"
                ).format(len(suggestions), service.ESCALATION_WAIT_DAYS)
            )
        else:
            self.suggest_title.setText(self.tr("没有需要提醒、函询或诫勉的人员。"))
        self.loaded.emit()

    @classmethod
    def ask_escalation(
        cls, parent: QWidget, options: LedgerChoices, suggestion: Suggestion | None
    ) -> dict[str, Any] | None:
        dialog = EscalationDialog(options, dt.date.today(), suggestion, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def record(self) -> None:
        if self.context is None or self.options is None:
            return
        rows = self.suggest_table.selectionModel().selectedRows()
        suggestion = self.suggestions.rows[rows[0].row()] if rows else None
        given = self.ask_escalation(self, self.options, suggestion)
        if given is None:
            return
        db, cid = self.context.db, self.context.campaign_id

        def done(_: object) -> None:
            self.reload()
            self.changed.emit()

        self.run(lambda: service.escalate(db, cid, **given), done, write=True)
