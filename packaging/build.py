"""Build 明镜 for computers without Python: the frozen folder, the .deb, the Windows installer.

    python packaging/build.py freeze  [--out dist] [--no-trim]
    python packaging/build.py deb     [--out dist] [--no-freeze]
    python packaging/build.py nsis    [--out dist] [--no-freeze]   (makensis; Windows or Linux)
    python packaging/build.py windows [--out dist]                 (on Windows: freeze + nsis)
    python packaging/build.py all     [--out dist]                 (freeze, then deb or nsis)

``packaging/build`` runs this with the project's Python. Everything the
freezer needs to know is in ``packaging/mingjing.spec``; this script does what
comes around it (build date, icons, the Debian tree, makensis) so a later
change of freezer touches the spec and :func:`freeze` only. Needs
``pip install -e '.[packaging]'`` and, for the .deb, ``dpkg-deb``; for the
installer, ``makensis`` (NSIS 3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SOURCE_ICON = ROOT / "resources" / "icons" / "mingjing.svg"
BUILD_MODULE = ROOT / "desktop" / "mingjing" / "_build.py"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
APP = "mingjing"
WINDOWS = sys.platform == "win32"
EXE = "mingjing.exe" if WINDOWS else "mingjing"

#: What the frozen folder needs from a Debian-based desktop (checked by
#: :func:`system_libraries` against the bundle's ELF files: every library not
#: in the bundle must come from one of these). Names as in Debian 12; 统信UOS 20
#: and 麒麟 V10 carry the same packages (libxcb-util1 is libxcb-util0 on older ones).
DEB_DEPENDS = (
    "libc6",  # with the lowest version the bundle needs: see glibc_needed()
    "libbrotli1",  # QtNetwork (PySide6 6.10 and newer) links libbrotlidec
    "libcups2",
    "libdbus-1-3",
    "libegl1",
    "libexpat1",
    "libfontconfig1",
    "libfreetype6",
    "libgl1",
    "libgssapi-krb5-2",  # QtNetwork (the single-instance socket) links it
    "libglib2.0-0",
    "libx11-6",
    "libx11-xcb1",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1 | libxcb-util0",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxcb1",
    "libxkbcommon-x11-0",
    "libxkbcommon0",
)


def version() -> str:
    text = (ROOT / "desktop" / "mingjing" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    assert found, "no __version__ in mingjing/__init__.py"
    return found.group(1)


def folder_size(path: Path) -> int:
    """Bytes of the files below ``path`` (symbolic links counted once, as links)."""
    total = 0
    for item in path.rglob("*"):
        if item.is_symlink():
            continue
        if item.is_file():
            total += item.stat().st_size
    return total


def mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------- icons


def render_icons(out: Path) -> Path:
    """PNGs of the SVG icon at the usual sizes (and a .ico where Pillow is present)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SOURCE_ICON))
    if not renderer.isValid():
        raise SystemExit(f"图标无法读取：{SOURCE_ICON}")
    out.mkdir(parents=True, exist_ok=True)
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        if not image.save(str(out / f"mingjing-{size}.png")):
            raise SystemExit(f"图标无法保存：{out}")
    try:
        from PIL import Image
    except ImportError:
        if WINDOWS:
            raise SystemExit("Windows 图标需要 Pillow：pip install -e '.[packaging]'") from None
        return out
    with Image.open(out / "mingjing-256.png") as big:
        big.save(out / "mingjing.ico", sizes=[(s, s) for s in ICON_SIZES])
    return out


# ---------------------------------------------------------------- freeze


