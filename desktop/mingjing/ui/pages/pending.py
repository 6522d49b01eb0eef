"""A page whose work area is not built yet: it says so plainly, with no fake data."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PendingPage(QWidget):
    def __init__(
        self, title: str, who: str, plans: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        heading = QLabel(title, self)
        heading.setObjectName("pageTitle")
        layout.addWidget(heading)
        status = QLabel(self.tr("本页尚在建设中，当前版本还不能在这里办理业务。"), self)
        status.setObjectName("pendingNotice")
        status.setWordWrap(True)
        layout.addWidget(status)
        intro = QLabel(self.tr("使用人员：{0}").format(who), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        listing = QLabel(
            self.tr("建成后可以：")
            + "<ul>"
            + "".join(f"<li>{html.escape(p)}</li>" for p in plans)
            + "</ul>",
            self,
        )
        listing.setTextFormat(Qt.TextFormat.RichText)
        listing.setWordWrap(True)
        layout.addWidget(listing)
        layout.addStretch(1)
