"""A :class:`~mingjing.reports.document.Document` as a PDF laid out to GB/T 9704-2012.

The numbers of the standard, on A4:

- type area (版心) 156 × 225 mm, 37 mm from the top and 28 mm from the left;
- body 3号 (16 pt) 仿宋, 22 lines of 28 characters: at 16 pt a 28-character
  line would be 448 pt, wider than the 442.2 pt type area, so characters sit
  on a grid of 156 mm ÷ 28 = 15.79 pt (character spacing −0.21 pt) and lines
  on 225 mm ÷ 22 = 28.99 pt; a full line ends flush with the type area;
- title 2号 (22 pt) 小标宋, centred; headings 一、 黑体, （一） 楷体, 1. 仿宋;
- page numbers “— 1 —” in 4号 (14 pt) 宋体 with half-width digits, the dashes
  7 mm below the type area, odd pages at the right and even pages at the left,
  one character in; none on a blank page or the cover.

Each line's box is one grid line; its characters are centred in it. Text is
broken into lines by :mod:`mingjing.reports.layout` (with the line-breaking
rules) and spread to the full width by character spacing, since Chinese has no
spaces to stretch. Each character is set in the first face of its role that
has it (:class:`~mingjing.fonts.FontRegistry`); a character no face has is
printed as 〓 (the mark Chinese typesetting uses for a missing character) and
reported in :attr:`Rendered.missing`, so it is named before anyone prints.
Fonts are embedded as subsets with a ToUnicode map: text copies out correctly.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus.doctemplate import BaseDocTemplate

from mingjing.domain.text import cn_date
from mingjing.fonts import FontFace, FontRegistry, FontRole
from mingjing.reports.document import (
    DRAFT_MARK,
    Block,
    Document,
    Heading,
    PageBreak,
    Para,
    Signature,
    Subtitle,
    Table,
    Title,
)
from mingjing.reports.layout import Line, break_lines, break_title

# ------------------------------------------------------------------ GB/T 9704 numbers

PAGE_WIDTH, PAGE_HEIGHT = A4
TOP = 37 * mm
LEFT = 28 * mm
TYPE_WIDTH = 156 * mm
TYPE_HEIGHT = 225 * mm
BODY_SIZE = 16.0
CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
PITCH = TYPE_WIDTH / CHARS_PER_LINE
"""Advance of one character of body text: 15.79 pt."""
LEADING = TYPE_HEIGHT / LINES_PER_PAGE
"""One grid line: 28.99 pt."""
TITLE_SIZE = 22.0
TURNED = 270
"""/Rotate of a page whose table is set across it: shown a quarter turn to the left."""
PAGE_NUMBER_SIZE = 14.0
PAGE_NUMBER_DROP = 7 * mm
"""The dashes of the page number lie this far below the type area."""

MISSING_MARK = "〓"


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int
    missing: tuple[str, ...]
    """Characters no available face has (printed as 〓): name them before printing."""
    sections: tuple[tuple[str, int], ...] = ()
    """Each section's title and first printed page number."""


class Cancelled(Exception):
    """The progress callback asked to stop."""


# ------------------------------------------------------------------ fonts


