"""生成材料: pick a material, preview it, print it or save it as PDF or Word.

Laying out runs off the GUI thread behind a progress dialog that can cancel
(the whole package of a large unit is hundreds of pages). Before anything is
printed or saved, characters no font on this computer has are named. What is
printed or saved is kept (:func:`mingjing.services.materials.keep_snapshot`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mingjing.fonts import FontRegistry
from mingjing.services.material_kinds import KINDS
from mingjing.services.meetings import list_meetings
from mingjing.services.roster import list_members
from mingjing.ui.desk.base import DeskTab
from mingjing.ui.desk.preview import PdfPreview, print_pages
from mingjing.ui.tasks import run_with_progress

NEEDS_MEMBER = {"statement"}
NEEDS_MEETING = {"meeting-plan", "minutes", "package"}
MAY_ANONYMISE = {"disclosure", "package"}


@dataclass(frozen=True)
class Made:
    """A laid-out material: the PDF (always) and what it was made from."""

    kind: str
    title: str
    pdf: bytes
    pages: int
    missing: tuple[str, ...]
    options: str
    sections: tuple[int, ...]
    document: Any
    standins: str = ""
    """Said when the official faces are missing (stand-ins used)."""


class _Cancelled(Exception):
    pass


class MaterialsTab(DeskTab):
    """Signals:
    kept: a printed or saved material was kept (the 留存记录 tab reloads).
    """

    kept = Signal()

    def __init__(self, parent: QWidget | None = None, fonts: FontRegistry | None = None) -> None:
        super().__init__(parent)
        self.fonts = fonts
        self.made: Made | None = None
        outer = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel(self.tr("材料"), left))
        self.kinds = QListWidget(left)
        for key, label in KINDS.items():
            item = QListWidgetItem(label, self.kinds)
            item.setData(Qt.ItemDataRole.UserRole, key)
        self.kinds.setCurrentRow(0)
        self.kinds.currentRowChanged.connect(self._kind_changed)
        column.addWidget(self.kinds, 1)
        form = QFormLayout()
        self.member = QComboBox(left)
        self.member.setMinimumContentsLength(8)
        self.meeting = QComboBox(left)
        self.meeting.setMinimumContentsLength(12)
        self.anonymise = QCheckBox(self.tr("公示中不出现姓名和责任部门"), left)
        form.addRow(self.tr("干部"), self.member)
        form.addRow(self.tr("会议"), self.meeting)
        form.addRow(self.anonymise)
        column.addLayout(form)
        buttons = QHBoxLayout()
        self.preview_button = self.button(self.tr("预览"), self.make, self.tr("排版并在右边显示"))
        self.print_button = self.button(self.tr("打印…"), self.print_material)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.print_button)
        column.addLayout(buttons)
        saves = QHBoxLayout()
        self.pdf_button = self.button(self.tr("存为 PDF…"), lambda: self.save("pdf"))
        self.docx_button = self.button(
            self.tr("存为 Word…"), lambda: self.save("docx"), self.tr("可在 WPS 或 Word 中修改")
        )
        saves.addWidget(self.pdf_button)
        saves.addWidget(self.docx_button)
        column.addLayout(saves)
        self.status = QLabel(left)
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        self.preview = PdfPreview(splitter)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        outer.addWidget(splitter)
        self._kind_changed()

    # ------------------------------------------------------------ choices

    def kind(self) -> str:
        item = self.kinds.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else "package"

    def _kind_changed(self) -> None:
        kind = self.kind()
        self.member.setEnabled(kind in NEEDS_MEMBER)
        self.meeting.setEnabled(kind in NEEDS_MEETING)
        self.anonymise.setEnabled(kind in MAY_ANONYMISE)
        self.made = None
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.context is not None
        for button in (self.preview_button, self.pdf_button, self.docx_button):
            button.setEnabled(ready)
        self.print_button.setEnabled(ready)

    def reload(self) -> None:
        context = self.context
        if context is None:
            return

        def work() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
            members = [
                (m.name, f"{m.name}（{m.position}）" if m.position else m.name)
                for m in list_members(context.db)
            ]
            meetings = [(m.id, m.label) for m in list_meetings(context.db, context.campaign_id)]
            return members, meetings

        self.run(work, self._show_choices)

    def _show_choices(self, result: object) -> None:
        assert isinstance(result, tuple)
        members, meetings = result
        for combo, pairs, none in (
            (self.member, members, self.tr("（名单中还没有人）")),
            (self.meeting, meetings, self.tr("（还没有会议记录）")),
        ):
            current = combo.currentData()
            combo.clear()
            for key, label in pairs:
                combo.addItem(label, key)
            if not pairs:
                combo.addItem(none, None)
            combo.setCurrentIndex(max(combo.findData(current), 0))
        self._update_buttons()
        self.loaded.emit()

    def options(self) -> tuple[str | None, str | None, bool, str]:
        kind = self.kind()
        member = self.member.currentData() if kind in NEEDS_MEMBER else None
        meeting = self.meeting.currentData() if kind in NEEDS_MEETING else None
        anonymise = kind in MAY_ANONYMISE and self.anonymise.isChecked()
        said = []
        if member:
            said.append(self.tr("干部：{0}").format(member))
        if meeting:
            said.append(self.tr("会议：{0}").format(self.meeting.currentText()))
        if anonymise:
            said.append(self.tr("隐去姓名和责任部门"))
        return member, meeting, anonymise, "；".join(said)

    # ------------------------------------------------------------ laying out

    def make(self, then: Any = None) -> None:
        """Lay the chosen material out (off the GUI thread), show it, then ``then(made)``."""
        context = self.context
        if context is None:
            return
        kind = self.kind()
        member, meeting, anonymise, said = self.options()
        fonts = self.fonts
        today = dt.date.today()

        def work(progress: Any, cancelled: Any) -> Made:
            # The layout engines load with the first material, not at start.
            from mingjing.services import materials

            registry = fonts or FontRegistry.discover()
            progress(0, 1, self.tr("正在整理数据"))
            document = materials.build(
                context.db, kind, today=today, member=member, meeting=meeting, anonymise=anonymise
            )

            def page(number: int) -> bool:
                progress(number, max(number + 1, 2), self.tr("正在排版，第 {0} 页").format(number))
                return not cancelled()

            from mingjing.reports.pdf import Cancelled, render_pdf

            try:
                rendered = render_pdf(document, registry, page)
            except Cancelled as exc:
                raise _Cancelled from exc
            return Made(
                kind,
                document.title,
                rendered.data,
                rendered.pages,
                rendered.missing,
                said,
                tuple(p for _, p in rendered.sections),
                document,
                materials.standin_note(registry),
            )

        def done(result: object) -> None:
            assert isinstance(result, Made)
            self.made = result
            self.preview.set_document(result.pdf, result.pages)
            text = self.tr("{0}，共 {1} 页。").format(result.title, result.pages)
            if result.missing:
                text += self.tr("注意：本机字体中没有“{0}”，印出来是“〓”。").format(
                    "”“".join(result.missing)
                )
            if result.standins:
                text += result.standins
            self.status.setText(text)
            self.status.setStyleSheet("color: #a8322d;" if result.missing else "")
            if callable(then):
                then(result)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, _Cancelled):
                self.status.setText(self.tr("已取消排版。"))
                return
            self.report(exc)

        run_with_progress(
            work,
            parent=self,
            title=self.tr("生成{0}").format(KINDS[kind]),
            on_success=done,
            on_failure=failed,
        )

    def _current(self, then: Any) -> None:
        """The laid-out material for the current choices (laid out now if needed)."""
        made = self.made
        said = self.options()[3]
        if made is not None and made.kind == self.kind() and made.options == said:
            then(made)
        else:
            self.make(then)

    @classmethod
    def ask_missing_ok(cls, parent: QWidget, missing: tuple[str, ...]) -> bool:
        return cls.ask_yes(
            parent,
            parent.tr(
                "本机所有字体中都没有这些字：“{0}”。印出来会是“〓”，需要手工补写。"
                "可以先改用常用字或安装含这些字的字体。仍要继续吗？"
            ).format("”“".join(missing)),
            parent.tr("仍要继续"),
        )

    # ------------------------------------------------------------ print, save

    @classmethod
    def ask_printer(cls, parent: QWidget) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        printer.setFullPage(True)  # the PDF has its own GB/T 9704 margins
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(parent.tr("打印"))
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def print_material(self) -> None:
        def go(made: Made) -> None:
            if made.missing and not self.ask_missing_ok(self, made.missing):
                return
            printer = self.ask_printer(self)
            if printer is None:
                return

            def work(progress: Any, cancelled: Any) -> int:
                return print_pages(made.pdf, printer, made.pages, progress, cancelled)

            def printed(sent: object) -> None:
                self.status.setText(self.tr("已送打印机 {0} 页。").format(sent))
                self._keep(made, "pdf", made.pdf)

            run_with_progress(
                work,
                parent=self,
                title=self.tr("打印"),
                on_success=printed,
                on_failure=self.report,
            )

        self._current(go)

    @classmethod
    def ask_save_file(cls, parent: QWidget, suggested: str, file_format: str) -> str | None:
        text = (
            parent.tr("PDF 文件 (*.pdf)")
            if file_format == "pdf"
            else parent.tr("Word 文件 (*.docx)")
        )
        name, _ = QFileDialog.getSaveFileName(parent, parent.tr("保存材料"), suggested, text)
        return name or None

    def save(self, file_format: str) -> None:
        context = self.context
        if context is None:
            return

        def go(made: Made) -> None:
            if made.missing and not self.ask_missing_ok(self, made.missing):
                return
            suggested = str(Path.home() / f"{made.title}.{file_format}")
            name = self.ask_save_file(self, suggested, file_format)
            if name is None:
                return
            out = Path(name)
            if out.suffix.lower() != f".{file_format}":
                out = out.with_name(out.name + f".{file_format}")

            def work(progress: Any, cancelled: Any) -> bytes:
                from mingjing.reports.docx import render_docx
                from mingjing.services.campaigns import write_file_atomically

                data = (
                    made.pdf if file_format == "pdf" else render_docx(made.document, made.sections)
                )
                write_file_atomically(out, data)
                return data

            def saved(data: object) -> None:
                assert isinstance(data, bytes)
                self.status.setText(self.tr("已保存：{0}").format(out))
                self._keep(made, file_format, data)

            run_with_progress(
                work,
                parent=self,
                title=self.tr("保存材料"),
                on_success=saved,
                on_failure=self.report,
            )

        self._current(go)

    def _keep(self, made: Made, file_format: str, data: bytes) -> None:
        context = self.context
        if context is None:
            return

        def work() -> object:
            from mingjing.services import materials

            return materials.keep_snapshot(
                context.db,
                context.location.materials_dir,
                context.campaign_id,
                kind=made.kind,
                title=made.title,
                data=data,
                file_format=file_format,
                pages=made.pages if file_format == "pdf" else 0,  # Word sets its own pages
                options=made.options,
            )

        self.run(work, lambda _: self.kept.emit(), write=True)
