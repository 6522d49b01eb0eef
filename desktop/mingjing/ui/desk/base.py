"""What every tab of the office's desk shares: the database, the campaign, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mingjing.config import DataLocation
from mingjing.services.errors import DomainError, EnvironmentFault
from mingjing.ui.tasks import run_in_background

log = logging.getLogger(__name__)


AnyIndex = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel):
    """A flat table of ``rows`` under the column titles in ``HEADERS``; subclasses
    give ``data`` (and keep ``rows`` in whatever sequence suits them)."""

    HEADERS: tuple[str, ...] = ()
    rows: Any = ()

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show ``rows`` instead of what was shown (a model reset)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.HEADERS[section])
        return None


@dataclass(frozen=True)
class DeskContext:
    db: Any
    location: DataLocation
    campaign_id: str


class DeskTab(QWidget):
    """A tab of the desk. Reads and writes go through :meth:`run`, off the GUI thread.

    Signals:
        changed: this tab changed data that other tabs (and the overview) show.
        loaded: the tab shows fresh data.
    """

    changed = Signal()
    loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: DeskContext | None = None
        self._generation = 0

    def set_context(self, context: DeskContext | None) -> None:
        self.context = context
        if context is not None:
            self.reload()

    def reload(self) -> None:
        """Read the tab's data again (subclasses)."""

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        *,
        write: bool = False,
    ) -> None:
        """Run ``work`` off the GUI thread, then ``done`` with its result.

        A read whose answer arrives after a later read was started is dropped,
        so a slow old answer never replaces a newer one. Writes queue in order.
        """
        if write:
            run_in_background(
                work, parent=self, on_success=done, on_failure=self.report, in_order=True
            )
            return
        self._generation += 1
        generation = self._generation

        def latest(result: Any) -> None:
            if generation == self._generation:
                done(result)

        run_in_background(work, parent=self, on_success=latest, on_failure=self.report)

    def report(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError | EnvironmentFault):
            self.tell_warning(self, str(exc))
            return
        log.error("desk action failed", exc_info=exc)
        where = self.context.location.log_file if self.context else "logs/mingjing.log"
        self.tell_warning(
            self, self.tr("发生程序内部错误。请将日志文件 {0} 发给技术支持人员。").format(where)
        )

    def filter_row(
        self, combos: Sequence[tuple[str, QComboBox]], placeholder: str, *extra: QWidget
    ) -> QHBoxLayout:
        """Labelled filter lists, ``extra`` widgets, then a search field (``self.search``)
        taking the rest of the row. A change of list, or a pause in typing, calls
        :meth:`filters_changed`."""
        row = QHBoxLayout()
        for label, combo in combos:
            row.addWidget(QLabel(label, self))
            row.addWidget(combo)
            combo.currentIndexChanged.connect(self.filters_changed)
        for widget in extra:
            row.addWidget(widget)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        row.addWidget(self.search, 1)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(250)
        self._typing.timeout.connect(self.filters_changed)
        self.search.textChanged.connect(self._typing.start)
        return row

    def filters_changed(self) -> None:
        """Read again with the filters as they are now."""
        if hasattr(self, "_typing"):
            self._typing.stop()
        self.reload()

    def button(self, text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
        """A push button of this tab that calls ``slot`` when clicked."""
        made = QPushButton(text, self)
        if tip:
            made.setToolTip(tip)
        made.clicked.connect(lambda: slot())
        return made

    # Dialogs are class methods so that tests can answer them.

    @classmethod
    def tell_warning(cls, parent: QWidget, text: str) -> None:
        QMessageBox.warning(parent, parent.tr("明镜"), text)

    @classmethod
    def tell_info(cls, parent: QWidget, text: str) -> None:
        QMessageBox.information(parent, parent.tr("明镜"), text)

    @classmethod
    def ask_yes(cls, parent: QWidget, text: str, yes: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, parent.tr("明镜"), text, parent=parent)
        ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(parent.tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is ok


class CampaignPage(QWidget):
    """A page of tabs working on the campaign the office's desk has open; without
    one (a cadre's laptop, or before the first campaign) it says where the work is.

    Signals:
        changed: a tab changed data others show (the overview, the desk).
    """

    changed = Signal()

    def __init__(self, title: str, nowhere: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.nowhere = nowhere
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel(f"<h2>{title}</h2>", self))
        self.stack = QStackedWidget(self)
        self.empty = QLabel(self.stack)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.empty)
        self.tabs = QTabWidget(self.stack)
        self.stack.addWidget(self.tabs)
        outer.addWidget(self.stack, 1)
        self._tabs: list[DeskTab] = []

    def add_tab(self, tab: DeskTab, title: str) -> None:
        self._tabs.append(tab)
        self.tabs.addTab(tab, title)
        tab.changed.connect(self._tab_changed)

    def set_context(self, context: DeskContext | None, why: str = "") -> None:
        if context is None:
            self.empty.setText(why or self.nowhere)
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.tabs)
        for tab in self._tabs:
            tab.set_context(context)

    def reload(self) -> None:
        for tab in self._tabs:
            tab.reload()

    def _tab_changed(self) -> None:
        sender = self.sender()
        for tab in self._tabs:
            if tab is not sender:
                tab.reload()
        self.changed.emit()
