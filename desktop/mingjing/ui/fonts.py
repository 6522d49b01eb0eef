"""Hand the font registry's faces to Qt, so no window shows tofu boxes.

Qt alone would fall back to whatever fontconfig or Windows offers, which on a
plain Debian/UOS PC is nothing for Chinese. Registering our bundled (and the
official installed) files and naming them all in ``QFont.setFamilies`` makes
Qt try every one of them per character, in the same order the PDF writer uses,
so the screen and the printout agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from mingjing.fonts import FontFace, FontRegistry, FontRole

__all__ = [
    "UI_POINT_SIZE",
    "families_for",
    "family_for",
    "font_for",
    "install_application_fonts",
    "qt_family",
]

_log = logging.getLogger(__name__)

#: 10 pt is about 13 px at 96 dpi: the smallest size at which Micro Hei's
#: strokes of dense characters (整, 囊, 警) stay apart on a 1366×768 laptop
#: panel, and still small enough for a table of 自查 items to fit its width.
UI_POINT_SIZE = 10.0


@dataclass
class _Installed:
    registry: FontRegistry
    qt_names: dict[FontFace, str]


_installed: _Installed | None = None


def _pick_family(face: FontFace, reported: list[str]) -> str:
    """The name Qt knows ``face`` by.

    Qt reports the typographic family where the file has one ("LXGW WenKai"
    for LXGW WenKai Light, with the weight kept apart), not the legacy
    family that reportlab and GDI show, so match against every name the file
    carries; for a collection the n-th reported family is the n-th subfont.
    """
    lowered = {name.casefold(): name for name in reported}
    for name in face.names():
        if name.casefold() in lowered:
            return lowered[name.casefold()]
    if face.subfont_index < len(reported):
        return reported[face.subfont_index]
    return reported[0] if reported else face.family


def install_application_fonts(app: QGuiApplication, registry: FontRegistry) -> QFont:
    """Register every face with Qt, set the UI font on ``app`` and return it.

    Faces already visible to Qt (an installed SimSun on Windows, say) are not
    registered again, so font pickers don't list them twice.
    """
    global _installed
    known = {name.casefold(): name for name in QFontDatabase.families()}
    registered: dict[str, list[str]] = {}
    qt_names: dict[FontFace, str] = {}
    for face in registry.all_faces():
        if not face.bundled:
            already = next(
                (known[n.casefold()] for n in face.names() if n.casefold() in known), None
            )
            if already is not None:
                qt_names[face] = already
                continue
        key = str(face.path)
        if key not in registered:
            font_id = QFontDatabase.addApplicationFont(key)
            if font_id < 0:
                _log.warning("Qt 无法加载字体文件 %s", face.path)
                registered[key] = []
            else:
                registered[key] = list(QFontDatabase.applicationFontFamilies(font_id))
        if registered[key]:
            qt_names[face] = _pick_family(face, registered[key])
    _installed = _Installed(registry=registry, qt_names=qt_names)

    font = font_for(FontRole.UI, UI_POINT_SIZE)
    app.setFont(font)
    _log.info("界面字体：%s", ", ".join(font.families()))
    return font


def _require() -> _Installed:
    if _installed is None:
        raise RuntimeError("install_application_fonts() has not been called yet")
    return _installed


def qt_family(face: FontFace) -> str | None:
    """The Qt family name of a registered face, None if Qt could not load it."""
    return _require().qt_names.get(face)


def families_for(role: FontRole) -> list[str]:
    """Qt family names for ``role``, best first, ending with every other face."""
    state = _require()
    names = (state.qt_names.get(face) for face in state.registry.faces(role))
    return list(dict.fromkeys(name for name in names if name))


def family_for(role: FontRole) -> str:
    """The family that sets most of ``role``'s text, for style sheets and font pickers."""
    families = families_for(role)
    if not families:
        raise LookupError(f"没有可用于{role.label}的字体")
    return families[0]


def font_for(role: FontRole, point_size: float | None = None) -> QFont:
    """A QFont for ``role`` that falls back per character across all our faces.

    小标宋 set in a light stand-in is emboldened, so a title still reads as a
    title (see ``FontRegistry.wants_synthetic_bold``).
    """
    state = _require()
    font = QFont()
    font.setFamilies(families_for(role))
    font.setPointSizeF(point_size if point_size is not None else UI_POINT_SIZE)
    if state.registry.wants_synthetic_bold(role):
        font.setWeight(QFont.Weight.Bold)
    return font
