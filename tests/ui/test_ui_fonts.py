"""Qt draws every character of real Chinese text with our fonts, not as tofu boxes.

This machine, like a plain Debian office PC, has no CJK font installed, so
without the bundled files every Chinese character below renders as the same
empty box and these tests fail.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QImage,
    QPainter,
    QRawFont,
)
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from mingjing.fonts import FontRegistry, FontRole
from mingjing.resources import resource_path
from mingjing.ui import fonts as ui_fonts

SAMPLE = "明镜 自查 整改台账 喆堃珺赟旸"
RARE = "喆堃珺赟旸玥翀昇"
NO_FONT_HAS = "\U0010fffd"  # plane-16 private use: drawn as the missing-glyph box


@pytest.fixture
def ui_font(qapp: QApplication) -> Iterator[QFont]:
    """The application font after installing only the bundled faces.

    System folders are left out so the test proves the bundled files alone are
    enough; the previous application font is put back afterwards.
    """
    before = qapp.font()
    registry = FontRegistry.discover(system_dirs=[], bundled_dir=resource_path("fonts"))
    yield ui_fonts.install_application_fonts(qapp, registry)
    qapp.setFont(before)


def _render(ch: str, font: QFont) -> QImage:
    big = QFont(font)
    big.setPointSizeF(32)
    image = QImage(64, 64, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(big)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, ch)
    painter.end()
    return image


def _ink(image: QImage) -> int:
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).value() < 128
    )


def _raw_fonts(font: QFont) -> list[QRawFont]:
    raws = []
    for family in font.families():
        single = QFont(font)
        single.setFamilies([family])
        raws.append(QRawFont.fromFont(single))
    return raws


FAMILY_NAMES = {
    "WenQuanYi Micro Hei": {"WenQuanYi Micro Hei", "文泉驛微米黑", "文泉驿微米黑"},
    "AR PL SungtiL GB": {"AR PL SungtiL GB", "文鼎ＰＬ简报宋"},
    "AR PL KaitiM GB": {"AR PL KaitiM GB", "文鼎ＰＬ简中楷"},
}
"""The names each bundled face carries (``fc-scan --format '%{family}'``)."""


def test_application_font_lists_every_bundled_face(qapp: QApplication, ui_font: QFont) -> None:
    assert qapp.font().families() == ui_font.families()
    # Qt names a face by the family it reports; PySide6 6.9 (the build for older
    # desktops) reports the Chinese name, 6.10 and newer the English one.
    families = ui_font.families()
    assert families[0] in FAMILY_NAMES["WenQuanYi Micro Hei"]
    for face in ("AR PL SungtiL GB", "AR PL KaitiM GB"):
        assert FAMILY_NAMES[face] & set(families), face
    assert any(f.startswith(("LXGW WenKai", "霞鹜文楷")) for f in families)
    assert set(ui_font.families()) <= set(QFontDatabase.families())
    assert ui_font.pointSizeF() == ui_fonts.UI_POINT_SIZE


def test_label_text_is_covered_by_the_fonts(qtbot: QtBot, ui_font: QFont) -> None:
    label = QLabel(SAMPLE)
    qtbot.addWidget(label)
    font = label.font()
    assert font.families() == ui_font.families()
    metrics = QFontMetrics(font)
    raws = _raw_fonts(font)
    assert not metrics.inFontUcs4(ord(NO_FONT_HAS)), "the tofu reference must be uncovered"
    for ch in SAMPLE.replace(" ", ""):
        assert metrics.inFontUcs4(ord(ch)), f"{ch} U+{ord(ch):04X} not in {font.families()}"
        assert any(raw.supportsCharacter(ord(ch)) for raw in raws), ch


def test_label_characters_render_as_glyphs_not_tofu(qtbot: QtBot, ui_font: QFont) -> None:
    label = QLabel(SAMPLE)
    qtbot.addWidget(label)
    tofu = _render(NO_FONT_HAS, label.font())
    seen: dict[str, QImage] = {}
    for ch in SAMPLE.replace(" ", ""):
        image = _render(ch, label.font())
        assert image != tofu, f"{ch} U+{ord(ch):04X} is drawn as a tofu box"
        assert _ink(image) > 20, f"{ch} U+{ord(ch):04X} is drawn blank"
        seen[ch] = image
    # distinct characters must look distinct, or they are all the same box
    assert len({bytes(img.constBits()) for img in seen.values()}) == len(seen)

    label.resize(label.sizeHint())
    shot = label.grab().toImage()
    assert not shot.isNull()
    assert shot.width() >= QFontMetrics(label.font()).horizontalAdvance(SAMPLE)


@pytest.mark.parametrize("role", list(FontRole))
def test_every_role_draws_the_rare_name_characters(ui_font: QFont, role: FontRole) -> None:
    font = ui_fonts.font_for(role, 12)
    metrics = QFontMetrics(font)
    tofu = _render(NO_FONT_HAS, font)
    for ch in RARE:
        assert metrics.inFontUcs4(ord(ch)), f"{ch} missing for {role}"
        assert _render(ch, font) != tofu, f"{ch} drawn as tofu for {role}"


def test_song_falls_back_per_character(ui_font: QFont) -> None:
    """AR PL SungtiL GB lacks 喆; the Song font still draws it, from another face."""
    font = ui_fonts.font_for(FontRole.SONG, 12)
    assert ui_fonts.family_for(FontRole.SONG) == "AR PL SungtiL GB"
    song_only = QFont(font)
    song_only.setFamilies(["AR PL SungtiL GB"])
    assert not QRawFont.fromFont(song_only).supportsCharacter(ord("喆"))
    assert QFontMetrics(font).inFontUcs4(ord("喆"))
    assert _render("喆", font) != _render(NO_FONT_HAS, font)


def test_role_families_and_xiaobiaosong_weight(ui_font: QFont) -> None:
    # Qt names LXGW WenKai Light by its typographic family where fontconfig does
    # (and PySide6 6.9 by the Chinese name: see FAMILY_NAMES).
    assert ui_fonts.family_for(FontRole.FANGSONG) in (
        "LXGW WenKai", "LXGW WenKai Light", "霞鹜文楷", "霞鹜文楷 Light"
    )  # fmt: skip
    assert ui_fonts.family_for(FontRole.KAI) in FAMILY_NAMES["AR PL KaitiM GB"]
    assert ui_fonts.family_for(FontRole.HEI) in FAMILY_NAMES["WenQuanYi Micro Hei"]
    assert ui_fonts.font_for(FontRole.XIAOBIAOSONG).weight() == QFont.Weight.Bold
    assert ui_fonts.font_for(FontRole.SONG).weight() == QFont.Weight.Normal
    for role in FontRole:
        assert len(ui_fonts.families_for(role)) == 4
