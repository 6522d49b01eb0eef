"""The ledger's table model: pages of rows read on demand, never the whole ledger.

``rowCount`` is the filtered count; ``data`` asks the service for the page a
row is on the first time it is shown and keeps a few pages. A ledger of
100,000 rows opens with two queries (the count and the first page) and
holds at most :data:`KEEP_PAGES` × :data:`PAGE` rows in memory however far
the user scrolls. Sorting is the database's (``ORDER BY``), filtering too.

Cells the office edits in place (具体问题, 整改措施, 整改目标, 责任部门,
配合部门, 完成时限, 备注) are written through :attr:`edit`, which the tab
routes through its undo stack.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from mingjing.domain.rules import Urgency
from mingjing.services.ledger import LedgerFilter, LedgerRow, count_rows, page_rows

AnyIndex = QModelIndex | QPersistentModelIndex
PAGE = 200
KEEP_PAGES = 8
ID_ROLE = Qt.ItemDataRole.UserRole

# (header, sort key, editable column, width)
COLUMNS: tuple[tuple[str, str | None, str | None, int], ...] = (
    ("序号", "serial", None, 44),
    ("问题方面", "area", None, 96),
    ("具体问题", "problem", "problem_text", 220),
    ("问题来源", "source", None, 64),
    ("整改措施", "measure", "measure", 240),
    ("整改目标", "target", "target", 140),
    ("责任领导", "leader", None, 64),
    ("责任部门", "department", "responsible_department", 96),
    ("配合部门", None, "cooperating_departments", 96),
    ("责任人", "owner", None, 60),
    ("完成时限", "deadline", "deadline", 86),
    ("整改进展", None, None, 200),
    ("状态", "state", None, 84),
    ("备注", "remarks", "remarks", 120),
)
COLUMN_OF = {key: n for n, (_, key, _, _) in enumerate(COLUMNS) if key}
RED = QColor("#b91c1c")
YELLOW = QColor("#fef3c7")
PINK = QColor("#fee2e2")
GREY = QColor("#6b7280")


class LedgerModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.db: Any = None
        self.campaign_id = ""
        self.where = LedgerFilter()
        self.sort_key = "serial"
        self.descending = False
        self.today = dt.date.today()
        self.total = 0
        self._pages: OrderedDict[int, list[LedgerRow]] = OrderedDict()
        self.edit: Callable[[LedgerRow, str, Any], bool] | None = None
        """Set by the tab: write one cell (through the undo stack); True if written."""
        self.sort_requested: Callable[[str, bool], None] | None = None

    # ------------------------------------------------------------ queries

    def show(self, total: int, first: list[LedgerRow], *, today: dt.date) -> None:
        """Take a count and first page read off the GUI thread."""
        self.beginResetModel()
        self.today = today
        self.total = total
        self._pages.clear()
        if first:
            self._pages[0] = first
        self.endResetModel()

    def query(self) -> tuple[int, list[LedgerRow]]:
        """The count and the first page for the current filter and sort (any thread)."""
        total = count_rows(self.db, self.campaign_id, self.where, today=self.today)
        first = page_rows(
            self.db,
            self.campaign_id,
            self.where,
            today=self.today,
            sort=self.sort_key,
            descending=self.descending,
            limit=PAGE,
        )
        return total, first

    def _page(self, number: int) -> list[LedgerRow]:
        page = self._pages.get(number)
        if page is None:
            page = page_rows(
                self.db,
                self.campaign_id,
                self.where,
                today=self.today,
                sort=self.sort_key,
                descending=self.descending,
                offset=number * PAGE,
                limit=PAGE,
            )
            self._pages[number] = page
            while len(self._pages) > KEEP_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page

    def row_at(self, row: int) -> LedgerRow | None:
        if not 0 <= row < self.total or self.db is None:
            return None
        page = self._page(row // PAGE)
        offset = row % PAGE
        return page[offset] if offset < len(page) else None

    def refresh_rows(self) -> None:
        """Forget the cached pages (after a write) and repaint what is shown."""
        self._pages.clear()
        if self.total:
            self.dataChanged.emit(self.index(0, 0), self.index(self.total - 1, len(COLUMNS) - 1))

    @property
    def pages_held(self) -> int:
        return len(self._pages)

    # ------------------------------------------------------------ the model

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section][0])
        if role == Qt.ItemDataRole.ToolTipRole:
            if COLUMNS[section][1] is None:
                return self.tr("此列不能排序")
            return self.tr("单击按此列排序，再次单击反向排序")
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base
        row = self.row_at(index.row())
        field = COLUMNS[index.column()][2]
        if (
            field is not None
            and row is not None
            and (row.state != "signed_off" or field == "remarks")
        ):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column).replace("\n", " ")
        if role == Qt.ItemDataRole.EditRole:
            return self.edit_text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.urgency == Urgency.OVERDUE.value:
                return QBrush(PINK)
            if row.urgency == Urgency.DUE_3.value:
                return QBrush(YELLOW)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 10 and row.urgency == Urgency.OVERDUE.value:
                return QBrush(RED)
            if column == 11 and row.stale:
                return QBrush(RED)
            if row.state == "signed_off":
                return QBrush(GREY)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3, 6, 9, 10, 12):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, row: LedgerRow, column: int) -> str:
        if column == 10:
            text = row.deadline_text
            if row.urgency == Urgency.OVERDUE.value:
                text += self.tr("（逾期）")
            return text
        if column == 11:
            if not row.progress:
                return self.tr("（暂无进展）") if row.state in ("pending", "in_progress") else ""
            more = self.tr("（共 {0} 条）").format(row.notes) if row.notes > 1 else ""
            return row.progress + more
        if column == 12:
            return row.state_label
        values = (
            str(row.serial),
            row.area,
            row.problem,
            row.source,
            row.measure,
            row.target,
            row.leader,
            row.department,
            row.cooperating,
            row.owner,
        )
        return values[column] if column < len(values) else row.remarks

    def edit_text(self, row: LedgerRow, column: int) -> str:
        """The cell as its editor starts: the stored text, without display notes."""
        if column == 10:
            return row.deadline_text if row.deadline_kind != "by_date" or row.deadline else ""
        return self._display(row, column)

    def _tooltip(self, row: LedgerRow, column: int) -> str | None:
        if column in (2, 4, 5, 11, 13):
            text = self._display(row, column)
            return text or None
        if column == 10 and row.urgency != Urgency.NONE.value:
            days = (row.deadline - self.today).days if row.deadline else 0
            if days < 0:
                return self.tr("已逾期 {0} 天").format(-days)
            return self.tr("{0} 天后到期").format(days) if days else self.tr("今天到期")
        if column == 11 and row.stale:
            return self.tr("30 天以上没有记录整改进展")
        if column == 12 and row.sign_off:
            return row.sign_off
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.edit is None:
            return False
        row = self.row_at(index.row())
        field = COLUMNS[index.column()][2]
        if row is None or field is None:
            return False
        if str(value).strip() == self.edit_text(row, index.column()):
            return False
        return self.edit(row, field, value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if key is None or self.sort_requested is None:
            return
        self.sort_requested(key, order == Qt.SortOrder.DescendingOrder)
