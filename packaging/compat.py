"""Build the .deb for older desktops (麒麟 V10, 统信UOS 20) in a chroot of an older Debian.

    sudo python3 packaging/compat.py build  [--suite bullseye] [--work DIR] [--out dist]
    sudo python3 packaging/compat.py verify [--suite bullseye] [--work DIR] DEB

A frozen program runs on the glibc it was built against or a newer one, so
the .deb made on Debian 12 (glibc 2.36) does not install on 麒麟 V10
(glibc 2.31) or 统信UOS 20 (2.28). This script builds it inside a chroot of
the older Debian, made with ``debootstrap`` from Debian's own mirror:

1. ``debootstrap`` SUITE with the compilers and libraries CPython needs;
2. CPython 3.11 from Debian's source archive (checked against the SHA-256
   of Debian's ``Sources`` index), built there with ``--enable-shared``
   (PyInstaller needs ``libpython3.11.so``) into ``/opt/python3.11``;
3. a venv with the project, ``.[packaging]`` and
   ``packaging/linux/compat-constraints.txt`` (a PySide6 whose wheel is
   ``manylinux_2_28``: newer ones need glibc 2.34);
4. ``packaging/build.py all`` inside the chroot; the .deb is copied to --out.

``verify`` makes a second, bare chroot of the suite (a desktop's libraries
only, no compilers), installs the .deb there with ``apt-get`` (which must
resolve every ``Depends`` from the suite's own archive) and runs the
installed program's ``demo`` and ``--smoke`` offscreen.

Needs root (chroot, mount), ``debootstrap`` and the network to Debian's
mirror and PyPI. The chroots are kept in --work (default
``/var/tmp/mingjing-compat``) and reused; about 2.5 GB.
"""

from __future__ import annotations

import argparse
import hashlib
import lzma
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIRROR = "http://deb.debian.org/debian"
"""Debian's mirror; buster (glibc 2.28, for 统信UOS 20) is only on http://archive.debian.org/debian."""
#: Debian's source of CPython 3.11 (bookworm's), built in the older chroot.
PYTHON_SOURCE_SUITE = "bookworm"
PYTHON_SOURCE_PACKAGE = "python3.11"
PREFIX = "/opt/python3.11"
BUILD_PACKAGES = (
    "ca-certificates,build-essential,binutils,dpkg-dev,xz-utils,git,"
    "libssl-dev,zlib1g-dev,libbz2-dev,libffi-dev,liblzma-dev,libsqlite3-dev,"
    "libreadline-dev,libncursesw5-dev,uuid-dev,libgdbm-dev,"
    # what Qt's xcb plugin, fontconfig and CUPS load, so build.py can check the bundle
    "libfontconfig1,libfreetype6,libx11-xcb1,libxkbcommon-x11-0,libxcb-cursor0,"
    "libxcb-icccm4,libxcb-image0,libxcb-keysyms1,libxcb-randr0,libxcb-render-util0,"
    "libxcb-shape0,libxcb-xinerama0,libxcb-xkb1,libegl1,libgl1,libdbus-1-3,libcups2,"
    "libglib2.0-0"
)
TARGET_PACKAGES = "ca-certificates"  # the rest comes with the .deb's Depends


def say(text: str) -> None:
    sys.stdout.write(f"[compat] {text}\n")
    sys.stdout.flush()


def run(command: list[str], **kwargs: object) -> None:
    say(" ".join(command))
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def debootstrap(root: Path, suite: str, packages: str, mirror: str = MIRROR) -> None:
    """A minimal chroot of ``suite`` (made once, then reused) with ``packages`` installed."""
    if not (root / "etc" / "debian_version").exists():
        if shutil.which("debootstrap") is None:
            raise SystemExit("需要 debootstrap（apt-get install debootstrap）")
        root.parent.mkdir(parents=True, exist_ok=True)
        run(
            [
                "debootstrap",
                "--variant=minbase",
                "--include=ca-certificates",
                suite,
                str(root),
                MIRROR,
            ]
        )
    else:
        say(f"{root} 已有，沿用")
    # Name lookups and the certificates the host trusts (a proxy's own CA included).
    shutil.copy2("/etc/resolv.conf", root / "etc" / "resolv.conf")
    shutil.copy2("/etc/ssl/certs/ca-certificates.crt", root / "etc/ssl/certs/ca-certificates.crt")
    with mounted(root):
        in_chroot(
            root, f"apt-get install -y -q {packages.replace(',', ' ')} > /tmp/apt-install.log"
        )


@contextmanager
def mounted(root: Path) -> Iterator[None]:
    """/proc and /dev inside the chroot while it works; always unmounted."""
    points = [(root / "proc", ["-t", "proc", "proc"]), (root / "dev", ["--bind", "/dev"])]
    done: list[Path] = []
    try:
        for point, how in points:
            point.mkdir(exist_ok=True)
            run(["mount", *how, str(point)])
            done.append(point)
        yield
    finally:
        for point in reversed(done):
            subprocess.run(["umount", "-l", str(point)], check=False)


def in_chroot(root: Path, script: str) -> None:
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "QT_QPA_PLATFORM": "offscreen",
    }
    run(["chroot", str(root), "/bin/bash", "-euo", "pipefail", "-c", script], env=env)


