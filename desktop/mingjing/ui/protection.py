"""The password on this computer's data, in the window.

- :class:`LockScreen` takes the window's place while the data is locked: at
  start, and after the idle minutes. Password, or the recovery key and a new
  password when the password is forgotten.
- :class:`PasswordDialog` (文件 → 数据保护): set, change or remove the
  password, show the recovery key again, and the idle minutes.
- :class:`RecoveryKeyDialog` shows the recovery key once it is made, with a
  plain warning, and saves it to a text file.
- :class:`IdleWatcher` tells the window when nobody has used it for the
  chosen minutes.

The services (:mod:`mingjing.services.protection`) do the work; each call
here is short (scrypt and one page of SQLite), except setting or removing a
password, which rewrites the database and runs off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mingjing.config import DataLocation
from mingjing.services import protection
from mingjing.services.errors import EnvironmentFault
from mingjing.ui import settings as S
from mingjing.ui.tasks import run_in_background

NO_RECOVERY = "忘记密码又没有恢复密钥，数据将无法读取，任何人（包括技术支持人员）都无法找回。"


def _password_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumWidth(260)
    return edit


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setStyleSheet("color: #b3261e;")
    label.setWordWrap(True)
    label.hide()
    return label


def _show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class LockScreen(QWidget):
    """The window's face while the data is locked.

    Signals:
        unlocked: the password (or recovery key) was right; the key is held.
        quit_requested: the user chose to close the program instead.
    """

    unlocked = Signal()
    quit_requested = Signal()

    def __init__(self, location: DataLocation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self.title = QLabel(self.tr("明镜已锁定"))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reason = QLabel(self.tr("请输入密码解锁。"))
        self.reason.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reason.setWordWrap(True)

        self.modes = QStackedWidget()
        # -- the password
        by_password = QWidget()
        self.password = _password_edit(self.tr("密码"))
        self.password.returnPressed.connect(self.try_password)
        self.unlock_button = QPushButton(self.tr("解锁"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_password)
        self.password_error = _error_label()
        forgot = QPushButton(self.tr("忘记密码？用恢复密钥打开"))
        forgot.setFlat(True)
        forgot.setCursor(Qt.CursorShape.PointingHandCursor)
        forgot.clicked.connect(lambda: self._mode(1))
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        column = QVBoxLayout(by_password)
        column.addLayout(row)
        column.addWidget(self.password_error)
        column.addWidget(forgot, 0, Qt.AlignmentFlag.AlignLeft)
        # -- the recovery key and a new password
        by_recovery = QWidget()
        self.recovery = QLineEdit()
        self.recovery.setPlaceholderText(self.tr("XXXX-XXXX-…（14 组，每组 4 个字母或数字）"))
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.recovery.setFont(fixed)
        # The whole key in view (69 characters), so it can be checked group by group.
        self.recovery.setMinimumWidth(self.recovery.fontMetrics().horizontalAdvance("X" * 72))
        self.new_password = _password_edit(self.tr("新密码（至少 6 个字符）"))
        self.new_again = _password_edit(self.tr("再输入一次新密码"))
        self.new_again.returnPressed.connect(self.try_recovery)
        self.recovery_error = _error_label()
        form = QFormLayout()
        form.addRow(self.tr("恢复密钥："), self.recovery)
        form.addRow(self.tr("新密码："), self.new_password)
        form.addRow(self.tr("确认新密码："), self.new_again)
        recover = QPushButton(self.tr("打开并设置新密码"))
        recover.clicked.connect(self.try_recovery)
        back = QPushButton(self.tr("返回输入密码"))
        back.setFlat(True)
        back.clicked.connect(lambda: self._mode(0))
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(recover)
        column = QVBoxLayout(by_recovery)
        column.addLayout(form)
        column.addWidget(self.recovery_error)
        column.addLayout(buttons)
        self.modes.addWidget(by_password)
        self.modes.addWidget(by_recovery)

        quit_button = QPushButton(self.tr("退出明镜"))
        quit_button.clicked.connect(self.quit_requested.emit)
        where = QLabel(self.tr("数据：{0}").format(location.describe()))
        where.setObjectName("hint")
        where.setStyleSheet("color: palette(mid);")
        where.setWordWrap(True)

        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(900)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 24)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.reason)
        inner.addWidget(self.modes)
        inner.addWidget(where)
        inner.addWidget(quit_button, 0, Qt.AlignmentFlag.AlignRight)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(card, 3)
        middle.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)

    recovered = False
    """The last unlock was with the recovery key (a new password was set)."""

    def set_reason(self, text: str) -> None:
        self._reason = text
        self.reason.setText(text)

    def only_recovery(self, reason: str) -> None:
        """The password cannot open the data (its key file is gone): the recovery key can."""
        self._mode(1)
        self.set_reason(reason)

    def _mode(self, index: int) -> None:
        self.modes.setCurrentIndex(index)
        self.reason.setText(
            getattr(self, "_reason", "")
            if index == 0
            else self.tr("请输入保存的恢复密钥，并设置一个新密码。")
        )
        (self.password if index == 0 else self.recovery).setFocus()

    def reset(self) -> None:
        for edit in (self.password, self.recovery, self.new_password, self.new_again):
            edit.clear()
        _show_error(self.password_error, "")
        _show_error(self.recovery_error, "")
        self._mode(0)

    def _attempt(self, call: Callable[[], None], error: QLabel) -> bool:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            call()
        except EnvironmentFault as exc:  # WrongPassword, a damaged key file, a locked disk
            _show_error(error, str(exc))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        return True

    def try_password(self) -> None:
        text = self.password.text()
        if not text:
            _show_error(self.password_error, self.tr("请输入密码。"))
            return
        # What a cut-short password setting left plain is sealed by the window,
        # off the GUI thread (MainWindow._finish_sealing).
        opened = self._attempt(
            lambda: protection.unlock(self.location, text, finish=False), self.password_error
        )
        if opened:
            self.reset()
            self.unlocked.emit()
        else:
            self.password.selectAll()
            self.password.setFocus()

    def try_recovery(self) -> None:
        if self.new_password.text() != self.new_again.text():
            _show_error(self.recovery_error, self.tr("两次输入的新密码不一样。"))
            return
        code, new = self.recovery.text(), self.new_password.text()
        opened = self._attempt(
            lambda: protection.recover(self.location, code, new, finish=False),
            self.recovery_error,
        )
        if opened:
            self.reset()
            self.recovered = True
            self.unlocked.emit()


class RecoveryKeyDialog(QDialog):
    """The recovery key, shown where it was just made or asked for again."""

    def __init__(
        self, location: DataLocation, code: str, parent: QWidget | None = None, *, fresh: bool
    ) -> None:
        super().__init__(parent)
        self.location = location
        self.code = code
        self.setWindowTitle(self.tr("恢复密钥"))
        intro = QLabel(
            self.tr("密码已设置。下面是本机数据的恢复密钥：")
            if fresh
            else self.tr("本机数据的恢复密钥：")
        )
        intro.setWordWrap(True)
        shown = QLabel()
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setPointSizeF(fixed.pointSizeF() * 1.25)
        fixed.setWeight(QFont.Weight.DemiBold)
        shown.setFont(fixed)
        shown.setText("\n".join("-".join(code.split("-")[i : i + 7]) for i in (0, 7)))
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        shown.setFrameShape(QFrame.Shape.StyledPanel)
        shown.setMargin(12)
        advice = QLabel(
            self.tr(
                "忘记密码时，用恢复密钥可以打开数据并设置新密码。"
                "请把它抄在纸上或保存为文件存到U盘，和电脑分开保管。"
                "拿到它的人不需要密码就能读取数据。"
            )
            + "\n"
            + self.tr(NO_RECOVERY)
        )
        advice.setWordWrap(True)
        save = QPushButton(self.tr("保存为文件…"))
        save.clicked.connect(self.save)
        copy = QPushButton(self.tr("复制"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(code))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("我已记下"))
        buttons.addButton(save, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(shown)
        layout.addWidget(advice)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
        self.saved_to: Path | None = None

    @classmethod
    def ask_save_path(cls, parent: QWidget, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, parent.tr("保存恢复密钥"), str(suggested), parent.tr("文本文件 (*.txt)")
        )
        return Path(name) if name else None

    def save(self) -> None:
        target = self.ask_save_path(self, Path.home() / "明镜恢复密钥.txt")
        if target is None:
            return
        text = (
            "明镜 数据库恢复密钥\n\n"
            f"数据库：{self.location.describe()}\n"
            f"恢复密钥：{self.code}\n\n"
            "忘记密码时，用这个恢复密钥可以打开数据并设置新密码。\n"
            "请把它和电脑分开保管：拿到它的人不需要密码就能读取数据。\n"
        )
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            QMessageBox.warning(
                self,
                self.tr("恢复密钥"),
                self.tr("无法写入 {0}（{1}）。").format(target, exc.strerror),
            )
            return
        self.saved_to = target
        QMessageBox.information(
            self,
            self.tr("恢复密钥"),
            self.tr("已保存到 {0}。请把它移到U盘等处，不要只留在这台电脑上。").format(target),
        )


class PasswordDialog(QDialog):
    """文件 → 数据保护: the password, the recovery key and the idle lock.

    ``before_rewrite`` closes the window's connections (setting or removing
    a password rewrites the database); ``after_change`` runs when done.
    """

    def __init__(
        self,
        location: DataLocation,
        settings: S.Settings,
        parent: QWidget | None = None,
        *,
        before_rewrite: Callable[[], None] = lambda: None,
        after_change: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self.location = location
        self.settings = settings
        self.before_rewrite = before_rewrite
        self.after_change = after_change
        self.setWindowTitle(self.tr("数据保护"))
        self.setMinimumWidth(540)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.pages = QStackedWidget()
        self.error = _error_label()

        # -- no password yet
        unset = QWidget()
        explain = QLabel(
            self.tr(
                "设置密码后，本机的数据库、自动备份、佐证材料、留存的打印材料"
                "和本机的签名密钥都加密保存；"
                "每次打开明镜和离开电脑一段时间后，要输入密码才能查看。"
                "电脑丢失或被他人拿走时，别人无法读取明镜中的数据"
                "（另存出去的文件和U盘上的旧备份不在此列）。"
            )
        )
        explain.setWordWrap(True)
        self.new_password = _password_edit(self.tr("至少 6 个字符"))
        self.new_again = _password_edit(self.tr("再输入一次"))
        form = QFormLayout()
        form.addRow(self.tr("新密码："), self.new_password)
        form.addRow(self.tr("确认密码："), self.new_again)
        warning = QLabel(self.tr(NO_RECOVERY) + self.tr("设置后会给出恢复密钥，请妥善保管。"))
        warning.setWordWrap(True)
        self.set_button = QPushButton(self.tr("设置密码"))
        self.set_button.clicked.connect(self.set_password)
        column = QVBoxLayout(unset)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(explain)
        column.addLayout(form)
        column.addWidget(warning)
        column.addWidget(self.set_button, 0, Qt.AlignmentFlag.AlignRight)

        # -- a password is set
        is_set = QWidget()
        self.current = _password_edit(self.tr("当前密码"))
        self.changed = _password_edit(self.tr("新密码，至少 6 个字符"))
        self.changed_again = _password_edit(self.tr("再输入一次新密码"))
        form = QFormLayout()
        form.addRow(self.tr("当前密码："), self.current)
        form.addRow(self.tr("新密码："), self.changed)
        form.addRow(self.tr("确认新密码："), self.changed_again)
        change = QPushButton(self.tr("修改密码"))
        change.clicked.connect(self.change_password)
        show_key = QPushButton(self.tr("查看恢复密钥"))
        show_key.setToolTip(self.tr("需要输入当前密码"))
        show_key.clicked.connect(self.show_recovery_key)
        remove = QPushButton(self.tr("取消密码…"))
        remove.setToolTip(self.tr("需要输入当前密码；数据改回不加密保存"))
        remove.clicked.connect(self.remove_password)
        row = QHBoxLayout()
        row.addWidget(remove)
        row.addStretch(1)
        row.addWidget(show_key)
        row.addWidget(change)
        note = QLabel(
            self.tr("修改密码只需填写当前密码和新密码；查看恢复密钥、取消密码只需填写当前密码。")
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        column = QVBoxLayout(is_set)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(note)
        column.addLayout(row)

        # -- not available
        server = QLabel(self.tr("数据库在服务器上，由服务器管理员负责保护，不能在这里设置密码。"))
        server.setWordWrap(True)
        self.pages.addWidget(unset)
        self.pages.addWidget(is_set)
        self.pages.addWidget(server)

        self.idle = QSpinBox()
        self.idle.setRange(0, 240)
        self.idle.setSuffix(self.tr(" 分钟"))
        self.idle.setSpecialValueText(self.tr("不自动锁定"))
        self.idle.setValue(settings.get(S.IDLE_LOCK_MINUTES))
        self.idle.valueChanged.connect(lambda v: settings.set(S.IDLE_LOCK_MINUTES, v))
        idle_row = QFormLayout()
        idle_row.addRow(self.tr("无操作后自动锁定："), self.idle)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addLayout(idle_row)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        state = protection.status(self.location)
        if not state.available:
            self.pages.setCurrentIndex(2)
            self.state_label.setText(self.tr("数据：{0}").format(self.location.describe()))
            self.idle.setEnabled(False)
            return
        self.idle.setEnabled(state.password_set)
        self.pages.setCurrentIndex(1 if state.password_set else 0)
        self.state_label.setText(
            self.tr("本机数据已设密码，加密保存。")
            if state.password_set
            else self.tr("本机数据还没有设密码。")
        )
        for edit in (
            self.new_password,
            self.new_again,
            self.current,
            self.changed,
            self.changed_again,
        ):
            edit.clear()

    # Dialogs are class methods so that tests can answer them.
    @classmethod
    def confirm_remove(cls, parent: QWidget) -> bool:
        answer = QMessageBox.question(
            parent,
            parent.tr("取消密码"),
            parent.tr(
                "取消密码后，本机的数据库、备份、佐证材料和留存的打印材料改回不加密保存，"
                "拿到这台电脑的人都能读取。确定取消吗？"
            ),
        )
        return answer == QMessageBox.StandardButton.Yes

    @classmethod
    def show_key(cls, parent: QWidget, location: DataLocation, code: str, *, fresh: bool) -> None:
        RecoveryKeyDialog(location, code, parent, fresh=fresh).exec()

    def _fail(self, exc: BaseException) -> None:
        self.setEnabled(True)
        if isinstance(exc, EnvironmentFault):
            _show_error(self.error, str(exc))
        else:
            raise exc

    def set_password(self) -> None:
        _show_error(self.error, "")
        password = self.new_password.text()
        if password != self.new_again.text():
            _show_error(self.error, self.tr("两次输入的密码不一样。"))
            return
        problem = protection.password_problem(password)
        if problem is not None:
            _show_error(self.error, problem)
            return
        location = self.location
        self.before_rewrite()
        self.setEnabled(False)

        def done(code: object) -> None:
            self.setEnabled(True)
            self.refresh()
            self.after_change()
            self.show_key(self, location, str(code), fresh=True)

        def failed(exc: BaseException) -> None:
            self.after_change()
            self._fail(exc)

        run_in_background(
            lambda: protection.set_password(location, password),
            parent=self,
            on_success=done,
            on_failure=failed,
        )

    def _current(self) -> str | None:
        _show_error(self.error, "")
        if not self.current.text():
            _show_error(self.error, self.tr("请先输入当前密码。"))
            self.current.setFocus()
            return None
        return self.current.text()

    def change_password(self) -> None:
        old = self._current()
        if old is None:
            return
        if self.changed.text() != self.changed_again.text():
            _show_error(self.error, self.tr("两次输入的新密码不一样。"))
            return
        try:
            protection.change_password(self.location, old, self.changed.text())
        except EnvironmentFault as exc:
            _show_error(self.error, str(exc))
            return
        self.refresh()
        self.state_label.setText(self.tr("密码已修改。恢复密钥不变。"))

    def show_recovery_key(self) -> None:
        old = self._current()
        if old is None:
            return
        try:
            code = protection.recovery_key(self.location, old)
        except EnvironmentFault as exc:
            _show_error(self.error, str(exc))
            return
        self.current.clear()
        self.show_key(self, self.location, code, fresh=False)

    def remove_password(self) -> None:
        old = self._current()
        if old is None or not self.confirm_remove(self):
            return
        location = self.location
        self.before_rewrite()
        self.setEnabled(False)

        def done(_: object) -> None:
            self.setEnabled(True)
            self.refresh()
            self.after_change()
            self.state_label.setText(self.tr("已取消密码，数据改为不加密保存。"))

        def failed(exc: BaseException) -> None:
            self.after_change()
            self._fail(exc)

        run_in_background(
            lambda: protection.remove_password(location, old),
            parent=self,
            on_success=done,
            on_failure=failed,
        )


class IdleWatcher(QObject):
    """Emits :attr:`idle` after ``minutes`` without a key press or mouse use in a window.

    It watches the window's own ``QWindow``, which every key and mouse event
    of that window passes, rather than the whole application: an application
    event filter written in Python is called for every event of the program,
    queued signals included. A dialog is a window of its own; while one is
    open, the lock waits for it anyway (:meth:`MainWindow.lock_now`).
    """

    idle = Signal()

    _ACTIVITY = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
        }
    )

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle.emit)
        self.minutes = 0
        self._watched: QObject | None = None

    def start(self, minutes: int) -> None:
        """Watch for ``minutes`` of quiet (0: stop watching)."""
        self.minutes = minutes
        if minutes <= 0:
            self.stop()
            return
        self.timer.start(minutes * 60_000)
        if self._watched is None:
            self.window.winId()  # the native window, so that its QWindow exists
            handle = self.window.windowHandle()
            if handle is not None:
                handle.installEventFilter(self)
                self._watched = handle

    def stop(self) -> None:
        self.timer.stop()
        if self._watched is not None:
            self._watched.removeEventFilter(self)
            self._watched = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._ACTIVITY and self.timer.isActive():
            self.timer.start()  # again from the full interval
        return False
