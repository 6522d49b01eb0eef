"""One list of Chinese fonts, shared by the Qt window and the reportlab PDFs.

A plain Debian or 统信/麒麟 office PC may have no CJK font at all, and a
Windows PC has the official 仿宋/黑体/楷体/宋体 but rarely 小标宋. If the
window and the PDF each guessed on their own, one of them would print tofu
boxes, or the two would disagree about which face a 公文 paragraph is set in.
So both ask this registry: for each role (宋, 黑, 楷, 仿宋, 小标宋, 界面) it
keeps a chain of faces — the official font when the machine has one, then the
free font shipped in ``resources/fonts``, then every other known face — and a
character is set in the first face of the chain that has it.

Only TrueType outlines (a ``glyf`` table, in .ttf or .ttc) are admitted
because reportlab can embed nothing else; a face the PDF cannot use would make
the window and the printout differ. This module imports neither PySide6 nor
reportlab so that both sides, the tests and command-line tools can share it.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BUNDLED_FONTS",
    "BundledFont",
    "FontFace",
    "FontRegistry",
    "FontRole",
    "SubfontInfo",
    "default_system_font_dirs",
    "inspect_font_file",
]

_log = logging.getLogger(__name__)


class FontRole(enum.StrEnum):
    """The typefaces a 公文-style document and the UI distinguish."""

    SONG = "song"
    HEI = "hei"
    KAI = "kai"
    FANGSONG = "fangsong"
    XIAOBIAOSONG = "xiaobiaosong"
    UI = "ui"

    @property
    def label(self) -> str:
        """The name a Chinese user knows the role by, for settings and diagnostics."""
        return _ROLE_LABELS[self]


_ROLE_LABELS: dict[FontRole, str] = {
    FontRole.SONG: "宋体",
    FontRole.HEI: "黑体",
    FontRole.KAI: "楷体",
    FontRole.FANGSONG: "仿宋",
    FontRole.XIAOBIAOSONG: "小标宋",
    FontRole.UI: "界面字体",
}


@dataclass(frozen=True)
class FontFace:
    """One face of one font file that both Qt and reportlab can use.

    ``subfont_index`` matters for .ttc collections (reportlab's
    ``subfontIndex``); ``aliases`` are the other family names in the file's
    name table (Chinese ones, the typographic family), which Qt may report
    instead of ``family``.
    """

    family: str
    path: Path
    subfont_index: int = 0
    bundled: bool = False
    licence_file: Path | None = None
    aliases: tuple[str, ...] = field(default=(), compare=False)

    def covers(self, ch: str) -> bool:
        """Whether the face has a glyph for ``ch``; the cmap is read once, on first use."""
        if len(ch) != 1:
            raise ValueError(f"covers() takes one character, got {ch!r}")
        return ord(ch) in self.codepoints()

    def codepoints(self) -> frozenset[int]:
        """Every code point the face maps; cached per file and subfont."""
        return _codepoints(self.path, self.subfont_index)

    @property
    def key(self) -> str:
        """An ASCII name unique per file and subfont, for reportlab's ``registerFont``.

        reportlab keeps fonts in one global table by name, so two faces with
        the same family (a bundled copy and an installed one) must not collide.
        """
        return _face_key(self.family, str(self.path), self.subfont_index)

    def names(self) -> tuple[str, ...]:
        """``family`` followed by the aliases, without duplicates."""
        return tuple(dict.fromkeys((self.family, *self.aliases)))


@functools.lru_cache(maxsize=256)
def _face_key(family: str, path: str, subfont_index: int) -> str:
    """Computed once per face: a PDF of thousands of pages asks millions of times."""
    stem = re.sub(r"[^A-Za-z0-9]+", "", family)[:40] or "Font"
    digest = hashlib.sha1(path.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"MJ-{stem}-{subfont_index}-{digest}"


@dataclass(frozen=True)
class BundledFont:
    """A file in ``resources/fonts``; the roles say which official fonts it replaces."""

    file: str
    roles: tuple[FontRole, ...]
    licence: str
    subfont_index: int = 0
    family: str = ""
    aliases: tuple[str, ...] = ()
    """Known names, so start-up need not parse the file (a test checks they match)."""


#: The faces shipped in ``resources/fonts`` and what they stand in for; see the
#: README there for why each was chosen.
BUNDLED_FONTS: tuple[BundledFont, ...] = (
    BundledFont(
        "gbsn00lp.ttf",
        (FontRole.SONG, FontRole.XIAOBIAOSONG),
        "LICENSE-arphic-gbsn00lp.txt",
        family="AR PL SungtiL GB",
        aliases=("文鼎ＰＬ简报宋",),
    ),
    BundledFont(
        "gkai00mp.ttf",
        (FontRole.KAI,),
        "LICENSE-arphic-gkai00mp.txt",
        family="AR PL KaitiM GB",
        aliases=("文鼎ＰＬ简中楷",),
    ),
    BundledFont(
        "wqy-microhei.ttc",
        (FontRole.HEI, FontRole.UI),
        "LICENSE-wqy-microhei.txt",
        family="WenQuanYi Micro Hei",
        aliases=("文泉驛微米黑", "文泉驿微米黑"),
    ),
    BundledFont(
        "LXGWWenKai-Light.ttf",
        (FontRole.FANGSONG,),
        "LICENSE-lxgw-wenkai.txt",
        family="LXGW WenKai Light",
        aliases=("LXGW WenKai", "霞鹜文楷 Light", "霞鹜文楷"),
    ),
)

#: Installed fonts that are the real thing for a role, best first, as normalised
#: file stems (see ``_normalise_stem``). Matching on file names keeps start-up
#: cheap: only these files are ever opened. 仿宋_GB2312/楷体_GB2312 come first
#: because GB/T 9704 names them; the GBK-wide Windows faces follow and pick up
#: the characters the GB2312 ones lack. CESI_* are the 中国电子技术标准化研究院
#: fonts that 统信 UOS and 麒麟 ship; FZ* are 方正's file names.
# fmt: off
_OFFICIAL_STEMS: dict[FontRole, tuple[str, ...]] = {
    FontRole.FANGSONG: (
        "仿宋gb2312", "fsgb2312", "fangsonggb2312", "cesifsgb2312",
        "simfang", "仿宋", "fangsong",
        "cesifsgb18030", "cesifsgb13000", "fzfsk", "方正仿宋gbk", "fzfsjw", "方正仿宋简体",
    ),
    FontRole.KAI: (
        "楷体gb2312", "ktgb2312", "kaitigb2312", "cesiktgb2312",
        "simkai", "楷体", "kaiti",
        "cesiktgb18030", "cesiktgb13000", "fzktk", "方正楷体gbk", "fzktjw", "方正楷体简体",
    ),
    FontRole.HEI: (
        "simhei", "黑体", "cesihtgb2312", "cesihtgb18030", "cesihtgb13000",
        "fzhtk", "方正黑体gbk", "fzhtjw", "方正黑体简体",
    ),
    FontRole.SONG: (
        "simsun", "宋体", "cesissgb2312", "cesissgb18030", "cesissgb13000",
        "fzssk", "方正书宋gbk", "fzssjw", "方正书宋简体",
    ),
    FontRole.XIAOBIAOSONG: (
        "fzxbsjw", "方正小标宋简体", "fzxbsk", "方正小标宋gbk", "方正小标宋",
        "cesixbsgb2312", "cesixbsgb18030", "cesixbsgb13000",
    ),
    FontRole.UI: ("msyh", "微软雅黑"),
}

#: Installed faces that belong to no role but fill gaps (CJK Extension B and
#: beyond, mostly) at the very end of every chain.
_EXTRA_STEMS: tuple[str, ...] = (
    "simsunb", "simsunextg", "mingliub", "wqyzenhei", "uming", "ukai",
    "droidsansfallbackfull", "droidsansfallback",
)
# fmt: on

#: When the role's own face lacks a character, borrow from the role that looks
#: most alike: a missing 仿宋 character in 楷 or 宋 stands out less than in 黑.
_FALLBACK_ORDER: dict[FontRole, tuple[FontRole, ...]] = {
    FontRole.SONG: (FontRole.SONG, FontRole.FANGSONG, FontRole.KAI, FontRole.HEI),
    FontRole.XIAOBIAOSONG: (FontRole.SONG, FontRole.FANGSONG, FontRole.KAI, FontRole.HEI),
    FontRole.FANGSONG: (FontRole.FANGSONG, FontRole.KAI, FontRole.SONG, FontRole.HEI),
    FontRole.KAI: (FontRole.KAI, FontRole.FANGSONG, FontRole.SONG, FontRole.HEI),
    FontRole.HEI: (FontRole.HEI, FontRole.SONG, FontRole.FANGSONG, FontRole.KAI),
    FontRole.UI: (FontRole.HEI, FontRole.SONG, FontRole.FANGSONG, FontRole.KAI),
}

#: An installed face of another role beats our bundled stand-in: SimSun is a
#: closer 小标宋 than AR PL SungtiL, Microsoft YaHei's absence is best covered
#: by SimHei rather than by a bundled face the user has never seen.
_OFFICIAL_STANDINS: dict[FontRole, tuple[FontRole, ...]] = {
    FontRole.XIAOBIAOSONG: (FontRole.SONG,),
    FontRole.UI: (FontRole.HEI,),
}

_FONT_SUFFIXES = frozenset({".ttf", ".ttc"})
_MAX_SCAN_DEPTH = 6


def _normalise_stem(name: str) -> str:
    """File name → lookup key: "FangSong_GB2312.TTF" and "fangsong-gb2312.ttf" match.

    Founder's downloads are called like ``FZXBSJW--GB1-0.ttf``; the ``gb1-0``
    tail names the character collection, not the face, so it is dropped.
    """
    stem = name.rsplit(".", 1)[0].casefold()
    stem = re.sub(r"--?gb1-?0$", "", stem)
    return re.sub(r"[\s_\-]+", "", stem)


_OFFICIAL_INDEX: dict[str, tuple[FontRole, int]] = {
    stem: (role, rank) for role, stems in _OFFICIAL_STEMS.items() for rank, stem in enumerate(stems)
}
_EXTRA_INDEX: dict[str, int] = {stem: rank for rank, stem in enumerate(_EXTRA_STEMS)}


def default_system_font_dirs() -> list[Path]:
    """Where Windows, Linux (incl. 统信 UOS/麒麟) and macOS keep installed fonts."""
    dirs: list[Path] = []
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT") or r"C:\Windows"
        dirs.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [Path.home() / "Library" / "Fonts", Path("/Library/Fonts")]
    else:
        data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        dirs += [Path(data_home) / "fonts", Path.home() / ".fonts"]
        data_dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
        dirs += [Path(d) / "fonts" for d in data_dirs.split(":") if d]
        dirs += [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
    return list(dict.fromkeys(dirs))


def _iter_candidates(dirs: Sequence[Path], wanted: set[str]) -> Iterator[tuple[Path, str]]:
    """Yield font files whose normalised stem is in ``wanted``, without opening any.

    Directory symlinks are followed (distributions link font folders) but each
    real directory is listed once, so a link loop cannot hang start-up.
    """
    seen: set[str] = set()
    for top in dirs:
        stack: list[tuple[str, int]] = [(str(top), 0)]
        while stack:
            current, depth = stack.pop()
            try:
                real = os.path.realpath(current)
                if real in seen:
                    continue
                seen.add(real)
                with os.scandir(current) as entries:
                    listed = sorted(entries, key=lambda e: e.name)
            except OSError:
                continue
            subdirs: list[str] = []
            for entry in listed:
                try:
                    if entry.is_dir():
                        if depth < _MAX_SCAN_DEPTH:
                            subdirs.append(entry.path)
                        continue
                    suffix = os.path.splitext(entry.name)[1].casefold()
                    if suffix not in _FONT_SUFFIXES:
                        continue
                    stem = _normalise_stem(entry.name)
                    if stem in wanted and entry.is_file():
                        yield Path(entry.path), stem
                except OSError:
                    continue
            stack.extend((d, depth + 1) for d in reversed(subdirs))


@dataclass(frozen=True)
class SubfontInfo:
    """What discovery needs from a face without paying for its cmap."""

    index: int
    family: str
    aliases: tuple[str, ...]
    has_glyf: bool


def _family_names(font: Any) -> tuple[str, tuple[str, ...]]:
    """The English legacy family (what GDI and reportlab users see) and all others."""
    name_table = font.get("name")
    if name_table is None:
        return "", ()
    english = name_table.getName(1, 3, 1, 0x409) or name_table.getName(1, 1, 0, 0)
    family = english.toUnicode() if english is not None else ""
    others: list[str] = []
    for record in name_table.names:
        if record.nameID in (1, 16):
            try:
                text = record.toUnicode()
            except UnicodeDecodeError:
                continue
            if text and text not in others:
                others.append(text)
    if not family and others:
        family = others[0]
    return family, tuple(n for n in others if n != family)


def inspect_font_file(path: Path) -> list[SubfontInfo]:
    """Read only the table directory and name table of each subfont.

    Cheap enough for start-up (well under a millisecond per file); the cmap,
    which is the slow part, is left for ``FontFace.codepoints``.
    """
    infos: list[SubfontInfo] = []
    fonts: list[Any]
    collection: Any = None
    with path.open("rb") as stream:
        is_collection = stream.read(4) == b"ttcf"  # trust the header, not the file name
    if is_collection:
        from fontTools.ttLib import TTCollection

        collection = TTCollection(str(path), lazy=True)
        fonts = list(collection.fonts)
    else:
        from fontTools.ttLib import TTFont

        fonts = [TTFont(str(path), lazy=True)]
    try:
        for index, font in enumerate(fonts):
            family, aliases = _family_names(font)
            has_glyf = "glyf" in font and "CFF " not in font and "CFF2" not in font
            infos.append(SubfontInfo(index, family or path.stem, aliases, has_glyf))
    finally:
        if collection is not None:
            collection.close()
        else:
            for font in fonts:
                font.close()
    return infos


def _face_from_file(
    path: Path, subfont_index: int, *, bundled: bool, licence: Path | None
) -> FontFace | None:
    """A face for Qt and reportlab, or None (logged) if the file is unusable for either."""
    try:
        infos = inspect_font_file(path)
    except Exception as exc:  # a damaged file must not stop the app from starting
        _log.warning("跳过无法读取的字体文件 %s：%s", path, exc)
        return None
    if not infos:
        return None
    info = infos[subfont_index] if subfont_index < len(infos) else infos[0]
    if not info.has_glyf:
        _log.info("跳过非 TrueType 轮廓（CFF）的字体 %s：reportlab 无法嵌入", path)
        return None
    return FontFace(
        family=info.family,
        path=path,
        subfont_index=info.index,
        bundled=bundled,
        licence_file=licence,
        aliases=info.aliases,
    )


@functools.lru_cache(maxsize=64)
def _codepoints(path: Path, subfont_index: int) -> frozenset[int]:
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(str(path), fontNumber=subfont_index, lazy=True)
    except Exception as exc:
        _log.warning("读取字体字符表失败 %s：%s", path, exc)
        return frozenset()
    try:
        cmap = font.getBestCmap() or {}
        return frozenset(int(cp) for cp in cmap)
    except Exception as exc:
        _log.warning("读取字体字符表失败 %s：%s", path, exc)
        return frozenset()
    finally:
        font.close()


def _rank(item: tuple[int, FontFace]) -> int:
    return item[0]


def _is_ignorable(ch: str) -> bool:
    """Characters no font needs to draw: spacing, controls, format marks, variation selectors."""
    if ch.isspace():
        return True
    cp = ord(ch)
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


class FontRegistry:
    """The faces known on this machine and, per role, the order to try them in."""

    def __init__(
        self,
        *,
        official: Mapping[FontRole, Sequence[FontFace]] | None = None,
        bundled: Sequence[tuple[FontFace, Sequence[FontRole]]] = (),
        extra: Sequence[FontFace] = (),
    ) -> None:
        self._official: dict[FontRole, list[FontFace]] = {
            role: list((official or {}).get(role, ())) for role in FontRole
        }
        self._bundled: list[tuple[FontFace, frozenset[FontRole]]] = [
            (face, frozenset(roles)) for face, roles in bundled
        ]
        self._extra = list(extra)
        self._chains = {role: self._build_chain(role) for role in FontRole}
        self._all = list(dict.fromkeys(f for role in FontRole for f in self._chains[role]))
        self._choice: dict[tuple[FontRole, str], FontFace | None] = {}

    @classmethod
    def discover(
        cls,
        *,
        system_dirs: Sequence[Path] | None = None,
        bundled_dir: Path | None = None,
    ) -> FontRegistry:
        """Find official fonts by file name and load the bundled ones.

        Only files whose name matches a known official or gap-filling font are
        opened, so this stays fast on machines with thousands of fonts.
        """
        if system_dirs is None:
            system_dirs = default_system_font_dirs()
        if bundled_dir is None:
            try:
                from mingjing.resources import resource_path

                bundled_dir = resource_path("fonts")
            except FileNotFoundError as exc:
                _log.warning("找不到随软件附带的字体：%s", exc)
        bundled = _load_bundled(bundled_dir) if bundled_dir is not None else []

        wanted = set(_OFFICIAL_INDEX) | set(_EXTRA_INDEX)
        found: dict[str, Path] = {}
        for path, stem in _iter_candidates(list(system_dirs), wanted):
            found.setdefault(stem, path)

        official: dict[FontRole, list[tuple[int, FontFace]]] = {role: [] for role in FontRole}
        extra: list[tuple[int, FontFace]] = []
        for stem, path in found.items():
            face = _face_from_file(path, 0, bundled=False, licence=None)
            if face is None:
                continue
            if stem in _OFFICIAL_INDEX:
                role, rank = _OFFICIAL_INDEX[stem]
                official[role].append((rank, face))
            else:
                extra.append((_EXTRA_INDEX[stem], face))
        return cls(
            official={r: [f for _, f in sorted(fs, key=_rank)] for r, fs in official.items()},
            bundled=bundled,
            extra=[f for _, f in sorted(extra, key=_rank)],
        )

    def _build_chain(self, role: FontRole) -> list[FontFace]:
        chain: list[FontFace] = []
        chain += self._official[role]
        for standin in _OFFICIAL_STANDINS.get(role, ()):
            chain += self._official[standin]
        chain += [face for face, roles in self._bundled if role in roles]
        for other in _FALLBACK_ORDER[role]:
            chain += [face for face, roles in self._bundled if other in roles]
        for other in _FALLBACK_ORDER[role]:
            chain += self._official[other]
        chain += self._extra
        for other in FontRole:
            chain += self._official[other]
        chain += [face for face, _ in self._bundled]
        return list(dict.fromkeys(chain))

    def faces(self, role: FontRole) -> list[FontFace]:
        """Every known face, best for ``role`` first; later ones fill per-character gaps."""
        return list(self._chains[role])

    def primary(self, role: FontRole) -> FontFace:
        """The face a run of ``role`` text is set in when nothing is missing."""
        chain = self._chains[role]
        if not chain:
            raise LookupError(f"没有可用于{role.label}的字体")
        return chain[0]

    def face_for(self, role: FontRole, ch: str) -> FontFace | None:
        """The first face in ``role``'s chain that has ``ch``, or None if none has it."""
        key = (role, ch)
        if key in self._choice:
            return self._choice[key]
        choice = next((f for f in self._chains[role] if f.covers(ch)), None)
        if choice is None:
            choice = next((f for f in self._all if f.covers(ch)), None)
        self._choice[key] = choice
        return choice

    def segments(self, role: FontRole, text: str) -> list[tuple[FontFace, str]]:
        """Split ``text`` into runs that one face can draw, for reportlab.

        reportlab has no per-character fallback of its own, so a PDF writer
        switches fonts between these runs (``<font name=face.key>`` in a
        Paragraph). Spaces and marks stay in the surrounding run; characters
        no face has stay in the run too (they will be tofu, which
        ``missing_chars`` lets the caller report beforehand).
        """
        runs: list[tuple[FontFace, str]] = []
        current: FontFace | None = None
        buffer: list[str] = []
        pending: list[str] = []  # ignorable characters before the first face is known
        for ch in text:
            face = None if _is_ignorable(ch) else self.face_for(role, ch)
            if face is None or face == current:
                (buffer if current is not None else pending).append(ch)
                continue
            if current is not None:
                runs.append((current, "".join(buffer)))
                buffer = []
            current = face
            buffer = [*pending, ch]
            pending = []
        if current is None:
            if pending:
                runs.append((self.primary(role), "".join(pending)))
        else:
            runs.append((current, "".join(buffer)))
        return runs

    def missing_chars(self, text: str) -> list[str]:
        """Characters of ``text`` that no known face can draw, first appearance first."""
        missing: list[str] = []
        seen: set[str] = set()
        for ch in text:
            if ch in seen:
                continue
            seen.add(ch)
            if _is_ignorable(ch):
                continue
            if not any(face.covers(ch) for face in self._all):
                missing.append(ch)
        return missing

    def bundled_faces(self) -> list[FontFace]:
        """The faces shipped with Mingjing, in ``BUNDLED_FONTS`` order."""
        return [face for face, _ in self._bundled]

    def official_faces(self, role: FontRole | None = None) -> list[FontFace]:
        """Installed official faces found, for one role or all."""
        if role is not None:
            return list(self._official[role])
        return list(dict.fromkeys(f for r in FontRole for f in self._official[r]))

    def all_faces(self) -> list[FontFace]:
        """Every usable face once: what the UI registers with Qt."""
        return list(self._all)

    def is_standin(self, role: FontRole) -> bool:
        """True when no installed official font of ``role`` was found."""
        return not self._official[role]

    def wants_synthetic_bold(self, role: FontRole) -> bool:
        """Whether drawing ``role`` should be emboldened to look right.

        小标宋 is a heavy Song; its stand-ins (SimSun, AR PL SungtiL) are light,
        so a title set in them looks like body text unless bolded. Qt
        synthesises bold; in reportlab stroke the glyphs (text render mode 2,
        line width about 3 % of the size) inside ``saveState``/``restoreState``,
        since the render mode otherwise leaks into all later text.
        """
        return role is FontRole.XIAOBIAOSONG and self.is_standin(role)

    def describe(self) -> str:
        """A short plain-text summary for logs and the about box."""
        lines = []
        for role in FontRole:
            chain = self._chains[role]
            head = chain[0] if chain else None
            if head is None:
                lines.append(f"{role.label}: （无）")
                continue
            origin = "随软件附带" if head.bundled else "系统已安装"
            lines.append(f"{role.label}: {head.family}（{origin}，{head.path.name}）")
        return "\n".join(lines)


