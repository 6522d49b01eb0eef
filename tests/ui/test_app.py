from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mingjing import cli

ROOT = Path(__file__).resolve().parents[2]


def smoke(data: Path) -> subprocess.CompletedProcess[str]:
    """``mingjing --smoke`` on ``data`` in a fresh process, as a user starts it."""
    return subprocess.run(
        [sys.executable, "-m", "mingjing", "--data-dir", str(data), "--smoke"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "desktop") + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def test_smoke_opens_the_window_on_the_demo_and_exits_0(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    proc = smoke(data)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr and "QFont" not in proc.stderr, proc.stderr


def test_smoke_on_a_newer_database_exits_3_with_a_message(tmp_path: Path) -> None:
    import sqlite3

    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "summary"]) == 0
    con = sqlite3.connect(data / "mingjing.sqlite3")
    con.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    con.commit()
    con.close()
    proc = smoke(data)
    assert proc.returncode == 3
    assert "更新版本" in proc.stderr


def test_second_window_on_the_same_data_is_told(tmp_path: Path) -> None:
    from mingjing.config import resolve_location
    from mingjing.services.workspace import Workspace

    data = tmp_path / "data"
    first = Workspace.open(resolve_location(data), exclusive=True)
    try:
        proc = smoke(data)
    finally:
        first.close()
    assert proc.returncode == 3
    assert "另一个明镜窗口" in proc.stderr


def test_second_smoke_starts_from_the_snapshot(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    snapshot = data / "cache" / "overview.json"
    for _ in range(2):
        proc = smoke(data)
        assert proc.returncode == 0, proc.stderr
        assert snapshot.exists()


def test_a_database_that_fails_to_open_behind_the_window_exits_3(
    tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    from mingjing.config import resolve_location
    from mingjing.services.workspace import Workspace
    from mingjing.storage.errors import DiskFull
    from mingjing.ui.app import run_app

    assert isinstance(monkeypatch, pytest.MonkeyPatch)

    def full(*args: object, **kwargs: object) -> Workspace:
        raise DiskFull("磁盘空间已满（测试）")

    monkeypatch.setattr(Workspace, "open", full)
    assert run_app(resolve_location(tmp_path / "data"), smoke=True) == 3


def test_an_exception_in_a_slot_is_logged_and_shown(
    tmp_path: Path, monkeypatch: object, qapp: object
) -> None:
    import logging
    import sys as _sys

    import pytest
    from PySide6.QtWidgets import QMessageBox

    from mingjing.config import resolve_location
    from mingjing.ui.app import install_excepthook

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    location = resolve_location(tmp_path / "data")
    cli.setup_logging(location)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    undo = install_excepthook(location, smoke=False)
    try:
        try:
            raise ZeroDivisionError("slot bug")
        except ZeroDivisionError:
            _sys.excepthook(*_sys.exc_info())  # type: ignore[arg-type]
    finally:
        undo()
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert shown and str(location.log_file) in shown[0]
    assert "ZeroDivisionError: slot bug" in location.log_file.read_text(encoding="utf-8")