def freeze(out: Path, *, trim: bool = True) -> Path:
    """The one-folder build ``out/mingjing`` (PyInstaller, packaging/mingjing.spec)."""
    work = ROOT / "build" / ("pyinstaller" if trim else "pyinstaller-untrimmed")
    icons = render_icons(ROOT / "build" / "icons")
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z")
    BUILD_MODULE.write_text(
        '"""Written by packaging/build.py into the frozen build only; never committed."""\n\n'
        f'BUILD_DATE = "{stamp}"\n'
        f'BUILD_PLATFORM = "{platform.system()} {platform.machine()}"\n',
        encoding="utf-8",
    )
    env = dict(os.environ)
    env["MINGJING_ICON_DIR"] = str(icons)
    env["MINGJING_ICON"] = str(icons / "mingjing.ico")
    env["MINGJING_TRIM"] = "1" if trim else "0"
    started = time.monotonic()
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--clean",
                "--log-level",
                "WARN",
                "--distpath",
                str(out),
                "--workpath",
                str(work),
                str(PACKAGING / "mingjing.spec"),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
    finally:
        BUILD_MODULE.unlink(missing_ok=True)
    folder = out / APP
    seconds = time.monotonic() - started
    say(f"冻结完成：{folder}（{seconds:.0f} 秒，{mib(folder_size(folder))}）")
    return folder


# ---------------------------------------------------------------- Linux


def _elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def system_libraries(folder: Path) -> tuple[dict[str, str | None], list[str]]:
    """The shared libraries the bundle takes from the system, and the problems.

    Returns ``{soname: Debian package or None}`` for every library some ELF
    file in the bundle needs that the bundle does not carry, and the names
    that no package in :data:`DEB_DEPENDS` provides (on this machine; a
    library not installed here is reported as such).
    """
    bundled = {p.name for p in folder.rglob("*")}
    needed: set[str] = set()
    for elf in _elf_files(folder):
        dump = subprocess.run(
            ["objdump", "-p", str(elf)], capture_output=True, text=True, check=False
        ).stdout
        needed.update(re.findall(r"^\s+NEEDED\s+(\S+)$", dump, re.MULTILINE))
    external = sorted(needed - bundled)
    allowed = {alt.split()[0] for dep in DEB_DEPENDS for alt in (a.strip() for a in dep.split("|"))}
    owners: dict[str, str | None] = {}
    problems = []
    for soname in external:
        query = subprocess.run(
            ["dpkg", "-S", f"*/{soname}"], capture_output=True, text=True, check=False
        )
        packages = sorted(
            {line.split(":", 1)[0] for line in query.stdout.splitlines() if ":" in line}
        )
        owner = next((p for p in packages if p in allowed), packages[0] if packages else None)
        owners[soname] = owner
        if owner is None:
            problems.append(f"{soname}：本机没有安装，无法确认由哪个软件包提供")
        elif owner not in allowed:
            problems.append(f"{soname}：由 {owner} 提供，但它不在 DEB_DEPENDS 中")
    return owners, problems


def glibc_needed(folder: Path) -> str:
    """The newest glibc symbol version any file in the bundle asks for, e.g. ``2.36``.

    It is the build machine's: PyInstaller carries everything but glibc, so
    the .deb runs on systems with this glibc or newer (build on the oldest
    target to reach further back).
    """
    found: set[tuple[int, ...]] = set()
    for elf in _elf_files(folder):
        dump = subprocess.run(
            ["objdump", "-T", str(elf)], capture_output=True, text=True, check=False
        ).stdout
        found.update(
            tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_([\d.]+)", dump)
        )
    return ".".join(str(n) for n in max(found, default=(2, 17)))


