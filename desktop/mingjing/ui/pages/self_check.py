"""个人自查: the checklist page a cadre fills on their own laptop.

Areas on the left with their progress; the selected area's items on the
right, each with its 对号入座 level, its 具体表现和事例 and 列为问题. Every
change is saved by itself off the GUI thread, in the order it was made: a
level at once, typing after a short pause (well within a second), and
whatever is pending when the window closes. Undo and redo work across the
whole page, one step per intention (a level chosen, a stretch of typing, a
problem raised).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mingjing.config import DataLocation
from mingjing.domain.enums import SelfCheckState
from mingjing.domain.quality import Hint, HintKind
from mingjing.exchange.package import SUFFIXES
from mingjing.services.campaigns import JoinResult, OfficeKeyChanged, join_campaign
from mingjing.services.errors import DomainError, EnvironmentFault
from mingjing.services.replies import open_reply
from mingjing.services.self_check import (
    AreaView,
    ItemView,
    NotJoined,
    SelfCheckView,
    delete_problem,
    hand_in,
    load_own_self_check,
    raise_problem,
    restore_problem,
    set_answer,
)
from mingjing.ui.pages.problems import ProblemsPanel
from mingjing.ui.pages.study import StudyPanel
from mingjing.ui.pages.undo import (
    Change,
    ChangeCommand,
    Record,
    UndoText,
    creation,
    field_change,
)
from mingjing.ui.tasks import run_in_background

log = logging.getLogger(__name__)
TYPING_PAUSE_MS = 600
AnyIndex = QModelIndex | QPersistentModelIndex


class AreaListModel(QAbstractListModel):
    """The seven areas with how many of their items are answered."""

    KEY_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._areas: tuple[AreaView, ...] = ()

    def set_areas(self, areas: tuple[AreaView, ...]) -> None:
        if [a.key for a in areas] == [a.key for a in self._areas]:
            self._areas = areas
            if areas:
                self.dataChanged.emit(self.index(0), self.index(len(areas) - 1))
            return
        self.beginResetModel()
        self._areas = areas
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._areas)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._areas):
            return None
        area = self._areas[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row() + 1}. {area.title}　{area.answered}/{len(area.items)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("已填 {0} 项，共 {1} 项").format(area.answered, len(area.items))
        if role == self.KEY_ROLE:
            return area.key
        return None


class ItemEditor(QFrame):
    """One manifestation: level, example, 列为问题.

    Signals:
        level_chosen(item_key, level_code_or_None)
        example_paused(item_key): typing paused; the text is ready to save
        raise_requested(item_key)
    """

    level_chosen = Signal(str, object)
    example_paused = Signal(str)
    raise_requested = Signal(str)

    def __init__(
        self, item: ItemView, levels: tuple[tuple[str, str], ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("itemEditor")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.key = item.key
        layout = QVBoxLayout(self)
        self.title = QLabel(f"<b>{item.number}</b>　{item.text}", self)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("对号入座："), self))
        self.levels = QButtonGroup(self)
        self.level_buttons: dict[str, QRadioButton] = {}
        for code, label in levels:
            button = QRadioButton(label, self)
            self.levels.addButton(button)
            self.level_buttons[code] = button
            row.addWidget(button)
            button.toggled.connect(lambda on, c=code: self._toggled(on, c))
        row.addStretch(1)
        self.raise_button = QPushButton(self.tr("列为问题"), self)
        self.raise_button.setToolTip(self.tr("把这一项列入本人问题清单（Ctrl+Enter）"))
        self.raise_button.clicked.connect(lambda: self.raise_requested.emit(self.key))
        row.addWidget(self.raise_button)
        layout.addLayout(row)
        self.example = UndoText(self)
        self.example.setPlaceholderText(
            self.tr("具体表现和事例：写明时间、地点和具体事情，做到见人见事。")
        )
        self.example.setFixedHeight(self.example.fontMetrics().lineSpacing() * 4 + 16)
        layout.addWidget(self.example)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(TYPING_PAUSE_MS)
        self._pause.timeout.connect(lambda: self.example_paused.emit(self.key))
        self.example.textChanged.connect(self._pause.start)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.raise_requested.emit(self.key))
        self._applying = False
        self.show_item(item)

    def _toggled(self, on: bool, code: str) -> None:
        if on and not self._applying:
            self.level_chosen.emit(self.key, code)

    def show_item(self, item: ItemView) -> None:
        """Show stored values without emitting edits."""
        self._applying = True
        try:
            self.levels.setExclusive(False)
            for code, button in self.level_buttons.items():
                button.setChecked(code == item.level)
            self.levels.setExclusive(True)
            if self.example.toPlainText() != item.example and not self._pause.isActive():
                self.example.blockSignals(True)
                self.example.setPlainText(item.example)
                self.example.blockSignals(False)
        finally:
            self._applying = False
        self.raise_button.setEnabled(item.problem_id is None)
        self.raise_button.setText(self.tr("已列为问题") if item.problem_id else self.tr("列为问题"))

    def set_editable(self, editable: bool) -> None:
        """Handed in: still readable and selectable, just not changeable."""
        self.example.setReadOnly(not editable)
        for button in self.level_buttons.values():
            button.setEnabled(editable)
        if not editable:
            self.raise_button.setEnabled(False)

    def set_example(self, text: str) -> None:
        self.example.blockSignals(True)
        self.example.setPlainText(text)
        self.example.blockSignals(False)

    def flush(self) -> bool:
        """Emit a pending pause now (window closing); True if there was one."""
        if self._pause.isActive():
            self._pause.stop()
            self.example_paused.emit(self.key)
            return True
        return False


class SelfCheckPage(QWidget):
    """Signals:
    loaded: the page shows the member's self-check (or why it cannot).
    saved: a change reached the database.
    handed_in(path): a submission file was written.
    reply_opened(note): the office's reply was applied.
    joined: this computer joined a campaign (its user was chosen).
    """

    loaded = Signal()
    saved = Signal()
    handed_in = Signal(str)
    reply_opened = Signal(str)
    joined = Signal()

    def __init__(self, location: DataLocation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self.db: Any = None
        self.view: SelfCheckView | None = None
        self.undo_stack = QUndoStack(self)
        self._editors: dict[str, ItemEditor] = {}
        self._in_flight = 0  # edits queued and not yet back
        self._notice = ""  # why the last edit was not saved, shown with the next view
        self._stored_examples: dict[str, str] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 12)
        self.heading = QLabel(self.tr("个人自查"), self)
        self.heading.setObjectName("pageTitle")
        outer.addWidget(self.heading)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        bar = QHBoxLayout()
        self.progress = QLabel(self)
        bar.addWidget(self.progress)
        bar.addStretch(1)
        self.next_button = QPushButton(self.tr("下一个未填项"), self)
        self.next_button.setShortcut(QKeySequence("Ctrl+J"))
        self.next_button.setToolTip(self.tr("跳到下一个还没有对号入座的项目（Ctrl+J）"))
        self.next_button.clicked.connect(self.go_to_next_unanswered)
        bar.addWidget(self.next_button)
        self.join_button = QPushButton(self.tr("打开专项行动文件…"), self)
        self.join_button.clicked.connect(lambda: self.join(None))
        self.join_button.hide()
        bar.addWidget(self.join_button)
        self.reopen_button = QPushButton(self.tr("重新修改"), self)
        self.reopen_button.clicked.connect(self._confirm_reopen)
        bar.addWidget(self.reopen_button)
        self.reply_button = QPushButton(self.tr("打开审核回复…"), self)
        self.reply_button.setToolTip(self.tr("打开办公室发回的审核回复文件（.mjreply）"))
        self.reply_button.clicked.connect(lambda: self.open_reply_file(None))
        self.reply_button.hide()
        bar.addWidget(self.reply_button)
        self.hand_in_button = QPushButton(self.tr("提交给办公室…"), self)
        self.hand_in_button.setToolTip(
            self.tr("生成提交文件（.mjsubmission），交给办公室；提交后仍可重新修改、再次提交")
        )
        self.hand_in_button.clicked.connect(self.hand_in)
        bar.addWidget(self.hand_in_button)
        outer.addLayout(bar)

        self.tabs = QTabWidget(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self.tabs)
        self.areas = AreaListModel(self)
        self.area_list = QListView(splitter)
        self.area_list.setModel(self.areas)
        self.area_list.setMinimumWidth(200)
        self.area_list.setSpacing(3)
        self.area_list.selectionModel().currentChanged.connect(self._area_changed)
        # One scrolling panel per area, built on its first visit and kept:
        # switching areas is then a page flip, not 3–4 editors rebuilt.
        self.area_stack = QStackedWidget(splitter)
        self._panels: dict[str, QScrollArea] = {}
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 800])
        self.tabs.addTab(splitter, self.tr("对号入座"))
        self.problems_panel = ProblemsPanel(self.tabs)
        self.problems_panel.change_requested.connect(self._push)
        self.tabs.addTab(self.problems_panel, self.tr("查摆问题与整改措施"))
        self.study_panel = StudyPanel(self.tabs)
        self.study_panel.change_requested.connect(self._push)
        self.tabs.addTab(self.study_panel, self.tr("学习和谈心谈话"))
        outer.addWidget(self.tabs, 1)
        # Before there is a self-check (not joined, or it cannot be read): what to
        # do about it, in place of three empty tabs.
        self.empty_state = QLabel(self)
        self.empty_state.setObjectName("emptyState")
        self.empty_state.setWordWrap(True)
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setText(
            self.tr(
                "<p style='font-size:13pt'>本机还没有加入专项行动</p>"
                "<p>请点右上角“打开专项行动文件…”，选择办公室发来的文件（.mjcampaign），"
                "再在名单中选择自己；也可以把文件直接拖到这里。</p>"
                "<p>加入后，对号入座、查摆问题、原因剖析和整改措施都在这一页填写，随时自动保存。</p>"
            )
        )
        self.empty_state.hide()
        outer.addWidget(self.empty_state, 1)

        # A bounded, scrolling box: with many problems the hints must not squeeze the form.
        self.hints = QLabel(self)
        self.hints.setObjectName("hints")
        self.hints.setWordWrap(True)
        self.hints.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.hints.setTextFormat(Qt.TextFormat.RichText)
        self.hints.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.hints.linkActivated.connect(self.go_to_hint)
        self.hints_box = QScrollArea(self)
        self.hints_box.setWidgetResizable(True)
        self.hints_box.setFrameShape(QFrame.Shape.NoFrame)
        self.hints_box.setWidget(self.hints)
        # Room for the heading and three whole hints; more scroll.
        self.hints_box.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        outer.addWidget(self.hints_box)

        # Ctrl+Z / Ctrl+Y anywhere on the page; text fields hand them over too (UndoText).
        for key, redo in (
            (QKeySequence.StandardKey.Undo, False),
            (QKeySequence.StandardKey.Redo, True),
        ):
            action = QAction(self.tr("重做") if redo else self.tr("撤销"), self)
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, r=redo: self.undo_step(r))
            self.addAction(action)
        self._editable = False
        self.setAcceptDrops(True)
        self._show_message(self.tr("正在读取……"))

    # ------------------------------------------------------------ loading

    def set_database(self, db: Any) -> None:
        self.db = db
        self.reload()

    def reload(self) -> None:
        if self.db is None:
            return
        db, location = self.db, self.location
        run_in_background(
            lambda: load_own_self_check(db, location),
            parent=self,
            on_success=self._show_view,
            on_failure=self._failed,
            in_order=True,
        )

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, NotJoined):
            self._show_message(str(exc))
            self.join_button.show()
            self.empty_state.show()
        elif isinstance(exc, DomainError | EnvironmentFault):
            self._show_message(str(exc))
        else:
            log.error("self-check page failed", exc_info=exc)
            self._show_message(
                self.tr("读取自查表时发生程序内部错误。请将日志文件 {0} 发给技术支持人员。").format(
                    self.location.log_file
                )
            )
        self.loaded.emit()

    def _show_message(self, text: str) -> None:
        for widget in (self.tabs, self.next_button, self.hand_in_button):
            widget.setVisible(self.view is not None)
        self.hints_box.hide()
        self.empty_state.hide()
        self.status.setText(text)
        self.join_button.hide()
        self.progress.clear()
        self.hints.clear()
        self.next_button.setEnabled(False)
        self.reopen_button.hide()
        self.hand_in_button.setEnabled(False)

    def _show_view(self, view: object) -> None:
        assert isinstance(view, SelfCheckView)
        first = self.view is None
        self.view = view
        self.empty_state.hide()
        for widget in (self.tabs, self.next_button, self.hand_in_button):
            widget.show()
        self.heading.setText(
            self.tr("个人自查　{0}（{1}）").format(view.member_name, view.member_position)
        )
        state = view.state
        texts = {
            SelfCheckState.DRAFT: self.tr("填写中。所填内容随时自动保存。"),
            SelfCheckState.SUBMITTED: self.tr(
                "已提交（第 {0} 次），等待办公室审核。如需修改，请点“重新修改”，改后需重新提交。"
            ).format(view.submission_revision),
            SelfCheckState.ACCEPTED: self.tr(
                "办公室已审核通过。如需修改，请点“重新修改”，改后需重新提交。"
            ),
            SelfCheckState.RETURNED: self.tr("办公室退回返工：{0}").format(view.review_comment),
        }
        notice, self._notice = self._notice, ""
        self.status.setText(f"{notice}　{texts[state]}" if notice else texts[state])
        # Returned for rework must not be missed: it is the one state that asks for
        # action; nor may an edit that was not saved.
        self.status.setStyleSheet(
            "color: #a8322d; font-weight: bold;"
            if state is SelfCheckState.RETURNED or notice
            else ""
        )
        self.hand_in_button.setText(
            self.tr("重新提交…") if view.submission_revision else self.tr("提交给办公室…")
        )
        self.join_button.hide()
        self._editable = state in (SelfCheckState.DRAFT, SelfCheckState.RETURNED)
        self.reopen_button.setVisible(not self._editable)
        self.hand_in_button.setEnabled(state is not SelfCheckState.ACCEPTED)
        self.reply_button.setVisible(view.submission_revision > 0)
        progress = self.tr("已填 {0} / {1} 项").format(view.answered, view.total)
        if view.text_length:
            progress += self.tr("　对照检查材料约 {0} 字，其中查摆问题和原因剖析约占 {1}%").format(
                view.text_length, view.examined_share
            )
        self.progress.setText(progress)
        self.next_button.setEnabled(self._editable and view.next_unanswered() is not None)
        self.areas.set_areas(view.areas)
        for area in view.areas:
            for item in area.items:
                self._stored_examples.setdefault(item.key, item.example)
        self.problems_panel.set_view(view)
        self.problems_panel.set_editable(self._editable)
        self.study_panel.set_view(view)
        self.study_panel.set_editable(self._editable)
        self.tabs.setTabText(1, self.tr("查摆问题与整改措施（{0}）").format(len(view.problems)))
        if first and view.areas:
            self.area_list.setCurrentIndex(self.areas.index(0))
        else:
            self._refresh_editors()
        self.hints.setText(
            html.escape(
                self.tr("提示（{0} 条，不影响保存和提交；点击可转到相应位置）：").format(
                    len(view.hints)
                )
            )
            + "".join(f"<br>{_hint_link(h)}" for h in view.hints)
            if view.hints
            else ""
        )
        self.hints_box.setVisible(bool(view.hints))
        self.loaded.emit()

    def go_to_hint(self, target: str) -> None:
        """A clicked hint: show the item (item:1.2) or problem (problem:0) it is about."""
        kind, _, where = target.partition(":")
        if self.view is None:
            return
        if kind == "problem" and where.isdigit():
            self.tabs.setCurrentIndex(1)
            row = int(where)
            if 0 <= row < self.problems_panel.model.rowCount():
                self.problems_panel.list.setCurrentIndex(self.problems_panel.model.index(row))
                self.problems_panel.text.setFocus()
        elif kind == "item":
            for row, area in enumerate(self.view.areas):
                item = next((i for i in area.items if i.number == where), None)
                if item is not None:
                    self.tabs.setCurrentIndex(0)
                    self.area_list.setCurrentIndex(self.areas.index(row))
                    editor = self._editors.get(item.key)
                    panel = self.area_stack.currentWidget()
                    if editor is not None and isinstance(panel, QScrollArea):
                        panel.ensureWidgetVisible(editor)
                        editor.example.setFocus()
                    return
        elif kind == "study":
            self.tabs.setCurrentIndex(2)
        elif kind in ("analysis", "matters"):
            self.tabs.setCurrentIndex(1)
            self.problems_panel.check_text_widget(kind).setFocus()

    def _area(self, key: str) -> AreaView | None:
        if self.view is None:
            return None
        return next((a for a in self.view.areas if a.key == key), None)

    def _area_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        key = current.data(AreaListModel.KEY_ROLE)
        area = self._area(key) if key else None
        if area is None or self.view is None:
            return
        panel = self._panels.get(area.key)
        if panel is None:
            panel = self._build_panel(area)
        self.area_stack.setCurrentWidget(panel)

    def _build_panel(self, area: AreaView) -> QScrollArea:
        assert self.view is not None
        panel = QScrollArea(self.area_stack)
        panel.setWidgetResizable(True)
        panel.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the first item, not the frame
        box = QWidget(panel)
        layout = QVBoxLayout(box)
        for item in area.items:
            editor = ItemEditor(item, self.view.levels, box)
            editor.set_editable(self._editable)
            editor.level_chosen.connect(self._level_chosen)
            editor.example_paused.connect(self._example_paused)
            editor.raise_requested.connect(self._raise)
            layout.addWidget(editor)
            self._editors[item.key] = editor
        layout.addStretch(1)
        panel.setWidget(box)
        self.area_stack.addWidget(panel)
        self._panels[area.key] = panel
        return panel

    def _refresh_editors(self) -> None:
        if self.view is None:
            return
        for area in self.view.areas:
            for item in area.items:
                editor = self._editors.get(item.key)
                if editor is not None:
                    editor.show_item(item)
                    editor.set_editable(self._editable)

    def _item(self, key: str) -> ItemView | None:
        if self.view is None:
            return None
        return next((i for a in self.view.areas for i in a.items if i.key == key), None)

    # ------------------------------------------------------------ editing

    def _level_chosen(self, key: str, code: object) -> None:
        item = self._item(key)
        if self.view is None or item is None:
            return
        check_id = self.view.id

        def save(db: Any, level: Any) -> None:
            set_answer(db, check_id, key, level=level)

        self._push(
            field_change(
                self.tr("对号入座"), "", item.level, code, save, lambda _: None, f"item:{key}"
            )
        )

    def _example_paused(self, key: str) -> None:
        editor = self._editors.get(key)
        if editor is None or self.view is None:
            return
        new = editor.example.toPlainText()
        old = self._stored_examples.get(key, "")
        if new == old:
            return
        self._stored_examples[key] = new
        check_id = self.view.id

        def save(db: Any, text: Any) -> None:
            set_answer(db, check_id, key, example=text)

        def show(text: Any) -> None:
            current = self._editors.get(key)
            if current is not None and current.example.toPlainText() != text:
                current.set_example(text)
            self._stored_examples[key] = text

        self._push(
            field_change(self.tr("填写事例"), f"item:{key}", old, new, save, show, f"item:{key}")
        )

    def _after_save(self, view: object) -> None:
        self._in_flight -= 1
        # Only the view after the last queued edit is shown: an older one would
        # take back, for a moment, what the user has done since (an entry just
        # added would vanish and come back as a new widget, losing the cursor).
        if self._in_flight == 0:
            self._show_view(view)
        self.saved.emit()

    def _edit_failed(self, exc: BaseException) -> None:
        """An edit was refused (or failed): say why above what is actually stored."""
        self._in_flight -= 1
        if isinstance(exc, DomainError | EnvironmentFault):
            self._notice = str(exc)
        else:
            log.error("an edit on the self-check page failed", exc_info=exc)
            self._notice = self.tr(
                "刚才的修改没有保存：程序内部错误。请将日志文件 {0} 发给技术支持人员。"
            ).format(self.location.log_file)
        if self._in_flight == 0:
            self.reload()

    def _raise(self, key: str) -> None:
        if self.view is None or self.db is None or not self._editable:
            return
        self.flush()
        check_id = self.view.id
        self._push(
            creation(
                self.tr("列为问题"),
                Record(),
                lambda db: raise_problem(db, check_id, key),
                delete_problem,
                restore_problem,
            )
        )

    def _push(self, change: object) -> None:
        """One intention: on the stack, which runs it (and its undo) in order."""
        if isinstance(change, Change) and self._editable:
            self.undo_stack.push(ChangeCommand(change, self._run_edit, self.reveal))

    def reveal(self, where: str) -> None:
        """Show the place a change is about (before undoing or redoing it there)."""
        kind, _, key = where.partition(":")
        if kind == "item":
            self.tabs.setCurrentIndex(0)
            self._show_item(key)
        elif kind == "problem":
            self.tabs.setCurrentIndex(1)
            self.problems_panel.select(key)
        elif kind in ("analysis", "matters", "problems"):
            self.tabs.setCurrentIndex(1)
        elif kind == "study":
            self.tabs.setCurrentIndex(2)

    def _show_item(self, key: str) -> ItemEditor | None:
        """Select the item's area and scroll to it."""
        if self.view is None:
            return None
        for row, area in enumerate(self.view.areas):
            if any(i.key == key for i in area.items):
                if self.area_list.currentIndex().row() != row:
                    self.area_list.setCurrentIndex(self.areas.index(row))
                break
        editor = self._editors.get(key)
        panel = self.area_stack.currentWidget()
        if editor is not None and isinstance(panel, QScrollArea):
            panel.ensureWidgetVisible(editor)
        return editor

    def undo_step(self, redo: bool) -> None:
        """Ctrl+Z / Ctrl+Y: typing still waiting for its pause is one step first."""
        if not self._editable:
            return
        self.flush()
        if redo:
            self.undo_stack.redo()
        else:
            self.undo_stack.undo()

    def flush(self) -> None:
        """Save typing that is still waiting for its pause (page or window closing)."""
        for editor in list(self._editors.values()):
            editor.flush()
        self.problems_panel.flush()

    def _run_edit(self, call: object) -> None:
        """Run an edit (or its undo), in order, off the GUI thread; then show the result."""
        if self.db is None or not callable(call):
            return
        db, location = self.db, self.location

        def work() -> SelfCheckView:
            call(db)
            return load_own_self_check(db, location)

        self._in_flight += 1
        run_in_background(
            work,
            parent=self,
            on_success=self._after_save,
            on_failure=self._edit_failed,
            in_order=True,
        )

    def go_to_next_unanswered(self) -> None:
        if self.view is None or not self._editable:
            return
        focused = next(
            (
                k
                for k, e in self._editors.items()
                if e.hasFocus() or e.isAncestorOf(self.focusWidget())
            ),
            None,
        )
        key = self.view.next_unanswered(focused if self.tabs.currentIndex() == 0 else None)
        if key is None:
            return
        self.tabs.setCurrentIndex(0)  # from another tab too: never focus a hidden item
        editor = self._show_item(key)
        if editor is not None:
            next(iter(editor.level_buttons.values())).setFocus()

    # ------------------------------------------------------------ joining

    @classmethod
    def ask_package(cls, parent: QWidget) -> str | None:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            parent.tr("打开专项行动文件"),
            "",
            parent.tr("明镜专项行动文件 (*.mjcampaign)"),
        )
        return name or None

    @classmethod
    def ask_member(cls, parent: QWidget, labels: list[str]) -> str | None:
        label, ok = QInputDialog.getItem(
            parent, parent.tr("选择本人"), parent.tr("请在名单中选择自己："), labels, 0, False
        )
        return label if ok and label else None

    @classmethod
    def tell_office_key(cls, parent: QWidget, fingerprint: str) -> None:
        QMessageBox.information(
            parent,
            parent.tr("已登记办公室的密钥"),
            parent.tr(
                "本机已登记办公室的密钥，今后只接受它签发的文件，提交的材料也只有办公室能打开。\n\n"
                "密钥指纹：{0}\n\n请打电话与办公室核对这串指纹（办公室在“关于明镜”中可以看到），"
                "不一致时请立即告知办公室。"
            ).format(fingerprint),
        )

    @classmethod
    def ask_trust_office_key(cls, parent: QWidget, new: str, pinned: str) -> bool:
        answer = QMessageBox.warning(
            parent,
            parent.tr("办公室的密钥变了"),
            parent.tr(
                "这个专项行动文件的签发密钥与本机登记的办公室密钥不同：\n\n"
                "文件的密钥指纹：{0}\n本机登记的指纹：{1}\n\n"
                "可能是办公室换了电脑，也可能是别人冒充办公室发的文件。"
                "请先打电话向办公室核对文件的指纹，一致时再选“信任新的密钥”。"
            ).format(new, pinned),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def join(self, path: str | None = None, *, trust_new_key: str = "") -> None:
        """Join with a campaign package: choose the file, then oneself in its roster."""
        path = path or self.ask_package(self)
        if path is None or self.db is None:
            return
        db, location = self.db, self.location

        def roster() -> list[str]:
            result = join_campaign(db, location, Path(path), trust_new_office_key=trust_new_key)
            return [r.label for r in result.roster]

        def refused(exc: BaseException) -> None:
            if (
                isinstance(exc, OfficeKeyChanged)
                and path is not None
                and self.ask_trust_office_key(self, exc.new, exc.pinned)
            ):
                self.join(path, trust_new_key=exc.new)  # that key, and only that one
                return
            self._join_failed(exc)

        def chosen(labels: object) -> None:
            assert isinstance(labels, list)
            label = self.ask_member(self, labels)
            if label is None:
                return

            def become() -> JoinResult:
                result = join_campaign(
                    db, location, Path(path), label, trust_new_office_key=trust_new_key
                )
                assert result.member is not None
                db.actor = result.member.name  # audit entries from now on name the member
                return result

            def became(result: object) -> None:
                self.joined.emit()
                self.reload()
                if isinstance(result, JoinResult) and result.office_key_new:
                    self.tell_office_key(self, result.office_fingerprint)

            run_in_background(
                become,
                parent=self,
                on_success=became,
                on_failure=self._join_failed,
                in_order=True,
            )

        run_in_background(roster, parent=self, on_success=chosen, on_failure=refused, in_order=True)

    def _join_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError | EnvironmentFault):
            QMessageBox.warning(self, self.tr("无法加入"), str(exc))
        else:
            self._failed(exc)

    # ------------------------------------------------------------ handing in

    @classmethod
    def ask_hand_in_folder(cls, parent: QWidget) -> str | None:
        folder = QFileDialog.getExistingDirectory(
            parent, parent.tr("选择提交文件的保存位置（如U盘）")
        )
        return folder or None

    @classmethod
    def ask_hand_in_anyway(cls, parent: QWidget, unanswered: int, hints: int) -> bool:
        parts = []
        if unanswered:
            parts.append(parent.tr("还有 {0} 项没有对号入座").format(unanswered))
        if hints:
            parts.append(parent.tr("还有 {0} 条提示").format(hints))
        answer = QMessageBox.question(
            parent,
            parent.tr("提交前确认"),
            "，".join(parts) + parent.tr("。仍要提交吗？提交后还可以重新修改、再次提交。"),
        )
        return answer == QMessageBox.StandardButton.Yes

    def hand_in(self) -> None:
        """提交: save pending typing, then write the submission file where the user chose."""
        self.flush()
        if self.view is not None:
            unanswered = self.view.total - self.view.answered
            if (unanswered or self.view.hints) and not self.ask_hand_in_anyway(
                self, unanswered, len(self.view.hints)
            ):
                return
        folder = self.ask_hand_in_folder(self)
        if folder is None or self.db is None:
            return
        db, location = self.db, self.location
        before = self.view.submission_revision if self.view is not None else 0

        def work() -> tuple[Path, SelfCheckView]:
            made = hand_in(db, location, Path(folder))
            return made, load_own_self_check(db, location)

        def done(result: object) -> None:
            assert isinstance(result, tuple)
            made, view = result
            self.undo_stack.clear()  # handed in: what was sent is not undone from here
            self._show_view(view)
            self.handed_in.emit(str(made))
            if view.submission_revision == before:
                text = self.tr(
                    "内容与第 {0} 次提交相同，没有新的修改，仍是第 {0} 次提交。"
                    "提交文件在：\n{1}\n如办公室还没有收到，请把它交给办公室。"
                ).format(before, made)
            else:
                text = self.tr("提交文件已保存为：\n{0}\n请把它交给办公室。").format(made)
            QMessageBox.information(self, self.tr("已提交"), text)

        run_in_background(
            work, parent=self, on_success=done, on_failure=self._join_failed, in_order=True
        )

    # ------------------------------------------------------------ replies, dropped files

    @classmethod
    def ask_reply(cls, parent: QWidget) -> str | None:
        name, _ = QFileDialog.getOpenFileName(
            parent, parent.tr("打开审核回复"), "", parent.tr("明镜审核回复文件 (*.mjreply)")
        )
        return name or None

    def open_reply_file(self, path: str | None) -> None:
        """Open the office's reply (from the dialog, or a dropped file)."""
        path = path or self.ask_reply(self)
        if path is None or self.db is None:
            return
        db, location = self.db, self.location

        def work() -> tuple[str, SelfCheckView]:
            result = open_reply(db, location, Path(path))
            return result.note, load_own_self_check(db, location)

        def done(outcome: object) -> None:
            assert isinstance(outcome, tuple)
            note, view = outcome
            self.undo_stack.clear()
            self._show_view(view)
            self.status.setText(note + " " + self.status.text())
            self.reply_opened.emit(note)

        run_in_background(
            work, parent=self, on_success=done, on_failure=self._join_failed, in_order=True
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(_dropped_kind(u.toLocalFile()) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            path = url.toLocalFile()
            kind = _dropped_kind(path)
            if kind == "campaign":
                self.join(path)
            elif kind == "reply":
                self.open_reply_file(path)
        event.acceptProposedAction()

    @classmethod
    def ask_reopen(cls, parent: QWidget) -> bool:
        answer = QMessageBox.question(
            parent,
            parent.tr("重新修改"),
            parent.tr("修改后，这份自查表将回到“填写中”，需要重新提交给办公室。确定要修改吗？"),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _confirm_reopen(self) -> None:
        if self.ask_reopen(self):
            self._editable = True
            self._refresh_editors()
            self.problems_panel.set_editable(True)
            self.study_panel.set_editable(True)
            self.reopen_button.hide()
            if self.view is not None:
                self.next_button.setEnabled(self.view.next_unanswered() is not None)
            self.status.setText(self.tr("修改中。改完后请重新提交。"))


def _dropped_kind(path: str) -> str | None:
    """Which package a dropped file is, by its ending."""
    lower = path.lower()
    for kind, suffix in SUFFIXES.items():
        if lower.endswith(suffix):
            return kind
    return None


def _hint_link(hint: Hint) -> str:
    """A hint as a link to where it can be mended, or plain text if nowhere in particular."""
    text = html.escape(hint.message)
    if hint.item is not None:
        return f'<a href="item:{hint.item}">{text}</a>'
    if hint.problem is not None:
        return f'<a href="problem:{hint.problem}">{text}</a>'
    if hint.kind is HintKind.NO_STUDY:
        return f'<a href="study:">{text}</a>'
    if hint.kind is HintKind.NO_ANALYSIS:
        return f'<a href="analysis:">{text}</a>'
    if hint.kind is HintKind.NO_PERSONAL_MATTERS:
        return f'<a href="matters:">{text}</a>'
    return text
