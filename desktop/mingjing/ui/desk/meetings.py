"""会议记录: 专题民主生活会 and 组织生活会, planned from the usual agenda and
typed up after the meeting (attendance, minutes per agenda item, criticism
and self-criticism, what was decided)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mingjing.domain.text import cn_date
from mingjing.services import meetings as svc
from mingjing.services.roster import MemberView, list_members
from mingjing.ui.desk.base import DeskTab

STATUSES = (("present", "出席"), ("absent", "缺席"), ("observer", "列席"))
KINDS = (("democratic_life", "专题民主生活会"), ("organizational_life", "组织生活会"))


def _combo(parent: QWidget, pairs: list[tuple[str | None, str]], current: str | None) -> QComboBox:
    combo = QComboBox(parent)
    for key, label in pairs:
        combo.addItem(label, key)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


class MeetingDialog(QDialog):
    """One meeting's whole record, in five tabs."""

    def __init__(
        self, data: svc.MeetingInput, members: list[MemberView], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("会议记录"))
        self.resize(900, 620)
        self.members = members
        self.people: list[tuple[str | None, str]] = [(None, self.tr("（未选）"))] + [
            (m.id, m.label) for m in members
        ]
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)

        basic = QWidget(self.tabs)
        form = QFormLayout(basic)
        self.kind = _combo(basic, list(KINDS), data.kind)
        self.theme = QLineEdit(data.theme, basic)
        self.held_on = QDateEdit(basic)
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("yyyy年M月d日")
        day = data.held_on or dt.date.today()
        self.held_on.setDate(QDate(day.year, day.month, day.day))
        # The 会议方案's date: usually some two weeks before; “按建档日期” until set.
        self.planned_on = QDateEdit(basic)
        self.planned_on.setCalendarPopup(True)
        self.planned_on.setDisplayFormat("yyyy年M月d日")
        self.planned_on.setMinimumDate(QDate(2000, 1, 1))
        self.planned_on.setSpecialValueText(self.tr("（同建立记录的日期）"))
        planned = data.planned_on
        self.planned_on.setDate(
            QDate(planned.year, planned.month, planned.day)
            if planned
            else self.planned_on.minimumDate()
        )
        self.planned_on.setToolTip(
            self.tr("印发会议方案的日期，打印在会议方案的落款处；不填则用建立这条会议记录的日期")
        )
        self.place = QLineEdit(data.place, basic)
        self.place.setPlaceholderText(self.tr("如：局机关三楼会议室"))
        self.host = _combo(basic, self.people, data.host_id)
        self.recorder = _combo(basic, self.people, data.recorder_id)
        self.branch = QLineEdit(data.branch, basic)
        self.branch.setPlaceholderText(self.tr("组织生活会填写党支部名称"))
        form.addRow(self.tr("会议类型"), self.kind)
        form.addRow(self.tr("会议主题"), self.theme)
        form.addRow(self.tr("开会日期"), self.held_on)
        form.addRow(self.tr("方案日期"), self.planned_on)
        form.addRow(self.tr("地点"), self.place)
        form.addRow(self.tr("主持人"), self.host)
        form.addRow(self.tr("记录人"), self.recorder)
        form.addRow(self.tr("党支部"), self.branch)
        self.tabs.addTab(basic, self.tr("基本情况"))

        self.attendance = self._table(
            [self.tr("姓名"), self.tr("情况"), self.tr("职务或单位"), self.tr("缺席原因或备注")],
            [260, 90, 220],
        )
        for a in data.attendees:
            self._add_attendee(a)
        self.tabs.addTab(
            self._with_buttons(
                self.attendance,
                (self.tr("添加本单位人员"), lambda: self._add_attendee(None)),
                (self.tr("添加列席人员"), self._add_observer),
            ),
            self.tr("参会人员"),
        )

        agenda_box = QWidget(self.tabs)
        agenda_layout = QHBoxLayout(agenda_box)
        left = QVBoxLayout()
        self.agenda = QListWidget(agenda_box)
        self.agenda.setWordWrap(True)
        self.minutes: list[str] = []
        for title, minutes in data.agenda:
            self._add_agenda(title, minutes)
        left.addWidget(QLabel(self.tr("议程（双击修改）"), agenda_box))
        left.addWidget(self.agenda, 1)
        row = QHBoxLayout()
        add = QPushButton(self.tr("添加议程"), agenda_box)
        add.clicked.connect(lambda: self._add_agenda(self.tr("新议程"), "", edit=True))
        remove = QPushButton(self.tr("删除议程"), agenda_box)
        remove.clicked.connect(self._remove_agenda)
        row.addWidget(add)
        row.addWidget(remove)
        left.addLayout(row)
        agenda_layout.addLayout(left, 2)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("这一项的会议记录"), agenda_box))
        self.minutes_edit = QPlainTextEdit(agenda_box)
        self.minutes_edit.setPlaceholderText(self.tr("发言要点、主要内容"))
        right.addWidget(self.minutes_edit, 1)
        agenda_layout.addLayout(right, 3)
        self.agenda.currentRowChanged.connect(self._agenda_selected)
        self.minutes_edit.textChanged.connect(self._minutes_typed)
        self._agenda_row = -1
        if self.agenda.count():
            self.agenda.setCurrentRow(0)
        self.tabs.addTab(agenda_box, self.tr("议程与记录"))

        self.criticisms = self._table(
            [self.tr("提出人"), self.tr("对象"), self.tr("批评意见"), self.tr("被批评人表态")],
            [240, 240, 300],
        )
        for c in data.criticisms:
            self._add_criticism(c)
        self.tabs.addTab(
            self._with_buttons(
                self.criticisms, (self.tr("添加一条"), lambda: self._add_criticism(None))
            ),
            self.tr("批评和自我批评"),
        )

        self.follow_up = QPlainTextEdit(data.follow_up, self.tabs)
        self.follow_up.setPlaceholderText(self.tr("会议议定的事项、整改要求和时限"))
        self.tabs.addTab(self.follow_up, self.tr("议定事项"))

        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    # ------------------------------------------------------------ tables

    def _table(self, headers: list[str], widths: list[int]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        for column, width in enumerate(widths):
            table.setColumnWidth(column, width)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        table.setWordWrap(True)
        return table

    def _with_buttons(self, table: QTableWidget, *actions: tuple[str, Any]) -> QWidget:
        box = QWidget(self.tabs)
        layout = QVBoxLayout(box)
        layout.addWidget(table, 1)
        row = QHBoxLayout()
        for text, slot in actions:
            button = QPushButton(text, box)
            button.clicked.connect(slot)
            row.addWidget(button)
        remove = QPushButton(self.tr("删除所选行"), box)
        remove.clicked.connect(lambda: table.removeRow(table.currentRow()))
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _add_attendee(self, a: svc.Attendee | None) -> None:
        row = self.attendance.rowCount()
        self.attendance.insertRow(row)
        if a is not None and a.member_id is None:  # someone from outside the unit
            self.attendance.setItem(row, 0, QTableWidgetItem(a.name))
        else:
            self.attendance.setCellWidget(
                row, 0, _combo(self.attendance, self.people, a.member_id if a else None)
            )
        status = a.status if a else "present"
        self.attendance.setCellWidget(row, 1, _combo(self.attendance, list(STATUSES), status))
        self.attendance.setItem(row, 2, QTableWidgetItem(a.title if a else ""))
        self.attendance.setItem(row, 3, QTableWidgetItem(a.reason if a else ""))

    def _add_observer(self) -> None:
        self._add_attendee(svc.Attendee(None, "", "observer"))
        item = self.attendance.item(self.attendance.rowCount() - 1, 0)
        if item is not None:
            self.attendance.editItem(item)

    def _add_criticism(self, c: svc.CriticismInput | None) -> None:
        row = self.criticisms.rowCount()
        self.criticisms.insertRow(row)
        self.criticisms.setCellWidget(
            row, 0, _combo(self.criticisms, self.people, c.from_id if c else None)
        )
        targets = [(None, self.tr("（自我批评）")), *self.people[1:]]
        self.criticisms.setCellWidget(
            row, 1, _combo(self.criticisms, targets, c.to_id if c else None)
        )
        self.criticisms.setItem(row, 2, QTableWidgetItem(c.text if c else ""))
        self.criticisms.setItem(row, 3, QTableWidgetItem(c.response if c else ""))

    # ------------------------------------------------------------ agenda

    def _add_agenda(self, title: str, minutes: str, edit: bool = False) -> None:
        item = QListWidgetItem(title, self.agenda)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.minutes.append(minutes)
        if edit:
            self.agenda.setCurrentItem(item)
            self.agenda.editItem(item)

    def _remove_agenda(self) -> None:
        row = self.agenda.currentRow()
        if row >= 0:
            self._agenda_row = -1
            self.agenda.takeItem(row)
            del self.minutes[row]

    def _agenda_selected(self, row: int) -> None:
        self._agenda_row = -1
        self.minutes_edit.setPlainText(self.minutes[row] if 0 <= row < len(self.minutes) else "")
        self.minutes_edit.setEnabled(row >= 0)
        self._agenda_row = row

    def _minutes_typed(self) -> None:
        if 0 <= self._agenda_row < len(self.minutes):
            self.minutes[self._agenda_row] = self.minutes_edit.toPlainText()

    # ------------------------------------------------------------ result

    def _text(self, table: QTableWidget, row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text().strip() if item else ""

    def _choice(self, table: QTableWidget, row: int, column: int) -> str | None:
        widget = table.cellWidget(row, column)
        return widget.currentData() if isinstance(widget, QComboBox) else None

    def result_data(self) -> svc.MeetingInput:
        names = {m.id: m.name for m in self.members}
        attendees = []
        for row in range(self.attendance.rowCount()):
            member_id = self._choice(self.attendance, row, 0)
            name = names.get(member_id or "", "") or self._text(self.attendance, row, 0)
            if not member_id and not name:
                continue
            attendees.append(
                svc.Attendee(
                    member_id,
                    name,
                    self._choice(self.attendance, row, 1) or "present",
                    self._text(self.attendance, row, 2),
                    self._text(self.attendance, row, 3),
                )
            )
        criticisms = [
            svc.CriticismInput(
                self._choice(self.criticisms, row, 0),
                self._choice(self.criticisms, row, 1),
                self._text(self.criticisms, row, 2),
                self._text(self.criticisms, row, 3),
            )
            for row in range(self.criticisms.rowCount())
            if self._text(self.criticisms, row, 2) or self._choice(self.criticisms, row, 0)
        ]
        d = self.held_on.date()
        p = self.planned_on.date()
        return svc.MeetingInput(
            kind=self.kind.currentData(),
            theme=self.theme.text(),
            held_on=dt.date(d.year(), d.month(), d.day()),
            planned_on=None
            if p == self.planned_on.minimumDate()
            else dt.date(p.year(), p.month(), p.day()),
            place=self.place.text(),
            host_id=self.host.currentData(),
            recorder_id=self.recorder.currentData(),
            branch=self.branch.text(),
            attendees=tuple(attendees),
            agenda=tuple(
                (self.agenda.item(n).text(), self.minutes[n]) for n in range(self.agenda.count())
            ),
            criticisms=tuple(criticisms),
            follow_up=self.follow_up.toPlainText(),
        )


def summary_html(view: svc.MeetingView) -> str:
    d = view.data
    e = html.escape
    present = [a.name for a in d.attendees if a.status == "present"]
    absent = [f"{a.name}（{a.reason}）" for a in d.attendees if a.status == "absent"]
    observers = [a.name for a in d.attendees if a.status == "observer"]
    parts = [
        f"<h3>{e(d.theme or view.kind_label)}</h3>",
        f"<p>{e(view.kind_label)}　{e(cn_date(d.held_on, '日期未定'))}　{e(d.place)}</p>",
        f"<p>主持人：{e(view.host or '（未填）')}　记录人：{e(view.recorder or '（未填）')}</p>",
        f"<p>出席：{e('、'.join(present) or '（未填）')}</p>",
    ]
    if absent:
        parts.append(f"<p>缺席：{e('；'.join(absent))}</p>")
    if observers:
        parts.append(f"<p>列席：{e('、'.join(observers))}</p>")
    parts.append("<p><b>议程</b></p><ol>")
    parts += [f"<li>{e(t)}{'' if m.strip() else '　<i>（未记录）</i>'}</li>" for t, m in d.agenda]
    parts.append("</ol>")
    parts.append(f"<p>批评和自我批评 {len(d.criticisms)} 条。</p>")
    return "".join(parts)


class MeetingsTab(DeskTab):
    """The campaign's meetings: plan one, type up its record, delete one."""

    saved = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views: list[svc.MeetingView] = []
        self.members: list[MemberView] = []
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.new_life = self.button(
            self.tr("安排专题民主生活会…"), lambda: self.plan("democratic_life")
        )
        self.new_branch = self.button(
            self.tr("安排组织生活会…"), lambda: self.plan("organizational_life")
        )
        self.edit_button = self.button(self.tr("填写会议记录…"), self.edit)
        self.delete_button = self.button(self.tr("删除"), self.delete)
        for b in (self.new_life, self.new_branch, self.edit_button, self.delete_button):
            bar.addWidget(b)
        bar.addStretch(1)
        outer.addLayout(bar)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.list = QListWidget(splitter)
        self.list.currentRowChanged.connect(self._selected)
        self.list.itemDoubleClicked.connect(lambda _: self.edit())
        self.detail = QTextBrowser(splitter)
        splitter.setSizes([420, 600])
        outer.addWidget(splitter, 1)
        self._selected(-1)

    def reload(self) -> None:
        context = self.context
        if context is None:
            return

        def work() -> tuple[list[svc.MeetingView], list[MemberView]]:
            return svc.list_meetings(context.db, context.campaign_id), list_members(context.db)

        self.run(work, self._show)

    def _show(self, result: object) -> None:
        assert isinstance(result, tuple)
        self.views, self.members = result
        current = self.current()
        self.list.clear()
        for view in self.views:
            self.list.addItem(view.label)
        if not self.views:
            self.detail.setHtml(
                self.tr(
                    "<p>还没有会议记录。点上面的按钮安排一次会议：议程按惯例列好，"
                    "会后在这里补记发言、批评和自我批评、议定事项。</p>"
                )
            )
        row = next((n for n, v in enumerate(self.views) if current and v.id == current.id), 0)
        if self.views:
            self.list.setCurrentRow(row)
        self.loaded.emit()

    def current(self) -> svc.MeetingView | None:
        row = self.list.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def _selected(self, row: int) -> None:
        view = self.current()
        self.edit_button.setEnabled(view is not None)
        self.delete_button.setEnabled(view is not None)
        if view is not None:
            self.detail.setHtml(summary_html(view))

    @classmethod
    def ask_record(
        cls, parent: QWidget, data: svc.MeetingInput, members: list[MemberView]
    ) -> svc.MeetingInput | None:
        dialog = MeetingDialog(data, members, parent)
        return dialog.result_data() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def plan(self, kind: str) -> None:
        context = self.context
        if context is None:
            return

        def planned(data: object) -> None:
            assert isinstance(data, svc.MeetingInput)
            self._edit(data, None)

        self.run(
            lambda: svc.plan_meeting(context.db, context.campaign_id, kind, dt.date.today()),
            planned,
        )

    def edit(self) -> None:
        view = self.current()
        if view is not None:
            self._edit(view.data, view.id)

    def _edit(self, data: svc.MeetingInput, meeting_id: str | None) -> None:
        context = self.context
        if context is None:
            return
        given = self.ask_record(self, data, self.members)
        if given is None:
            return

        def done(_: object) -> None:
            self.reload()
            self.saved.emit()
            self.changed.emit()

        self.run(
            lambda: svc.save_meeting(context.db, context.campaign_id, given, meeting_id),
            done,
            write=True,
        )

    def delete(self) -> None:
        view = self.current()
        context = self.context
        if view is None or context is None:
            return
        if not self.ask_yes(
            self, self.tr("删除会议记录“{0}”吗？").format(view.label), self.tr("删除")
        ):
            return
        self.run(
            lambda: svc.delete_meeting(context.db, view.id), lambda _: self.reload(), write=True
        )
