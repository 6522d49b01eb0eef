"""A PDF seen page by page inside the window, and printed through the system dialog.

Pages are drawn by PDFium (:mod:`mingjing.reports.preview`) off the GUI
thread, one at a time at the width of the view, so an 80-page package costs
the memory of one page. Printing paints each page at the printer's resolution
on a worker thread (QPainter may paint on a QPrinter outside the GUI thread).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QImage,
    QKeyEvent,
    QPainter,
    QPalette,
    QPixmap,
    QResizeEvent,
    QTransform,
)
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mingjing.ui.tasks import run_in_background

if TYPE_CHECKING:  # PDFium loads with the first page shown, not at start
    from mingjing.reports.preview import PageImage


def to_image(page: PageImage) -> QImage:
    fmt = QImage.Format.Format_BGR888 if page.channels == 3 else QImage.Format.Format_RGB32
    return QImage(page.pixels, page.width, page.height, page.stride, fmt).copy()


class PdfPreview(QWidget):
    """Signals:
    page_shown(index, pages): a page is on screen.
    """

    page_shown = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: bytes | None = None
        self.index = 0
        self.pages = 0
        self.label = ""
        self._wanted = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("上一页"), self)
        self.previous_button.clicked.connect(lambda: self.show_page(self.index - 1))
        self.next_button = QPushButton(self.tr("下一页"), self)
        self.next_button.clicked.connect(lambda: self.show_page(self.index + 1))
        self.where = QLabel(self)
        self.jump = QSpinBox(self)
        self.jump.setPrefix(self.tr("转到第 "))
        self.jump.setSuffix(self.tr(" 页"))
        self.jump.setKeyboardTracking(False)
        self.jump.valueChanged.connect(lambda n: self.show_page(n - 1))
        self.fit = QComboBox(self)
        self.fit.addItem(self.tr("适合宽度"), "width")
        self.fit.addItem(self.tr("整页"), "page")
        self.fit.currentIndexChanged.connect(lambda: self.show_page(self.index))
        bar.addWidget(self.previous_button)
        bar.addWidget(self.where)
        bar.addWidget(self.next_button)
        bar.addWidget(self.jump)
        bar.addStretch(1)
        bar.addWidget(self.fit)
        layout.addLayout(bar)
        self.area = QScrollArea(self)
        self.area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.area.setBackgroundRole(QPalette.ColorRole.Dark)
        self.page = QLabel(self.area)
        self.page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setWidget(self.page)
        self.area.setWidgetResizable(False)
        layout.addWidget(self.area, 1)
        self.clear(self.tr("选择材料，点“预览”。"))

    def clear(self, text: str) -> None:
        self.data = None
        self.pages = 0
        self.page.setPixmap(QPixmap())
        self.page.setText(text)
        self.page.adjustSize()
        self._update_bar()

    def set_document(self, data: bytes, pages: int) -> None:
        self.data = data
        self.pages = pages
        self.show_page(0)

    def _update_bar(self) -> None:
        text = self.tr("第 {0} / {1} 页").format(self.index + 1, self.pages) if self.pages else ""
        if self.label and self.label != str(self.index + 1):
            # In a package the sheets and the printed numbers differ.
            text += self.tr("（{0}）").format(
                self.label if not self.label.isdigit() else self.tr("页码 {0}").format(self.label)
            )
        self.where.setText(text)
        self.previous_button.setEnabled(self.pages > 0 and self.index > 0)
        self.next_button.setEnabled(self.index + 1 < self.pages)
        self.jump.blockSignals(True)
        self.jump.setRange(1, max(self.pages, 1))
        self.jump.setValue(self.index + 1)
        self.jump.setEnabled(self.pages > 1)
        self.jump.blockSignals(False)

    def show_page(self, index: int) -> None:
        if self.data is None or not 0 <= index < self.pages:
            return
        self.index = index
        self.label = ""  # until this page's own label is read with it
        self._wanted += 1
        wanted = self._wanted
        data = self.data
        ratio = self.devicePixelRatioF()
        width = int(max(self.area.viewport().width() - 24, 300) * ratio)
        height = (
            int(max(self.area.viewport().height() - 8, 300) * ratio)
            if self.fit.currentData() == "page"
            else None
        )

        from mingjing.reports.preview import PageImage, render_page

        def shown(page: object) -> None:
            if wanted != self._wanted or not isinstance(page, PageImage):
                return  # a later page was asked for meanwhile
            pixmap = QPixmap.fromImage(to_image(page))
            pixmap.setDevicePixelRatio(self.devicePixelRatioF())
            self.page.setPixmap(pixmap)
            self.page.adjustSize()
            self.area.verticalScrollBar().setValue(0)
            self.label = page.label
            self._update_bar()
            self.page_shown.emit(page.page, page.pages)

        run_in_background(
            lambda: render_page(data, index, width=width, height=height),
            parent=self,
            on_success=shown,
            on_failure=lambda exc: self.clear(self.tr("无法显示这一页：{0}").format(exc)),
        )
        self._update_bar()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_PageDown:
            self.show_page(self.index + 1)
        elif event.key() == Qt.Key.Key_PageUp:
            self.show_page(self.index - 1)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.data is not None and abs(event.size().width() - event.oldSize().width()) > 40:
            self.show_page(self.index)


def print_pages(
    data: bytes,
    printer: QPrinter,
    pages: int,
    progress: Callable[[int, int, str], None],
    cancelled: Callable[[], bool],
) -> int:
    """Paint each page on ``printer`` at its resolution (run off the GUI thread);
    returns the pages sent. Every page is fitted to the printable area."""
    from mingjing.reports.preview import render_page

    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("打印机无法开始打印，请检查打印机是否可用。")
    sent = 0
    try:
        dpi = float(min(printer.resolution(), 300))
        for index in range(pages):
            if cancelled():
                printer.abort()
                break
            progress(index, pages, f"第 {index + 1} 页")
            if index:
                printer.newPage()
            image = to_image(render_page(data, index, dpi))
            area = painter.viewport()
            if (image.width() > image.height()) != (area.width() > area.height()):
                # A turned page (the ledger) on upright paper: turn it back.
                image = image.transformed(QTransform().rotate(90))
            scaled = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(
                area.x(),
                area.y(),
                image.scaled(
                    scaled,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                ),
            )
            sent += 1
    finally:
        painter.end()
    return sent
