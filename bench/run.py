"""Benchmarks: each figure is a ratio to a baseline measured in the same run.

    python bench/run.py [--repeat 5] [--data-dir bench/.data]

Prints one line per figure: project, baseline, ratio, goal. Runs are
interleaved (baseline, project, baseline, …) and the median is taken, so a
busy machine slows both sides alike. Peak memory is each child process's
maximum resident set size, read from ``wait4``.

Figures:
- cold start: ``mingjing --smoke`` on the large demo (2,000 members) against a
  bare PySide6 QMainWindow that shows and paints one label;
- summary: ``mingjing summary`` on the large demo against a bare ``sqlite3``
  script running the same counting queries;
- area switch: one switch between areas of the 个人自查 page (all 25 items
  answered with long examples), painted, against stock Qt widgets showing the
  same content at the same size; the flip between two empty pages of a
  QStackedWidget is printed too (bench/area_switch.py says why it is not the
  baseline).

Run on its own (about three minutes): ``python bench/import_submissions.py``,
the office importing 500 hand-in files against a bare ``sqlite3`` importer of
the same rows (goal ≤ 3×), with ``--profile`` for where the time goes; and
``bench/import_gui.py``, how late a 10 ms timer on the GUI thread fires while
that import runs behind the progress dialog, against the idle window; and
``bench/ledger_view.py``, the 整改台账 page with 100,000 rows (open, sort,
filter, one keystroke of search) against the bare queries for the same result;
and ``bench/materials.py``, the large demo's whole 会议材料汇编 laid out to
GB/T 9704 against bare reportlab setting the same text in one style.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE_WINDOW = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setCentralWidget(QLabel("Mingjing baseline"))
    window.resize(1280, 720)
    window.show()
    def done():
        window.repaint()
        app.exit(0)
    QTimer.singleShot(0, done)
    sys.exit(app.exec())
    """
)

BARE_SUMMARY = textwrap.dedent(
    """
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1])
    q = [
        "SELECT count(*) FROM member WHERE deleted_at IS NULL",
        "SELECT state, count(*) FROM self_check GROUP BY state",
        "SELECT source, count(*) FROM problem GROUP BY source",
        "SELECT status, count(*) FROM problem GROUP BY status",
        "SELECT a.title, count(p.id) FROM area a LEFT JOIN problem p ON p.area_id = a.id"
        " GROUP BY a.id ORDER BY a.ordinal",
        "SELECT count(*) FROM opinion WHERE merged_into_id IS NULL",
        "SELECT state, count(*) FROM rectification GROUP BY state",
        "SELECT count(*) FROM rectification WHERE state IN ('pending','in_progress')"
        " AND deadline < date('now')",
        "SELECT kind, count(*) FROM meeting GROUP BY kind",
    ]
    for sql in q:
        rows = con.execute(sql).fetchall()
    print(len(rows))
    """
)


@dataclass
class Sample:
    seconds: float
    max_rss_kb: int


def run_child(args: list[str], env: dict[str, str]) -> Sample:
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(args)} exited {code}:\n{stderr}")
    return Sample(elapsed, usage.ru_maxrss)


def compare(
    name: str,
    project: list[str],
    baseline: list[str],
    env: dict[str, str],
    repeat: int,
    time_goal: float | None,
    memory_goal: float | None,
) -> None:
    run_child(baseline, env)  # warm the file cache for both sides
    run_child(project, env)
    p: list[Sample] = []
    b: list[Sample] = []
    for _ in range(repeat):
        b.append(run_child(baseline, env))
        p.append(run_child(project, env))
    pt = statistics.median(s.seconds for s in p)
    bt = statistics.median(s.seconds for s in b)
    pm = statistics.median(s.max_rss_kb for s in p) / 1024
    bm = statistics.median(s.max_rss_kb for s in b) / 1024

    def verdict(ratio: float, goal: float | None) -> str:
        if goal is None:
            return ""
        return f"goal ≤ {goal:.1f}× {'met' if ratio <= goal else 'NOT met'}"

    print(
        f"{name + ' time':<32} project {pt * 1000:8.0f} ms  baseline {bt * 1000:8.0f} ms  "
        f"ratio {pt / bt:5.2f}×  {verdict(pt / bt, time_goal)}"
    )
    print(
        f"{name + ' peak memory':<32} project {pm:8.1f} MB  baseline {bm:8.1f} MB  "
        f"ratio {pm / bm:5.2f}×  {verdict(pm / bm, memory_goal)}"
    )


def ensure_large_demo(data_dir: Path, env: dict[str, str]) -> None:
    if (data_dir / "mingjing.sqlite3").exists():
        return
    print(f"making the large demo in {data_dir} (about a minute) …", flush=True)
    subprocess.run(
        [sys.executable, "-m", "mingjing", "--data-dir", str(data_dir), "demo", "--size", "large"],
        env=env,
        check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / ".data")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT / "desktop") + os.pathsep + env.get("PYTHONPATH", "")
    data_dir: Path = args.data_dir.resolve()
    ensure_large_demo(data_dir, env)
    py = sys.executable
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, repeat {args.repeat}")
    compare(
        "cold start (--smoke, large)",
        [py, "-m", "mingjing", "--data-dir", str(data_dir), "--smoke"],
        [py, "-c", BARE_WINDOW],
        env,
        args.repeat,
        time_goal=2.0,
        memory_goal=2.0,
    )
    compare(
        "summary (large)",
        [py, "-m", "mingjing", "--data-dir", str(data_dir), "summary"],
        [py, "-c", BARE_SUMMARY, str(data_dir / "mingjing.sqlite3")],
        env,
        args.repeat,
        time_goal=None,
        memory_goal=None,
    )
    out = subprocess.run(
        [py, str(ROOT / "bench" / "area_switch.py")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    ours, same, empty = (float(x) for x in out[:3])
    ratio = ours / same
    print(
        f"{'area switch (个人自查, 25 long answers)':<32} project {ours:8.1f} ms  "
        f"baseline {same:8.1f} ms  ratio {ratio:5.2f}×  "
        f"goal ≤ 1.5× {'met' if ratio <= 1.5 else 'NOT met'} (bare Qt, same content); "
        f"frame budget 16.7 ms {'met' if ours <= 16.7 else 'NOT met'}; "
        f"empty page flip {empty:.1f} ms ({ours / empty:.0f}×)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
