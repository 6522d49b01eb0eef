"""Bootstrap of the window program: application, fonts, settings, database, window.

Lives in ``mingjing.ui`` (not at the package top as ARCHITECTURE.md sketches)
because it imports PySide6, which only ``mingjing.ui`` may.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from mingjing.config import DataLocation
from mingjing.fonts import FontRegistry
from mingjing.services import maintenance
from mingjing.services.errors import EnvironmentFault, InputRefused
from mingjing.services.workspace import Workspace
from mingjing.ui import settings as S
from mingjing.ui.fonts import install_application_fonts
from mingjing.ui.main_window import MainWindow
from mingjing.ui.tasks import run_in_background, wait_for_tasks

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


def create_application(argv: Sequence[str]) -> tuple[QApplication, FontRegistry]:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName("mingjing")
    app.setOrganizationName("mingjing")
    app.setApplicationDisplayName("明镜")
    registry = FontRegistry.discover()
    install_application_fonts(app, registry)
    app.setStyleSheet(STYLE)
    return app, registry


def _refuse(exc: EnvironmentFault, *, smoke: bool) -> int:
    if smoke:
        sys.stderr.write(f"无法打开数据库：{exc}\n")
    else:
        QMessageBox.critical(None, "明镜", str(exc))
    return EXIT_REFUSED


def build_window(workspace: Workspace, registry: FontRegistry | None = None) -> MainWindow:
    return MainWindow(workspace, S.Settings(settings_for(workspace.location)), registry)


def run_app(location: DataLocation, *, smoke: bool = False, argv: Sequence[str] = ()) -> int:
    app, registry = create_application(argv or sys.argv[:1])
    try:
        workspace = Workspace.open(location, exclusive=True)
    except (InputRefused, EnvironmentFault) as exc:
        return _refuse(exc, smoke=smoke)
    try:
        window = build_window(workspace, registry)
        window.show()
        window.refresh()
        if smoke:
            window.first_page_shown.connect(lambda: app.exit(0))
            QTimer.singleShot(SMOKE_TIMEOUT_MS, lambda: app.exit(1))
        elif window.settings.get(S.BACKUP_DAILY):
            run_in_background(
                lambda: maintenance.daily_backup(location),
                parent=window,
                on_success=lambda made: log.info("daily backup: %s", made or "already taken today"),
                on_failure=lambda exc: log.warning("daily backup failed: %s", exc),
            )
        code = app.exec()
        window.close()
        wait_for_tasks()
        return code
    finally:
        workspace.close()
