"""The frozen folder and the .deb, built and run (slow: about 3 minutes; packaging/check).

Needs ``pip install -e '.[packaging]'``, ``dpkg-deb`` and ``objdump`` (binutils).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"

pytestmark = pytest.mark.slow

sys.path.insert(0, str(PACKAGING))
import build  # noqa: E402


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINGJING_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HOME"] = str(home)
    env.pop("XDG_DATA_HOME", None)
    return env


def _run(argv: list[str | Path], home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``packaging/build all --out TMP``: the frozen folder and the .deb."""
    if importlib_missing("PyInstaller"):
        pytest.fail("PyInstaller is missing: pip install -e '.[packaging]'")
    for tool in ("dpkg-deb", "objdump"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing (apt-get install dpkg binutils)")
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run(
        [sys.executable, str(PACKAGING / "build.py"), "all", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "警告" not in run.stdout, run.stdout
    sys.stdout.write(run.stdout)
    return out


def importlib_missing(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is None


def test_frozen_app_runs_on_the_demo_data(built: Path, tmp_path: Path) -> None:
    exe = built / "mingjing" / "mingjing"
    data = tmp_path / "data"
    made = _run([exe, "--data-dir", data, "demo"], tmp_path)
    assert made.returncode == 0, made.stderr
    smoke = _run([exe, "--data-dir", data, "--smoke"], tmp_path)
    assert smoke.returncode == 0, smoke.stderr
    check = _run([exe, "--data-dir", data, "check"], tmp_path)
    assert check.returncode == 0 and "完好" in check.stdout, check.stdout + check.stderr
    pdf = _run(
        [exe, "--data-dir", data, "render", "package", "--out", tmp_path / "汇编.pdf"], tmp_path
    )
    assert pdf.returncode == 0, pdf.stderr
    docx = _run(
        [
            exe,
            "--data-dir",
            data,
            "render",
            "statement",
            "--member",
            "陈喆",
            "--out",
            tmp_path / "s.docx",
        ],
        tmp_path,
    )
    assert docx.returncode == 0, docx.stderr
    version = _run([exe, "--version"], tmp_path)
    assert version.stdout.strip() == f"明镜 {build.version()}"
    # The build date went into the bundle, not into the source tree.
    assert not (ROOT / "desktop" / "mingjing" / "_build.py").exists()


def test_bundle_holds_what_the_program_loads_and_not_the_rest(built: Path) -> None:
    internal = built / "mingjing" / "_internal"
    assert (internal / "mingjing" / "resources" / "fonts" / "wqy-microhei.ttc").is_file()
    assert (internal / "mingjing" / "resources" / "icons" / "mingjing-256.png").is_file()
    versions = internal / "mingjing" / "storage" / "migrations" / "versions"
    assert sorted(p.name for p in versions.glob("*.py")) == sorted(
        p.name
        for p in (ROOT / "desktop" / "mingjing" / "storage" / "migrations" / "versions").glob(
            "*.py"
        )
    )
    names = {p.name for p in internal.rglob("*")}
    assert "qtbase_zh_CN.qm" in names and "qtbase_de.qm" not in names
    assert not any(n.startswith(("libQt6Quick", "libQt6Qml", "libQt6Pdf")) for n in names)
    assert "libQt6Network.so.6" in names or "Qt6Network.dll" in names  # one window per folder
    assert not any("tls" in p.parts for p in internal.rglob("*"))  # no TLS plugins
    assert not any(n in names for n in ("pytest", "_pytest", "mypy", "pdfplumber", "tkinter"))
    _owners, problems = build.system_libraries(built / "mingjing")
    assert problems == []


def test_deb_installs_menu_entry_icons_file_types_and_runs(built: Path, tmp_path: Path) -> None:
    (deb,) = built.glob("mingjing_*.deb")
    listing = subprocess.run(["dpkg", "-c", str(deb)], capture_output=True, text=True, check=True)
    for path in (
        "./opt/mingjing/mingjing",
        "./usr/bin/mingjing",
        "./usr/share/applications/mingjing.desktop",
        "./usr/share/mime/packages/mingjing.xml",
        "./usr/share/icons/hicolor/16x16/apps/mingjing.png",
        "./usr/share/icons/hicolor/256x256/apps/mingjing.png",
        "./usr/share/icons/hicolor/scalable/apps/mingjing.svg",
        "./usr/share/doc/mingjing/copyright",
    ):
        assert path in listing.stdout, path
    assert "root/root" in listing.stdout and "/home" not in listing.stdout
    info = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True)
    assert "Depends: libc6 (>= 2." in info.stdout and "libxcb-cursor0" in info.stdout

    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    launcher = (root / "usr" / "bin" / "mingjing").read_text(encoding="utf-8")
    assert 'exec /opt/mingjing/mingjing "$@"' in launcher
    installed = root / "opt" / "mingjing" / "mingjing"
    data = tmp_path / "data"
    assert _run([installed, "--data-dir", data, "demo"], tmp_path).returncode == 0
    smoke = _run([installed, "--data-dir", data, "--smoke"], tmp_path)
    assert smoke.returncode == 0, smoke.stderr
