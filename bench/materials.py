"""The meeting package of the large demo unit, against bare reportlab.

    python bench/materials.py [--data-dir bench/.data] [--repeat 3]

Lays out the whole 会议材料汇编 of ``mingjing demo --size large`` (the
leadership team's statements, the team's problem list, the opinions, the
ledger and the public notice of every ledger row …) with our GB/T 9704
layout, and, in the same run, the same text with bare reportlab: one
Paragraph style (the same body face, CJK wrapping), one paragraph per block
or table row, in a SimpleDocTemplate. Both sides start from the document's
plain blocks, so gathering the data is not counted; it is printed apart.
Goal: ours ≤ 1.5× bare.

The issue also asks for a comparison with LibreOffice converting the Word
file of the same package to PDF; it is run only where ``soffice`` is
installed, and this machine says so when it is not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "desktop"))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from mingjing.config import resolve_location  # noqa: E402
from mingjing.fonts import FontRegistry, FontRole  # noqa: E402
from mingjing.reports.document import Document, Table  # noqa: E402
from mingjing.reports.docx import render_docx  # noqa: E402
from mingjing.reports.pdf import render_pdf  # noqa: E402
from mingjing.services import materials  # noqa: E402
from mingjing.storage import Database  # noqa: E402


def texts(document: Document) -> list[str]:
    out: list[str] = []
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                out += ["　".join(row) for row in block.rows]
            elif hasattr(block, "text"):
                out.append(str(block.text))
    return out


def bare(paragraphs: list[str], registry: FontRegistry) -> int:
    face = registry.primary(FontRole.FANGSONG)
    if face.key not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(face.key, str(face.path), subfontIndex=face.subfont_index))
    style = ParagraphStyle(
        "body", fontName=face.key, fontSize=16, leading=28.95, firstLineIndent=32, wordWrap="CJK"
    )
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
    )
    doc.build([Paragraph(escape(p), style) for p in paragraphs])
    return int(doc.page)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / ".data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (args.data_dir / "mingjing.sqlite3").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "mingjing",
                "--data-dir",
                str(args.data_dir),
                "demo",
                "--size",
                "large",
            ],
            check=True,
        )
    db = Database.open(resolve_location(args.data_dir), actor="bench")
    registry = FontRegistry.discover()
    start = time.perf_counter()
    document = materials.build(db, "package", today=dt.date(2025, 11, 20))
    gathered = time.perf_counter() - start
    paragraphs = texts(document)
    chars = sum(len(p) for p in paragraphs)
    ours: list[float] = []
    base: list[float] = []
    pages = bare_pages = 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        bare_pages = bare(paragraphs, registry)
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        rendered = render_pdf(document, registry)
        ours.append(time.perf_counter() - t)
        pages = rendered.pages
    o, b = statistics.median(ours), statistics.median(base)
    print(
        f"package: {len(document.sections)} materials, {len(paragraphs)} blocks, {chars} characters"
    )
    print(f"gathering the data: {gathered:.2f} s")
    print(
        f"layout: ours {o:.2f} s ({pages} pages, GB/T 9704)  bare reportlab {b:.2f} s "
        f"({bare_pages} pages, one style)  ratio {o / b:.2f}×  "
        f"goal ≤ 1.5× {'met' if o / b <= 1.5 else 'NOT met'}"
    )
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice: not installed here (no soffice on PATH); the comparison was not run")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        word = Path(tmp) / "package.docx"
        word.write_bytes(render_docx(document, [p for _, p in rendered.sections]))
        from mingjing.resources import resource_path

        conf = Path(tmp) / "fonts.conf"  # the bundled fonts, as the app uses them
        conf.write_text(
            '<?xml version="1.0"?><fontconfig>'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
            f"<dir>{resource_path('fonts')}</dir></fontconfig>",
            encoding="utf-8",
        )
        env = {**os.environ, "HOME": tmp, "FONTCONFIG_FILE": str(conf)}
        t = time.perf_counter()
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(word)],
            check=True,
            capture_output=True,
            env=env,
        )
        office = time.perf_counter() - t
    print(
        f"LibreOffice converting the Word file: {office:.2f} s; ours is {office / o:.1f}× faster "
        f"(goal ≥ 5×)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
