"""Is the window responsive while the office takes in 500 hand-in files?

    QT_QPA_PLATFORM=offscreen python bench/import_gui.py [--files 500] [--work DIR]

The 收取自查 tab imports through ``run_with_progress`` (work on a thread, a
progress dialog on the GUI thread). A 10 ms timer on the GUI thread records
how late each of its ticks arrives:

- baseline: the same timer for the same length of time with the window idle;
- project: while the import runs behind the progress dialog.

Printed: the longest and the 99th-percentile gap between ticks, each side,
and their ratio. A gap is how long a click or a repaint would have waited.
Setup (not timed) is the one of ``bench/import_submissions.py``: the large
demo, 500 hand-ins, a secretary database with the campaign and roster.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "desktop"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 10


def gaps_while(run: object, app: object, seconds: float | None = None) -> list[float]:
    """Milliseconds between timer ticks while ``run`` works (or for ``seconds``)."""
    from PySide6.QtCore import QEventLoop, QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    timer.start()
    if seconds is not None:
        QTimer.singleShot(int(seconds * 1000), loop.quit)
    else:
        run(loop.quit)  # type: ignore[operator]
    loop.exec()
    timer.stop()
    return [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]


def describe(gaps: list[float]) -> tuple[float, float]:
    ordered = sorted(gaps)
    return ordered[-1], ordered[int(len(ordered) * 0.99)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument(
        "--work", type=Path, help="keep the prepared files here (reused if present)"
    )
    args = parser.parse_args()

    from import_submissions import prepare  # bench/import_submissions.py
    from mingjing.config import resolve_location
    from mingjing.services.submissions import ImportReport, Outcome, import_submissions
    from mingjing.storage import Database
    from mingjing.ui.app import create_application
    from mingjing.ui.tasks import run_with_progress

    temporary = None
    work = args.work
    if work is None:
        temporary = tempfile.TemporaryDirectory()
        work = Path(temporary.name)
    if not (work / "hand-ins").exists():
        print(f"making the large demo and {args.files} hand-ins (about a minute) …", flush=True)
        prepare(work, args.files)
    round_dir = work / "gui-round"
    shutil.rmtree(round_dir, ignore_errors=True)
    shutil.copytree(work / "secretary", round_dir)

    app, _ = create_application(sys.argv[:1])
    from PySide6.QtWidgets import QLabel

    window = QLabel("收取自查")
    window.resize(1366, 768)
    window.show()
    db = Database.open(resolve_location(round_dir), actor="办公室")
    reports: list[ImportReport] = []

    def start(finished: object) -> None:
        def done(report: object) -> None:
            assert isinstance(report, ImportReport)
            reports.append(report)
            finished()  # type: ignore[operator]

        def failed(exc: BaseException) -> None:
            finished()  # type: ignore[operator]
            raise exc

        run_with_progress(
            lambda progress, cancelled: import_submissions(
                db, [work / "hand-ins"], progress=progress, cancelled=cancelled
            ),
            parent=window,
            title="收取自查材料",
            on_success=done,
            on_failure=failed,
        )

    began = time.perf_counter()
    busy = gaps_while(start, app)
    seconds = time.perf_counter() - began
    idle = gaps_while(None, app, seconds=min(seconds, 10.0))
    report = reports[0]
    assert report.count(Outcome.IMPORTED) == len(report.lines), report.summary
    bmax, b99 = describe(idle)
    pmax, p99 = describe(busy)
    print(f"{len(report.lines)} files imported in {seconds:.1f} s; timer every {TICK_MS} ms")
    print(
        f"longest gap      project {pmax:7.1f} ms   baseline {bmax:7.1f} ms   "
        f"ratio {pmax / bmax:5.2f}×"
    )
    print(
        f"99th percentile  project {p99:7.1f} ms   baseline {b99:7.1f} ms   "
        f"ratio {p99 / b99:5.2f}×   (median {statistics.median(busy):.1f} ms)"
    )
    db.close()
    window.close()
    if temporary is not None:
        temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
