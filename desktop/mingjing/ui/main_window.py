"""The main window: a navigation pane of the roles' work areas, pages, status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from mingjing.config import DataLocation
from mingjing.exchange.package import KIND_LABELS, SUFFIXES
from mingjing.fonts import FontRegistry
from mingjing.services.errors import DomainError, EnvironmentFault
from mingjing.services.overview import Summary, save_snapshot
from mingjing.services.startup import Prepared
from mingjing.ui import settings as S
from mingjing.ui.desk.consultations import ConsultationsTab
from mingjing.ui.desk.hand_ins import HandInsTab
from mingjing.ui.desk.leader_review import LeaderReviewTab
from mingjing.ui.desk.ledger_page import LedgerPage
from mingjing.ui.desk.materials_page import MaterialsPage
from mingjing.ui.desk.opinions import OpinionsTab
from mingjing.ui.desk.page import DeskPage
from mingjing.ui.desk.problem_list import ProblemListTab
from mingjing.ui.desk.roster import RosterTab
from mingjing.ui.pages.overview import OverviewPage
from mingjing.ui.pages.review import ReviewPage
from mingjing.ui.pages.self_check import SelfCheckPage
from mingjing.ui.protection import IdleWatcher, LockScreen
from mingjing.ui.tasks import run_in_background

if TYPE_CHECKING:
    from mingjing.services.workspace import Workspace

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The window opens at once; the database is opened behind it.

    Signals:
        first_page_shown: the first page has real content and has been painted.
        workspace_opened: the database is open (``self.workspace`` is set).
        workspace_failed(exc): the database could not be opened.
    """

    first_page_shown = Signal()
    workspace_opened = Signal()
    workspace_failed = Signal(object)

    def __init__(
        self,
        location: DataLocation,
        settings: S.Settings,
        fonts: FontRegistry | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace: Workspace | None = None
        self.location = location
        self.settings = settings
        self.fonts = fonts
        self.setWindowTitle(self.tr("明镜"))
        self.setMinimumSize(QSize(960, 600))

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(168)
        self.nav.setSpacing(2)
        self.pages = QStackedWidget(self)
        self.overview = OverviewPage(self.pages)
        self._page_keys: list[str] = []
        self._add_page("overview", self.tr("工作概况"), self.overview)
        self.self_check = SelfCheckPage(location, self.pages)
        self._add_page("self_check", self.tr("个人自查"), self.self_check)
        self.desk = DeskPage(location, self.pages)
        self.desk.add_tab(RosterTab(self.desk), self.tr("干部名单"))
        self.desk.add_tab(HandInsTab(self.desk), self.tr("收取自查"))
        self.desk.add_tab(OpinionsTab(self.desk), self.tr("征求意见"))
        self.desk.add_tab(ProblemListTab(self.desk), self.tr("问题清单"))
        self.consultations = ConsultationsTab(self.desk)
        self.desk.add_tab(self.consultations, self.tr("集体会诊"))
        self.desk.add_tab(LeaderReviewTab(self.desk), self.tr("领导审阅"))
        self._add_page("gathering", self.tr("汇总与会诊"), self.desk)
        self.ledger = LedgerPage(self.pages, fonts)
        self._add_page("ledger", self.tr("整改台账"), self.ledger)
        self.materials = MaterialsPage(self.pages, fonts)
        self._add_page("materials", self.tr("会议材料"), self.materials)
        self.desk.loaded.connect(self._desk_loaded)
        self.ledger.changed.connect(self.refresh)
        self.ledger.ledger.reminders_changed.connect(self._reminders)
        self.review = ReviewPage(location, self.pages)
        self._add_page("review", self.tr("领导审阅"), self.review)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)

        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        # The window's face: the work area, or the lock screen in its place.
        self.face = QStackedWidget(self)
        self.face.addWidget(central)
        self.setCentralWidget(self.face)
        self._work_area = central
        self.lock_screen: LockScreen | None = None
        self.idle_watcher = IdleWatcher(self)
        self.idle_watcher.idle.connect(self.lock_idle)

        self.campaign_label = QLabel(self.tr("未打开专项行动"), self)
        self.location_label = QLabel(self.tr("数据：{0}").format(self.location.describe()), self)
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(self.campaign_label, 1)
        self.statusBar().addPermanentWidget(self.location_label)

        self._build_menus()
        self._restore_layout()
        self.overview.populated.connect(self._on_overview_populated)
        self.overview.join_requested.connect(self._join_from_overview)
        self.overview.demo_requested.connect(self.make_demo)
        self.overview.create_requested.connect(self._create_from_overview)
        self.self_check.joined.connect(self.refresh)
        self.desk.changed.connect(self.refresh)
        self._first_shown = False
        self._reminded = False
        self._closing = False
        self._refresh_generation = 0
        self._pending_packages: list[Path] = []
        self._pending_hand_ins: list[Path] = []
        self._after_unlock: Callable[[], None] | None = None

    # ------------------------------------------------------------------ pages

    def _add_page(self, key: str, title: str, widget: QWidget) -> None:
        self._page_keys.append(key)
        self.pages.addWidget(widget)
        item = QListWidgetItem(title, self.nav)
        item.setSizeHint(QSize(160, 40))

    def page_keys(self) -> list[str]:
        return list(self._page_keys)

    def show_page(self, key: str) -> None:
        if key in self._page_keys:
            self.nav.setCurrentRow(self._page_keys.index(key))

    # ------------------------------------------------------------------ menus

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        backup = QAction(self.tr("备份数据库(&B)…"), self)
        backup.triggered.connect(self.backup_database)
        backup.setEnabled(self.location.sqlite_path is not None)
        file_menu.addAction(backup)
        check = QAction(self.tr("检查数据(&C)…"), self)
        check.setToolTip(self.tr("检查数据库是否完好、审计记录是否被改动过"))
        check.triggered.connect(self.check_data)
        file_menu.addAction(check)
        file_menu.addSeparator()
        protect = QAction(self.tr("数据保护(&P)…"), self)
        protect.setToolTip(self.tr("为本机数据设置密码、查看恢复密钥、设置自动锁定"))
        protect.triggered.connect(self.manage_password)
        protect.setEnabled(self.location.sqlite_path is not None)
        file_menu.addAction(protect)
        self.lock_action = QAction(self.tr("立即锁定(&L)"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.lock_now(self.tr("已锁定。")))
        self.lock_action.setEnabled(False)  # until a password is set (_update_protection)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("退出(&X)"), self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(self.tr("查看(&V)"))
        refresh = QAction(self.tr("刷新(&R)"), self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.refresh)
        view_menu.addAction(refresh)

        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        about = QAction(self.tr("关于明镜(&A)"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # ------------------------------------------------------------------- data

    def open_workspace(self, prepared: Prepared) -> None:
        """Load the database layer and open the database off the GUI thread.

        An encrypted database whose key is not held yet is asked for first
        (the lock screen); the database is opened once it is unlocked.
        """
        from mingjing.services import protection

        if not protection.status(prepared.location).unlocked:
            self.show_locked(
                self.tr("请输入密码解锁。"), then=lambda: self.open_workspace(prepared)
            )
            if protection.key_file_missing(prepared.location):
                assert self.lock_screen is not None
                self.lock_screen.only_recovery(
                    self.tr(
                        "找不到数据库旁边的密钥文件，无法用密码解锁。如果本机数据设过密码，"
                        "请用恢复密钥打开并设置新密码；如果没有设过，数据库文件可能已损坏，"
                        "请退出后用备份恢复。"
                    )
                )
            if not self._first_shown:
                self._first_shown = True
                QTimer.singleShot(0, self._announce_first_page)
            return

        def work() -> Workspace:
            from mingjing.services.workspace import Workspace

            return Workspace.open(prepared.location, lock=prepared.lock)

        run_in_background(
            work,
            parent=self,
            on_success=self._on_workspace,
            on_failure=self.workspace_failed.emit,
        )

    def _desk_loaded(self) -> None:
        """The ledger works on the campaign the desk has open (none on a cadre's laptop)."""
        if self._pending_hand_ins:
            self._take_hand_ins()
        context = self.desk.context
        if context is None or self.ledger.ledger.context != context:
            self.ledger.set_context(context)
        if context is None or self.materials.materials.context != context:
            self.materials.set_context(context)

    def _reminders(self, found: object) -> None:
        """到期提醒 in the navigation and, once a session, in the status bar."""
        from mingjing.services.ledger import Reminders

        assert isinstance(found, Reminders)
        item = self.nav.item(self._page_keys.index("ledger"))
        if found.overdue:
            item.setText(self.tr("整改台账（逾期 {0}）").format(found.overdue))
        elif found.due_3:
            item.setText(self.tr("整改台账（将到期 {0}）").format(found.due_3))
        else:
            item.setText(self.tr("整改台账"))
        item.setToolTip(found.summary)
        if found.any and not self._reminded:
            self._reminded = True
            self.statusBar().showMessage(self.tr("到期提醒：{0}").format(found.summary), 30_000)

    def _on_workspace(self, workspace: object) -> None:
        self.set_workspace(workspace)  # type: ignore[arg-type]

    def attach(self, workspace: Workspace) -> None:
        """Give every page the open database."""
        self.workspace = workspace
        self.self_check.set_database(workspace.db)
        self.desk.set_database(workspace.db)
        self.review.set_database(workspace.db)
        self._update_protection()

    def set_workspace(self, workspace: Workspace) -> None:
        self.attach(workspace)
        # A cadre's laptop opens where the work is: the checklist, not the overview.
        profile = workspace.profile
        if (
            profile.joined
            and profile.role in ("staff", "leader")
            and self.pages.currentIndex() == 0
        ):
            self.show_page("self_check")
        self.workspace_opened.emit()
        self.refresh()
        pending, self._pending_packages = self._pending_packages, []
        for path in pending:
            self._open_package_now(path)

    def show_snapshot(self, summary: Summary) -> None:
        """Show the overview kept from the last run while the database opens."""
        self._on_summary(summary)

    def refresh(self) -> None:
        """Reload the overview off the GUI thread and keep it for the next start."""
        if self.workspace is None:
            return
        if self.overview.summary is None:
            self.overview.show_loading()
        db = self.workspace.db
        location = self.location
        self._refresh_generation += 1
        generation = self._refresh_generation

        def work() -> Summary:
            from mingjing.services.profile import load_profile
            from mingjing.services.summary import summarize

            # A cadre's laptop knows only its user's material: show that, not unit counts.
            profile = load_profile(location.data_dir)
            staff = profile.joined and profile.role in ("staff", "leader")
            summary = summarize(db, member_id=profile.member_id if staff else None)
            save_snapshot(location, summary)
            return summary

        def done(summary: object) -> None:
            if generation == self._refresh_generation:  # a later refresh wins
                self._on_summary(summary)

        run_in_background(work, parent=self, on_success=done, on_failure=self._on_failure)

    def _on_summary(self, summary: object) -> None:
        assert isinstance(summary, Summary)
        self.overview.set_summary(summary)
        if summary.campaign is not None:
            self.campaign_label.setText(f"{summary.campaign.unit_name}　{summary.campaign.title}")
        else:
            self.campaign_label.setText(self.tr("未打开专项行动"))

    def _on_failure(self, exc: BaseException) -> None:
        if isinstance(exc, EnvironmentFault | DomainError):
            self.overview.show_error(str(exc))
        else:
            log.error("reading the overview failed", exc_info=exc)
            self.overview.show_error(
                self.tr("读取数据时发生程序内部错误。请将日志文件 {0} 发给技术支持人员。").format(
                    self.location.log_file
                )
            )

    def _on_overview_populated(self) -> None:
        if self._first_shown:
            return
        self._first_shown = True
        # Let the new content paint before announcing it.
        QTimer.singleShot(0, self._announce_first_page)

    def _announce_first_page(self) -> None:
        self.repaint()
        self.first_page_shown.emit()

    # ------------------------------------------------------- opened files

    # Dialogs are class methods so that tests can answer them.

    @classmethod
    def tell_info(cls, parent: QWidget, text: str) -> None:
        QMessageBox.information(parent, parent.tr("明镜"), text)

    @classmethod
    def tell_warning(cls, parent: QWidget, text: str) -> None:
        QMessageBox.warning(parent, parent.tr("明镜"), text)

    def come_forward(self, package: Path | None = None) -> None:
        """A second start of 明镜 on this data folder: show this window, take its file."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        if package is not None:
            self.open_package(package)

    def open_package(self, path: Path) -> None:
        """A package file the program was started with (a double-click on it).

        It goes where the same file would be taken in by hand: a campaign
        file to 个人自查's joining, a reply to 个人自查's 打开审核回复, a
        hand-in to 汇总与会诊's 收取自查. Before the database is open it waits.
        """
        if self.workspace is None:
            self._pending_packages.append(path)
            return
        self._open_package_now(path)

    def _open_package_now(self, path: Path) -> None:
        lower = path.name.lower()
        kind = next((k for k, suffix in SUFFIXES.items() if lower.endswith(suffix)), None)
        if kind is None:
            endings = "、".join(SUFFIXES.values())
            self.tell_warning(
                self, self.tr("{0} 不是明镜的文件（明镜的文件以 {1} 结尾）。").format(path, endings)
            )
            return
        if not path.is_file():
            self.tell_warning(
                self,
                self.tr("找不到{0} {1}。它可能已被移走或改名。").format(KIND_LABELS[kind], path),
            )
            return
        if kind == "campaign":
            self.show_page("self_check")
            self.self_check.join(str(path))
        elif kind == "reply":
            self.show_page("self_check")
            self.self_check.open_reply_file(str(path))
        elif kind == "submission":
            self.show_page("gathering")
            self._pending_hand_ins.append(path)
            self.desk.reload()  # taken in when the desk has read which campaign is open
        elif kind == "review":
            self.show_page("review")
            self.review.open_file(path)
        else:
            self.show_page("gathering")
            tab = self.desk.tab(LeaderReviewTab)
            assert isinstance(tab, LeaderReviewTab)
            self.desk.tabs.setCurrentWidget(tab)
            tab.import_reply(path)

    def _take_hand_ins(self) -> None:
        paths, self._pending_hand_ins = self._pending_hand_ins, []
        if self.desk.context is None:
            self.tell_warning(
                self,
                self.tr(
                    "本机没有办公室的专项行动，不能收取自查提交文件 {0}。"
                    "请在办公室汇总用的电脑上用明镜打开它。"
                ).format("、".join(p.name for p in paths)),
            )
            return
        tab = self.desk.tab(HandInsTab)
        assert isinstance(tab, HandInsTab)
        self.desk.tabs.setCurrentWidget(tab)
        tab.import_paths(paths)

    # ---------------------------------------------------------------- actions

    def _join_from_overview(self) -> None:
        self.show_page("self_check")
        self.self_check.join(None)

    def _create_from_overview(self) -> None:
        self.show_page("gathering")
        self.desk.create_campaign()

    def make_demo(self) -> None:
        """First run: fill this database with the fictional demo unit to look around."""
        if self.workspace is None:
            return
        db = self.workspace.db

        def work() -> object:
            from mingjing.services.demo import create_demo

            return create_demo(db)

        self.overview.demo_button.setEnabled(False)
        run_in_background(
            work,
            parent=self,
            on_success=lambda _: self.refresh(),
            on_failure=self._report_action_failure,
        )

    def backup_database(self) -> None:
        start = self.settings.get(S.LAST_BACKUP_DIR) or str(Path.home())
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("备份数据库"),
            str(Path(start) / "明镜数据备份.sqlite3"),
            self.tr("明镜数据库备份 (*.sqlite3)"),
        )
        if not name:
            return
        target = Path(name)
        self.settings.set(S.LAST_BACKUP_DIR, str(target.parent))
        location = self.location

        def work() -> Path:
            from mingjing.services import maintenance

            return maintenance.backup_now(location, target, overwrite=True)  # the dialog asked

        run_in_background(
            work,
            parent=self,
            on_success=lambda path: self.statusBar().showMessage(
                self.tr("已备份到 {0}").format(path), 8000
            ),
            on_failure=self._report_action_failure,
        )

    @classmethod
    def tell_check(cls, parent: QWidget, ok: bool, text: str) -> None:
        if ok:
            QMessageBox.information(parent, parent.tr("检查数据"), text)
        else:
            QMessageBox.warning(parent, parent.tr("检查数据"), text)

    def check_data(self) -> None:
        """文件 → 检查数据: the database's integrity and the audit chain (as `mingjing check`)."""
        if self.workspace is None:
            return
        db = self.workspace.db

        def work() -> object:
            from mingjing.services import maintenance

            return maintenance.check_database(db)

        def done(report: Any) -> None:
            checked = "、".join(report.checked)
            if report.ok:
                text = self.tr("数据完好。已检查：{0}。").format(checked)
            else:
                text = self.tr("发现问题：\n{0}\n\n已检查：{1}。").format(
                    "\n".join(report.problems), checked
                )
            self.tell_check(self, report.ok, text)

        run_in_background(
            work, parent=self, on_success=done, on_failure=self._report_action_failure
        )

    # ------------------------------------------------------------- protection

    @property
    def locked(self) -> bool:
        return self.lock_screen is not None and self.face.currentWidget() is self.lock_screen

    def _update_protection(self) -> None:
        """The lock action and the idle timer follow whether a password is set."""
        from mingjing.services import protection

        state = protection.status(self.location)
        self.lock_action.setEnabled(state.password_set and not self.locked)
        if state.password_set and not self.locked:
            self.idle_watcher.start(self.settings.get(S.IDLE_LOCK_MINUTES))
        else:
            self.idle_watcher.stop()

    def _quiesce(self) -> None:
        """Save typing still waiting for its pause and let every write finish."""
        from mingjing.ui.tasks import wait_for_tasks

        self.self_check.flush()
        wait_for_tasks()

    def show_locked(self, reason: str, *, then: Callable[[], None] | None = None) -> None:
        """Put the lock screen in the window's place (menus and status bar hidden)."""
        if self.lock_screen is None:
            self.lock_screen = LockScreen(self.location)
            self.lock_screen.quit_requested.connect(self.close)
            self.lock_screen.unlocked.connect(self._unlocked)
        self._after_unlock = then
        self.lock_screen.set_reason(reason)
        if self.face.indexOf(self.lock_screen) < 0:
            self.face.addWidget(self.lock_screen)
        self.face.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.statusBar().hide()
        self.idle_watcher.stop()
        self.lock_action.setEnabled(False)
        self.lock_screen.reset()

    def _unlocked(self) -> None:
        assert self.lock_screen is not None
        self.face.setCurrentWidget(self._work_area)
        self.menuBar().setEnabled(True)
        self.statusBar().show()
        if self.lock_screen.recovered:
            self.lock_screen.recovered = False
            self.statusBar().showMessage(
                self.tr("已用恢复密钥打开，并设置了新密码。恢复密钥不变，请继续妥善保管。"), 30_000
            )
        then, self._after_unlock = self._after_unlock, None
        self._update_protection()
        self._finish_sealing()
        if then is not None:
            then()
        else:
            self.refresh()

    def _finish_sealing(self) -> None:
        """Seal what a password setting cut short left in the clear: off the GUI
        thread (it may be gigabytes of evidence), in order with the writes."""
        from mingjing.services import protection
        from mingjing.ui.tasks import run_in_background

        location = self.location
        run_in_background(
            lambda: protection.finish_sealing(location),
            parent=self,
            on_success=lambda _: None,
            on_failure=lambda exc: log.error("sealing after unlock failed", exc_info=exc),
            in_order=True,
        )

    def lock_now(self, reason: str) -> bool:
        """Lock: save what is typed, forget the key, close the connections; True if locked.

        Waits (and is tried again later) while a dialog is open, so that
        nothing typed in it is lost.
        """
        from mingjing.services import protection

        if self.locked or not protection.status(self.location).password_set:
            return False
        if QApplication.activeModalWidget() is not None:
            self.idle_watcher.start(1)
            return False
        self._quiesce()
        protection.lock(self.location)
        if self.workspace is not None:
            self.workspace.db.engine.dispose()
        self.show_locked(reason)
        log.info("locked (%s)", reason)
        return True

    def lock_idle(self) -> None:
        minutes = self.idle_watcher.minutes
        self.lock_now(self.tr("{0} 分钟无操作，已自动锁定。请输入密码继续。").format(minutes))

    def manage_password(self) -> None:
        """文件 → 数据保护."""
        from mingjing.ui.protection import PasswordDialog

        def before_rewrite() -> None:
            self._quiesce()
            if self.workspace is not None:
                self.workspace.db.engine.dispose()

        def after_change() -> None:
            self._update_protection()
            self.refresh()

        dialog = PasswordDialog(
            self.location,
            self.settings,
            self,
            before_rewrite=before_rewrite,
            after_change=after_change,
        )
        dialog.exec()
        self._update_protection()

    @classmethod
    def ask_offer_password(cls, parent: QWidget) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(parent.tr("保护本机数据"))
        box.setText(
            parent.tr(
                "本机将保存自查材料、问题和整改情况。建议为本机数据设置密码："
                "数据库和备份加密保存，离开电脑一段时间后自动锁定。"
            )
        )
        box.setInformativeText(parent.tr("以后也可以在“文件 → 数据保护”中设置。"))
        yes = box.addButton(parent.tr("设置密码…"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(parent.tr("以后再说"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes)
        box.exec()
        return box.clickedButton() is yes

    def offer_password_once(self) -> None:
        """The first run on a data folder offers a password, once."""
        from mingjing.services import protection

        if self.settings.get(S.PASSWORD_OFFERED):
            return
        state = protection.status(self.location)
        if not state.available or state.password_set:
            return
        self.settings.set(S.PASSWORD_OFFERED, True)
        if self.ask_offer_password(self):
            self.manage_password()

    def _report_action_failure(self, exc: BaseException) -> None:
        if isinstance(exc, EnvironmentFault | DomainError):
            QMessageBox.warning(self, self.tr("明镜"), str(exc))
        else:
            log.error("action failed", exc_info=exc)
            QMessageBox.critical(
                self,
                self.tr("明镜"),
                self.tr("发生程序内部错误。请将日志文件 {0} 发给技术支持人员。").format(
                    self.location.log_file
                ),
            )

    def show_about(self) -> None:
        from mingjing.services.identity import load_identity
        from mingjing.ui.about import AboutDialog  # reads licences and metadata: only on demand

        try:
            fingerprint = load_identity(self.location.data_dir).public.fingerprint
        except EnvironmentFault as exc:  # (InputRefused is one)
            fingerprint = str(exc)
        AboutDialog(self.fonts, self, fingerprint=fingerprint).exec()

    # ------------------------------------------------------------------ state

    def _restore_layout(self) -> None:
        geometry = self.settings.get(S.WINDOW_GEOMETRY)
        if geometry is not None and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 720)
        state = self.settings.get(S.WINDOW_STATE)
        if state is not None and not state.isEmpty():
            self.restoreState(state)
        self.show_page(self.settings.get(S.LAST_PAGE))
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.consultations.dirty and not self._closing:
            # A 会诊 record is a formal minute: ask rather than save or drop it silently.
            event.ignore()
            self.show_page("gathering")
            self.desk.tabs.setCurrentWidget(self.consultations)

            def close_now() -> None:
                self._closing = True
                self.close()

            # Closed from the event loop, not from inside this closeEvent.
            self.consultations.leave(lambda: QTimer.singleShot(0, close_now))
            return
        self.self_check.flush()
        self.idle_watcher.stop()  # a closed window does not lock itself later
        self.settings.set(S.WINDOW_GEOMETRY, self.saveGeometry())
        self.settings.set(S.WINDOW_STATE, self.saveState())
        row = self.nav.currentRow()
        if 0 <= row < len(self._page_keys):
            self.settings.set(S.LAST_PAGE, self._page_keys[row])
        self.settings.sync()
        super().closeEvent(event)
