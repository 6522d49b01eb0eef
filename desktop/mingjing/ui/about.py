"""关于明镜: version, build, and the licences of what the program carries."""

from __future__ import annotations

import html
import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from mingjing import __version__
from mingjing.fonts import FontRegistry

LIBRARIES: tuple[tuple[str, str, str], ...] = (
    ("PySide6-Essentials", "Qt for Python", "LGPL-3.0"),
    ("SQLAlchemy", "SQLAlchemy", "MIT"),
    ("alembic", "Alembic", "MIT"),
    ("reportlab", "ReportLab", "BSD-3-Clause"),
    ("platformdirs", "platformdirs", "MIT"),
    ("PyYAML", "PyYAML", "MIT"),
    ("fonttools", "fontTools", "MIT"),
)


def _version_of(dist: str) -> str:
    from importlib import metadata  # costs ~30 ms: only when the dialog opens

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "—"


def build_info() -> str:
    try:
        from mingjing import _build  # type: ignore[attr-defined]  # written by packaging

        return str(_build.BUILD_DATE)
    except ImportError:
        return "源代码运行"


class AboutDialog(QDialog):
    def __init__(self, registry: FontRegistry | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("关于明镜"))
        self.resize(620, 520)
        layout = QVBoxLayout(self)
        head = QLabel(
            self.tr(
                "<h2>明镜 {0}</h2><p>单位自查自纠与整改落实工作程序，离线使用。</p>"
                "<p>构建：{1}　　Python {2}　　Qt for Python {3}</p>"
            ).format(__version__, build_info(), platform.python_version(), pyside_version),
            self,
        )
        head.setTextFormat(Qt.TextFormat.RichText)
        head.setWordWrap(True)
        layout.addWidget(head)

        notices = QTextBrowser(self)
        notices.setOpenLinks(False)
        parts = [f"<h3>{self.tr('随附字体')}</h3>"]
        faces = registry.bundled_faces() if registry is not None else []
        if not faces:
            parts.append(f"<p>{self.tr('（未找到随附字体）')}</p>")
        for face in faces:
            licence = ""
            if face.licence_file is not None:
                try:
                    licence = face.licence_file.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    licence = self.tr("（许可证文件无法读取：{0}）").format(face.licence_file)
            parts.append(
                f"<p><b>{html.escape(face.family)}</b>　{html.escape(face.path.name)}</p>"
                f"<pre style='white-space:pre-wrap'>{html.escape(licence[:4000])}"
                f"{'…' if len(licence) > 4000 else ''}</pre>"
            )
        parts.append(f"<h3>{self.tr('使用的开源软件')}</h3><ul>")
        for dist, name, licence_name in LIBRARIES:
            parts.append(
                f"<li>{html.escape(name)} {html.escape(_version_of(dist))}　"
                f"{self.tr('许可证')}：{html.escape(licence_name)}</li>"
            )
        parts.append("</ul>")
        notices.setHtml("".join(parts))
        layout.addWidget(notices, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