def _load_bundled(bundled_dir: Path) -> list[tuple[FontFace, tuple[FontRole, ...]]]:
    """The shipped faces with their roles; unknown extra files join as role-less fallbacks."""
    result: list[tuple[FontFace, tuple[FontRole, ...]]] = []
    known = set()
    for spec in BUNDLED_FONTS:
        path = bundled_dir / spec.file
        known.add(spec.file.casefold())
        if not path.is_file():
            _log.warning("随软件附带的字体缺失：%s", path)
            continue
        licence = bundled_dir / spec.licence
        licence_file = licence if licence.is_file() else None
        if spec.family:
            face: FontFace | None = FontFace(
                family=spec.family,
                path=path,
                subfont_index=spec.subfont_index,
                bundled=True,
                licence_file=licence_file,
                aliases=spec.aliases,
            )
        else:
            face = _face_from_file(path, spec.subfont_index, bundled=True, licence=licence_file)
        if face is not None:
            result.append((face, spec.roles))
    try:
        others = sorted(
            p
            for p in bundled_dir.iterdir()
            if p.suffix.casefold() in _FONT_SUFFIXES and p.name.casefold() not in known
        )
    except OSError:
        others = []
    for path in others:
        licence = bundled_dir / f"LICENSE-{path.stem}.txt"
        face = _face_from_file(
            path, 0, bundled=True, licence=licence if licence.is_file() else None
        )
        if face is not None:
            result.append((face, ()))
    return result
