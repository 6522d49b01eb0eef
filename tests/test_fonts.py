"""The font registry: bundled files usable by reportlab, role chains, fallback, discovery."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mingjing.fonts import (
    BUNDLED_FONTS,
    BundledFont,
    FontFace,
    FontRegistry,
    FontRole,
    inspect_font_file,
)
from mingjing.resources import resource_path

FONTS_DIR = resource_path("fonts")
RARE_NAME_CHARS = "喆堃珺赟旸玥翀昇"
NO_FONT_HAS = ["\U0010fffd", "\U0003134a"]  # plane-16 private use; CJK Extension G

LICENCE_PHRASES = {
    "LICENSE-arphic-gbsn00lp.txt": "ARPHIC PUBLIC LICENSE",
    "LICENSE-arphic-gkai00mp.txt": "ARPHIC PUBLIC LICENSE",
    "LICENSE-wqy-microhei.txt": "Apache License",
    "LICENSE-lxgw-wenkai.txt": "SIL OPEN FONT LICENSE Version 1.1",
}


@pytest.fixture(scope="module")
def registry() -> FontRegistry:
    """Only the bundled faces: what a PC without any Chinese font gets."""
    return FontRegistry.discover(system_dirs=[], bundled_dir=FONTS_DIR)


# --- the bundled files ---------------------------------------------------------------------


@pytest.mark.parametrize("spec", BUNDLED_FONTS, ids=lambda s: s.file)
def test_bundled_file_is_truetype_with_glyf(spec: BundledFont) -> None:
    path = FONTS_DIR / spec.file
    assert path.is_file(), f"missing bundled font {path}"
    magic = path.read_bytes()[:4]
    if path.suffix == ".ttc":
        assert magic == b"ttcf"
    else:
        assert magic in (b"\x00\x01\x00\x00", b"true"), f"{path.name} is not TrueType: {magic!r}"
    infos = inspect_font_file(path)
    assert infos
    assert all(info.has_glyf for info in infos)


@pytest.mark.parametrize("spec", BUNDLED_FONTS, ids=lambda s: s.file)
def test_bundled_file_has_its_licence(spec: BundledFont) -> None:
    licence = FONTS_DIR / spec.licence
    assert licence.is_file()
    text = licence.read_text(encoding="utf-8")
    assert LICENCE_PHRASES[licence.name] in text
    readme = (FONTS_DIR / "README.md").read_text(encoding="utf-8")
    assert spec.file in readme
    assert spec.licence in readme


def test_every_font_in_the_folder_is_declared_and_licensed() -> None:
    """An undeclared font file would ship without a licence text."""
    declared = {spec.file for spec in BUNDLED_FONTS}
    on_disk = {p.name for p in FONTS_DIR.iterdir() if p.suffix.lower() in (".ttf", ".ttc", ".otf")}
    assert on_disk == declared


def test_bundled_fonts_stay_within_size_budget() -> None:
    total = sum((FONTS_DIR / spec.file).stat().st_size for spec in BUNDLED_FONTS)
    assert total <= 40 * 1000 * 1000


def test_reportlab_can_embed_every_bundled_face(registry: FontRegistry) -> None:
    ttfonts = pytest.importorskip("reportlab.pdfbase.ttfonts")
    for face in registry.bundled_faces():
        font = ttfonts.TTFont(face.key, str(face.path), subfontIndex=face.subfont_index)
        assert font.face.name


def test_bundled_faces_have_licence_files(registry: FontRegistry) -> None:
    faces = registry.bundled_faces()
    assert [f.path.name for f in faces] == [spec.file for spec in BUNDLED_FONTS]
    for face in faces:
        assert face.bundled
        assert face.licence_file is not None
        assert face.licence_file.is_file()


# --- role chains and fallback --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "file"),
    [
        (FontRole.SONG, "gbsn00lp.ttf"),
        (FontRole.XIAOBIAOSONG, "gbsn00lp.ttf"),
        (FontRole.KAI, "gkai00mp.ttf"),
        (FontRole.HEI, "wqy-microhei.ttc"),
        (FontRole.UI, "wqy-microhei.ttc"),
        (FontRole.FANGSONG, "LXGWWenKai-Light.ttf"),
    ],
)
def test_role_chain_starts_with_its_stand_in(
    registry: FontRegistry, role: FontRole, file: str
) -> None:
    chain = registry.faces(role)
    assert chain[0].path.name == file
    assert registry.primary(role) == chain[0]
    assert set(chain) == set(registry.bundled_faces()), "every face must be a fallback"
    assert len(chain) == len(set(chain))
    assert registry.is_standin(role)


def test_only_the_xiaobiaosong_stand_in_is_emboldened(registry: FontRegistry) -> None:
    assert [r for r in FontRole if registry.wants_synthetic_bold(r)] == [FontRole.XIAOBIAOSONG]


@pytest.mark.parametrize("role", list(FontRole))
@pytest.mark.parametrize("ch", list(RARE_NAME_CHARS))
def test_rare_name_characters_get_a_face(registry: FontRegistry, role: FontRole, ch: str) -> None:
    face = registry.face_for(role, ch)
    assert face is not None, f"{ch} U+{ord(ch):04X} has no face for {role}"
    assert face.covers(ch)


def test_rare_character_in_song_falls_back_to_a_face_that_has_it(registry: FontRegistry) -> None:
    song = registry.primary(FontRole.SONG)
    assert not song.covers("喆")  # AR PL SungtiL GB is GB2312 only
    face = registry.face_for(FontRole.SONG, "喆")
    assert face is not None
    assert face != song
    assert registry.face_for(FontRole.SONG, "明") == song


def test_extension_b_character_is_covered(registry: FontRegistry) -> None:
    assert registry.face_for(FontRole.FANGSONG, "𠮷") is not None
    assert registry.missing_chars("吉𠮷") == []


def test_missing_chars_reports_uncovered_in_order_and_once(registry: FontRegistry) -> None:
    text = f"甲{NO_FONT_HAS[0]} 乙{NO_FONT_HAS[1]}{NO_FONT_HAS[0]}丙"
    assert registry.missing_chars(text) == NO_FONT_HAS
    assert registry.face_for(FontRole.SONG, NO_FONT_HAS[0]) is None


def test_missing_chars_ignores_whitespace_and_controls(registry: FontRegistry) -> None:
    assert registry.missing_chars(" \t\n\r\u3000\u00a0\u200b\ufeff\x07\ufe0f") == []


def test_missing_chars_finds_nothing_in_ordinary_text(registry: FontRegistry) -> None:
    checklist = resource_path("checklists", "yongzheng-lanzheng-daizheng.yaml")
    samples = [
        checklist.read_text(encoding="utf-8"),
        "明镜 自查 整改台账 〔2015〕22号（一）“责任、担当”；《方案》——第1条…",
        f"张{RARE_NAME_CHARS}，ABC abc 0123456789 ％＋－×÷",
    ]
    for text in samples:
        assert registry.missing_chars(text) == []


def test_segments_split_text_into_drawable_runs(registry: FontRegistry) -> None:
    text = " 关于张喆同志 的通知"
    runs = registry.segments(FontRole.SONG, text)
    assert "".join(chunk for _, chunk in runs) == text
    song = registry.primary(FontRole.SONG)
    assert runs[0] == (song, " 关于张")
    assert runs[1][1] == "喆"
    assert runs[1][0].covers("喆")
    assert runs[2] == (song, "同志 的通知")
    assert registry.segments(FontRole.SONG, "   ") == [(song, "   ")]
    assert registry.segments(FontRole.SONG, "") == []


def test_face_keys_are_unique_ascii(registry: FontRegistry) -> None:
    keys = [face.key for face in registry.all_faces()]
    assert len(set(keys)) == len(keys)
    assert all(key.isascii() and " " not in key for key in keys)


def test_covers_takes_exactly_one_character(registry: FontRegistry) -> None:
    with pytest.raises(ValueError, match="one character"):
        registry.primary(FontRole.HEI).covers("明镜")


# --- discovery of installed official fonts -------------------------------------------------


def test_installed_official_font_comes_first(tmp_path: Path) -> None:
    """A font named like Windows' 仿宋 wins over the bundled stand-in."""
    fonts = tmp_path / "Windows" / "Fonts"
    fonts.mkdir(parents=True)
    official = fonts / "simfang.ttf"
    official.symlink_to(FONTS_DIR / "gkai00mp.ttf")
    (fonts / "unrelated.ttf").write_bytes(b"not a font and never opened")

    reg = FontRegistry.discover(system_dirs=[tmp_path], bundled_dir=FONTS_DIR)

    first = reg.faces(FontRole.FANGSONG)[0]
    assert first.path == official
    assert not first.bundled
    assert first.licence_file is None
    assert not reg.is_standin(FontRole.FANGSONG)
    assert reg.official_faces(FontRole.FANGSONG) == [first]
    assert reg.faces(FontRole.FANGSONG)[1].path.name == "LXGWWenKai-Light.ttf"
    # the installed face also fills gaps for every other role, after the bundled ones
    assert first in reg.faces(FontRole.HEI)
    assert reg.faces(FontRole.HEI)[0].bundled


