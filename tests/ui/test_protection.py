"""The password in the window: the lock screen at start and after idle minutes,
文件 → 数据保护, the recovery key dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from mingjing.config import DataLocation
from mingjing.fonts import FontRegistry
from mingjing.services import protection
from mingjing.services.startup import prepare
from mingjing.services.summary import summarize
from mingjing.services.workspace import Workspace
from mingjing.storage import sqlcipher
from mingjing.storage.errors import DatabaseLocked, WrongPassword
from mingjing.ui.app import build_window
from mingjing.ui.main_window import MainWindow
from mingjing.ui.protection import IdleWatcher, PasswordDialog, RecoveryKeyDialog

from .test_main_window import visible_texts

PASSWORD = "正确的密码123"


@pytest.fixture
def protected(demo_workspace: Workspace) -> DataLocation:
    """The demo's data folder, closed, with a password, and not unlocked."""
    location = demo_workspace.location
    demo_workspace.close()
    protection.set_password(location, PASSWORD)
    sqlcipher.forget_all()
    return location


def _close(qtbot: QtBot, window: MainWindow) -> None:
    """Close the window once the work it started is done, then its workspace.

    Closing under running refreshes left them to finish against a closed
    workspace and to call back into the closed window; the tests after these
    then timed out waiting for their own background work.
    """
    from mingjing.ui.tasks import wait_for_tasks

    assert wait_for_tasks(30_000)
    qtbot.wait(50)  # the results reach the window
    window.close()
    if window.workspace is not None:
        window.workspace.close()


def _wait_unlocked_and_open(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.wait_signal(window.workspace_opened, timeout=30_000):
        window.lock_screen.password.setText(PASSWORD)  # type: ignore[union-attr]
        window.lock_screen.try_password()  # type: ignore[union-attr]


def test_start_shows_the_lock_screen_until_the_password_is_right(
    qtbot: QtBot, protected: DataLocation, app_fonts: FontRegistry
) -> None:
    prepared = prepare(protected)
    assert prepared.snapshot is None  # nothing of an encrypted database is cached
    window = build_window(protected, app_fonts)
    qtbot.add_widget(window)
    try:
        window.show()
        window.open_workspace(prepared)
        assert window.locked and window.workspace is None
        assert not window.menuBar().isEnabled()
        screen = window.lock_screen
        assert screen is not None
        screen.password.setText("错误的密码")
        screen.try_password()
        assert "密码错误" in screen.password_error.text() and not screen.password_error.isHidden()
        assert window.locked
        _wait_unlocked_and_open(qtbot, window)
        assert not window.locked and window.workspace is not None
        assert window.menuBar().isEnabled() and window.lock_action.isEnabled()
        assert window.idle_watcher.timer.isActive()  # the idle lock is armed
        qtbot.waitUntil(lambda: window.overview.summary is not None, timeout=30_000)
    finally:
        _close(qtbot, window)
        prepared.release()


def test_forgotten_password_opens_with_the_recovery_key(
    qtbot: QtBot, protected: DataLocation, app_fonts: FontRegistry
) -> None:
    with pytest.raises(WrongPassword):
        protection.recovery_key(protected, "错误的密码")
    code = protection.recovery_key(protected, PASSWORD)
    sqlcipher.forget_all()
    prepared = prepare(protected)
    window = build_window(protected, app_fonts)
    qtbot.add_widget(window)
    try:
        window.show()
        window.open_workspace(prepared)
        screen = window.lock_screen
        assert screen is not None
        screen._mode(1)
        assert "恢复密钥" in screen.reason.text()
        screen.recovery.setText("ABCD-EFGH")
        screen.try_recovery()
        assert "56 个" in screen.recovery_error.text()
        screen.recovery.setText(code)
        screen.new_password.setText("新的密码456")
        screen.new_again.setText("新的密码456")
        with qtbot.wait_signal(window.workspace_opened, timeout=30_000):
            screen.try_recovery()
    finally:
        _close(qtbot, window)
        prepared.release()
    sqlcipher.forget_all()
    protection.unlock(protected, "新的密码456")  # the new password works from now on


def test_lock_now_forgets_the_key_and_hides_everything(
    qtbot: QtBot, protected: DataLocation, app_fonts: FontRegistry
) -> None:
    prepared = prepare(protected)
    window = build_window(protected, app_fonts)
    qtbot.add_widget(window)
    try:
        window.show()
        window.open_workspace(prepared)
        _wait_unlocked_and_open(qtbot, window)
        qtbot.waitUntil(lambda: window.overview.summary is not None, timeout=30_000)
        assert window.workspace is not None
        db = window.workspace.db
        campaign = window.campaign_label.text()
        assert window.lock_now("已锁定。")
        assert window.locked and not window.statusBar().isVisible()
        assert not protection.status(protected).unlocked
        with pytest.raises(DatabaseLocked):
            summarize(db)
        shown = " ".join(visible_texts(window.face.currentWidget()))
        assert campaign not in shown and "岚川" not in shown
        assert window.lock_now("again") is False  # already locked
        window.lock_screen.password.setText(PASSWORD)  # type: ignore[union-attr]
        window.lock_screen.try_password()  # type: ignore[union-attr]
        assert not window.locked and window.statusBar().isVisible()
        assert summarize(db).members == 12
    finally:
        _close(qtbot, window)
        prepared.release()


def test_setting_a_password_from_the_window(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        PasswordDialog,
        "show_key",
        classmethod(lambda cls, parent, location, code, fresh: shown.append(code)),
    )
    location = demo_workspace.location
    assert not window.lock_action.isEnabled()
    dialog = PasswordDialog(
        location,
        window.settings,
        window,
        before_rewrite=lambda: demo_workspace.db.engine.dispose(),
        after_change=window._update_protection,
    )
    qtbot.add_widget(dialog)
    dialog.new_password.setText("短")
    dialog.new_again.setText("短")
    dialog.set_password()
    assert "至少" in dialog.error.text()
    dialog.new_password.setText(PASSWORD)
    dialog.new_again.setText(PASSWORD + "x")
    dialog.set_password()
    assert "不一样" in dialog.error.text()
    dialog.new_again.setText(PASSWORD)
    dialog.set_password()
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert protection.status(location).password_set
    assert dialog.pages.currentIndex() == 1 and "已设密码" in dialog.state_label.text()
    assert window.lock_action.isEnabled() and window.idle_watcher.timer.isActive()
    assert summarize(demo_workspace.db).members == 12  # the window reads on, keyed
    assert location.sqlite_path is not None
    assert "岚川".encode() not in location.sqlite_path.read_bytes()
    # Show the key again, change the password, remove it.
    dialog.current.setText("错误的密码")
    dialog.show_recovery_key()
    assert "密码错误" in dialog.error.text()
    dialog.current.setText(PASSWORD)
    dialog.show_recovery_key()
    assert shown[-1] == shown[0]
    dialog.current.setText(PASSWORD)
    dialog.changed.setText("新的密码456")
    dialog.changed_again.setText("新的密码456")
    dialog.change_password()
    assert "已修改" in dialog.state_label.text()
    monkeypatch.setattr(PasswordDialog, "confirm_remove", classmethod(lambda cls, parent: True))
    dialog.current.setText("新的密码456")
    dialog.remove_password()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 0, timeout=30_000)
    assert not protection.status(location).password_set
    assert not window.lock_action.isEnabled()
    assert summarize(demo_workspace.db).members == 12
    dialog.close()


