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
    ("openpyxl", "openpyxl", "MIT"),
    ("python-docx", "python-docx", "MIT"),
    ("lxml", "lxml", "BSD-3-Clause"),
    ("pypdfium2", "pypdfium2（PDFium）", "Apache-2.0 或 BSD-3-Clause"),
    ("Mako", "Mako", "MIT"),
    ("cryptography", "cryptography", "Apache-2.0 或 BSD-3-Clause"),
)
"""Distribution, name shown, licence. packaging/mingjing.spec carries each one's metadata."""


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


#: Short licence names of the bundled fonts, shown before their full texts.
FONT_LICENCES: dict[str, str] = {
    "gbsn00lp.ttf": "Arphic Public License",
    "gkai00mp.ttf": "Arphic Public License",
    "wqy-microhei.ttc": "Apache-2.0 或 GPL-3.0（附字体例外）",
    "LXGWWenKai-Light.ttf": "SIL Open Font License 1.1",
}


def _cell(text: str) -> str:
    return f"<td style='padding:2px 12px 2px 0'>{html.escape(text)}</td>"


class AboutDialog(QDialog):
    def __init__(
        self,
        registry: FontRegistry | None,
        parent: QWidget | None = None,
        *,
        fingerprint: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("关于明镜"))
        self.resize(680, 560)
        layout = QVBoxLayout(self)
        head = QLabel(
            self.tr(
                "<h2>明镜 {0}</h2><p>单位自查自纠与整改落实工作程序，离线使用。</p>"
                "<p>构建：{1}；Python {2}；Qt for Python {3}</p>"
                "<p>本程序按 GNU 通用公共许可证第 3 版或更新版本（GPL-3.0-or-later）发布。</p>"
            ).format(__version__, build_info(), platform.python_version(), pyside_version),
            self,
        )
        if fingerprint:
            # Read out over the phone when the office registers this computer's key.
            head.setText(
                head.text()
                + self.tr("<p>本机密钥指纹：<b>{0}</b>（办公室登记本机时核对用）</p>").format(
                    html.escape(fingerprint)
                )
            )
        head.setTextFormat(Qt.TextFormat.RichText)
        head.setWordWrap(True)
        layout.addWidget(head)

        notices = QTextBrowser(self)
        notices.setOpenLinks(False)
        faces = registry.bundled_faces() if registry is not None else []
        parts = [f"<h3>{self.tr('随附字体')}</h3>"]
        if not faces:
            parts.append(f"<p>{self.tr('（未找到随附字体）')}</p>")
        else:
            rows = "".join(
                "<tr>"
                + _cell(face.family)
                + _cell(face.path.name)
                + _cell(FONT_LICENCES.get(face.path.name, self.tr("见下方许可证全文")))
                + "</tr>"
                for face in faces
            )
            header = "".join(
                f"<th align='left'>{h}</th>"
                for h in (self.tr("字体"), self.tr("文件"), self.tr("许可证"))
            )
            parts.append(f"<table><tr>{header}</tr>{rows}</table>")
        parts.append(f"<h3>{self.tr('使用的开源软件')}</h3><table>")
        parts.append(
            "<tr>" + _cell("Python") + _cell(platform.python_version()) + _cell("PSF-2.0") + "</tr>"
        )
        for dist, name, licence_name in LIBRARIES:
            parts.append(
                "<tr>" + _cell(name) + _cell(_version_of(dist)) + _cell(licence_name) + "</tr>"
            )
        parts.append("</table>")
        parts.append(f"<h3>{self.tr('字体许可证全文')}</h3>")
        for face in faces:
            licence = ""
            if face.licence_file is not None:
                try:
                    licence = face.licence_file.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    licence = self.tr("（许可证文件无法读取：{0}）").format(face.licence_file)
            parts.append(
                f"<p><b>{html.escape(face.family)}</b>（{html.escape(face.path.name)}）</p>"
                f"<pre style='white-space:pre-wrap'>{html.escape(licence)}</pre>"
            )
        notices.setHtml("".join(parts))
        layout.addWidget(notices, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
