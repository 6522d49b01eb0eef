"""完成时限 as offices write it: a date, a month's end, or a phrase.

Ledgers say 2025年12月31日, 2025.12.31, 2025-12-31, 12月底, 年底前, 立行立改,
长期坚持, or 立行立改、长期坚持. :func:`read_deadline` turns such a text into
(kind, date) and says how it read it whenever it had to infer something (a
year, a month's last day), so the caller can show “12月底 → 2025-12-31” and
never guess silently.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from mingjing.domain.enums import DeadlineKind

_SPACE = re.compile(r"[\s\u3000]+")
_TAIL = re.compile(r"(之前|以前|前|为止|止|完成|整改到位|到位)$")
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH_END = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(底|末|份)?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?$")
_MONTH_END = re.compile(r"^(\d{1,2})\s*月\s*(底|末|份)?$")
_YEAR_END = re.compile(r"^(?:(\d{4})\s*年\s*)?(?:年底|年末|底)$")
_HALF = re.compile(r"^(?:(\d{4})\s*年\s*)?(上半年|下半年)(?:末|底)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class DeadlineUnreadable(ValueError):
    """The text is no deadline this module knows how to read."""


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    date: dt.date | None = None
    inferred: str = ""
    """How an inexact text was read, e.g. “按 2025-12-31 计”; empty when exact."""

    @property
    def text(self) -> str:
        """As the ledger prints it: 2025-12-31, 立行立改, 长期坚持, or 限期整改（未定）."""
        return format_deadline(self.kind, self.date)


def format_deadline(kind: DeadlineKind, date: dt.date | None) -> str:
    if kind is DeadlineKind.BY_DATE:
        return date.isoformat() if date is not None else "限期整改（未定）"
    return kind.label


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DeadlineUnreadable(f"“{text}”不是有效的日期") from None


def _next_occurrence(month: int, day: int | None, reference: dt.date, text: str) -> dt.date:
    """The first such day (``None``: month's end) in the reference month or after."""
    year = reference.year
    if month < reference.month:
        year += 1
    if not 1 <= month <= 12:
        raise DeadlineUnreadable(f"“{text}”不是有效的月份")
    return _month_end(year, month) if day is None else _date(year, month, day, text)


def read_deadline(text: str, reference: dt.date) -> Deadline:
    """Read a 完成时限; ``reference`` is the day the ledger was drawn up.

    A text without a year (12月底, 3月15日) means the first such day from the
    reference month on. Raises :class:`DeadlineUnreadable` for anything else;
    a blank text is 限期整改 with no date yet.
    """
    raw = _SPACE.sub("", text)
    if not raw:
        return Deadline(DeadlineKind.BY_DATE)
    immediate = "立行立改" in raw or "立即整改" in raw
    ongoing = "长期坚持" in raw or "持续整改" in raw or raw == "长期"
    if ongoing:
        # 立行立改、长期坚持: started at once and never finished, so it is kept up.
        return Deadline(DeadlineKind.ONGOING)
    if immediate:
        return Deadline(DeadlineKind.IMMEDIATE)
    body = raw.removeprefix("限期整改").strip("：:，,（）()")
    while len(body) > 2 and _TAIL.search(body):
        body = _TAIL.sub("", body)
    if not body:
        return Deadline(DeadlineKind.BY_DATE)
    if re.fullmatch(r"\d{5}(\.0)?", body):
        serial = int(float(body))
        if 36526 <= serial <= 73050:  # an Excel day number (years 2000–2099)
            return Deadline(DeadlineKind.BY_DATE, _EXCEL_EPOCH + dt.timedelta(days=serial))
    match = _FULL.match(body) or _COMPACT.match(body)
    if match:
        y, m, d = (int(g) for g in match.groups())
        return Deadline(DeadlineKind.BY_DATE, _date(y, m, d, text))
    match = _YEAR_MONTH_END.match(body)
    if match:
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise DeadlineUnreadable(f"“{text}”不是有效的月份")
        day = _month_end(year, month)
        return Deadline(DeadlineKind.BY_DATE, day, f"按月底 {day.isoformat()} 计")
    match = _MONTH_DAY.match(body)
    if match:
        day = _next_occurrence(int(match[1]), int(match[2]), reference, text)
        return Deadline(DeadlineKind.BY_DATE, day, f"按 {day.isoformat()} 计")
    match = _MONTH_END.match(body)
    if match:
        day = _next_occurrence(int(match[1]), None, reference, text)
        return Deadline(DeadlineKind.BY_DATE, day, f"按 {day.isoformat()} 计")
    match = _YEAR_END.match(body)
    if match:
        year = int(match[1]) if match[1] else reference.year
        day = dt.date(year, 12, 31)
        return Deadline(DeadlineKind.BY_DATE, day, f"按 {day.isoformat()} 计")
    match = _HALF.match(body)
    if match:
        year = int(match[1]) if match[1] else reference.year
        day = dt.date(year, 6, 30) if match[2] == "上半年" else dt.date(year, 12, 31)
        if not match[1] and day < reference:
            day = day.replace(year=day.year + 1)
        return Deadline(DeadlineKind.BY_DATE, day, f"按 {day.isoformat()} 计")
    raise DeadlineUnreadable(
        f"无法识别完成时限“{text}”：应为日期（如 2025年12月31日）、“12月底”、“立行立改”或“长期坚持”"
    )