def test_recovery_key_dialog_saves_a_text_file(
    qtbot: QtBot, location: DataLocation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = protection.store.format_recovery_key(bytes(range(32)))
    target = tmp_path / "恢复密钥.txt"
    monkeypatch.setattr(
        RecoveryKeyDialog, "ask_save_path", classmethod(lambda cls, parent, suggested: target)
    )
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: None)
    dialog = RecoveryKeyDialog(location, code, fresh=True)
    qtbot.add_widget(dialog)
    shown = " ".join(visible_texts(dialog))
    assert code.split("-")[0] in shown and "分开保管" in shown
    dialog.save()
    assert code in target.read_text(encoding="utf-8")
    assert dialog.saved_to == target


def test_idle_watcher_fires_after_quiet_and_waits_while_busy(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.add_widget(window)
    watcher = IdleWatcher(window)
    watcher.start(1)
    assert watcher.timer.interval() == 60_000
    handle = window.windowHandle()
    assert handle is not None and watcher._watched is handle
    watcher.timer.setInterval(300)
    watcher.timer.start()
    # Activity within the interval starts it again.
    qtbot.wait(150)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(1, 1),
        QPointF(1, 1),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(handle, move)
    assert watcher.timer.remainingTime() > 200
    with qtbot.wait_signal(watcher.idle, timeout=2_000):
        pass
    watcher.start(0)
    assert not watcher.timer.isActive() and watcher._watched is None


def test_the_first_run_offers_a_password_once(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mingjing.ui import settings as S

    asked: list[bool] = []
    opened: list[bool] = []
    monkeypatch.setattr(
        MainWindow,
        "ask_offer_password",
        classmethod(lambda cls, parent: asked.append(True) or True),
    )
    monkeypatch.setattr(MainWindow, "manage_password", lambda self: opened.append(True))
    window.settings.set(S.PASSWORD_OFFERED, False)
    window.offer_password_once()
    window.offer_password_once()
    assert asked == [True] and opened == [True]
    assert window.settings.get(S.PASSWORD_OFFERED)
