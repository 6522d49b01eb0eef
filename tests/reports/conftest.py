"""Reading rendered PDFs back: characters, lines and their positions."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber
import pytest

from mingjing.fonts import FontRegistry

MM = 72 / 25.4


@pytest.fixture(scope="session")
def registry() -> FontRegistry:
    return FontRegistry.discover()


@dataclass(frozen=True)
class PrintedLine:
    page: int
    baseline: float
    """From the top of the page, like ``top`` and ``bottom``."""
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    fonts: frozenset[str]
    chars: tuple[dict[str, object], ...]


def postscript_name(path: object, index: int) -> str:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), fontNumber=index, lazy=True)
    return str(font["name"].getDebugName(6))


def printed_lines(data: bytes) -> list[PrintedLine]:
    """Every line of text on every page, top to bottom (characters grouped by baseline).

    The content as drawn: a turned page's table reads as on a landscape sheet.
    Its page number, drawn turned back to stand upright on the paper, is left
    out here (see :func:`turned_page_numbers`).
    """
    out: list[PrintedLine] = []
    with pdfplumber.open(io.BytesIO(_as_drawn(data))) as pdf:
        for page in pdf.pages:
            rows: dict[int, list[dict[str, object]]] = {}
            for ch in page.chars:
                if not ch["upright"]:
                    continue
                baseline = float(page.height) - float(ch["matrix"][5])  # type: ignore[index]
                rows.setdefault(round(baseline * 4), []).append(ch)
            for key, chars in sorted(rows.items()):
                chars.sort(key=lambda c: float(c["x0"]))  # type: ignore[arg-type]
                out.append(
                    PrintedLine(
                        page=page.page_number,
                        baseline=key / 4,
                        text="".join(str(c["text"]) for c in chars),
                        top=min(float(c["top"]) for c in chars),  # type: ignore[arg-type]
                        bottom=max(float(c["bottom"]) for c in chars),  # type: ignore[arg-type]
                        x0=float(chars[0]["x0"]),  # type: ignore[arg-type]
                        x1=float(chars[-1]["x1"]),  # type: ignore[arg-type]
                        size=max(float(c["size"]) for c in chars),  # type: ignore[arg-type]
                        fonts=frozenset(str(c["fontname"]) for c in chars),
                        chars=tuple(chars),
                    )
                )
    return out


def _as_drawn(data: bytes) -> bytes:
    """The PDF with every page's /Rotate taken off: the sheets as drawn."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if not any(page.rotation for page in reader.pages):
        return data
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        if "/Rotate" in page:
            del page["/Rotate"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def turned_page_numbers(data: bytes) -> dict[int, tuple[str, float, float]]:
    """Page number text and its place on the paper (left edge and baseline, from
    the paper's left and top, in points) of every page shown turned (/Rotate 270)."""
    out: dict[int, tuple[str, float, float]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            if page.rotation != 270:
                continue
            # pdfplumber turns the page as a viewer does: the number stands upright.
            upright = sorted((c for c in page.chars if c["upright"]), key=lambda c: c["x0"])
            if upright:
                text = "".join(str(c["text"]) for c in upright)
                baseline = max(float(c["bottom"]) for c in upright)
                out[page.page_number] = (text, float(upright[0]["x0"]), baseline)
    return out
