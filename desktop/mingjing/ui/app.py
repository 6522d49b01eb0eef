"""Bootstrap of the window program: application, fonts, settings, database, window.

Lives in ``mingjing.ui`` (not at the package top as ARCHITECTURE.md sketches)
because it imports PySide6, which only ``mingjing.ui`` may.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from mingjing.config import DataLocation
from mingjing.fonts import FontRegistry
from mingjing.resources import resource_path
from mingjing.services.errors import EnvironmentFault, InputRefused
from mingjing.services.startup import prepare
from mingjing.ui import settings as S
from mingjing.ui.fonts import install_application_fonts
from mingjing.ui.main_window import MainWindow
from mingjing.ui.single_instance import InstanceServer, hand_over
from mingjing.ui.tasks import run_in_background, wait_for_tasks

if TYPE_CHECKING:
    from mingjing.services.workspace import Workspace

log = logging.getLogger(__name__)

EXIT_REFUSED = 3
SMOKE_TIMEOUT_MS = 120_000

STYLE = """
QListWidget#navigation { border: none; background: palette(alternate-base); padding-top: 8px; }
QListWidget#navigation::item { padding-left: 12px; }
QLabel#pageTitle { font-size: 15pt; font-weight: bold; }
QLabel#pendingNotice { color: #8a5a00; }
"""


def settings_for(location: DataLocation) -> QSettings:
    """Window settings live in the data folder, so ``--data-dir`` isolates everything."""
    return QSettings(str(location.data_dir / "settings.ini"), QSettings.Format.IniFormat)


_translators: list[QTranslator] = []


def install_qt_translations(app: QApplication) -> bool:
    """Qt's own texts in Chinese: 确定/取消 on message boxes, the edit menus, dialogs.

    Qt ships them (qtbase_zh_CN.qm) beside its libraries; without them a
    message box would say "OK". Returns whether they were found.
    """
    if _translators:
        return True
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder
    ):
        log.warning("Qt's Chinese translations were not found in %s", folder)
        return False
    app.installTranslator(translator)
    _translators.append(translator)
    return True


def application_icon() -> QIcon:
    """明镜's icon: the PNGs a build renders (resources/icons/mingjing-N.png), else the SVG."""
    folder = resource_path("icons")
    icon = QIcon()
    for png in sorted(folder.glob("mingjing-*.png")):
        icon.addFile(str(png))
    if icon.isNull():
        icon.addFile(str(folder / "mingjing.svg"))
    return icon


def create_application(argv: Sequence[str]) -> tuple[QApplication, FontRegistry]:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName("mingjing")
    app.setOrganizationName("mingjing")
    app.setApplicationDisplayName("明镜")
    # The desktop entry is mingjing.desktop: the taskbar finds its icon and name by it.
    app.setDesktopFileName("mingjing")
    app.setWindowIcon(application_icon())
    # Calendars, dates and numbers in Chinese even where the system locale is C
    # (a fresh Debian or 统信 install): the date pickers showed English months.
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_qt_translations(app)
    registry = FontRegistry.discover()
    install_application_fonts(app, registry)
    app.setStyleSheet(STYLE)
    return app, registry


def _refuse(exc: BaseException, *, smoke: bool) -> int:
    if smoke:
        sys.stderr.write(f"无法打开数据库：{exc}\n")
    else:
        QMessageBox.critical(None, "明镜", str(exc))
    return EXIT_REFUSED


