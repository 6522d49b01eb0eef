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
    """Every line of text on every page, top to bottom (characters grouped by baseline)."""
    out: list[PrintedLine] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            rows: dict[int, list[dict[str, object]]] = {}
            for ch in page.chars:
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
