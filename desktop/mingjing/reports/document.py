"""The printed materials as plain blocks, before they are PDF or DOCX.

Builders (:mod:`mingjing.reports.materials`) turn campaign data into a
:class:`Document`; :mod:`mingjing.reports.pdf` and :mod:`mingjing.reports.docx`
set the same blocks in the same styles, so the PDF and the Word file of a
material never say different things. Every string here is user text or our
own wording, never markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Align = Literal["justify", "left", "center", "right"]


@dataclass(frozen=True)
class Title:
    """The document title: 2号小标宋, centred, a blank line after it."""

    text: str


@dataclass(frozen=True)
class Subtitle:
    """A line under the title (who, which meeting): 3号楷体, centred."""

    text: str


@dataclass(frozen=True)
class Heading:
    """一、 (level 1, 黑体), （一） (level 2, 楷体), 1. / （1） (level 3, 仿宋).

    The text carries its own number: numbering is content.
    """

    level: Literal[1, 2, 3]
    text: str


@dataclass(frozen=True)
class Para:
    """Body text, 3号仿宋: indented two characters and spread to the full line."""

    text: str
    indent: bool = True
    align: Align = "justify"


@dataclass(frozen=True)
class Signature:
    """署名 and 成文日期 (GB/T 9704 §7.3.5.2): one blank line after the text,
    the signer two characters from the right, the date under it starting two
    characters further right (the date two from the right if it is longer)."""

    signer: str
    date: dt.date | None


@dataclass(frozen=True)
class Table:
    """A table in small type; the header row repeats on every page.

    ``widths`` are relative; long cells run on across pages.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    landscape: bool = False
    font_size: float = 10.5


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Title | Subtitle | Heading | Para | Signature | Table | PageBreak


@dataclass(frozen=True)
class Section:
    """One material: its own title in the contents and bookmarks, its blocks.

    ``landscape`` sets the whole section on turned pages (the ledger).
    """

    title: str
    blocks: tuple[Block, ...]
    landscape: bool = False
    level: int = 0
    """Bookmark depth: 0 for a material, 1 for one member's statement in a group."""


@dataclass(frozen=True)
class Document:
    """A material, or the whole meeting package (cover, contents, sections)."""

    title: str
    sections: tuple[Section, ...]
    cover: tuple[str, ...] = ()
    """Lines of a cover page (title, unit, date); none: no cover."""
    draft: str = ""
    """Why the package is not final (statements not handed in, measures still to be
    set…): the cover then says （征求意见稿） and the contents page says why."""
    contents: bool = False
    """A table of contents with page numbers after the cover."""
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = field(default=())


CN_NUMBERS = "一二三四五六七八九十"
DRAFT_MARK = "（征求意见稿）"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (for 一、 and （一） headings)."""
    if n <= 0:
        raise ValueError(n)
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 20:
        return "十" + CN_NUMBERS[n - 11]
    tens, ones = divmod(n, 10)
    if n < 100:
        return CN_NUMBERS[tens - 1] + "十" + (CN_NUMBERS[ones - 1] if ones else "")
    return str(n)
