"""Pages of a PDF as pixels, for the preview and for printing (PDFium).

PDFium is not thread-safe: every call goes through one lock, so the preview
and a print job running at the same time take turns.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pypdfium2 as pdfium

_lock = threading.Lock()


@dataclass(frozen=True)
class PageImage:
    """Pixels blue-green-red (``channels`` 3) or blue-green-red-x (4), ``stride`` bytes a row."""

    width: int
    height: int
    stride: int
    pixels: bytes
    page: int
    pages: int
    channels: int = 3
    label: str = ""
    """The page's number as printed on it (the PDF's page label): “封面”, “3”."""


def page_count(data: bytes) -> int:
    with _lock:
        document = pdfium.PdfDocument(data)
        try:
            return len(document)
        finally:
            document.close()


def render_page(
    data: bytes,
    index: int,
    dpi: float | None = None,
    *,
    width: int | None = None,
    height: int | None = None,
) -> PageImage:
    """Page ``index`` (from 0) at ``dpi`` dots per inch, or as large as fits
    ``width`` (and ``height``, if given) pixels — a turned page fits too."""
    with _lock:
        document = pdfium.PdfDocument(data)
        try:
            pages = len(document)
            page = document[max(0, min(index, pages - 1))]
            if dpi is not None:
                scale = dpi / 72
            else:
                page_width, page_height = page.get_size()
                scale = (width or 600) / page_width
                if height:
                    scale = min(scale, height / page_height)
            bitmap = page.render(scale=scale)
            image = PageImage(
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                bytes(bitmap.buffer),
                max(0, min(index, pages - 1)),
                pages,
                bitmap.n_channels,
                document.get_page_label(max(0, min(index, pages - 1))),
            )
            page.close()
            return image
        finally:
            document.close()