def test_gb2312_name_beats_windows_name_and_case_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "SIMFANG.TTF").symlink_to(FONTS_DIR / "gkai00mp.ttf")
    (tmp_path / "b" / "deep" / "仿宋_GB2312.ttf").symlink_to(FONTS_DIR / "gbsn00lp.ttf")

    reg = FontRegistry.discover(system_dirs=[tmp_path], bundled_dir=FONTS_DIR)

    names = [f.path.name for f in reg.official_faces(FontRole.FANGSONG)]
    assert names == ["仿宋_GB2312.ttf", "SIMFANG.TTF"]


def test_founder_xiaobiaosong_file_name_is_recognised(tmp_path: Path) -> None:
    (tmp_path / "FZXBSJW--GB1-0.ttf").symlink_to(FONTS_DIR / "gbsn00lp.ttf")
    reg = FontRegistry.discover(system_dirs=[tmp_path], bundled_dir=FONTS_DIR)
    assert reg.primary(FontRole.XIAOBIAOSONG).path.name == "FZXBSJW--GB1-0.ttf"
    assert not reg.wants_synthetic_bold(FontRole.XIAOBIAOSONG)


def test_installed_song_stands_in_for_xiaobiaosong_before_bundled(tmp_path: Path) -> None:
    (tmp_path / "simsun.ttc").symlink_to(FONTS_DIR / "wqy-microhei.ttc")
    reg = FontRegistry.discover(system_dirs=[tmp_path], bundled_dir=FONTS_DIR)
    assert reg.primary(FontRole.XIAOBIAOSONG).path.name == "simsun.ttc"
    assert reg.wants_synthetic_bold(FontRole.XIAOBIAOSONG)


