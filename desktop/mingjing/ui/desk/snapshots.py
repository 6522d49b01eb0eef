"""留存记录: every material printed or saved, as it went out (file, SHA-256, when, who)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from mingjing.services import snapshots as materials
from mingjing.ui.desk.base import DeskTab, RowsTableModel
from mingjing.ui.desk.preview import PdfPreview


class SnapshotsModel(RowsTableModel):
    HEADERS = ("生成时间", "材料", "格式", "页数", "生成人", "说明", "校验值（前 16 位）")

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        if not 0 <= index.row() < len(self.rows):
            return None
        return self.rows[index.row()][index.column()]


class SnapshotsTab(DeskTab):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[materials.Snapshot] = []
        outer = QVBoxLayout(self)
        outer.addWidget(
            QLabel(
                self.tr(
                    "打印或保存过的材料都原样留存在数据文件夹中，打开时核对校验值（SHA-256），"
                    "与当时印出的一字不差。"
                ),
                self,
            )
        )
        self.model = SnapshotsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _: self.show_selected())
        outer.addWidget(self.table, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.button(self.tr("预览"), self.show_selected))
        bar.addWidget(self.button(self.tr("用其他程序打开"), self.open_selected))
        bar.addStretch(1)
        outer.addLayout(bar)
        self.preview = PdfPreview(self)
        self.preview.clear(self.tr("选择上面的一份材料，点“预览”。"))
        self.preview.setMinimumHeight(260)
        outer.addWidget(self.preview, 2)

    def reload(self) -> None:
        context = self.context
        if context is None:
            return
        self.run(lambda: materials.list_snapshots(context.db, context.campaign_id), self._show)

    def _show(self, rows: object) -> None:
        assert isinstance(rows, list)
        self.rows = rows
        self.model.set_rows(
            [
                (
                    s.made_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    s.title,
                    s.file_format.upper(),
                    str(s.pages) if s.pages else "—",
                    s.made_by,
                    s.options,
                    s.sha256[:16],
                )
                for s in rows
            ]
        )
        self.table.resizeColumnsToContents()
        self.loaded.emit()

    def selected(self) -> materials.Snapshot | None:
        row = self.table.currentIndex().row()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _file(self, then: Any) -> None:
        context = self.context
        chosen = self.selected()
        if context is None or chosen is None:
            return
        self.run(
            lambda: materials.snapshot_file(context.db, context.location.materials_dir, chosen.id),
            then,
        )

    def show_selected(self) -> None:
        chosen = self.selected()
        context = self.context
        if chosen is None or context is None:
            return
        if chosen.file_format != "pdf":
            self.open_selected()
            return

        def read() -> bytes:  # checked and read off the GUI thread (a package is megabytes)
            folder = context.location.materials_dir
            return materials.snapshot_bytes(context.db, folder, chosen.id)

        def shown(data: object) -> None:
            assert isinstance(data, bytes)
            self.preview.set_document(data, chosen.pages)

        self.run(read, shown)

    def open_selected(self) -> None:
        self._file(lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))
