"""征求意见: record opinions (anonymously), sort them, merge them, turn them into problems.

The list keeps the services' order — by whom an opinion is about, its 问题方面
and date — never the order of entry, which could tell who spoke when. An
opinion merged into another is listed right under it, indented and grey; a
box hides them to see only what the opinions came to (“梳理为 M 条”).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.enums import OpinionChannel
from mingjing.domain.text import cn_date
from mingjing.services.errors import InputRefused
from mingjing.services.opinions import (
    OPINION_COLUMNS,
    OpinionCounts,
    OpinionImportResult,
    OpinionPreview,
    OpinionView,
    add_opinion,
    convert_to_problem,
    delete_opinion,
    import_opinions,
    list_opinions,
    merge_opinions,
    opinion_counts,
    preview_opinions,
    problem_title,
    unmerge,
    update_opinion,
)
from mingjing.services.problem_lists import choices as problem_choices
from mingjing.services.roster import list_members
from mingjing.services.sheets import read_sheet
from mingjing.ui.desk.base import DeskTab, RowsTableModel
from mingjing.ui.desk.roster import (
    SheetPreviewDialog,
    ask_sheet_file,
    file_and_sheet,
    grey_label,
    refused_text,
)
from mingjing.ui.tasks import run_in_background

AnyIndex = QModelIndex | QPersistentModelIndex

TEAM = "team"
"""The 对象 of an opinion about the leadership team (otherwise a member's id, or "")."""
NO_DATE = QDate(2000, 1, 1)
"""The date edit's minimum, shown as 不详."""


@dataclass(frozen=True)
class OpinionChoices:
    """What the 登记意见 dialog offers, read with the list."""

    team_name: str
    members: tuple[tuple[str, str], ...]
    """(member id, 姓名（职务）) in roster order."""
    areas: tuple[tuple[str, str], ...]
    """(area key, “1. 精神状态不佳”) in checklist order."""


@dataclass(frozen=True)
class OpinionForm:
    channel: str
    target: str
    """:data:`TEAM`, a member's id, or "" for the unit in general."""
    area_key: str | None
    received_on: dt.date | None
    text: str


@dataclass(frozen=True)
class OpinionsData:
    opinions: list[OpinionView]
    counts: OpinionCounts
    choices: OpinionChoices
    names: dict[str, str]
    """Member id → 姓名, for the 对象 column."""


def read_opinions(db: Any, campaign_id: str) -> OpinionsData:
    """Everything the tab shows (runs off the GUI thread)."""
    offered = problem_choices(db, campaign_id)
    members = list_members(db)
    team_name = next((label for code, label in offered.owners if code == "team"), "领导班子")
    return OpinionsData(
        opinions=list_opinions(db, campaign_id),
        counts=opinion_counts(db, campaign_id),
        choices=OpinionChoices(
            team_name=team_name,
            members=tuple((m.id, m.label) for m in members),
            areas=offered.areas,
        ),
        names={m.id: m.name for m in members},
    )


def target_of(view: OpinionView) -> str:
    if view.target_kind == "team":
        return TEAM
    return view.target_member_id or ""


def excerpt(text: str, size: int = 24) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= size else f"“{text[: size - 1]}…”"


# ------------------------------------------------------------ dialogs


def _qdate(value: dt.date | None) -> QDate:
    if value is None:
        return NO_DATE
    return QDate(value.year, value.month, value.day)


class OpinionDialog(QDialog):
    """登记意见 / 修改: 渠道, 对象, 问题方面, 日期, 意见内容 — and no giver, ever."""

    def __init__(
        self,
        choices: OpinionChoices,
        opinion: OpinionView | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改意见") if opinion else self.tr("登记意见"))
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        form = QFormLayout()

        self.channel = QComboBox(self)
        for channel in OpinionChannel:
            self.channel.addItem(self.tr(channel.label), channel.value)
        self.target = QComboBox(self)
        self.target.addItem(choices.team_name, TEAM)
        for member_id, label in choices.members:
            self.target.addItem(label, member_id)
        self.target.addItem(self.tr("未指明对象（针对单位整体）"), "")
        self.area = QComboBox(self)
        self.area.addItem(self.tr("不分方面"), None)
        for key, label in choices.areas:
            self.area.addItem(label, key)
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy年M月d日")
        self.date.setMinimumDate(NO_DATE)
        self.date.setSpecialValueText(self.tr("不详"))
        locked = ""
        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText(self.tr("照原意记录群众反映的问题和建议"))
        self.text.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)

        if opinion is None:
            self.date.setDate(QDate.currentDate())
        else:
            self._select(self.channel, opinion.channel)
            if self.target.findData(target_of(opinion)) < 0:
                # About someone since removed from the roster: keep them as they are.
                self.target.insertItem(
                    self.target.count() - 1, opinion.target_label, target_of(opinion)
                )
            self._select(self.target, target_of(opinion))
            self._select(self.area, opinion.area_key)
            self.date.setDate(_qdate(opinion.received_on))
            self.text.setPlainText(opinion.text)
            locked = ""
            if opinion.is_merged:
                locked = self.tr("已并入另一条意见，对象随那一条；要改对象请先取消合并。")
            elif opinion.problem_id:
                locked = self.tr("已转为问题，不能再改对象。")
            if locked:
                self.target.setEnabled(False)
                self.target.setToolTip(locked)
        self.locked = grey_label(locked, self)
        self.locked.setVisible(bool(locked))

        form.addRow(self.tr("渠道(&C)："), self.channel)
        form.addRow(self.tr("对象(&O)："), self.target)
        if locked:
            form.addRow("", self.locked)
        form.addRow(self.tr("问题方面(&A)："), self.area)
        form.addRow(self.tr("日期(&D)："), self.date)
        form.addRow(self.tr("意见内容(&T)："), self.text)
        layout.addLayout(form)
        self.anonymous = grey_label(
            self.tr(
                "征求意见一律匿名登记：不要填写提意见人的姓名，内容中也不要写能看出是谁提的细节。"
            ),
            self,
        )
        layout.addWidget(self.anonymous)
        self.note = QLabel(self)
        self.note.setStyleSheet("color: #b91c1c;")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("保存") if opinion else self.tr("登记")
        )
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _select(combo: QComboBox, data: object) -> None:
        index = combo.findData(data)
        if index >= 0:
            combo.setCurrentIndex(index)

    def form(self) -> OpinionForm:
        q = self.date.date()
        received = None if q == NO_DATE else dt.date(q.year(), q.month(), q.day())
        area = self.area.currentData()
        return OpinionForm(
            channel=str(self.channel.currentData()),
            target=str(self.target.currentData() or ""),
            area_key=str(area) if area else None,
            received_on=received,
            text=self.text.toPlainText().strip(),
        )

    def _accept(self) -> None:
        if not self.form().text:
            self.note.setText(self.tr("请填写意见内容。"))
            self.text.setFocus()
            return
        self.accept()


