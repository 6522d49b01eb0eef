"""Switching areas on the 个人自查 page, against bare Qt showing the same thing.

Run by bench/run.py in a child process (it needs its own QApplication).
Prints three numbers, the median milliseconds per switch, each switch being
the list's current row changed and the event loop run until the window is
painted again (Qt repaints only what changed, as it does for a user):

1. the page, all 25 items answered with long examples;
2. bare Qt with the same content: a QListView of the same area titles beside
   a QStackedWidget of scroll areas holding, per item, the same rich-text
   title, the four radio buttons, the button and a QPlainTextEdit with the
   same text, at the same size — what any Qt program showing this costs;
3. two empty pages of a QStackedWidget (how cheap a flip itself is).

The goal is judged against (2): (3) has nothing to lay out or draw, so no
page with text on it could come near it. The frame budget (16.7 ms at 60 Hz)
is the absolute bound.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QStringListModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mingjing.config import resolve_location
from mingjing.services.campaigns import export_campaign, join_campaign
from mingjing.services.demo import create_demo
from mingjing.services.self_check import SelfCheckView, load_own_self_check, set_answer
from mingjing.services.workspace import Workspace
from mingjing.storage import Database
from mingjing.ui.app import create_application
from mingjing.ui.pages.self_check import SelfCheckPage

LONG = "2025年10月县里部署高标准农田建设项目验收时，我以材料没备齐为由推迟到月底才去双河镇。" * 6
ROUNDS = 10
SIZE = (1366, 768)


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


def timed(switch: Callable[[int], object], steps: int) -> list[float]:
    """Per switch: change the row, then let Qt lay out and paint what changed."""
    for i in range(steps):  # first visits build and lay out; not what is measured
        switch(i)
        QEventLoop().processEvents()
    samples = []
    for i in range(steps * ROUNDS):
        start = time.perf_counter()
        switch(i)
        QEventLoop().processEvents()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def bare_same_content(view: SelfCheckView, page: SelfCheckPage) -> tuple[QWidget, QListView]:
    """The page's content in stock Qt widgets, none of ours, the same geometry."""
    window = QWidget()
    outer = QVBoxLayout(window)
    outer.setContentsMargins(24, 20, 24, 12)
    top = page.area_stack.mapTo(page, page.area_stack.rect().topLeft()).y()
    outer.addSpacing(max(0, top - 20))
    splitter = QSplitter(window)
    areas = QListView(splitter)
    areas.setModel(
        QStringListModel(
            [f"{n}. {a.title}　{a.answered}/{len(a.items)}" for n, a in enumerate(view.areas, 1)],
            areas,
        )
    )
    areas.setSpacing(3)
    stack = QStackedWidget(splitter)
    for area in view.areas:
        scroll = QScrollArea(stack)
        scroll.setWidgetResizable(True)
        box = QWidget(scroll)
        layout = QVBoxLayout(box)
        for item in area.items:
            frame = QFrame(box)
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            inner = QVBoxLayout(frame)
            title = QLabel(f"<b>{item.number}</b>　{item.text}", frame)
            title.setWordWrap(True)
            inner.addWidget(title)
            row = QHBoxLayout()
            row.addWidget(QLabel("对号入座：", frame))
            group = QButtonGroup(frame)
            for code, label in view.levels:
                button = QRadioButton(label, frame)
                button.setChecked(code == item.level)
                group.addButton(button)
                row.addWidget(button)
            row.addStretch(1)
            row.addWidget(QPushButton("列为问题", frame))
            inner.addLayout(row)
            edit = QPlainTextEdit(item.example, frame)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 16)
            inner.addWidget(edit)
            layout.addWidget(frame)
        layout.addStretch(1)
        scroll.setWidget(box)
        stack.addWidget(scroll)
    areas.selectionModel().currentChanged.connect(lambda cur, _p: stack.setCurrentIndex(cur.row()))
    splitter.setSizes([page.area_list.width(), page.area_stack.width()])
    outer.addWidget(splitter)
    window.resize(*SIZE)
    return window, areas


def main() -> int:
    _app, _ = create_application(sys.argv[:1])  # kept alive for the whole run
    with tempfile.TemporaryDirectory() as tmp:
        ws = prepare(Path(tmp))
        page = SelfCheckPage(ws.location)
        page.resize(*SIZE)
        page.show()
        loop = QEventLoop()
        page.loaded.connect(loop.quit)
        page.set_database(ws.db)
        loop.exec()
        assert page.view is not None
        rows = page.areas.rowCount()
        ours = timed(lambda i: page.area_list.setCurrentIndex(page.areas.index(i % rows)), rows)

        bare, bare_list = bare_same_content(page.view, page)
        bare.show()
        model = bare_list.model()
        same = timed(lambda i: bare_list.setCurrentIndex(model.index(i % rows, 0)), rows)

        stack = QStackedWidget()
        stack.addWidget(QWidget())
        stack.addWidget(QWidget())
        stack.resize(*SIZE)
        stack.show()
        empty = timed(lambda i: stack.setCurrentIndex(i % 2), rows)
        page.close()
        bare.close()
        stack.close()
        from mingjing.ui.tasks import wait_for_tasks

        wait_for_tasks()
        ws.close()
    print(
        f"{statistics.median(ours):.3f} {statistics.median(same):.3f} "
        f"{statistics.median(empty):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