class Typesetter:
    """Faces registered with reportlab on demand, widths cached, gaps noted."""

    def __init__(self, registry: FontRegistry) -> None:
        self.registry = registry
        self.missing: set[str] = set()
        self._widths: dict[tuple[FontRole, str], float] = {}
        self._faces: dict[tuple[FontRole, str], FontFace | None] = {}
        self._registered: set[str] = set()
        self._advances: dict[tuple[FontRole, float, float], dict[str, float]] = {}
        self._broken: dict[
            tuple[str, float, tuple[FontRole, float, float], float, bool, bool], list[Line]
        ] = {}
        self.drawing = True
        """False in a package's first pass, which only finds where each material starts."""

    def face(self, role: FontRole, ch: str) -> FontFace | None:
        found = self._faces.get((role, ch), False)
        if found is not False:
            return found  # type: ignore[return-value]
        face = self.registry.face_for(role, ch)
        self._faces[(role, ch)] = face
        if face is None:
            if not ch.isspace() and ch.isprintable():
                self.missing.add(ch)
            return None
        key = face.key
        if key not in self._registered:
            if key not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(
                    TTFont(key, str(face.path), subfontIndex=face.subfont_index)
                )
            self._registered.add(key)
        return face

    def width(self, role: FontRole, ch: str, size: float) -> float:
        """Advance of ``ch`` at ``size`` (a missing one takes the width of 〓)."""
        key = (role, ch)
        unit = self._widths.get(key)
        if unit is None:
            face = self.face(role, ch)
            if face is None:
                mark = self.face(role, MISSING_MARK)
                unit = pdfmetrics.stringWidth(MISSING_MARK, mark.key, 1000) / 1000 if mark else 1.0
            else:
                unit = pdfmetrics.stringWidth(ch, face.key, 1000) / 1000
            self._widths[key] = unit
        return unit * size

    def broken(
        self,
        text: str,
        width: float,
        style: tuple[FontRole, float, float],
        first_indent: float,
        *,
        keep_dates: bool = False,
        cell: bool = False,
    ) -> list[Line]:
        """``text`` (one paragraph) in lines, remembered: a package is laid out
        twice (the first pass finds its pages) and the lines are the same.
        ``cell``: a table cell (dates kept whole, no lone last character)."""
        key = (text, round(width, 3), style, round(first_indent, 3), keep_dates or cell, cell)
        lines = self._broken.get(key)
        if lines is None:
            lines = break_lines(
                text,
                width,
                self.advancer(*style),
                first_indent=first_indent,
                keep_dates=keep_dates or cell,
                no_lone_last=cell,
            )
            self._broken[key] = lines
        return lines

    def advancer(self, role: FontRole, size: float, spacing: float) -> Callable[[str], float]:
        """``advance(ch)`` for one style, from a table filled as characters come."""
        table = self._advances.setdefault((role, size, spacing), {})

        def advance(ch: str) -> float:
            value = table.get(ch)
            if value is None:
                value = table[ch] = self.width(role, ch, size) + spacing
            return value

        return advance

    def runs(self, role: FontRole, text: str) -> Iterator[tuple[FontFace, str]]:
        """``text`` in runs of one face (missing characters become 〓)."""
        current: FontFace | None = None
        buffer: list[str] = []
        for ch in text:
            face = self.face(role, ch)
            if face is None:
                face = self.face(role, MISSING_MARK)
                if face is None:
                    continue
                ch = MISSING_MARK
            if face is not current and buffer and current is not None:
                yield current, "".join(buffer)
                buffer = []
            current = face
            buffer.append(ch)
        if buffer and current is not None:
            yield current, "".join(buffer)


@dataclass(frozen=True)
class TextStyle:
    role: FontRole
    size: float
    leading: float
    spacing: float = 0.0
    """Added to every character's advance (negative on the body grid)."""
    indent_chars: float = 0.0
    align: str = "justify"
    space_before: float = 0.0
    space_after: float = 0.0


BODY = TextStyle(FontRole.FANGSONG, BODY_SIZE, LEADING, PITCH - BODY_SIZE, 2)
STYLES: dict[str, TextStyle] = {
    "title": TextStyle(FontRole.XIAOBIAOSONG, TITLE_SIZE, LEADING, 0.0, 0, "center"),
    "cover": TextStyle(FontRole.XIAOBIAOSONG, 26.0, 2 * LEADING, 0.0, 0, "center"),
    "subtitle": TextStyle(FontRole.KAI, BODY_SIZE, LEADING, PITCH - BODY_SIZE, 0, "center"),
    "h1": TextStyle(FontRole.HEI, BODY_SIZE, LEADING, PITCH - BODY_SIZE, 2),
    "h2": TextStyle(FontRole.KAI, BODY_SIZE, LEADING, PITCH - BODY_SIZE, 2),
    "h3": BODY,
    "body": BODY,
}


# ------------------------------------------------------------------ flowables