def deb_depends(folder: Path) -> str:
    glibc = glibc_needed(folder)
    return ", ".join(f"libc6 (>= {glibc})" if d == "libc6" else d for d in DEB_DEPENDS)


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def deb_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def deb(folder: Path, out: Path) -> Path:
    """``out/mingjing_VERSION_ARCH.deb`` from the frozen folder."""
    started = time.monotonic()
    linux = PACKAGING / "linux"
    icons = ROOT / "build" / "icons"
    if not (icons / "mingjing-256.png").exists():
        render_icons(icons)
    owners, problems = system_libraries(folder)
    for problem in problems:
        say(f"警告：{problem}")
    root = ROOT / "build" / "deb" / "root"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(folder, root / "opt" / APP, symlinks=True)
    _write(
        root / "usr" / "bin" / APP,
        "#!/bin/sh\n# 明镜: the program lives in /opt/mingjing (one folder, with its own Python).\n"
        'exec /opt/mingjing/mingjing "$@"\n',
        0o755,
    )
    share = root / "usr" / "share"
    _write(
        share / "applications" / "mingjing.desktop",
        (linux / "mingjing.desktop").read_text(encoding="utf-8"),
    )
    _write(
        share / "mime" / "packages" / "mingjing.xml",
        (linux / "mingjing-mime.xml").read_text(encoding="utf-8"),
    )
    for size in ICON_SIZES:
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "mingjing.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icons / f"mingjing-{size}.png", target)
    scalable = share / "icons" / "hicolor" / "scalable" / "apps" / "mingjing.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE_ICON, scalable)
    _write(
        share / "doc" / APP / "copyright",
        (linux / "copyright").read_text(encoding="utf-8"),
    )
    installed_kib = (folder_size(root) + 1023) // 1024
    arch = deb_architecture()
    control = (linux / "control").read_text(encoding="utf-8")
    control = control.format(
        version=version(),
        arch=arch,
        installed_size=installed_kib,
        depends=deb_depends(folder),
    )
    _write(root / "DEBIAN" / "control", control)
    for script in ("postinst", "postrm"):
        _write(root / "DEBIAN" / script, (linux / script).read_text(encoding="utf-8"), 0o755)
    for path in root.rglob("*"):  # no group- or world-writable files from a loose umask
        if not path.is_symlink():
            mode = path.stat().st_mode
            path.chmod(mode & ~(stat.S_IWGRP | stat.S_IWOTH))
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{APP}_{version()}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    external = ", ".join(f"{k}←{v}" for k, v in owners.items())
    say(f"系统提供的库：{external}")
    say(
        f"软件包完成：{target}（{mib(target.stat().st_size)}，安装后 {installed_kib // 1024} MiB，"
        f"{time.monotonic() - started:.0f} 秒）"
    )
    return target


# ---------------------------------------------------------------- Windows


def nsis(folder: Path, out: Path) -> Path:
    """The per-user installer ``out/mingjing-VERSION-setup.exe`` from the frozen folder.

    On Linux this compiles the script against the Linux folder: it proves the
    script, not a working Windows installer.
    """
    makensis = shutil.which("makensis")
    if makensis is None:
        raise SystemExit("找不到 makensis：Windows 上安装 NSIS 3，Debian 上 apt-get install nsis。")
    icons = ROOT / "build" / "icons"
    if not (icons / "mingjing.ico").exists():
        render_icons(icons)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{APP}-{version()}-setup.exe"
    flag = "/" if WINDOWS else "-"
    started = time.monotonic()
    subprocess.run(
        [
            makensis,
            f"{flag}V2",
            f"{flag}DVERSION={version()}",
            f"{flag}DSOURCE={folder}",
            f"{flag}DOUTFILE={target}",
            f"{flag}DICON={icons / 'mingjing.ico'}",
            str(PACKAGING / "windows" / "mingjing.nsi"),
        ],
        check=True,
    )
    say(
        f"安装程序完成：{target}（{mib(target.stat().st_size)}，"
        f"{time.monotonic() - started:.0f} 秒）"
    )
    return target


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="packaging/build", description="打包明镜（PyInstaller 单文件夹、.deb、NSIS 安装程序）"
    )
    parser.add_argument(
        "what", choices=["freeze", "deb", "nsis", "windows", "all"], help="要构建什么"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="输出文件夹（默认 dist/）")
    parser.add_argument(
        "--no-freeze", action="store_true", help="deb/nsis：用 --out 中已有的冻结文件夹"
    )
    parser.add_argument("--no-trim", action="store_true", help="不精简 Qt 和库（只用于比较大小）")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    started = time.monotonic()
    if args.what == "windows" and not WINDOWS:
        raise SystemExit(
            "windows 只能在 Windows 上构建（PyInstaller 不能交叉编译），见 packaging/README.md"
        )
    folder = out / APP
    if args.what in ("deb", "nsis") and args.no_freeze:
        if not (folder / EXE).exists():
            raise SystemExit(f"{folder} 中没有冻结好的程序：先运行 packaging/build freeze")
    else:
        folder = freeze(out, trim=not args.no_trim)
    if args.what == "deb" or (args.what == "all" and not WINDOWS):
        deb(folder, out)
    if args.what in ("nsis", "windows") or (args.what == "all" and WINDOWS):
        nsis(folder, out)
    say(f"共用时 {time.monotonic() - started:.0f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
