"""A second start on the same data folder hands its file to the open window."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from mingjing.config import DataLocation, resolve_location
from mingjing.ui.single_instance import InstanceServer, hand_over, server_name

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "desktop") + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


HAND_OVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from mingjing.config import resolve_location
from mingjing.ui.single_instance import hand_over
app = QCoreApplication([])
package = Path(sys.argv[2]) if len(sys.argv) > 2 else None
print("taken" if hand_over(resolve_location(Path(sys.argv[1])), package) else "nobody")
"""


def _second_start(data: Path, *package: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HAND_OVER, str(data), *map(str, package)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_names_differ_by_data_folder(tmp_path: Path) -> None:
    one = server_name(resolve_location(tmp_path / "a"))
    assert one == server_name(resolve_location(tmp_path / "a"))
    assert one != server_name(resolve_location(tmp_path / "b"))
    assert len(one) < 40  # a Unix socket path has about 100 bytes


def test_with_no_window_open_nobody_takes_the_file(qapp: object, tmp_path: Path) -> None:
    started = time.monotonic()
    assert not hand_over(resolve_location(tmp_path / "data"), tmp_path / "x.mjcampaign")
    assert time.monotonic() - started < 1.0  # no wait when nothing listens


def test_the_open_window_receives_the_file_of_a_second_start(qtbot: QtBot, tmp_path: Path) -> None:
    location: DataLocation = resolve_location(tmp_path / "data")
    server = InstanceServer(location)
    assert server.listen()
    package = tmp_path / "二〇二六年 自查.mjcampaign"
    try:
        with qtbot.wait_signal(server.requested, timeout=20_000) as got:
            second = _second_start(location.data_dir, package)
        out, err = second.communicate(timeout=20)
        assert out.strip() == "taken", err
        assert got.args == [package.resolve()]

        with qtbot.wait_signal(server.requested, timeout=20_000) as woken:
            second = _second_start(location.data_dir)
        assert second.communicate(timeout=20)[0].strip() == "taken"
        assert woken.args == [None]
    finally:
        server.close()


def test_another_data_folder_is_not_handed_to_this_window(qtbot: QtBot, tmp_path: Path) -> None:
    server = InstanceServer(resolve_location(tmp_path / "data"))
    assert server.listen()
    try:
        second = _second_start(tmp_path / "other", tmp_path / "x.mjcampaign")
        received: list[object] = []
        server.requested.connect(received.append)
        deadline = time.monotonic() + 20
        while second.poll() is None and time.monotonic() < deadline:
            qtbot.wait(50)
        assert second.communicate(timeout=5)[0].strip() == "nobody"
        assert received == []
    finally:
        server.close()


def test_a_double_click_while_the_app_runs_lands_in_the_running_window(tmp_path: Path) -> None:
    """Two real starts: the second exits at once, the first logs what it was given."""
    from mingjing import cli

    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "demo"]) == 0
    first = subprocess.Popen(
        [sys.executable, "-m", "mingjing", "--data-dir", str(data)],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log_file = resolve_location(data).log_file
    review = tmp_path / "给王局长的审阅.mjreview"
    review.write_bytes(b"")
    try:
        deadline = time.monotonic() + 60
        while "single instance: listening" not in _read(log_file):
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline, "the first window never listened"
            time.sleep(0.2)
        second = subprocess.run(
            [sys.executable, "-m", "mingjing", "--data-dir", str(data), str(review)],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 0, second.stderr
        assert f"open {review.resolve()}" in _read(log_file)
        assert first.poll() is None  # still running, with the file
    finally:
        first.kill()
        first.communicate(timeout=30)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