class ChannelDialog(QDialog):
    """A sheet without a 渠道 column: through which channel were these gathered?"""

    def __init__(self, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("征求渠道"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        text = QLabel(
            self.tr("“{0}”中没有“渠道”列。这些意见是通过哪个渠道征求的？").format(file_name),
            self,
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.channel = QComboBox(self)
        for channel in OpinionChannel:
            self.channel.addItem(self.tr(channel.label), channel.value)
        layout.addWidget(self.channel)
        layout.addWidget(
            grey_label(self.tr("渠道不同的意见，请在表格中加一列“渠道”，逐条写明后再导入。"), self)
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("继续"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def opinion_preview_dialog(preview: OpinionPreview, parent: QWidget) -> SheetPreviewDialog:
    tr = parent.tr
    where = file_and_sheet(parent, preview.path, preview.sheet_name)
    if preview.rows:
        summary = tr("从{0}读到 {1} 条意见，将计入“{2}”的征求意见。").format(
            where, len(preview.rows), preview.campaign_title
        )
    else:
        summary = tr("{0}中没有可以导入的意见。").format(where)
    if preview.issues:
        summary += tr("另有 {0} 行不导入，原因见下面。").format(len(preview.issues))
    columns_note = tr("读取的列：{0}。").format("、".join(preview.columns.values()))
    others = [c for c in preview.ignored_columns if c not in preview.identifying_columns]
    if others:
        columns_note += tr("未读取的列：{0}。").format("、".join(others))
    headers = (tr("行"), tr("渠道"), tr("对象"), tr("问题方面"), tr("日期"), tr("意见内容"))
    rows = [
        (
            str(r.row),
            r.channel_label,
            r.target_label,
            r.area_title if r.area_key else tr("不分方面"),
            cn_date(r.received_on, tr("不详")),
            r.text,
        )
        for r in preview.rows
    ]
    return SheetPreviewDialog(
        title=tr("导入征求意见"),
        summary=summary,
        columns_note=columns_note,
        rows_title=tr("将导入的 {0} 条意见").format(len(rows)),
        headers=headers,
        rows=rows,
        issues=preview.issues,
        notes=preview.notes,
        label_title=tr("意见"),
        accept_text=tr("导入可读的 {0} 条").format(len(preview.rows)),
        warning=preview.ignored_note,
        wrap_column=5,
        parent=parent,
    )


# ------------------------------------------------------------ the list


class OpinionModel(RowsTableModel):
    HEADERS = ("渠道", "对象", "问题方面", "意见内容", "日期", "合并条数", "已转为问题")
    TEXT_COLUMN = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.all_rows: tuple[OpinionView, ...] = ()
        self.rows: tuple[OpinionView, ...] = ()
        self.names: dict[str, str] = {}
        self.show_merged = True

    def set_rows(self, rows: Sequence[OpinionView], names: dict[str, str] | None = None) -> None:
        self.beginResetModel()
        self.all_rows = tuple(rows)
        if names is not None:
            self.names = dict(names)
        self.rows = tuple(r for r in self.all_rows if self.show_merged or not r.is_merged)
        self.endResetModel()

    def set_show_merged(self, show: bool) -> None:
        self.show_merged = show
        self.set_rows(self.all_rows)

    def target(self, row: OpinionView) -> str:
        if row.target_kind == "member" and row.target_member_id in self.names:
            return self.names[row.target_member_id]
        return row.target_label

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if row.is_merged:
                merged = self.tr("已并入")
            elif row.merged_count:
                merged = self.tr("{0} 条").format(row.count)
            else:
                merged = ""
            values = (
                self.tr(row.channel_label),
                self.target(row),
                row.area_title if row.area_key else self.tr("不分方面"),
                ("└ " if row.is_merged else "") + row.text,
                cn_date(row.received_on, self.tr("不详")),
                merged,
                self.tr("是") if row.problem_id else "",
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return row.target_label
            if column == self.TEXT_COLUMN:
                return row.text
            if column == 5 and row.merged_count:
                return self.tr("由 {0} 条意见梳理为这一条").format(row.count)
            if column == 5 and row.is_merged:
                return self.tr("已并入上面保留的那一条，计入征求意见条数")
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.is_merged:
            return QBrush(QColor("#6b7280"))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (5, 6):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None


class OpinionsTab(DeskTab):
    """征求意见: the list, its counts, and what the office does with each opinion."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: OpinionsData | None = None
        self._order: list[str] = []
        """Ids of the selected opinions in the order they were selected."""
        self._select_next: list[str] = []
        layout = QVBoxLayout(self)
        self.counts = QLabel(self)
        self.counts.setWordWrap(True)
        layout.addWidget(self.counts)

        bar = QHBoxLayout()
        self.add_button = self.button(self.tr("登记意见…"), self.add)
        self.edit_button = self.button(self.tr("修改…"), self.edit_selected)
        self.delete_button = self.button(self.tr("删除"), self.delete_selected)
        self.merge_button = self.button(
            self.tr("合并为一条"),
            self.merge_selected,
            tip=self.tr("按住 Ctrl 选中针对同一对象的几条意见，先选中的那条保留，其余并入它"),
        )
        self.unmerge_button = self.button(self.tr("取消合并"), self.unmerge_selected)
        self.convert_button = self.button(
            self.tr("转为问题"),
            self.convert_selected,
            tip=self.tr("列入意见对象（干部本人或领导班子）的问题清单，来源为“群众提”"),
        )
        self.import_button = self.button(
            self.tr("从表格导入…"),
            self.import_sheet,
            tip=self.tr(
                "从 Excel 或 CSV 的征求意见汇总表导入：要有“意见内容”列，"
                "可有“渠道”“对象”“问题方面”“日期”列；提出人等列一律不读取"
            ),
        )
        for button in (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.merge_button,
            self.unmerge_button,
            self.convert_button,
            self.import_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        self.show_merged = QCheckBox(self.tr("显示已并入的意见"), self)
        self.show_merged.setChecked(True)
        self.show_merged.toggled.connect(self._toggle_merged)
        bar.addWidget(self.show_merged)
        layout.addLayout(bar)

        self.model = OpinionModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setMinimumSectionSize(self.fontMetrics().lineSpacing() + 10)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(OpinionModel.TEXT_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_hint = grey_label(
            self.tr(
                "还没有征求意见。座谈会、问卷调查、意见箱、个别谈话收到的意见，"
                "可逐条“登记意见…”，也可把汇总表“从表格导入…”。"
            ),
            self,
        )
        self.empty_hint.hide()
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        self._update_buttons()

    # ------------------------------------------------------------ loading

    def reload(self) -> None:
        if self.context is None:
            return
        db, cid = self.context.db, self.context.campaign_id
        self.run(lambda: read_opinions(db, cid), self._show)

    def _show(self, data: object) -> None:
        assert isinstance(data, OpinionsData)
        keep = self._select_next or list(self._order)
        self._select_next = []
        self.data = data
        self._order = []
        self.model.set_rows(data.opinions, data.names)
        self.counts.setText(self.counts_text(data.counts))
        self.empty_hint.setVisible(not data.opinions)
        self._restore_selection(keep)
        self._update_buttons()
        self.loaded.emit()

    def counts_text(self, counts: OpinionCounts) -> str:
        text = self.tr(counts.text)
        if counts.by_channel:
            text += self.tr("；其中{0}").format(
                "、".join(
                    self.tr("{0} {1} 条").format(label, n) for label, n in counts.by_channel.items()
                )
            )
        if counts.converted:
            text += self.tr("；已转为问题 {0} 条").format(counts.converted)
        return text + self.tr("。")

    def _toggle_merged(self, show: bool) -> None:
        keep = list(self._order)
        self._order = []
        self.model.set_show_merged(show)
        self._restore_selection(keep)
        self._update_buttons()

    def _restore_selection(self, ids: list[str]) -> None:
        rows = {r.id: i for i, r in enumerate(self.model.rows)}
        selection = self.table.selectionModel()
        found = [opinion_id for opinion_id in ids if opinion_id in rows]
        if found:
            self.table.scrollTo(self.model.index(rows[found[0]], 0))
        for opinion_id in found:
            selection.select(
                self.model.index(rows[opinion_id], 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )

    # ------------------------------------------------------------ selection

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        for index in deselected.indexes():
            if index.column() == 0 and index.row() < len(self.model.rows):
                opinion_id = self.model.rows[index.row()].id
                if opinion_id in self._order:
                    self._order.remove(opinion_id)
        for index in selected.indexes():
            if index.column() == 0 and index.row() < len(self.model.rows):
                opinion_id = self.model.rows[index.row()].id
                if opinion_id not in self._order:
                    self._order.append(opinion_id)
        self._update_buttons()

    def selected(self) -> list[OpinionView]:
        """The selected opinions, in the order they were selected."""
        rows = [self.model.rows[i.row()] for i in self.table.selectionModel().selectedRows()]
        by_id = {r.id: r for r in rows}
        ordered = [by_id[i] for i in self._order if i in by_id]
        return ordered + [r for r in rows if r.id not in self._order]

    def select_ids(self, ids: Sequence[str]) -> None:
        """Select these opinions, in this order (the first is the one a merge keeps)."""
        self.table.clearSelection()
        self._order = []
        self._restore_selection(list(ids))

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.edit_button.setEnabled(len(chosen) == 1)
        self.delete_button.setEnabled(bool(chosen))
        self.merge_button.setEnabled(len(chosen) >= 2)
        self.unmerge_button.setEnabled(any(v.is_merged or v.merged_count for v in chosen))
        self.convert_button.setEnabled(len(chosen) == 1)

    def _group_head(self, view: OpinionView) -> OpinionView:
        if self.data is None or not view.merged_into_id:
            return view
        return next((o for o in self.data.opinions if o.id == view.merged_into_id), view)

    def _written(self, select: Sequence[str] = ()) -> None:
        self._select_next = list(select)
        self.reload()
        self.changed.emit()

    # ------------------------------------------------------------ recording

    @classmethod
    def ask_opinion(
        cls, parent: QWidget, choices: OpinionChoices, opinion: OpinionView | None
    ) -> OpinionForm | None:
        dialog = OpinionDialog(choices, opinion, parent)
        return dialog.form() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def add(self) -> None:
        if self.context is None or self.data is None:
            return
        form = self.ask_opinion(self, self.data.choices, None)
        if form is None:
            return
        db, cid = self.context.db, self.context.campaign_id

        def work() -> str:
            return add_opinion(
                db,
                cid,
                form.channel,
                form.text,
                target_member_id=form.target if form.target not in ("", TEAM) else None,
                team=form.target == TEAM,
                area_key=form.area_key,
                received_on=form.received_on,
            )

        self.run(work, lambda new_id: self._written([str(new_id)]), write=True)

    def edit_selected(self) -> None:
        chosen = self.selected()
        if self.context is None or self.data is None or len(chosen) != 1:
            return
        view = chosen[0]
        form = self.ask_opinion(self, self.data.choices, view)
        if form is None:
            return
        changes: dict[str, Any] = {}
        if form.channel != view.channel:
            changes["channel"] = form.channel
        if form.text != view.text:
            changes["text"] = form.text
        if form.area_key != view.area_key:
            changes["area_key"] = form.area_key
        if form.received_on != view.received_on:
            changes["received_on"] = form.received_on
        if form.target != target_of(view):
            changes["target_member_id"] = form.target if form.target not in ("", TEAM) else None
            changes["team"] = form.target == TEAM
        if not changes:
            return
        db = self.context.db
        self.run(
            lambda: update_opinion(db, view.id, **changes),
            lambda _: self._written([view.id]),
            write=True,
        )

    def delete_selected(self) -> None:
        chosen = self.selected()
        if self.context is None or not chosen:
            return
        if len(chosen) == 1:
            question = self.tr("删除这条意见？\n\n{0}").format(excerpt(chosen[0].text, 60))
        else:
            question = self.tr("删除选中的 {0} 条意见？").format(len(chosen))
        heads = sum(v.merged_count for v in chosen if not v.is_merged)
        if heads:
            question += self.tr("\n\n并入其中的意见不会删除，会重新单独列出。")
        if not self.ask_yes(self, question, self.tr("删除")):
            return
        db, ids = self.context.db, [v.id for v in chosen]

        def work() -> None:
            for opinion_id in ids:
                delete_opinion(db, opinion_id)

        self.run(work, lambda _: self._written(), write=True)

    # ------------------------------------------------------------ sorting out

    def merge_selected(self) -> None:
        chosen = self.selected()
        if self.context is None or len(chosen) < 2:
            return
        keep, others = chosen[0], chosen[1:]
        question = self.tr(
            "把选中的 {0} 条意见合并为一条？\n\n保留：{1}\n\n"
            "并入的意见仍然保存，也计入征求意见的条数；合并错了可以取消合并。"
        ).format(len(chosen), excerpt(keep.text, 60))
        if not self.ask_yes(self, question, self.tr("合并")):
            return
        db, keep_id, other_ids = self.context.db, keep.id, [o.id for o in others]
        self.run(
            lambda: merge_opinions(db, keep_id, other_ids),
            lambda _: self._written([keep_id]),
            write=True,
        )

    def unmerge_selected(self) -> None:
        chosen = [v for v in self.selected() if v.is_merged or v.merged_count]
        if self.context is None or not chosen:
            return
        if len(chosen) == 1 and chosen[0].is_merged:
            question = self.tr("让这条意见不再并入{0}，单独成条？\n\n{1}").format(
                excerpt(self._group_head(chosen[0]).text), excerpt(chosen[0].text, 60)
            )
        elif len(chosen) == 1:
            question = self.tr("取消合并后，并入这一条的 {0} 条意见重新单独成条。继续吗？").format(
                chosen[0].merged_count
            )
        else:
            question = self.tr("取消选中的 {0} 条意见的合并？").format(len(chosen))
        if not self.ask_yes(self, question, self.tr("取消合并")):
            return
        db, ids = self.context.db, [v.id for v in chosen]

        def work() -> None:
            for opinion_id in ids:
                unmerge(db, opinion_id)

        self.run(work, lambda _: self._written(ids), write=True)

    def convert_selected(self) -> None:
        chosen = self.selected()
        if self.context is None or len(chosen) != 1:
            return
        view = chosen[0]
        head = self._group_head(view)
        owner = self.model.target(head)
        if head.problem_id or view.problem_id:
            self.tell_info(
                self,
                self.tr(
                    "这条意见已转为问题，在{0}的问题清单中（来源：群众提）。"
                    "可在“问题清单”中查看、修改问题表述。"
                ).format(owner),
            )
            return
        db = self.context.db

        def done(_: object) -> None:
            self._written([view.id])
            self.tell_info(
                self,
                self.tr(
                    "已列入{0}的问题清单（来源：群众提）：\n\n{1}\n\n"
                    "可在“问题清单”中查看、修改问题表述；"
                    "经集体会诊定出整改措施后，再列入整改台账。"
                ).format(owner, problem_title(head.text)),
            )

        self.run(lambda: convert_to_problem(db, view.id), done, write=True)

    # ------------------------------------------------------------ importing

    @classmethod
    def ask_import_file(cls, parent: QWidget) -> str | None:
        return ask_sheet_file(parent, parent.tr("选择征求意见汇总表"))

    @classmethod
    def ask_channel(cls, parent: QWidget, file_name: str) -> str | None:
        dialog = ChannelDialog(file_name, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return str(dialog.channel.currentData())

    @classmethod
    def ask_opinion_import(cls, parent: QWidget, preview: OpinionPreview) -> bool:
        dialog = opinion_preview_dialog(preview, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted

    def import_sheet(self) -> None:
        name = self.ask_import_file(self)
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        """Read ``path``, show what it will do, and import it if the user agrees."""
        if self.context is None:
            return
        db = self.context.db
        channel: list[str | None] = [None]

        def first_look() -> OpinionPreview | None:
            # A sheet without 渠道 needs one for all its rows; ask before reading further.
            if "channel" not in read_sheet(path, OPINION_COLUMNS).columns:
                return None
            return preview_opinions(db, path)

        def looked(preview: object) -> None:
            if preview is None:
                chosen = self.ask_channel(self, path.name)
                if chosen is None:
                    return
                channel[0] = chosen
                start(lambda: preview_opinions(db, path, default_channel=chosen), previewed)
                return
            previewed(preview)

        def previewed(preview: object) -> None:
            assert isinstance(preview, OpinionPreview)
            if not self.ask_opinion_import(self, preview):
                return
            start(lambda: import_opinions(db, path, default_channel=channel[0]), imported)

        def imported(result: object) -> None:
            assert isinstance(result, OpinionImportResult)
            text = self.tr("已导入 {0} 条意见。").format(result.added)
            if result.skipped:
                text += self.tr("{0} 行没有导入（原因已在导入前列出）。").format(result.skipped)
            if result.ignored_note:
                text += "\n\n" + result.ignored_note
            self._written()
            self.tell_info(self, text)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, InputRefused):
                self.tell_warning(self, refused_text(self, path, exc))
            else:
                self.report(exc)

        def start(work: Any, done: Any) -> None:
            run_in_background(work, parent=self, on_success=done, on_failure=refused, in_order=True)

        start(first_look, looked)