def install_excepthook(location: DataLocation, *, smoke: bool) -> Callable[[], None]:
    """Route exceptions escaping Qt slots to the log file and a message; return an undo.

    Without this, PySide6 prints the traceback to a console the user never
    sees (a gui-script on Windows has none) and carries on.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.critical("unhandled exception in the window", exc_info=(kind, exc, tb))
        message = (
            f"发生程序内部错误（{kind.__name__}）。已保存的数据不受影响。"
            f"请将日志文件 {location.log_file} 发给技术支持人员。"
        )
        if smoke:
            sys.stderr.write(message + "\n")
            QApplication.exit(1)
            return
        QMessageBox.critical(QApplication.activeWindow(), "明镜", message)

    sys.excepthook = hook

    def undo() -> None:
        sys.excepthook = previous

    return undo


def build_window(
    location: DataLocation,
    registry: FontRegistry | None = None,
    workspace: Workspace | None = None,
) -> MainWindow:
    """The main window; with ``workspace`` it is already connected to the data."""
    window = MainWindow(location, S.Settings(settings_for(location)), registry)
    if workspace is not None:
        window.attach(workspace)
    return window


def run_app(
    location: DataLocation,
    *,
    smoke: bool = False,
    argv: Sequence[str] = (),
    package: Path | None = None,
) -> int:
    """Show the window at once, then open the database behind it.

    A window already open on the same data folder is given the package
    (or brought forward) and this process ends at once. The cheap checks (a
    newer, damaged or foreign database; another window holding it) run first,
    so a refused database never shows a window. If the overview kept from the
    last run still matches the database, it is shown immediately; otherwise
    the page says it is loading until the database answers.
    """
    app, registry = create_application(argv or sys.argv[:1])
    if not smoke and hand_over(location, package):
        log.info("handed %s to the window already open on %s", package, location.data_dir)
        return 0
    try:
        prepared = prepare(location, exclusive=True)
    except (InputRefused, EnvironmentFault) as exc:
        return _refuse(exc, smoke=smoke)
    window = build_window(location, registry)
    result: dict[str, int] = {}
    restore_hook = install_excepthook(location, smoke=smoke)

    def failed(exc: object) -> None:
        if isinstance(exc, InputRefused | EnvironmentFault):
            result["code"] = _refuse(exc, smoke=smoke)
        else:
            log.error("opening the database failed", exc_info=exc)  # type: ignore[arg-type]
            if not smoke:
                QMessageBox.critical(
                    window,
                    "明镜",
                    "打开数据库时发生程序内部错误。"
                    f"请将日志文件 {location.log_file} 发给技术支持人员。",
                )
            result["code"] = 1
        app.exit(result["code"])

    window.workspace_failed.connect(failed)
    instance = InstanceServer(location, window)
    if not smoke:
        instance.requested.connect(window.come_forward)
        instance.listen()
    if package is not None and not smoke:
        window.open_package(package)  # handled once the database is open
    try:
        window.show()
        if prepared.snapshot is not None:
            window.show_snapshot(prepared.snapshot)
        if smoke:
            window.first_page_shown.connect(lambda: app.exit(0))
            QTimer.singleShot(SMOKE_TIMEOUT_MS, lambda: app.exit(1))
        if not (smoke and prepared.snapshot is not None):
            # Smoke ends at the first painted page; with a valid snapshot that
            # page needs no database work, so none is started.
            window.open_workspace(prepared)
        if not smoke:
            # After the database is open (and unlocked, if it has a password).
            window.workspace_opened.connect(lambda: _after_open(window, location))
        code = app.exec()
        instance.close()
        window.close()
        wait_for_tasks()
        return result.get("code", code)
    finally:
        restore_hook()
        if window.workspace is not None:
            window.workspace.close()
        prepared.release()


def _after_open(window: MainWindow, location: DataLocation) -> None:
    """Once per run: today's automatic backup, and the first run's offer of a password."""
    if getattr(window, "_opened_once", False):
        return
    window._opened_once = True  # type: ignore[attr-defined]
    if window.settings.get(S.BACKUP_DAILY):
        run_in_background(
            lambda: maintenance_daily_backup(location),
            parent=window,
            on_success=lambda made: log.info(
                "daily backup: %s", made or "not needed (taken today, or no database yet)"
            ),
            on_failure=lambda exc: log.warning("daily backup failed: %s", exc),
        )
    QTimer.singleShot(0, window.offer_password_once)


def maintenance_daily_backup(location: DataLocation) -> object:
    from mingjing.services import maintenance

    return maintenance.daily_backup(location)
