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
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from mingjing.domain.rules import Urgency
from mingjing.services.ledger import LedgerFilter, LedgerRow, first_page, page_rows

AnyIndex = QModelIndex | QPersistentModelIndex
PAGE = 50
KEEP_PAGES = 16
ID_ROLE = Qt.ItemDataRole.UserRole

# (header, sort key, editable column, width, name). 状态 and 完成时限 come first:
# they are what a secretary scans for; 来源, 目标 and 配合部门 last.
COLUMNS: tuple[tuple[str, str | None, str | None, int, str], ...] = (
    ("序号", "serial", None, 44, "serial"),
    ("状态", None, None, 100, "state"),
    ("完成时限", "deadline", "deadline", 136, "deadline"),
    ("问题方面", "area", None, 96, "area"),
    ("具体问题", "problem", "problem_text", 220, "problem"),
    ("整改措施", None, "measure", 240, "measure"),
    ("责任领导", None, None, 64, "leader"),
    ("责任部门", "department", "responsible_department", 96, "department"),
    ("责任人", None, None, 60, "owner"),
    ("整改进展", None, None, 200, "progress"),
    ("问题来源", None, None, 64, "source"),
    ("整改目标", None, "target", 140, "target"),
    ("配合部门", None, "cooperating_departments", 96, "cooperating"),
    ("备注", None, "remarks", 120, "remarks"),
)
COLUMN_OF = {key: n for n, (_, key, _, _, _) in enumerate(COLUMNS) if key}
"""Column of each sort key."""
COL = {c[4]: n for n, c in enumerate(COLUMNS)}
"""Column of each name."""
_STATE, _DEADLINE, _PROGRESS = COL["state"], COL["deadline"], COL["progress"]
RED = QColor("#b91c1c")
GREY = QColor("#6b7280")
RED_BRUSH = QBrush(RED)
YELLOW_BRUSH = QBrush(QColor("#fef3c7"))
PINK_BRUSH = QBrush(QColor("#fee2e2"))
GREY_BRUSH = QBrush(GREY)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_ROLES = frozenset({_DISPLAY, _EDIT, _TOOLTIP, _BACKGROUND, _FOREGROUND, _ALIGNMENT, int(ID_ROLE)})
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
_CENTRED_COLUMNS = frozenset(
    COL[n] for n in ("serial", "state", "deadline", "leader", "owner", "source")
)
_OVERDUE = Urgency.OVERDUE.value
_DUE_3 = Urgency.DUE_3.value
_EDITABLE_COLUMNS = frozenset(n for n, c in enumerate(COLUMNS) if c[2] is not None)
# PySide6 flag arithmetic goes through Python's enum machinery: worked out once.
_SELECTED = QStyle.StateFlag.State_Selected
_ELIDE = Qt.TextElideMode.ElideRight
_CENTRE = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignHCenter
_LEFT = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsEditable


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
        self._texts: dict[str, tuple[str, ...]] = {}
        """Display texts of rows shown, by row id (cleared with the pages)."""
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
        self._texts.clear()
        if first:
            self._pages[0] = first
        self.endResetModel()

    def query(self) -> tuple[int, list[LedgerRow]]:
        """The count and the first page for the current filter and sort (any thread)."""
        return first_page(
            self.db,
            self.campaign_id,
            self.where,
            today=self.today,
            sort=self.sort_key,
            descending=self.descending,
            limit=PAGE,
        )

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
                self._texts.clear()
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
        self._texts.clear()
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
        # Asked for every visible cell at each paint: by column only. Whether a
        # row may still be edited (not signed off) is :meth:`can_edit`'s.
        if not index.isValid():
            return _NO_FLAGS
        return _EDITABLE_FLAGS if index.column() in _EDITABLE_COLUMNS else _FLAGS

    def can_edit(self, row_number: int, column: int) -> bool:
        row = self.row_at(row_number)
        field = COLUMNS[column][2]
        return (
            field is not None
            and row is not None
            and (row.state != "signed_off" or field == "remarks")
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell at each paint: roles this
        # model does not answer return before any work.
        role = int(role)
        if role not in _ROLES or not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            texts = self._texts.get(row.id)
            if texts is None:
                texts = tuple(self._display(row, c).replace("\n", " ") for c in range(len(COLUMNS)))
                self._texts[row.id] = texts
            return texts[column]
        if role == _BACKGROUND:
            if row.urgency == _OVERDUE:
                return PINK_BRUSH
            return YELLOW_BRUSH if row.urgency == _DUE_3 else None
        if role == _FOREGROUND:
            if (column == _DEADLINE and row.urgency == _OVERDUE) or (
                column == _PROGRESS and row.stale
            ):
                return RED_BRUSH
            return GREY_BRUSH if row.state == "signed_off" else None
        if role == _ALIGNMENT:
            return _CENTRED if column in _CENTRED_COLUMNS else None
        if role == _EDIT:
            return self.edit_text(row, column)
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        return row.id  # ID_ROLE

    def display_text(self, row: LedgerRow, column: int) -> str:
        """The cell's text on one line, worked out once per row shown."""
        texts = self._texts.get(row.id)
        if texts is None:
            texts = tuple(self._display(row, c).replace("\n", " ") for c in range(len(COLUMNS)))
            self._texts[row.id] = texts
        return texts[column]

    def _display(self, row: LedgerRow, column: int) -> str:
        name = COLUMNS[column][4]
        if name == "deadline":
            text = row.deadline_text
            if row.urgency == Urgency.OVERDUE.value:
                text += self.tr("（逾期）")
            return text
        if name == "progress":
            if not row.progress:
                return self.tr("（暂无进展）") if row.state in ("pending", "in_progress") else ""
            more = self.tr("（共 {0} 条）").format(row.notes) if row.notes > 1 else ""
            return row.progress + more
        if name == "state":
            return row.state_label
        if name == "serial":
            return str(row.serial)
        value: str = getattr(row, name)
        return value

    def edit_text(self, row: LedgerRow, column: int) -> str:
        """The cell as its editor starts: the stored text, without display notes."""
        if column == _DEADLINE:
            return row.deadline_text if row.deadline_kind != "by_date" or row.deadline else ""
        return self._display(row, column)

    def _tooltip(self, row: LedgerRow, column: int) -> str | None:
        name = COLUMNS[column][4]
        if name in ("problem", "measure", "target", "progress", "remarks"):
            text = self._display(row, column)
            return text or None
        if name == "deadline" and row.urgency != Urgency.NONE.value:
            days = (row.deadline - self.today).days if row.deadline else 0
            if days < 0:
                return self.tr("已逾期 {0} 天").format(-days)
            return self.tr("{0} 天后到期").format(days) if days else self.tr("今天到期")
        if name == "progress" and row.stale:
            return self.tr("30 天以上没有记录整改进展")
        if name == "state" and row.sign_off:
            return row.sign_off
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.edit is None:
            return False
        row = self.row_at(index.row())
        field = COLUMNS[index.column()][2]
        if row is None or field is None or not self.can_edit(index.row(), index.column()):
            return False
        if str(value).strip() == self.edit_text(row, index.column()):
            return False
        return self.edit(row, field, value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if key is None or self.sort_requested is None:
            return
        self.sort_requested(key, order == Qt.SortOrder.DescendingOrder)


class LedgerDelegate(QStyledItemDelegate):
    """Paints a ledger cell straight from the model's cached texts.

    Qt's own delegate asks the model for seven roles of every cell at every
    paint, each a call from C++ into Python; painting the visible rows then
    cost twice what a bare table does. This paints each cell with one call:
    background (selection, or the row's urgency), then the text, elided, in
    the column's alignment and colour. Editing is the standard delegate's.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        model = index.model()
        if not isinstance(model, LedgerModel):
            super().paint(painter, option, index)
            return
        row = model.row_at(index.row())
        if row is None:
            return
        column = index.column()
        rect = option.rect
        palette = option.palette
        selected = bool(option.state & _SELECTED)
        if selected:
            painter.fillRect(rect, palette.highlight())
            painter.setPen(palette.highlightedText().color())
        else:
            urgency = row.urgency
            if urgency == _OVERDUE:
                painter.fillRect(rect, PINK_BRUSH)
            elif urgency == _DUE_3:
                painter.fillRect(rect, YELLOW_BRUSH)
            if (column == _DEADLINE and urgency == _OVERDUE) or (column == _PROGRESS and row.stale):
                painter.setPen(RED)
            elif row.state == "signed_off":
                painter.setPen(GREY)
            else:
                painter.setPen(palette.text().color())
        box = rect.adjusted(4, 0, -4, 0)
        text = option.fontMetrics.elidedText(model.display_text(row, column), _ELIDE, box.width())
        painter.drawText(box, _CENTRE if column in _CENTRED_COLUMNS else _LEFT, text)

    def createEditor(  # type: ignore[override]  # Qt takes nullptr: no editor
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget | None:
        """No editor for a signed-off row's content (its 备注 stays open)."""
        model = index.model()
        if isinstance(model, LedgerModel) and not model.can_edit(index.row(), index.column()):
            return None
        return super().createEditor(parent, option, index)