class TextBlock(Flowable):  # type: ignore[misc]
    """Plain text in lines: broken with the rules, spread, split across pages."""

    def __init__(
        self,
        text: str,
        style: TextStyle,
        setter: Typesetter,
        *,
        indent_chars: float | None = None,
        align: str | None = None,
        lines: Sequence[Line] | None = None,
        right_space: float = 0.0,
    ) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.setter = setter
        self.indent_chars = style.indent_chars if indent_chars is None else indent_chars
        self.align = align or style.align
        self.right_space = right_space
        self._lines: list[Line] | None = list(lines) if lines is not None else None
        self._for_width = -1.0
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after

    def lines(self, width: float) -> list[Line]:
        if self._lines is None or (self._for_width != width and self._for_width >= 0):
            em = self.style.size + self.style.spacing
            out: list[Line] = []
            style = (self.style.role, self.style.size, self.style.spacing)
            for paragraph in self.text.split("\n"):
                lines = self.setter.broken(
                    paragraph, width - self.right_space, style, self.indent_chars * em
                )
                if self.align == "center" and len(lines) > 1:
                    lines = self._balanced(paragraph, lines, style, width - self.right_space)
                out += lines
            self._lines = out
            self._for_width = width
        return self._lines

    def _balanced(
        self, text: str, lines: list[Line], style: tuple[FontRole, float, float], width: float
    ) -> list[Line]:
        """A centred title in lines of even length: the narrowest measure that
        still takes as many lines (not a full line over a stub such as 的公示)."""
        at_sense = break_title(text, width, self.setter.advancer(*style))
        if at_sense is not None:
            return at_sense
        count = len(lines)
        best = lines
        measure = max(line.width for line in lines)
        step = self.style.size + self.style.spacing
        while measure > step:
            measure -= step
            tried = self.setter.broken(text, measure, style, 0.0)
            if len(tried) != count:
                break
            best = tried
        return best

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self.lines(availWidth)
        fit = int((availHeight + 0.01) // self.style.leading)
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        return [self._part(lines[:fit]), self._part(lines[fit:])]

    def _part(self, lines: Sequence[Line]) -> TextBlock:
        part = TextBlock(
            self.text,
            self.style,
            self.setter,
            indent_chars=self.indent_chars,
            align=self.align,
            lines=lines,
            right_space=self.right_space,
        )
        part._for_width = -1.0  # keep these lines whatever the width
        return part

    def draw(self) -> None:
        if not self.setter.drawing:
            return
        canvas: Canvas = self.canv
        style = self.style
        lines = self._lines or []
        width = self.width - self.right_space
        for n, line in enumerate(lines):
            box_top = self.height - n * style.leading
            baseline = box_top - style.leading / 2 - style.size * 0.38
            x = line.indent
            extra = 0.0
            if self.align == "center":
                x = (width - line.width) / 2
            elif self.align == "right":
                x = width - line.width
            elif self.align == "justify" and not line.last and line.chars > 1:
                slack = width - line.indent - line.width
                if 0 < slack < style.size * line.chars:
                    extra = slack / (line.chars - 1)
            self._draw_line(canvas, x, baseline, line.text, extra)

    def _draw_line(self, canvas: Canvas, x: float, y: float, text: str, extra: float) -> None:
        style = self.style
        bold = self.setter.registry.wants_synthetic_bold(style.role)
        t = canvas.beginText(x, y)
        t.setCharSpace(style.spacing + extra)
        if bold:
            canvas.setLineWidth(style.size * 0.025)
            t.setTextRenderMode(2)
        for face, run in self.setter.runs(style.role, text):
            t.setFont(face.key, style.size)
            t.textOut(run)
        canvas.drawText(t)


class Stacked(Flowable):  # type: ignore[misc]
    """Headings that follow each other (一、 then （一）), kept as one."""

    def __init__(self, parts: Sequence[TextBlock]) -> None:
        super().__init__()
        self.parts = list(parts)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = sum(part.wrap(availWidth, availHeight)[1] for part in self.parts)
        return self.width, self.height

    def draw(self) -> None:
        y = self.height
        for part in self.parts:
            y -= part.height
            part.drawOn(self.canv, 0, y)


class Joined(Flowable):  # type: ignore[misc]
    """A heading with the paragraph after it: never the heading alone at the foot
    of a page, nor fewer than two of the paragraph's lines under it; the rest
    of the paragraph runs on (a whole keep-together would leave the foot of a
    page empty for a long paragraph)."""

    def __init__(self, heading: Flowable, body: TextBlock) -> None:
        super().__init__()
        self.heading, self.body = heading, body

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, h1 = self.heading.wrap(availWidth, availHeight)
        _, h2 = self.body.wrap(availWidth, availHeight)
        self.width, self.height = availWidth, h1 + h2
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        _, head = self.heading.wrap(availWidth, availHeight)
        lines = self.body.lines(availWidth)
        need = head + min(2, len(lines)) * self.body.style.leading
        if availHeight + 0.01 < need:
            return []
        parts = self.body.split(availWidth, availHeight - head)
        if len(parts) < 2:
            return [self.heading, self.body]
        return [Joined(self.heading, parts[0]), parts[1]]

    def draw(self) -> None:
        canvas: Canvas = self.canv
        self.body.drawOn(canvas, 0, 0)
        self.heading.drawOn(canvas, 0, self.body.height)


class Signed(Flowable):  # type: ignore[misc]
    """The last paragraph with the signature under it: the signature never stands
    alone at the top of a page; at least two lines of the text go with it."""

    def __init__(self, body: Flowable, signature: Stacked, *, whole: bool = False) -> None:
        super().__init__()
        self.body, self.signature = body, signature
        self.whole = whole
        """Taken over to the next page together: not split again on this one."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, h1 = self.body.wrap(availWidth, availHeight)
        _, h2 = self.signature.wrap(availWidth, availHeight)
        self.width, self.height = availWidth, h1 + h2
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self.whole and getattr(self, "height", 0) <= min(TYPE_WIDTH, TYPE_HEIGHT):
            return []  # to the next page, where it fits whole
        if isinstance(self.body, GridTable):
            return self._split_table(self.body, availWidth, availHeight)
        body = self.body.body if isinstance(self.body, Joined) else self.body
        if not isinstance(body, TextBlock):
            return []
        leading = body.style.leading
        _, head = self.body.wrap(availWidth, availHeight)
        head -= len(body.lines(availWidth)) * leading  # a heading joined above the text
        lines = body.lines(availWidth)
        keep = min(len(lines), 2)  # lines that go with the signature
        room = int((availHeight - head + 0.01) // leading)
        first = min(room, len(lines) - keep)
        if first <= 0:
            return []
        parts = body.split(availWidth, first * leading)
        if len(parts) < 2:
            return []
        head_part: Flowable = (
            Joined(self.body.heading, parts[0]) if isinstance(self.body, Joined) else parts[0]
        )
        return [head_part, Signed(parts[1], self.signature)]

    def _split_table(
        self, table: GridTable, availWidth: float, availHeight: float
    ) -> list[Flowable]:
        """After a table the 落款 goes with its last row, never alone under the
        table's header on a page of its own."""
        parts = table.split(availWidth, availHeight)
        if not parts:
            return []  # not even a row fits here
        if len(parts) == 2:
            return [parts[0], Signed(parts[1], self.signature)]
        # The whole table fits, the signature does not: its last row goes over.
        parts = table.split_off_last()
        if len(parts) < 2:
            return []
        return [parts[0], Signed(parts[1], self.signature, whole=True)]

    def draw(self) -> None:
        self.signature.drawOn(self.canv, 0, 0)
        self.body.drawOn(self.canv, 0, self.signature.height)


class Marker(Flowable):  # type: ignore[misc]
    """Where a section starts: a bookmark, and its page noted for the contents."""

    def __init__(self, key: str, title: str, level: int, found: dict[str, int]) -> None:
        super().__init__()
        self.key, self.title, self.level, self.found = key, title, level, found
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canvas: Canvas = self.canv
        canvas.bookmarkPage(self.key)
        canvas.addOutlineEntry(self.title, self.key, level=self.level, closed=self.level > 0)
        doc = getattr(canvas, "_mj_doc", None)
        self.found[self.key] = doc.printed(canvas.getPageNumber()) if doc else 0


class ContentsLine(Flowable):  # type: ignore[misc]
    """One line of the contents: title, dotted leader, page number flush right."""

    def __init__(self, title: str, page: str, level: int, setter: Typesetter) -> None:
        super().__init__()
        self.title, self.page, self.level, self.setter = title, page, level, setter

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, LEADING
        return availWidth, LEADING

    def draw(self) -> None:
        style = BODY
        indent = (self.level * 2) * PITCH
        page_width = sum(self.setter.width(style.role, c, style.size) for c in self.page)
        room = self.width - indent - page_width - PITCH
        title = self.title
        while title and self._width(title) > room:
            title = title[:-2] + "…"
        baseline = LEADING / 2 - style.size * 0.38
        self._text(indent, baseline, title)
        dots_start = indent + self._width(title) + PITCH / 2
        dots_end = self.width - page_width - PITCH / 2
        canvas: Canvas = self.canv
        canvas.saveState()
        canvas.setDash(1, 3)
        canvas.setLineWidth(0.8)
        canvas.line(dots_start, baseline + 3, dots_end, baseline + 3)
        canvas.restoreState()
        self._text(self.width - page_width, baseline, self.page)

    def _width(self, text: str) -> float:
        return sum(self.setter.width(BODY.role, c, BODY.size) + BODY.spacing for c in text)

    def _text(self, x: float, y: float, text: str) -> None:
        t = self.canv.beginText(x, y)
        t.setCharSpace(BODY.spacing)
        for face, run in self.setter.runs(BODY.role, text):
            t.setFont(face.key, BODY.size)
            t.textOut(run)
        self.canv.drawText(t)


class BlankLines(Flowable):  # type: ignore[misc]
    def __init__(self, lines: int = 1) -> None:
        super().__init__()
        self.lines = lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, min(self.lines * LEADING, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # at the foot of a page a blank line is simply dropped

    def draw(self) -> None:
        return None


class BlankPage(Flowable):  # type: ignore[misc]
    """Marks its page blank: no page number. Put between two page breaks, so a
    material starts on the front of a sheet when printed on both sides."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        doc = getattr(self.canv, "_mj_doc", None)
        if doc is not None:
            doc.blank_pages.add(self.canv.getPageNumber())


# ------------------------------------------------------------------ cells


def _cell_style(size: float, role: FontRole = FontRole.SONG, align: str = "left") -> TextStyle:
    """Table cells set ragged: spreading a narrow column letter-spaces it."""
    return TextStyle(role, size, size * 1.45, 0.0, 0, align)


# ------------------------------------------------------------------ document


class _Doc(BaseDocTemplate):  # type: ignore[misc]
    def __init__(
        self, out: io.BytesIO, document: Document, front_pages: int, first: str, initial_font: str
    ) -> None:
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=LEFT,
            rightMargin=PAGE_WIDTH - LEFT - TYPE_WIDTH,
            topMargin=TOP,
            bottomMargin=PAGE_HEIGHT - TOP - TYPE_HEIGHT,
            title=document.title,
            author=document.author,
            subject=document.subject,
            keywords=list(document.keywords),
            creator="明镜",
            # The canvas would otherwise select Helvetica on every page: a font
            # in the file that is neither used nor embedded.
            initialFontName=initial_font,
            initialFontSize=BODY_SIZE,
            producer="明镜（reportlab）",
            lang="zh-CN",
        )
        self.front_pages = front_pages
        self.blank_pages: set[int] = set()
        self.setter: Typesetter | None = None
        portrait = Frame(LEFT, PAGE_HEIGHT - TOP - TYPE_HEIGHT, TYPE_WIDTH, TYPE_HEIGHT, 0, 0, 0, 0)
        lh = landscape(A4)[1]
        # A table set across the page (GB/T 9704 §10.2): drawn on a landscape
        # sheet that carries /Rotate 270, so it is shown and printed as the
        # portrait page it is, the table's head to the left (toward the binding
        # of an odd page, the cut edge of an even one). Its type area is the
        # portrait one turned, so the two coincide on paper.
        turned = Frame(
            PAGE_HEIGHT - TOP - TYPE_HEIGHT,
            lh - LEFT - TYPE_WIDTH,
            TYPE_HEIGHT,
            TYPE_WIDTH,
            0,
            0,
            0,
            0,
            id="turned",
        )
        sideways = PageTemplate("landscape", [turned], onPageEnd=self._page_end, pagesize=A4)
        # reportlab writes a page with /Rotate 90 or 270 with its media box turned
        # (height × width): so the portrait size here gives the landscape sheet
        # the frame above is laid out on, shown turned back to portrait.
        sideways.rotation = TURNED
        templates = [
            PageTemplate("portrait", [portrait], onPageEnd=self._page_end, pagesize=A4),
            sideways,
            PageTemplate("cover", [portrait], pagesize=A4),
        ]
        templates.sort(key=lambda t: t.id != first)  # the first page's template first
        self.addPageTemplates(templates)

    def printed(self, physical: int) -> int:
        return physical - self.front_pages

    def beforeDocument(self) -> None:
        self.canv._mj_doc = self
        if self.front_pages:
            # Viewers then name a page by the number printed on it, not by its
            # place in the file (the cover and its back come before page 1).
            self.canv.addPageLabel(0, prefix="封面")
            self.canv.addPageLabel(self.front_pages, style="D", start=1)

    def _page_end(self, canvas: Canvas, doc: _Doc) -> None:
        physical = canvas.getPageNumber()
        number = self.printed(physical)
        if physical in self.blank_pages or number < 1 or self.setter is None:
            return
        if not self.setter.drawing:
            return
        text = f"— {number} —"
        setter = self.setter
        widths = [setter.width(FontRole.SONG, c, PAGE_NUMBER_SIZE) for c in text]
        total = sum(widths)
        # Where the number goes on the portrait page (a turned page too, §10.2):
        # 7 mm below the type area, one character in from the outer side.
        right = LEFT + TYPE_WIDTH
        bottom = PAGE_HEIGHT - TOP - TYPE_HEIGHT
        x = right - PAGE_NUMBER_SIZE - total if number % 2 else LEFT + PAGE_NUMBER_SIZE
        # The dashes sit 0.3 em above the baseline: put them 7 mm below the type area.
        y = bottom - PAGE_NUMBER_DROP - PAGE_NUMBER_SIZE * 0.3
        # The template's, not the canvas's: platypus sets a page's rotation only
        # after this runs, so the canvas still has the page before's.
        turned = getattr(doc.pageTemplate, "rotation", 0) == TURNED
        canvas.saveState()
        if turned:
            # Undo the page's /Rotate 270 for the number: upright on the paper.
            canvas.translate(y, PAGE_WIDTH - x)
            canvas.rotate(-90)
            x, y = 0.0, 0.0
        t = canvas.beginText(x, y)
        for face, run in setter.runs(FontRole.SONG, text):
            t.setFont(face.key, PAGE_NUMBER_SIZE)
            t.textOut(run)
        canvas.drawText(t)
        canvas.restoreState()


def _blocks(blocks: Sequence[Block], setter: Typesetter, landscape_page: bool) -> list[Flowable]:
    out: list[Flowable] = []
    headings: list[TextBlock] = []  # the headings just before, waiting for their text
    for block in blocks:
        if isinstance(block, Title):
            title = TextBlock(block.text, STYLES["title"], setter)
            title.keepWithNext = True
            out += [title, BlankLines(1)]
        elif isinstance(block, Subtitle):
            sub = TextBlock(block.text, STYLES["subtitle"], setter)
            sub.keepWithNext = True
            out.append(sub)
        elif isinstance(block, Heading):
            heading = TextBlock(block.text, STYLES[f"h{block.level}"], setter)
            heading.keepWithNext = True
            out.append(heading)
            headings.append(heading)
            continue
        elif isinstance(block, Para):
            para = TextBlock(
                block.text,
                BODY,
                setter,
                indent_chars=2 if block.indent else 0,
                align=block.align,
            )
            if headings and out[-len(headings) :] == headings:
                del out[-len(headings) :]
                head: Flowable = headings[0] if len(headings) == 1 else Stacked(headings)
                out.append(Joined(head, para))
            else:
                out.append(para)
        elif isinstance(block, Signature):
            signed = _signature(block, setter)
            last = out[-1] if out else None
            if isinstance(last, TextBlock | Joined | GridTable):
                out[-1] = Signed(last, Stacked(signed))  # never a page holding only the 落款
            else:
                out += signed
        elif isinstance(block, Table):
            out.append(_table(block, setter, landscape_page))
        elif isinstance(block, PageBreak):
            out.append(RLPageBreak())
        headings = []
    return out


def _signature(block: Signature, setter: Typesetter) -> list[Flowable]:
    """GB/T 9704 §7.3.5.2: signer right 2 characters in; the date under it,
    2 characters further right — or, if longer, 2 in from the right and the
    signer moved left to keep the 2-character step."""
    date = cn_date(block.date)

    def width(text: str) -> float:
        return sum(setter.width(BODY.role, c, BODY.size) + BODY.spacing for c in text)

    signer, dated = width(block.signer), width(date)
    signer_right = 2 * PITCH
    date_right = signer_right + signer - 2 * PITCH - dated
    if date and date_right < 2 * PITCH:
        date_right = 2 * PITCH
        signer_right = date_right + dated + 2 * PITCH - signer
    out: list[Flowable] = [BlankLines(1)]
    for text, right in ((block.signer, signer_right), (date, date_right)):
        if text:
            line = TextBlock(text, BODY, setter, indent_chars=0, align="right", right_space=right)
            line.keepWithNext = text == block.signer
            out.append(line)
    return out


class GridTable(Flowable):  # type: ignore[misc]
    """A ruled table whose header repeats on every page and whose rows split
    by lines, so a cell of any length runs on to the next page (reportlab's
    own Table repeated the header inside a page when it split a row)."""

    PAD = 3.0

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        size: float,
        setter: Typesetter,
        *,
        prepared: list[list[list[Line]]] | None = None,
        continued: bool = False,
    ) -> None:
        super().__init__()
        self.header_texts = list(header)
        self.rows = [list(r) for r in rows]
        self.widths = list(widths)
        self.size = size
        self.setter = setter
        self.head_style = _cell_style(size, FontRole.HEI, "center")
        self.body_style = _cell_style(size)
        self._prepared = prepared
        self._heights: list[float] | None = None
        self._head_height: float | None = None
        self._head_lines: list[list[Line]] | None = None
        self.continued = continued

    def _break(self, text: str, style: TextStyle, width: float) -> list[Line]:
        key = (style.role, style.size, 0.0)
        out: list[Line] = []
        for paragraph in text.split("\n"):
            out += self.setter.broken(paragraph, width - 2 * self.PAD, key, 0.0, cell=True)
        return out

    def _head(self) -> list[list[Line]]:
        if self._head_lines is None:
            self._head_lines = [
                self._break(h, self.head_style, w)
                for h, w in zip(self.header_texts, self.widths, strict=True)
            ]
        return self._head_lines

    def prepared(self) -> list[list[list[Line]]]:
        if self._prepared is None:
            self._prepared = [
                [self._break(c, self.body_style, w) for c, w in zip(r, self.widths, strict=True)]
                for r in self.rows
            ]
        return self._prepared

    def _height(self, cells: list[list[Line]], style: TextStyle) -> float:
        return max((len(c) for c in cells), default=1) * style.leading + 2 * self.PAD

    def heights(self) -> list[float]:
        """Each row's height, worked out once (a ledger of thousands of rows is
        split page by page: recounting every row at each page was quadratic)."""
        if self._heights is None:
            self._heights = [self._height(r, self.body_style) for r in self.prepared()]
        return self._heights

    def head_height(self) -> float:
        if self._head_height is None:
            self._head_height = self._height(self._head(), self.head_style)
        return self._head_height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self.head_height() + sum(self.heights())
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        rows = self.prepared()
        heights = self.heights()
        room = availHeight - self.head_height()
        leading = self.body_style.leading
        n = 0
        while n < len(rows) and heights[n] <= room:
            room -= heights[n]
            n += 1
        if n == len(rows):
            return [self]
        taken, taken_heights = rows[:n], heights[:n]
        if not taken and self.head_height() + heights[n] <= min(TYPE_WIDTH, TYPE_HEIGHT):
            # Not one whole row fits here, but it would on a fresh page: go there
            # (split here, it would leave a header and a line or two mid-page).
            return []
        fit = int((room - 2 * self.PAD) // leading)
        lines = max((len(cell) for cell in rows[n]), default=1)
        # Two lines of a row at least on each side of a page break (a row's
        # single line alone under a repeated header reads as a stray row).
        fit = min(fit, lines - 2) if taken else min(fit, lines - 1)
        if fit >= 2 or (not taken and fit >= 1):  # split this row by lines
            row = rows[n]
            first = [cell[:fit] for cell in row]
            rest = [cell[fit:] for cell in row]
            taken = [*taken, first]
            taken_heights = [*taken_heights, self._height(first, self.body_style)]
            remaining = [rest, *rows[n + 1 :]]
            remaining_heights = [self._height(rest, self.body_style), *heights[n + 1 :]]
        else:
            remaining, remaining_heights = rows[n:], heights[n:]
        if not taken:
            return []
        return [
            self._part(taken, taken_heights, self.continued),
            self._part(remaining, remaining_heights, True),
        ]

    def split_off_last(self) -> list[Flowable]:
        """This table without its last row, and that row (under the header) on
        its own: to take something over to the next page with it."""
        rows, heights = self.prepared(), self.heights()
        if len(rows) < 2:
            return []
        return [
            self._part(rows[:-1], heights[:-1], self.continued),
            self._part(rows[-1:], heights[-1:], True),
        ]

    def _part(
        self, rows: list[list[list[Line]]], heights: list[float], continued: bool
    ) -> GridTable:
        part = GridTable(
            self.header_texts,
            [],
            self.widths,
            self.size,
            self.setter,
            prepared=rows,
            continued=continued,
        )
        part._heights = heights
        part._head_height = self._head_height
        part._head_lines = self._head_lines
        return part

    def draw(self) -> None:
        if not self.setter.drawing:
            return
        canvas: Canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(0.5)
        y = self.height
        xs = [0.0]
        for w in self.widths:
            xs.append(xs[-1] + w)
        for cells, style in [(self._head(), self.head_style)] + [
            (r, self.body_style) for r in self.prepared()
        ]:
            h = self._height(cells, style)
            for cell, x, w in zip(cells, xs[:-1], self.widths, strict=True):
                block = TextBlock("", style, self.setter, lines=cell)
                block.canv = canvas
                block.width = w - 2 * self.PAD
                block.height = len(cell) * style.leading
                top = y - self.PAD
                offset = (h - 2 * self.PAD - block.height) / 2 if style is self.head_style else 0
                canvas.saveState()
                canvas.translate(x + self.PAD, top - offset - block.height)
                block.draw()
                canvas.restoreState()
            canvas.line(0, y, xs[-1], y)
            y -= h
        canvas.line(0, y, xs[-1], y)
        for x in xs:
            canvas.line(x, y, x, self.height)
        canvas.restoreState()


def _table(block: Table, setter: Typesetter, landscape_page: bool) -> GridTable:
    width = TYPE_HEIGHT if landscape_page else TYPE_WIDTH
    total = sum(block.widths)
    widths = [width * w / total for w in block.widths]
    table = GridTable(block.header, block.rows, widths, block.font_size, setter)
    table.spaceBefore = LEADING / 2  # not flush under the text above it
    table.spaceAfter = LEADING / 2
    return table


@dataclass
class _Story:
    flowables: list[Flowable] = field(default_factory=list)
    found: dict[str, int] = field(default_factory=dict)
    front: int = 0
    first: str = "portrait"


def _story(
    document: Document,
    setter: Typesetter,
    pages: dict[str, int] | None,
    blank_before: frozenset[int] = frozenset(),
) -> _Story:
    """The flowables; ``pages`` fills the contents, ``blank_before`` lists the
    sections preceded by a blank page (both known from a first pass)."""
    story = _Story()
    out = story.flowables

    def new_page(template: str, blank: bool = False) -> None:
        out.append(NextPageTemplate("portrait" if blank else template))
        out.append(RLPageBreak())
        if blank:
            out.extend([BlankPage(), NextPageTemplate(template), RLPageBreak()])

    if document.cover:
        story.front = 2  # the cover and its back: printed page 1 is a right-hand page
        story.first = "cover"
        # The cover: the meeting and 会议材料汇编 large in the upper part, the unit
        # and the month low on the page.
        out.append(BlankLines(4))
        heads, tail = document.cover[:2], document.cover[2:]
        for line in heads:
            out += [TextBlock(line, STYLES["cover"], setter), BlankLines(1)]
        if document.draft:
            out += [TextBlock(DRAFT_MARK, STYLES["subtitle"], setter)]
        out.append(BlankLines(max(1, 12 - 3 * len(heads) - (1 if document.draft else 0))))
        for line in tail:
            out.append(TextBlock(line, STYLES["subtitle"], setter))
        new_page("portrait", blank=True)
    if document.contents:
        out.append(Marker("contents", "目　　录", 0, story.found))
        out += [TextBlock("目　　录", STYLES["title"], setter), BlankLines(1)]
        if document.draft:
            out += [TextBlock(document.draft, STYLES["body"], setter), BlankLines(1)]
        for n, section in enumerate(document.sections):
            page = str((pages or {}).get(f"s{n}", 888))
            out.append(ContentsLine(section.title, page, section.level, setter))
    for n, section in enumerate(document.sections):
        template = "landscape" if section.landscape else "portrait"
        if out:
            new_page(template, blank=n in blank_before)
        else:
            story.first = template
        out.append(Marker(f"s{n}", section.title, section.level, story.found))
        out += _blocks(section.blocks, setter, section.landscape)
    return story


def _blanks(document: Document, starts: dict[str, int]) -> frozenset[int]:
    """Sections that need a blank page before them to start on an odd page."""
    if not document.cover and not document.contents:
        return frozenset()
    blanks = set()
    shift = 0
    for n in range(len(document.sections)):
        start = starts.get(f"s{n}", 1) + shift
        if start % 2 == 0:
            blanks.add(n)
            shift += 1
    return frozenset(blanks)


def render_pdf(
    document: Document,
    registry: FontRegistry,
    progress: Callable[[int], bool] | None = None,
) -> Rendered:
    """The document as PDF bytes; ``progress(page)`` returning False cancels.

    A package (cover or contents) is laid out twice: the first pass finds where
    each material starts, so the second can print the contents' page numbers
    and put a blank page before a material that would start on an even page.
    """
    setter = Typesetter(registry)
    pages: dict[str, int] | None = None
    blanks: frozenset[int] = frozenset()
    passes = 2 if (document.contents or document.cover) else 1
    for attempt in range(passes):
        story = _story(document, setter, pages, blanks)
        out = io.BytesIO()
        body_face = setter.face(FontRole.FANGSONG, "中") or setter.registry.primary(FontRole.UI)
        doc = _Doc(out, document, story.front, story.first, body_face.key)
        doc.setter = setter
        # The first of two passes only finds the pages: nothing is drawn.
        setter.drawing = attempt == passes - 1
        if progress is not None:

            def report(kind: str, value: int) -> None:
                if kind == "PAGE" and progress is not None and not progress(value):
                    raise Cancelled

            doc.setProgressCallBack(report)
        doc.build(story.flowables)
        if attempt == 0:
            blanks = _blanks(document, story.found)
            shift = 0
            pages = {}
            for n in range(len(document.sections)):
                shift += n in blanks
                pages[f"s{n}"] = story.found.get(f"s{n}", 0) + shift
        else:
            pages = dict(story.found)
    if pages is None:
        pages = dict(story.found)
    titles = tuple((s.title, pages.get(f"s{n}", 0)) for n, s in enumerate(document.sections))
    return Rendered(
        data=out.getvalue(),
        pages=doc.page,
        missing=tuple(sorted(setter.missing)),
        sections=titles,
    )