def test_cff_and_broken_official_files_are_skipped(tmp_path: Path) -> None:
    """reportlab cannot embed CFF outlines, so such a face must not be chosen."""
    fb_module = pytest.importorskip("fontTools.fontBuilder")
    pens = pytest.importorskip("fontTools.pens.t2CharStringPen")
    builder = fb_module.FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "uni660E"])
    builder.setupCharacterMap({0x660E: "uni660E"})
    pen = pens.T2CharStringPen(500, None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 0))
    pen.lineTo((500, 500))
    pen.closePath()
    box = pen.getCharString()
    builder.setupCFF("FakeHei", {"FullName": "FakeHei"}, {".notdef": box, "uni660E": box}, {})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "uni660E": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "FakeHei", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(tmp_path / "simhei.ttf"))
    (tmp_path / "simkai.ttf").write_bytes(b"\x00\x01\x00\x00 truncated")

    reg = FontRegistry.discover(system_dirs=[tmp_path], bundled_dir=FONTS_DIR)

    assert reg.official_faces() == []
    assert reg.primary(FontRole.HEI).bundled


def test_missing_bundled_dir_leaves_an_empty_but_working_registry(tmp_path: Path) -> None:
    reg = FontRegistry.discover(system_dirs=[], bundled_dir=tmp_path / "nowhere")
    assert reg.all_faces() == []
    assert reg.face_for(FontRole.SONG, "明") is None
    assert reg.missing_chars("明镜") == ["明", "镜"]
    with pytest.raises(LookupError):
        reg.primary(FontRole.SONG)


def test_default_discovery_is_quick_and_includes_the_bundled_faces() -> None:
    started = time.perf_counter()
    reg = FontRegistry.discover()
    elapsed = time.perf_counter() - started
    assert {f.path.name for f in reg.bundled_faces()} == {s.file for s in BUNDLED_FONTS}
    assert elapsed < 2.0, f"discovery took {elapsed:.2f}s"


def test_face_is_hashable_and_compares_by_file() -> None:
    a = FontFace("X", FONTS_DIR / "gbsn00lp.ttf", 0, True, None, aliases=("甲",))
    b = FontFace("X", FONTS_DIR / "gbsn00lp.ttf", 0, True, None)
    assert a == b
    assert hash(a) == hash(b)
    assert a.names() == ("X", "甲")


def test_bundled_font_names_declared_in_code_match_the_files() -> None:
    """Start-up trusts BUNDLED_FONTS' names instead of parsing the files."""
    from mingjing.fonts import BUNDLED_FONTS, inspect_font_file

    for spec in BUNDLED_FONTS:
        info = inspect_font_file(resource_path("fonts", spec.file))[spec.subfont_index]
        assert info.has_glyf
        assert info.family == spec.family
        assert set(info.aliases) == set(spec.aliases)
