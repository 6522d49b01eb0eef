"""Killing the program mid-typing loses at most the words since the last pause."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mingjing.config import resolve_location
from mingjing.services.campaigns import join_campaign
from mingjing.services.self_check import load_own_self_check
from mingjing.storage import Database

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

TYPIST = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from mingjing.config import resolve_location
    from mingjing.services.workspace import Workspace
    from mingjing.ui.app import create_application
    from mingjing.ui.pages.self_check import SelfCheckPage

    app, _ = create_application(sys.argv[:1])
    location = resolve_location(sys.argv[1])
    ws = Workspace.open(location)
    page = SelfCheckPage(location)
    page.show()
    state = {"step": 0}

    def loaded():
        if state["step"] == 0:
            state["step"] = 1
            page._editors["spirit-ambition"].example.insertPlainText("第一段，已停顿。")

    def saved():
        if state["step"] == 1:
            state["step"] = 2
            page._editors["spirit-ambition"].example.insertPlainText("第二段，还没停顿")
            print("SAVED", flush=True)  # the parent kills us now

    page.loaded.connect(loaded)
    page.saved.connect(saved)
    page.set_database(ws.db)
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    """
)


def test_kill_after_a_pause_keeps_the_paused_text(tmp_path: Path, campaign_file: Path) -> None:
    package = campaign_file
    location = resolve_location(tmp_path / "laptop")
    laptop = Database.open(location, actor="陈喆")
    join_campaign(laptop, location, package, "陈喆")
    laptop.close()

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "desktop")
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.Popen(
        [sys.executable, "-c", TYPIST, str(location.data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert line.strip() == "SAVED"

    reopened = Database.open(location, actor="陈喆")
    view = load_own_self_check(reopened, location)
    item = next(i for a in view.areas for i in a.items if i.key == "spirit-ambition")
    assert item.example.startswith("第一段，已停顿。")
    reopened.close()
