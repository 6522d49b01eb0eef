"""Save a PNG of every page of the main window, for looking at what we built.

    QT_QPA_PLATFORM=offscreen python tools/screenshots.py --data-dir D --out screenshots/

Sizes default to the common office laptop (1366×768) and 1920×1080.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from mingjing.config import resolve_location
from mingjing.services.workspace import Workspace
from mingjing.ui.app import build_window, create_application
from mingjing.ui.tasks import wait_for_tasks


def settle(app: object) -> None:
    """Let background reads finish and their results paint."""
    wait_for_tasks()
    loop = QEventLoop()
    QTimer.singleShot(300, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--sizes", default="1366x768,1920x1080")
    parser.add_argument("--pages", default="", help="comma-separated page keys (default: all)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app, registry = create_application(sys.argv[:1])
    workspace = Workspace.open(resolve_location(args.data_dir))
    window = build_window(workspace.location, registry, workspace)
    loop = QEventLoop()
    window.first_page_shown.connect(loop.quit)
    window.show()
    window.refresh()
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()
    for size in args.sizes.split(","):
        w, h = (int(v) for v in size.split("x"))
        window.resize(w, h)
        for index, key in enumerate(window.page_keys()):
            if args.pages and key not in args.pages.split(","):
                continue
            window.show_page(key)
            settle(app)
            path = out / f"{index:02d}-{key}-{w}x{h}.png"
            window.grab().save(str(path))
            print(path)
            tabs = getattr(window.pages.currentWidget(), "tabs", None)
            if tabs is not None:
                for tab in range(1, tabs.count()):
                    tabs.setCurrentIndex(tab)
                    settle(app)
                    path = out / f"{index:02d}-{key}-tab{tab}-{w}x{h}.png"
                    window.grab().save(str(path))
                    print(path)
                tabs.setCurrentIndex(0)
    from mingjing.ui.about import AboutDialog

    about = AboutDialog(registry, window)
    about.show()
    app.processEvents()
    about.grab().save(str(out / "about.png"))
    print(out / "about.png")
    about.close()
    window.close()
    wait_for_tasks()
    workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
