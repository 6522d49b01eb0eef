"""The installers' files say the same as the program: names, file types, what is kept."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mingjing.exchange.package import KIND_LABELS, SUFFIXES

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

sys.path.insert(0, str(PACKAGING))
import build  # noqa: E402


def mime_types() -> dict[str, ET.Element]:
    tree = ET.parse(PACKAGING / "linux" / "mingjing-mime.xml")
    return {t.attrib["type"]: t for t in tree.getroot().iter(f"{MIME_NS}mime-type")}


def mime_type(kind: str) -> str:
    return f"application/x-mingjing-{kind.replace('_', '-')}"


def test_mime_types_cover_every_package_kind_with_its_chinese_name() -> None:
    types = mime_types()
    assert set(types) == {mime_type(kind) for kind in SUFFIXES}
    for kind, suffix in SUFFIXES.items():
        element = types[mime_type(kind)]
        globs = [g.attrib["pattern"] for g in element.iter(f"{MIME_NS}glob")]
        assert globs == [f"*{suffix}"]
        chinese = [c.text for c in element.iter(f"{MIME_NS}comment") if c.get(XML_LANG) == "zh_CN"]
        assert chinese == [f"明镜{KIND_LABELS[kind]}"]


def test_desktop_entry_opens_the_package_files() -> None:
    entry = configparser.RawConfigParser()
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(PACKAGING / "linux" / "mingjing.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Name[zh_CN]"] == "明镜"
    assert desktop["Exec"] == "mingjing %f" and desktop["Icon"] == "mingjing"
    assert "Office;" in desktop["Categories"]
    assert set(filter(None, desktop["MimeType"].split(";"))) == set(mime_types())


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_desktop_entry_is_valid() -> None:
    run = subprocess.run(
        ["desktop-file-validate", str(PACKAGING / "linux" / "mingjing.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_removal_never_touches_the_users_data() -> None:
    for script in ("postinst", "postrm"):
        text = (PACKAGING / "linux" / script).read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert "rm " not in code and ".local" not in code and "$HOME" not in code


def test_windows_installer_is_per_user_and_keeps_the_data() -> None:
    nsi = (PACKAGING / "windows" / "mingjing.nsi").read_text(encoding="utf-8")
    assert "RequestExecutionLevel user" in nsi and "Unicode true" in nsi
    assert r'InstallDir "$LOCALAPPDATA\Programs\${APPKEY}"' in nsi
    for kind, suffix in SUFFIXES.items():
        assert f'"{suffix}"' in nsi
        assert f"明镜{KIND_LABELS[kind]}" in nsi
    code = [line.strip() for line in nsi.splitlines() if not line.strip().startswith(";")]
    removals = [line for line in code if line.startswith(("RMDir", "Delete "))]
    assert removals, "the uninstaller removes the program"
    for line in removals:
        # Only the program's own files; never the whole folder or the data folder.
        assert line.startswith(('RMDir /r "$INSTDIR\\_internal"', 'RMDir "$INSTDIR"')) or (
            line.startswith("Delete") and ("$INSTDIR\\" in line or "$SMPROGRAMS" in line)
        ), line
    assert "HKLM" not in nsi


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis (apt-get install nsis)")
def test_windows_installer_script_compiles(tmp_path: Path) -> None:
    """On Linux this proves the script, not a working installer (see packaging/README.md)."""
    source = tmp_path / "mingjing"
    (source / "_internal").mkdir(parents=True)
    (source / "mingjing.exe").write_bytes(b"MZ placeholder")
    (source / "_internal" / "placeholder.txt").write_text("x", encoding="utf-8")
    out = tmp_path / "mingjing-0.1.0-setup.exe"  # a bare "setup.exe" gets Windows shims
    run = subprocess.run(
        [
            "makensis",
            "-V2",
            "-WX",  # warnings are errors
            "-DVERSION=0.1.0",
            f"-DSOURCE={source}",
            f"-DOUTFILE={out}",
            str(PACKAGING / "windows" / "mingjing.nsi"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert out.stat().st_size > 10_000


def test_spec_carries_the_resources_migrations_and_library_metadata() -> None:
    from mingjing.ui.about import LIBRARIES

    spec = (PACKAGING / "mingjing.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "mingjing/resources")' in spec
    assert '"mingjing/storage/migrations/versions"' in spec
    assert '"env.py", "script.py.mako"' in spec
    listed = re.search(r"ABOUT_LIBRARIES = \[(.*?)\]", spec, re.DOTALL)
    assert listed is not None
    for dist, _, _ in LIBRARIES:
        assert f'"{dist}"' in listed.group(1), f"{dist}: its version would show as —"


def test_build_module_is_never_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "desktop/mingjing/_build.py" in ignored


def test_deb_depends_are_well_formed() -> None:
    assert build.version() == __import__("mingjing").__version__
    for dependency in build.DEB_DEPENDS:
        for alternative in dependency.split("|"):
            assert re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", alternative.strip()), dependency


def test_windows_workflow_builds_and_smokes_the_installer() -> None:
    workflow = (ROOT / ".github" / "workflows" / "windows-installer.yml").read_text(
        encoding="utf-8"
    )
    assert "windows-latest" in workflow
    assert "packaging/build.py windows" in workflow
    assert "--smoke" in workflow and "QT_QPA_PLATFORM" in workflow