def _fetch(url: str) -> bytes:
    say(f"下载 {url}")
    with urllib.request.urlopen(url, timeout=300) as response:
        data: bytes = response.read()
    return data


def python_source(into: Path) -> Path:
    """Debian's CPython 3.11 source tarball, its SHA-256 checked against ``Sources``."""
    index = lzma.decompress(_fetch(f"{MIRROR}/dists/{PYTHON_SOURCE_SUITE}/main/source/Sources.xz"))
    stanza = next(
        s
        for s in index.decode("utf-8").split("\n\n")
        if s.startswith(f"Package: {PYTHON_SOURCE_PACKAGE}\n")
    )
    fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line)
    directory = fields["Directory"]
    sums = stanza.split("Checksums-Sha256:\n", 1)[1].splitlines()
    for line in sums:
        if not line.startswith(" "):
            break
        digest, _size, name = line.split()
        if ".orig.tar." in name:
            target = into / name
            if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() != digest:
                data = _fetch(f"{MIRROR}/{directory}/{name}")
                if hashlib.sha256(data).hexdigest() != digest:
                    raise SystemExit(f"{name} 的 SHA-256 与 Debian 的 Sources 不符")
                target.write_bytes(data)
            return target
    raise SystemExit(f"Debian 的 Sources 中没有 {PYTHON_SOURCE_PACKAGE} 的源码包")


def build(work: Path, suite: str, out: Path, mirror: str = MIRROR) -> Path:
    root = work / f"{suite}-build"
    debootstrap(root, suite, BUILD_PACKAGES, mirror)
    src = root / "build"
    src.mkdir(exist_ok=True)
    if not (root / PREFIX.lstrip("/") / "bin" / "python3.11").exists():
        tarball = python_source(src)
        shutil.rmtree(src / "python", ignore_errors=True)
        (src / "python").mkdir()
        run(["tar", "-xf", str(tarball), "-C", str(src / "python"), "--strip-components=1"])
        in_chroot(
            root,
            f"cd /build/python && ./configure --prefix={PREFIX} --enable-shared "
            f"LDFLAGS=-Wl,-rpath,{PREFIX}/lib > configure.log && make -j$(nproc) > make.log "
            "&& make install > install.log",
        )
    project = src / "mingjing"
    shutil.rmtree(project, ignore_errors=True)
    # The committed tree only: nothing from the developer's working copy.
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"], check=True, capture_output=True
    ).stdout
    project.mkdir()
    subprocess.run(["tar", "-x", "-C", str(project)], input=archive, check=True)
    with mounted(root):
        in_chroot(
            root,
            f"test -x /build/venv/bin/python || {PREFIX}/bin/python3.11 -m venv /build/venv; "
            "cd /build/mingjing && /build/venv/bin/python -m pip install -q "
            "-c packaging/linux/compat-constraints.txt -e '.[packaging]' "
            "&& /build/venv/bin/python packaging/build.py all --out /build/dist",
        )
    debs = sorted((src / "dist").glob("mingjing_*.deb"))
    if not debs:
        raise SystemExit("chroot 中没有生成 .deb")
    out.mkdir(parents=True, exist_ok=True)
    made = out / debs[-1].name.replace(".deb", f"~{suite}.deb")
    shutil.copy2(debs[-1], made)
    say(f"已生成 {made}")
    return made


def verify(work: Path, suite: str, deb: Path, mirror: str = MIRROR) -> None:
    root = work / f"{suite}-target"
    debootstrap(root, suite, TARGET_PACKAGES, mirror)
    inside = root / "tmp" / deb.name
    shutil.copy2(deb, inside)
    with mounted(root):
        in_chroot(
            root,
            f"apt-get update -q && apt-get install -y -q /tmp/{deb.name} > /tmp/apt.log "
            "&& ldd --version | head -1 && rm -rf /tmp/data "
            "&& mingjing --data-dir /tmp/data demo && mingjing --data-dir /tmp/data --smoke "
            "&& mingjing --data-dir /tmp/data check && echo 已在 chroot 中安装并运行",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="packaging/compat.py", description="在较旧的 Debian chroot 中构建并验证明镜的 .deb"
    )
    parser.add_argument("what", choices=["build", "verify"])
    parser.add_argument("deb", nargs="?", type=Path, help="verify：要安装的 .deb")
    parser.add_argument("--suite", default="bullseye", help="Debian 版本代号（默认 bullseye）")
    parser.add_argument("--mirror", default=MIRROR, help=f"Debian 镜像（默认 {MIRROR}）")
    parser.add_argument("--work", type=Path, default=Path("/var/tmp/mingjing-compat"))
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("需要 root（chroot、mount、debootstrap）")
    started = time.monotonic()
    if args.what == "build":
        made = build(args.work.resolve(), args.suite, args.out.resolve(), args.mirror)
        verify(args.work.resolve(), args.suite, made, args.mirror)
    else:
        if args.deb is None:
            parser.error("verify 需要 .deb 文件")
        verify(args.work.resolve(), args.suite, args.deb.resolve(), args.mirror)
    say(f"共用时 {time.monotonic() - started:.0f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
