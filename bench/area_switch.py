"""Switching areas on the 个人自查 page vs switching between two empty pages.

Run by bench/run.py in a child process (it needs its own QApplication):
prints two numbers, the median milliseconds per switch for the page (with
all 25 items answered with long examples) and for the baseline.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QStackedWidget, QWidget

from mingjing.config import resolve_location
from mingjing.services.campaigns import export_campaign, join_campaign
from mingjing.services.demo import create_demo
from mingjing.services.self_check import load_own_self_check, set_answer
from mingjing.services.workspace import Workspace
from mingjing.storage import Database
from mingjing.ui.app import create_application
from mingjing.ui.pages.self_check import SelfCheckPage

LONG = "2025年10月县里部署高标准农田建设项目验收时，我以材料没备齐为由推迟到月底才去双河镇。" * 6
ROUNDS = 10


def prepare(root: Path) -> Workspace:
    office = Database.open(resolve_location(root / "office"), actor="办公室")
    create_demo(office, today=dt.date(2025, 11, 20))
    package = export_campaign(office, root)
    office.close()
    location = resolve_location(root / "laptop")
    ws = Workspace.open(location)
    join_campaign(ws.db, location, package, "陈喆")
    view = load_own_self_check(ws.db, location)
    for area in view.areas:
        for item in area.items:
            set_answer(ws.db, view.id, item.key, level="slight", example=LONG)
    return ws


def timed(switch: object, widget: QWidget, steps: int) -> list[float]:
    samples = []
    for i in range(steps):
        start = time.perf_counter()
        switch(i)  # type: ignore[operator]
        widget.repaint()
        QEventLoop().processEvents()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> int:
    _app, _ = create_application(sys.argv[:1])  # kept alive for the whole run
    with tempfile.TemporaryDirectory() as tmp:
        ws = prepare(Path(tmp))
        page = SelfCheckPage(ws.location)
        page.resize(1366, 768)
        page.show()
        loop = QEventLoop()
        page.loaded.connect(loop.quit)
        page.set_database(ws.db)
        loop.exec()
        rows = page.areas.rowCount()
        ours = timed(
            lambda i: page.area_list.setCurrentIndex(page.areas.index(i % rows)),
            page,
            rows * ROUNDS,
        )

        stack = QStackedWidget()
        stack.addWidget(QWidget())
        stack.addWidget(QWidget())
        stack.resize(1366, 768)
        stack.show()
        base = timed(lambda i: stack.setCurrentIndex(i % 2), stack, rows * ROUNDS)
        page.close()
        stack.close()
        from mingjing.ui.tasks import wait_for_tasks

        wait_for_tasks()
        ws.close()
    print(f"{statistics.median(ours):.3f} {statistics.median(base):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
