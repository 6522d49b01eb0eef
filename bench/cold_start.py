"""Start to first painted page: the frozen program against ``python -m mingjing``.

    python bench/cold_start.py [--repeat 7] [--frozen dist/mingjing/mingjing]

Three commands, interleaved (baseline, source, frozen, baseline, …) so a busy
machine slows all alike; the median of each is printed with its ratio to the
baseline measured in the same run:

- baseline: a bare PySide6 QMainWindow that shows and paints one label
  (``python -c``, the same as bench/run.py's cold-start baseline);
- source: ``python -m mingjing --smoke`` on the small demo;
- frozen: the PyInstaller build's ``mingjing --smoke`` on the same data.

Each is a new process; the files are in the page cache after the warm-up run
(a first start after a reboot, reading from disk, is slower for all three).
Build the frozen program first: ``packaging/build freeze``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BARE_WINDOW, run_child  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--frozen", type=Path, default=ROOT / "dist" / "mingjing" / "mingjing")
    args = parser.parse_args()
    frozen: Path = args.frozen.resolve()
    if not frozen.exists():
        raise SystemExit(f"{frozen} is missing: run packaging/build freeze first")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINGJING_")}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT / "desktop") + os.pathsep + env.get("PYTHONPATH", "")
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="mingjing-bench-") as tmp:
        data = str(Path(tmp) / "data")
        subprocess.run(
            [py, "-m", "mingjing", "--data-dir", data, "demo"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        commands = {
            "baseline (bare PySide6 window)": [py, "-c", BARE_WINDOW],
            "python -m mingjing --smoke": [py, "-m", "mingjing", "--data-dir", data, "--smoke"],
            "frozen mingjing --smoke": [str(frozen), "--data-dir", data, "--smoke"],
        }
        for argv in commands.values():  # warm-up: the page cache, the overview snapshot
            run_child(argv, env)
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        memory: dict[str, list[int]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, argv in commands.items():
                sample = run_child(argv, env)
                seconds[name].append(sample.seconds)
                memory[name].append(sample.max_rss_kb)
    base = statistics.median(seconds["baseline (bare PySide6 window)"])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, repeat {args.repeat}, medians")
    for name in commands:
        t = statistics.median(seconds[name])
        m = statistics.median(memory[name]) / 1024
        print(
            f"{name:<32} {t * 1000:7.0f} ms  ratio {t / base:5.2f}×  peak memory {m:6.1f} MB  "
            f"(min {min(seconds[name]) * 1000:.0f}, max {max(seconds[name]) * 1000:.0f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
